// Inputs the API-server harness found accepted by the constructs and rejected by a
// cluster: each is now refused at synth, once, in the core model where it is a pod rule.
import { Chart, Cron, Duration, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  DistributedTrainingJob, MlModelServing, MlModelServingProps, MlValidationErrors, ModelSource, ResourceQuota, ResourceQuotaProps,
  DashboardPanel, GrafanaDashboard, NodeSelectorOperator, PodSecurity, ServingScaledObject, TopologySpread, TrainingBackend,
  CanaryRelease, CanaryTraffic, GpuNodePool, ModelServerAlerts, ModelServerAlertsProps, PrometheusScrape, PrometheusServerConfig,
  ScrapeMode, ScrapeTarget, ServingScaling, SpotNodePool, UnsatisfiableSpreadAction,
} from '../../src';
import { MlValidationError } from '../../src/core/errors';
import { synthAndValidate } from '../util';

const P = "MlModelServing 'prod/bert': ";

function serving(props: Partial<MlModelServingProps>) {
  const chart = new Chart(Testing.app(), 'prod');
  return () => new MlModelServing(chart, 'bert', { image: 'ml-model:v1', ...props });
}

describe('refused at synth, naming the prop as written', () => {
  test.each<[string, Partial<MlModelServingProps>, string]>([
    ['servicePort equal to metrics.port', { servicePort: 9090, metrics: { port: 9090 } },
      'servicePort (9090) is also metrics.port, which the Service publishes too; a Service port may be used once'],
    ['an env name with =', { env: { 'A=B': kplus.EnvValue.fromValue('x') } },
      "env key ('A=B') is not a valid environment variable name: one or more printable ASCII characters other than '='"],
    ['an empty env name', { env: { '': kplus.EnvValue.fromValue('x') } },
      "env key ('') is not a valid environment variable name: one or more printable ASCII characters other than '='"],
    ['a non-ASCII env name', { env: { café: kplus.EnvValue.fromValue('x') } },
      "env key ('café') is not a valid environment variable name: one or more printable ASCII characters other than '='"],
    ['a sidecar env name', { sidecars: [{ name: 'proxy', image: 'envoy:v1.30', env: { 'X=1': kplus.EnvValue.fromValue('x') } }] },
      "sidecars[0].env key ('X=1') is not a valid environment variable name: one or more printable ASCII characters other than '='"],
    ['liveness successThreshold 2', { liveness: kplus.Probe.fromHttpGet('/health', { port: 8080, successThreshold: 2 }) },
      'liveness successThreshold (2) must be 1 for liveness probes (the API server refuses other values)'],
    ['startup successThreshold 3', { startup: kplus.Probe.fromHttpGet('/health', { port: 8080, successThreshold: 3 }) },
      'startup successThreshold (3) must be 1 for startup probes (the API server refuses other values)'],
    ['readiness successThreshold 0', { readiness: kplus.Probe.fromHttpGet('/ready', { port: 8080, successThreshold: 0 }) },
      'readiness successThreshold (0) must be >= 1'],
    ['a probe on an undeclared port', { readiness: kplus.Probe.fromTcpSocket({ port: 8081 }) },
      'readiness probes port 8081, which the container does not declare (it declares 8080); probe a declared port'],
    ['a relative modelMountPath', { model: ModelSource.fromPersistentVolumeClaim('models'), modelMountPath: 'models' },
      "modelMountPath ('models') must be an absolute path other than '/'"],
    ['modelMountPath /tmp', { model: ModelSource.fromStorageUri('s3://b/m'), modelMountPath: '/tmp' },
      "modelMountPath ('/tmp') is the writable /tmp every container gets; pick another path such as '/mnt/models'"],
    ['maxSkew 0', { spread: [TopologySpread.acrossZones({ maxSkew: 0 })] }, 'spread[0] maxSkew (0) must be >= 1'],
    ['minDomains with ScheduleAnyway', { spread: [TopologySpread.acrossZones({ minDomains: 3 })] },
      'spread[0] minDomains (3) needs whenUnsatisfiable: UnsatisfiableSpreadAction.DO_NOT_SCHEDULE; the API server refuses it with ScheduleAnyway'],
    ['the same spread twice', { spread: [TopologySpread.acrossZones(), TopologySpread.acrossZones({ maxSkew: 2 })] },
      'spread[1] repeats the spread over topology.kubernetes.io/zone / ScheduleAnyway (topologyKey and whenUnsatisfiable): the API server allows each pair once'],
    ['ephemeral storage request above its limit', { resources: { ephemeralStorage: { request: Size.gibibytes(20), limit: Size.gibibytes(10) } } },
      'resources.ephemeralStorage.limit (10240Mi) must be >= ephemeralStorage.request (20480Mi)'],
    ['partOf over 63 characters', { partOf: 'p'.repeat(64) },
      `partOf ('${'p'.repeat(64)}') must be a valid label value: at most 63 characters, alphanumeric at both ends, '-', '_' or '.' inside`],
    ['a label key with two slashes', { labels: { 'a/b/c': 'x' } },
      "labels key ('a/b/c') is not a valid label key: an optional DNS subdomain prefix and '/', then a name of at most 63 alphanumerics, '-', '_' or '.'"],
    ['a selector label key with a bad prefix', { selectorLabels: { 'Example.com/color': 'blue' } },
      "selectorLabels key ('Example.com/color') is not a valid label key: an optional DNS subdomain prefix and '/', then a name of at most 63 alphanumerics, '-', '_' or '.'"],
    ['an annotation key with a space', { podAnnotations: { 'my key': 'x' } },
      "podAnnotations key ('my key') is not a valid annotation key: an optional DNS subdomain prefix and '/', then a name of at most 63 alphanumerics, '-', '_' or '.'"],
    ['two sidecars on one port', {
      sidecars: [
        { name: 'a', image: 'envoy:v1.30', ports: [{ number: 15000 }] },
        { name: 'b', image: 'envoy:v1.30', ports: [{ number: 15000 }] },
      ],
    }, "sidecars[1].name port 15000/TCP is already used by container 'a' of the pod, which shares its network"],
    ['a sidecar on the server port', { sidecars: [{ name: 'a', image: 'envoy:v1.30', ports: [{ number: 8080 }] }] },
      "sidecars[0].name port 8080/TCP is already used by container 'model-server' of the pod, which shares its network"],
    ['one port twice in a sidecar', { sidecars: [{ name: 'a', image: 'envoy:v1.30', ports: [{ number: 15000 }, { number: 15000 }] }] },
      'sidecars[0].ports[1] (15000/TCP) is already port [0] of the container; a container port and protocol may be declared once'],
  ])('%s', (_, props, message) => {
    expect(serving(props)).toThrow(P + message);
  });

  test('the error is an exported MlValidationError with the construct path and prop', () => {
    let caught: unknown;
    try { serving({ partOf: '-bad' })(); } catch (e) { caught = e; }
    expect(caught).toBeInstanceOf(MlValidationError);
    expect(caught).toMatchObject({ construct: 'prod/bert', prop: 'partOf', name: 'MlValidationError' });
    // The jsii-friendly accessors, for Python, Java, Go and .NET users.
    expect(MlValidationErrors.isValidationError(caught)).toBe(true);
    expect(MlValidationErrors.isValidationError(new Error('x'))).toBe(false);
    expect(MlValidationErrors.constructPathOf(caught)).toBe('prod/bert');
    expect(MlValidationErrors.propOf(caught)).toBe('partOf');
  });

  test('env names are checked on every workload: a training job too', () => {
    const chart = new Chart(Testing.app(), 'train');
    expect(() => new DistributedTrainingJob(chart, 'job', {
      image: 'trainer:v1', env: { 'BAD=NAME': kplus.EnvValue.fromValue('1') }, backend: TrainingBackend.indexedJob(),
    })).toThrow("DistributedTrainingJob 'train/job': env key ('BAD=NAME') is not a valid environment variable name");
  });

  test('what Kubernetes accepts still passes: relaxed env names, minDomains with DoNotSchedule, two spreads', () => {
    const chart = new Chart(Testing.app(), 'prod');
    new MlModelServing(chart, 'bert', {
      image: 'ml-model:v1',
      env: { 'my.setting-1': kplus.EnvValue.fromValue('x'), 'WITH SPACE': kplus.EnvValue.fromValue('y') },
      metrics: { port: 9090 },
      servicePort: 8080,
      model: ModelSource.fromPersistentVolumeClaim('models'),
      modelMountPath: '/tmp-models',
      spread: [
        TopologySpread.acrossZones({ whenUnsatisfiable: UnsatisfiableSpreadAction.DO_NOT_SCHEDULE, minDomains: 2 }),
        TopologySpread.acrossNodes(),
      ],
      resources: { ephemeralStorage: { request: Size.gibibytes(10), limit: Size.gibibytes(10) } },
      partOf: 'p'.repeat(63),
      labels: { 'example.com/team': 'nlp' },
    });
    expect(synthAndValidate(chart).length).toBeGreaterThan(0);
  });
});

