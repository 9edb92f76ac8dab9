import { Chart, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import * as fc from 'fast-check';
import { GcsFaultTolerance, RayCluster, RayClusterProps, RayUpscalingMode } from '../../src';
import { findObject, findObjects, synthAndValidate } from '../util';

const IMAGE = 'rayproject/ray:2.52.0-py311';

function synth(props: Partial<RayClusterProps> = {}) {
  const chart = new Chart(Testing.app(), 'ray', { namespace: 'ml' });
  const cluster = new RayCluster(chart, 'rc', { image: IMAGE, ...props });
  const manifests = synthAndValidate(chart);
  const rc = findObject(manifests, 'ray.io/v1/RayCluster', 'rc');
  return { chart, cluster, manifests, rc };
}

const GROUPS = [
  { groupName: 'cpu', minReplicas: 2, maxReplicas: 4 },
  { groupName: 'gpu', minReplicas: 0, maxReplicas: 8, gpus: { count: 1 } },
];

describe('RayCluster defaults', () => {
  const { cluster, manifests, rc } = synth({ workerGroups: GROUPS });
  const head = rc.spec.headGroupSpec;

  test('emits the RayCluster, one ServiceAccount, NetworkPolicy, PodMonitor and a PDB for the group of two or more', () => {
    expect(manifests.map(m => m.kind).sort()).toEqual(['NetworkPolicy', 'PodDisruptionBudget', 'PodMonitor', 'RayCluster', 'ServiceAccount']);
    expect(cluster.autoscaling).toBe(true);
    expect(cluster.headServiceName).toBe('rc-head-svc');
  });

  test('head: num-cpus 0, Ray ports named as KubeRay expects, rayVersion from the image tag', () => {
    expect(rc.spec.rayVersion).toBe('2.52.0');
    expect(head.rayStartParams).toEqual({ 'num-cpus': '0' });
    const c = head.template.spec.containers[0];
    expect(c.name).toBe('ray-head');
    expect(c.ports.map((p: any) => [p.name, p.containerPort])).toEqual([
      ['gcs-server', 6379], ['dashboard', 8265], ['client', 10001], ['metrics', 8080],
    ]);
    // KubeRay writes `ray start` and the probes itself.
    expect(c.command).toBeUndefined();
    expect(c.livenessProbe).toBeUndefined();
  });

  test('autoscaler v2 with a 60s idle timeout, restricted and sized, sharing the head\'s /tmp', () => {
    expect(rc.spec.enableInTreeAutoscaling).toBe(true);
    expect(rc.spec.autoscalerOptions).toMatchObject({
      version: 'v2',
      idleTimeoutSeconds: 60,
      upscalingMode: 'Default',
      resources: { requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
      securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } },
      volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
    });
    expect(head.template.spec.volumes.map((v: any) => v.name)).toContain('tmp');
    // The autoscaler calls the Kubernetes API; restartPolicy stays unset (v2 requires Never or unset).
    expect(head.template.spec.automountServiceAccountToken).toBe(true);
    expect(head.template.spec.restartPolicy).toBeUndefined();
  });

  test('worker groups: min/max/replicas, GPU with toleration, one ServiceAccount, no token', () => {
    const [cpu, gpu] = rc.spec.workerGroupSpecs;
    expect([cpu.groupName, cpu.minReplicas, cpu.maxReplicas, cpu.replicas]).toEqual(['cpu', 2, 4, 2]);
    expect([gpu.groupName, gpu.minReplicas, gpu.maxReplicas, gpu.replicas]).toEqual(['gpu', 0, 8, 0]);
    const g = gpu.template.spec;
    expect(g.containers[0].resources.limits).toEqual({ 'cpu': '4', 'memory': '16384Mi', 'nvidia.com/gpu': '1' });
    expect(g.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    for (const t of [head.template, cpu.template, gpu.template]) {
      expect(t.spec.serviceAccountName).toBe('rc');
      expect(t.metadata.labels['ray.cdk8s-ml.io/cluster']).toBe('rc');
    }
    expect(g.automountServiceAccountToken).toBe(false);
    expect(findObjects(manifests, 'ServiceAccount')).toHaveLength(1);
  });

  test('PDB: integer minAvailable = minReplicas - 1 over the cpu group only', () => {
    const pdb = findObject(manifests, 'PodDisruptionBudget');
    expect(pdb.metadata.name).toBe('rc-cpu');
    expect(pdb.spec.minAvailable).toBe(1);
    expect(pdb.spec.selector.matchLabels).toMatchObject({ 'ray.cdk8s-ml.io/group': 'cpu', 'app.kubernetes.io/component': 'ray-worker' });
  });

  test('PodMonitor scrapes the metrics port of every Ray pod, with the ray_io_cluster label', () => {
    const pm = findObject(manifests, 'PodMonitor');
    expect(pm.spec.selector.matchLabels).toEqual({ 'ray.cdk8s-ml.io/cluster': 'rc' });
    expect(pm.spec.podMetricsEndpoints[0]).toMatchObject({ port: 'metrics' });
    expect(pm.spec.podMetricsEndpoints[0].relabelings[0].targetLabel).toBe('ray_io_cluster');
  });

  test('NetworkPolicy: any port between the cluster\'s pods, metrics from any namespace, no client by default', () => {
    const np = findObject(manifests, 'NetworkPolicy');
    expect(np.spec.podSelector.matchLabels).toEqual({ 'ray.cdk8s-ml.io/cluster': 'rc' });
    expect(np.spec.policyTypes).toContain('Ingress');
    const [peers, metrics, ...rest] = np.spec.ingress;
    expect(peers.from).toEqual([{ podSelector: { matchLabels: { 'ray.cdk8s-ml.io/cluster': 'rc' } } }]);
    expect(peers.ports ?? []).toEqual([]); // no ports: every port
    expect(metrics.from).toEqual([{ namespaceSelector: {}, podSelector: {} }]);
    expect(metrics.ports).toEqual([{ port: 8080, protocol: 'TCP' }]);
    expect(rest).toEqual([]);
  });
});

describe('RayCluster options', () => {
  test('fixed-size groups: no autoscaler, no token', () => {
    const { rc } = synth({ workerGroups: [{ groupName: 'cpu', minReplicas: 3 }] });
    expect(rc.spec.enableInTreeAutoscaling).toBe(false);
    expect(rc.spec.autoscalerOptions).toBeUndefined();
    expect(rc.spec.headGroupSpec.template.spec.automountServiceAccountToken).toBe(false);
    expect(rc.spec.workerGroupSpecs[0]).toMatchObject({ minReplicas: 3, maxReplicas: 3, replicas: 3 });
  });

  test('autoscaler options, per-group idle timeout, GCS FT with the password from a Secret', () => {
    const chart = new Chart(Testing.app(), 'ray', { namespace: 'ml' });
    const secret = kplus.Secret.fromSecretName(chart, 'Redis', 'redis-auth');
    const cluster = new RayCluster(chart, 'rc', {
      image: IMAGE,
      autoscaler: { idleTimeout: Duration.minutes(5), upscalingMode: RayUpscalingMode.CONSERVATIVE },
      workerGroups: [{ groupName: 'cpu', minReplicas: 1, maxReplicas: 2, idleTimeout: Duration.seconds(30) }],
      gcsFaultTolerance: GcsFaultTolerance.externalRedis({ address: 'redis.ml.svc:6379', password: { secret, key: 'password' }, externalStorageNamespace: 'rc' }),
      head: { numCpus: 1, serviceType: kplus.ServiceType.NODE_PORT },
      clientPeers: [kplus.Pods.select(chart, 'Notebooks', { labels: { app: 'notebook' } })],
    });
    const manifests = synthAndValidate(chart);
    const rc = findObject(manifests, 'RayCluster');
    expect(cluster.autoscaling).toBe(true);
    expect(rc.spec.autoscalerOptions).toMatchObject({ idleTimeoutSeconds: 300, upscalingMode: 'Conservative' });
    expect(rc.spec.workerGroupSpecs[0].idleTimeoutSeconds).toBe(30);
    expect(rc.spec.gcsFaultToleranceOptions).toEqual({
      redisAddress: 'redis.ml.svc:6379',
      redisPassword: { valueFrom: { secretKeyRef: { name: 'redis-auth', key: 'password' } } },
      externalStorageNamespace: 'rc',
    });
    expect(JSON.stringify(manifests)).not.toMatch(/redis-password/);
    expect(rc.spec.headGroupSpec).toMatchObject({ rayStartParams: { 'num-cpus': '1' }, serviceType: 'NodePort' });
    const np = findObject(manifests, 'NetworkPolicy');
    expect(np.spec.ingress[1]).toEqual({
      from: [{ podSelector: { matchLabels: { app: 'notebook' } } }],
      ports: [{ port: 8265, protocol: 'TCP' }, { port: 10001, protocol: 'TCP' }],
    });
  });

  test('head and worker groups take placement: a spot pool\'s toleration reaches one group only', () => {
    const chart = new Chart(Testing.app(), 'ray', { namespace: 'ml' });
    const cluster = new RayCluster(chart, 'rc', { image: IMAGE, workerGroups: [{ groupName: 'spot' }, { groupName: 'od' }] });
    cluster.workerGroup('spot').tolerate({ key: 'spot', effect: kplus.TaintEffect.NO_SCHEDULE });
    const rc = findObject(synthAndValidate(chart), 'RayCluster');
    expect(rc.spec.workerGroupSpecs[0].template.spec.tolerations).toEqual([{ key: 'spot', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(rc.spec.workerGroupSpecs[1].template.spec.tolerations).toBeUndefined();
    expect(() => cluster.workerGroup('gpu')).toThrow("RayCluster 'ray/rc': no worker group 'gpu' (groups: spot, od)");
  });

  test('monitorLabels label the PodMonitor only, for a Prometheus that selects monitors by label', () => {
    const { manifests, rc } = synth({ monitorLabels: { release: 'kube-prometheus-stack' } });
    expect(findObject(manifests, 'PodMonitor').metadata.labels).toMatchObject({ 'release': 'kube-prometheus-stack', 'app.kubernetes.io/name': 'rc' });
    expect(rc.metadata.labels.release).toBeUndefined();
    expect(rc.spec.headGroupSpec.template.metadata.labels.release).toBeUndefined();
    expect(() => synth({ monitorLabels: { 'bad key!': 'x' } })).toThrow("RayCluster 'ray/rc': monitorLabels key ('bad key!') is not a valid label key");
  });

  test('podMonitor: false drops the PodMonitor', () => {
    expect(findObjects(synth({ podMonitor: false }).manifests, 'PodMonitor')).toEqual([]);
  });
});

describe('RayCluster errors', () => {
  const make = (props: Partial<RayClusterProps>, id = 'rc') => () => new RayCluster(new Chart(Testing.app(), 'ray'), id, { image: IMAGE, ...props });

  test.each([
    [{ name: 'a'.repeat(54) }, `RayCluster 'ray/rc': name ('${'a'.repeat(54)}') must be an RFC 1035 label (lowercase alphanumerics and '-', starting with a letter) of at most 53 characters: KubeRay derives pod and Service names from it`],
    [{ name: '1rc' }, "RayCluster 'ray/rc': name ('1rc') must be an RFC 1035 label"],
    [{ workerGroups: [{ groupName: 'a', minReplicas: 3, maxReplicas: 2 }] }, "RayCluster 'ray/rc': workerGroups[0].maxReplicas (2) must be >= minReplicas (3)"],
    [{ workerGroups: [{ groupName: 'a', minReplicas: 1, maxReplicas: 3, replicas: 5 }] }, "RayCluster 'ray/rc': workerGroups[0].replicas (5) must be between 1 and 3"],
    [{ workerGroups: [{ groupName: 'a' }, { groupName: 'a' }] }, "RayCluster 'ray/rc': workerGroups[1].groupName ('a') must be unique and not 'head'"],
    [{ head: { numCpus: 0.5 } }, "RayCluster 'ray/rc': head.numCpus (0.5) must be an integer"],
    [{ head: { rayStartParams: { 'redis-password': 'x' } } }, "RayCluster 'ray/rc': head.rayStartParams['redis-password'] is set by KubeRay or refused by it"],
    [{ head: { rayStartParams: { '--num-gpus': '1' } } }, "RayCluster 'ray/rc': head.rayStartParams['--num-gpus'] must be given without the leading '--'"],
    [{ image: 'rayproject/ray:2.9.3', autoscaler: {} }, "RayCluster 'ray/rc': rayVersion (2.9.3) must be 2.10.0 or later for the autoscaler v2"],
    [{ autoscaler: { idleTimeout: Duration.millis(1500) } }, "RayCluster 'ray/rc': autoscaler.idleTimeout (1.5s) must be a whole number of seconds >= 0"],
    [{ gcsFaultTolerance: GcsFaultTolerance.externalRedis({ address: 'redis host' }) }, "RayCluster 'ray/rc': gcsFaultTolerance.address ('redis host') must be host:port or a redis:// URL"],
    [{ image: 'rayproject/ray:latest' }, "RayCluster 'ray/rc': image ('rayproject/ray:latest')"],
  ])('%j', (props, message) => {
    expect(make(props as Partial<RayClusterProps>)).toThrow(message);
  });

  test('property: any min <= max group synthesizes with replicas in range; min > max always fails', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 1, max: 20 }), (min, max) => {
      const build = make({ workerGroups: [{ groupName: 'w', minReplicas: min, maxReplicas: max }] });
      if (min > max) {
        expect(build).toThrow(`workerGroups[0].maxReplicas (${max}) must be >= minReplicas (${min})`);
      } else {
        const cluster = build();
        expect(cluster.autoscaling).toBe(max > min);
        expect(cluster.disruptionBudgets).toHaveLength(min >= 2 ? 1 : 0);
      }
    }), { numRuns: 40 });
  });
});