describe('ResourceQuota keys the API server accepts and quota enforces', () => {
  const Q = "ResourceQuota 'prod/quota': ";
  function quota(props: ResourceQuotaProps) {
    return () => new ResourceQuota(new Chart(Testing.app(), 'prod', { namespace: 'ml' }), 'quota', props);
  }
  test.each<[string, ResourceQuotaProps, string]>([
    ['a GPU resource name without a domain', { gpus: 4, gpuResourceName: 'gpu' },
      "gpuResourceName ('gpu') must be a domain-prefixed extended resource name such as 'nvidia.com/gpu'"],
    ['limits of an extended resource', { hard: { 'limits.nvidia.com/gpu': '4' } },
      "hard key ('limits.nvidia.com/gpu') is never enforced: quota counts extended resources by requests only; use 'requests.nvidia.com/gpu'"],
    ['a bare extended resource', { hard: { 'nvidia.com/gpu': '4' } },
      "hard key ('nvidia.com/gpu') is never enforced: quota counts extended resources as 'requests.nvidia.com/gpu'"],
    ['a made-up bare name', { hard: { gpus: '4' } },
      'hard key is not a resource quota enforces: use a standard name (pods, requests.cpu, limits.memory, ...), requests.<domain>/<name> for extended resources, or count/<resource>.<group> for object counts'],
    ['fractional extended resources', { hard: { 'requests.amd.com/gpu': '1.5' } },
      "hard['requests.amd.com/gpu'] ('1.5') must be a whole number: extended resources are not fractional"],
    ['a fractional object count', { hard: { 'count/jobs.batch': '2.5' } },
      "hard['count/jobs.batch'] ('2.5') must be a whole number of objects"],
  ])('%s', (_, props, message) => {
    expect(quota(props)).toThrow(Q + message);
  });

  test('accepted keys synthesize cleanly', () => {
    const chart = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
    new ResourceQuota(chart, 'quota', {
      gpus: 4,
      gpuResourceName: 'amd.com/gpu',
      hard: { 'requests.nvidia.com/gpu': '8', 'count/rayclusters.ray.io': '5', 'fast.storageclass.storage.k8s.io/requests.storage': '1Ti', 'services.nodeports': '0' },
    });
    expect(synthAndValidate(chart).length).toBe(1);
  });
});

describe('scheduling and identity rules, once in the core model', () => {
  const make = () => new MlModelServing(new Chart(Testing.app(), 'prod'), 'bert', { image: 'ml-model:v1' });
  test.each<[string, (s: MlModelServing) => void, string]>([
    ['In without values', s => s.requireNodes([{ key: 'zone', operator: NodeSelectorOperator.IN }]), 'requireNodes requirements[0].values must have at least one value for In'],
    ['Gt with two values', s => s.requireNodes([{ key: 'gpu-mem', operator: NodeSelectorOperator.GT, values: ['1', '2'] }]), 'requireNodes requirements[0].values (["1","2"]) must be exactly one integer for Gt'],
    ['Lt with a non-integer', s => s.preferNodes(10, [{ key: 'gpu-mem', operator: NodeSelectorOperator.LT, values: ['1.5'] }]), 'preferNodes requirements[0].values (["1.5"]) must be exactly one integer for Lt'],
    ['Exists with values', s => s.requireNodes([{ key: 'gpu', operator: NodeSelectorOperator.EXISTS, values: ['x'] }]), 'requireNodes requirements[0].values (["x"]) must be empty for Exists'],
    ['an invalid node label key', s => s.requireNodes([{ key: 'a/b/c', operator: NodeSelectorOperator.EXISTS }]), "requireNodes requirements[0].key ('a/b/c') is not a valid label key"],
    ['preference weight 0', s => s.preferNodes(0, [{ key: 'gpu', operator: NodeSelectorOperator.EXISTS }]), 'preferNodes weight (0) must be between 1 and 100'],
    ['no preference requirement', s => s.preferNodes(5, []), 'preferNodes needs at least one requirement'],
    ['a toleration value that is no label value', s => s.tolerate({ key: 'spot', value: 'yes please' }), "tolerate.value ('yes please') must be a valid label value"],
    ['a toleration effect that does not exist', s => s.tolerate({ key: 'spot', effect: 'NoWay' as kplus.TaintEffect }), "tolerate.effect ('NoWay') must be one of NoSchedule, PreferNoSchedule, NoExecute"],
    ['a toleration key that is no label key', s => s.tolerate({ key: 'spot/zone/a' }), "tolerate.key ('spot/zone/a') is not a valid label key"],
    ['an empty toleration key', s => s.tolerate({ key: '' }), "tolerate.key ('') is not a valid label key"],
  ])('%s', (_, act, message) => {
    const s = make();
    expect(() => act(s)).toThrow(P + message);
  });

  test.each<[string, Partial<MlModelServingProps>, string]>([
    ['runAsUser 0 under runAsNonRoot', { podSecurity: PodSecurity.restricted({ runAsUser: 0 }) },
      'podSecurity runAsUser (0) is root, which runAsNonRoot forbids: the kubelet would refuse to start the containers; use a UID >= 1 or PodSecurity.relaxed({ reason, runAsRoot: true })'],
    ['a fractional UID', { podSecurity: PodSecurity.restricted({ runAsUser: 1000.5 }) }, 'podSecurity runAsUser (1000.5) must be an integer'],
    ['a negative fsGroup', { podSecurity: PodSecurity.restricted({ fsGroup: -1 }) }, 'podSecurity fsGroup (-1) must be between 0 and 2147483647'],
    ['a name that cannot name a Service', { name: '1bert' },
      "name ('1bert') must be a valid RFC 1035 label, since it names a Service: lowercase alphanumerics and '-', starting with a letter and ending with an alphanumeric, at most 63 characters"],
  ])('%s', (_, props, message) => {
    expect(serving(props)).toThrow(P + message);
  });

  test('Exists, DoesNotExist, Gt with one integer and root under a relaxed profile pass', () => {
    const chart = new Chart(Testing.app(), 'prod');
    const s = new MlModelServing(chart, 'bert', { image: 'ml-model:v1' });
    s.requireNodes([{ key: 'gpu', operator: NodeSelectorOperator.EXISTS }, { key: 'gpu-mem', operator: NodeSelectorOperator.GT, values: ['40'] }]);
    s.preferNodes(100, [{ key: 'spot', operator: NodeSelectorOperator.DOES_NOT_EXIST }]);
    s.tolerate({ key: 'example.com/spot', value: 'true', effect: kplus.TaintEffect.NO_SCHEDULE });
    expect(synthAndValidate(chart).length).toBeGreaterThan(0);
  });
});

describe('Prometheus regexes are RE2, as Prometheus parses them', () => {
  test.each([
    ['a look-ahead, which JavaScript accepts', '5(?=0)', "metrics.names.errorCodeRegex ('5(?=0)') is not an RE2 regular expression (what Prometheus uses): invalid or unsupported Perl syntax: `(?=`"],
    ['a back-reference', '(5)\\1', "metrics.names.errorCodeRegex ('(5)\\1') is not an RE2 regular expression (what Prometheus uses): invalid escape sequence: `\\1`"],
  ])('%s is refused', (_, regex, message) => {
    expect(serving({ metrics: { port: 9090, names: { errorCodeRegex: regex } } })).toThrow(P + message);
  });

  test('(?i) flags, which JavaScript refuses, are accepted', () => {
    const chart = new Chart(Testing.app(), 'prod');
    new MlModelServing(chart, 'bert', { image: 'ml-model:v1', metrics: { port: 9090, names: { errorCodeRegex: '(?i)5..|timeout' } } });
    expect(synthAndValidate(chart).length).toBeGreaterThan(0);
  });
});

describe('user PromQL is parsed at synth with the Prometheus grammar', () => {
  test('a KEDA query with a syntax error is refused; a valid one passes', () => {
    const chart = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
    const s = new MlModelServing(chart, 'bert', { image: 'ml-model:v1', metrics: { port: 9090 } });
    expect(() => new ServingScaledObject(chart, 'keda', { serving: s, threshold: 10, query: 'sum(rate(http_requests_total[2m])' }))
      .toThrow("ServingScaledObject 'prod/keda': query ('sum(rate(http_requests_total[2m])') is not valid PromQL: syntax error at character");
    new ServingScaledObject(chart, 'keda2', { serving: s, threshold: 10, query: 'sum(rate(http_requests_total{namespace="ml"}[2m]))' });
  });

  test('a dashboard panel query with a syntax error is refused; Grafana variables are fine', () => {
    const chart = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
    const board = new GrafanaDashboard(chart, 'board', { title: 'Board' });
    board.addPanel(DashboardPanel.timeSeries({ title: 'ok', queries: [{ expr: 'sum(rate(x_total{namespace="$namespace"}[$__rate_interval]))' }] }));
    expect(() => board.addPanel(DashboardPanel.timeSeries({ title: 'bad', queries: [{ expr: 'rate(x_total[5m]' }] })))
      .toThrow("GrafanaDashboard 'prod/board': panels['bad'].queries[0] ('rate(x_total[5m]') is not valid PromQL: syntax error at character");
  });
});

describe('capacity and autoscaling windows', () => {
  test('HPA and KEDA stabilization windows are at most 3600 s', () => {
    expect(serving({ scaling: ServingScaling.autoscale({ scaleDownStabilization: Duration.hours(2) }) }))
      .toThrow(`${P}scaling.scaleDownStabilization (7200) must be between 0 and 3600`);
    const chart = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
    const s = new MlModelServing(chart, 'bert', { image: 'ml-model:v1', metrics: { port: 9090 } });
    expect(() => new ServingScaledObject(chart, 'keda', { serving: s, threshold: 10, scaleDownStabilization: Duration.minutes(90) }))
      .toThrow("ServingScaledObject 'prod/keda': scaleDownStabilization (5400) must be between 0 and 3600");
  });

  test('Karpenter: expireAfter > 0, cron fields in range', () => {
    const chart = new Chart(Testing.app(), 'prod');
    expect(() => new SpotNodePool(chart, 'a', { expireAfter: Duration.seconds(0) }))
      .toThrow("SpotNodePool 'prod/a': expireAfter (0s) must be > 0: nodes would expire as soon as they start; use neverExpire: true to keep them");
    const budget = (schedule: Cron) => ({ budgets: [{ nodes: kplus.PercentOrAbsolute.absolute(0), schedule, duration: Duration.hours(8) }] });
    expect(() => new SpotNodePool(chart, 'b', { disruption: budget(Cron.schedule({ minute: '0', hour: '25' })) }))
      .toThrow("SpotNodePool 'prod/b': disruption.budgets[0].schedule ('0 25 * * *') has hour '25': '25' is outside 0-23");
    expect(() => new SpotNodePool(chart, 'c', { disruption: budget(Cron.schedule({ minute: '0', hour: '9', weekDay: 'MON-FRI/0' })) }))
      .toThrow("has day of week 'MON-FRI/0': 'MON-FRI/0' is not a value, range or step");
    new SpotNodePool(chart, 'd', { disruption: budget(Cron.schedule({ minute: '*/15', hour: '9-17', weekDay: 'MON-FRI', month: 'JAN,DEC' })) });
    expect(synthAndValidate(chart).length).toBe(1);
  });
});

describe('runtime traps', () => {
  test('a GPU product no Karpenter pool declares would leave the pods pending: refused, unless the pool declares it', () => {
    const chart = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
    const product = 'NVIDIA-A100-SXM4-40GB';
    const pool = new GpuNodePool(chart, 'gpu', { maxGpus: 8, gpuNames: ['a100'] });
    const s = new MlModelServing(chart, 'bert', { image: 'ml-model:v1', gpus: { count: 1, product } });
    expect(() => pool.schedule(s)).toThrow(`GpuNodePool 'prod/gpu': schedule() cannot place MlModelServing 'prod/bert' (gpus.product ["${product}"]): Karpenter launches nodes only for labels it knows`);
    const declared = new GpuNodePool(chart, 'gpu2', {
      maxGpus: 8, gpuNames: ['a100'], requirements: [{ key: 'nvidia.com/gpu.product', operator: NodeSelectorOperator.IN, values: [product] }],
    });
    declared.schedule(s);
    expect(synthAndValidate(chart).length).toBeGreaterThan(0);
  });
});

describe('alert labels and annotations', () => {
  const alerts = (props: Partial<ModelServerAlertsProps>, errorCodeRegex?: string) => {
    const chart = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
    const s = new MlModelServing(chart, 'bert', { image: 'ml-model:v1', metrics: { port: 9090, names: errorCodeRegex ? { errorCodeRegex } : undefined } });
    const a = new ModelServerAlerts(chart, 'alerts', { serving: s, ...props });
    return { chart, a };
  };
  test('a user alert label the construct sets itself is refused, not overwritten', () => {
    expect(() => alerts({ alertLabels: { severity: 'page' } }))
      .toThrow("ModelServerAlerts 'prod/alerts': alertLabels['severity'] is set on every alert by this construct (severity, namespace, deployment); it would be overwritten");
  });
  test('Unicode alert label values are fine (Prometheus allows any UTF-8); ruleLabels keys are Kubernetes label keys', () => {
    const { chart } = alerts({ alertLabels: { team: 'Équipe NLP ✓' } });
    expect(synthAndValidate(chart).length).toBeGreaterThan(0);
    expect(() => alerts({ ruleLabels: { 'a/b/c': 'x' } })).toThrow("ModelServerAlerts 'prod/alerts': ruleLabels key ('a/b/c') is not a valid label key");
  });
  test('a user regex with {{ }} is printed literally in the annotation, not run as a Go template', () => {
    const { chart } = alerts({}, '5[0-9]{2}|oops}}');
    const rule = synthAndValidate(chart).find(o => o.kind === 'PrometheusRule');
    const description: string = rule.spec.groups[0].rules.find((r: any) => r.alert === 'ModelServerHighErrorRatio').annotations.description;
    expect(description).toContain('=~"{{ `5[0-9]{2}|oops}}` }}"');
  });
});

describe('capacity names and values, scrape paths', () => {
  test('a taint value is a label value; node class references are object names, kinds and groups', () => {
    const chart = new Chart(Testing.app(), 'prod');
    expect(() => new SpotNodePool(chart, 'a', { taints: [{ key: 'team', value: 'example.com/nlp', effect: kplus.TaintEffect.NO_SCHEDULE }] }))
      .toThrow("SpotNodePool 'prod/a': taints[0].value ('example.com/nlp') is not a valid taint value");
    expect(() => new SpotNodePool(chart, 'b', { nodeClass: { name: 'GPU Nodes' } }))
      .toThrow("SpotNodePool 'prod/b': nodeClass.name ('GPU Nodes') must be a valid RFC 1123 DNS subdomain");
    expect(() => new SpotNodePool(chart, 'c', { nodeClass: { name: 'gpu', kind: 'ec2nodeclass' } }))
      .toThrow("SpotNodePool 'prod/c': nodeClass.kind ('ec2nodeclass') must be a kind such as 'EC2NodeClass'");
  });
  test('a metrics path with a query string is refused', () => {
    expect(serving({ metrics: { port: 9090, path: '/metrics?format=prometheus' } }))
      .toThrow(`${P}metrics.path ('/metrics?format=prometheus') must be a URL path starting with '/', without whitespace, '?' or '#'`);
  });
});

describe('every label map a construct takes', () => {
  test('monitor labels, appLabels and the dashboard sidecar label are Kubernetes labels; external labels are Prometheus labels', () => {
    const chart = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
    expect(() => new CanaryRelease(chart, 'c', { stable: { image: 'm:v1' }, appLabels: { 'a/b/c': 'x' }, traffic: CanaryTraffic.replicaRatio({ totalReplicas: 2 }) }))
      .toThrow("CanaryRelease 'prod/c': appLabels key ('a/b/c') is not a valid label key");
    expect(() => new GrafanaDashboard(chart, 'd', { title: 'D', sidecarLabel: 'grafana dashboard' }))
      .toThrow("GrafanaDashboard 'prod/d': sidecarLabel ('grafana dashboard') is not a valid label key");
    const s = new MlModelServing(chart, 'bert', { image: 'ml-model:v1', metrics: { port: 9090 } });
    expect(() => new PrometheusScrape(chart, 'scrape', { target: ScrapeTarget.modelServing(s), mode: ScrapeMode.serviceMonitor({ monitorLabels: { 'Bad Key': 'x' } }) }))
      .toThrow("PrometheusScrape 'prod/scrape': monitorLabels key ('Bad Key') is not a valid label key");
    new PrometheusServerConfig(chart, 'prom', { externalLabels: { cluster: 'Prod EU ✓' } });
  });
});

test("a pool's derived requirements are reported by the prop the user wrote", () => {
  const chart = new Chart(Testing.app(), 'prod');
  expect(() => new SpotNodePool(chart, 'a', { zones: ['Bad Zone'] })).toThrow("SpotNodePool 'prod/a': zones (topology.kubernetes.io/zone In) value 'Bad Zone' is not a valid label value");
});

test('the model initializer image error names no prop the model source lacks', () => {
  const make = serving({ model: ModelSource.fromStorageUri('s3://m/b', { initializerImage: 'kserve/storage-initializer:latest' }) });
  expect(make).toThrow(`${P}model.initializerImage ('kserve/storage-initializer:latest') uses the mutable ':latest' tag; pin a version tag or digest`);
  expect(make).not.toThrow(/allowMutableImageTag/);
});
