// Values our API passes on to cdk8s or cdk8s-plus, which convert them (Duration.toSeconds,
// Size.toMebibytes/toGibibytes, kplus.Probe) and throw their own errors on a fraction,
// without naming the prop. Each is checked first and refused in invalidProp's format;
// fields that take fractions (Ray Serve's delays, alert thresholds) keep them.
import { Chart, Cron, Duration, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import * as fc from 'fast-check';
import {
  ClusterSecretStore, DistributedTrainingJob, EtcdSnapshotCronJob, ExternalSecret, ImagePolicy, ImagePolicyEngine, ImageSignature,
  MlflowArtifactStore, MlflowProjectJobTemplate, MlflowTrackingServer, MlModelServing, MlModelServingProps, MlNamespace,
  ModelServerAlerts, ModelSource,
  MultiNodeServing, MultiNodeServingProps, Notebook, PodSecurity, PreStop, RayCluster, RayClusterProps, RayEntrypoint, RayJob,
  RayService, RayServiceUpgrade, ServeConfig, ServingRuntime, SpotNodePool, TrainingBackend, VeleroSchedule, VulnerabilitySeverity, WorkloadVolume,
} from '../../src';
import { requireWholeSeconds } from '../../src/core/validation';
import { findObject, synthAndValidate } from '../util';

const RAY_IMAGE = 'rayproject/ray:2.52.0-py311';
const chart = (id = 'prod') => new Chart(Testing.app(), id, { namespace: 'ml' });
const serve = (autoscaling: object) => ServeConfig.of([{
  name: 'llm',
  importPath: 'llm.app:deployment',
  deployments: [{ name: 'D', autoscaling: { minReplicas: 1, maxReplicas: 4, ...autoscaling } }],
}]);
const ray = (props: Partial<RayClusterProps>) => () => new RayCluster(chart('ray'), 'rc', { image: RAY_IMAGE, ...props });
const multiNode = (props: Partial<MultiNodeServingProps>) => () => new MultiNodeServing(chart(), 'llama', {
  model: ModelSource.fromPersistentVolumeClaim('weights'), gpus: { count: 8 }, nodesPerReplica: 2, ...props,
});
const serving = (props: Partial<MlModelServingProps>) => () => new MlModelServing(chart(), 'bert', { image: 'ml-model:v1', ...props });
const SIDECAR = { name: 'proxy', image: 'envoy:v1.30', ports: [{ number: 9000 }] };

describe('fractional durations are refused by the prop as the user wrote it', () => {
  test.each<[string, () => unknown, string]>([
    ['a Ray worker group idle timeout', ray({ workerGroups: [{ groupName: 'cpu', minReplicas: 0, maxReplicas: 2, idleTimeout: Duration.millis(500) }] }),
      "RayCluster 'ray/rc': workerGroups[0].idleTimeout (0.5s) must be a whole number of seconds >= 0"],
    // Checked on the cluster, not on its Head node group (the child's path is not what the user wrote).
    ['a Ray grace period', ray({ terminationGracePeriod: Duration.millis(500) }),
      "RayCluster 'ray/rc': terminationGracePeriod (0.5s) must be a whole number of seconds >= 0"],
    ['a Ray preStop sleep', ray({ preStop: PreStop.sleep(Duration.millis(1500)) }),
      "RayCluster 'ray/rc': preStop (1.5s) must be a whole number of seconds"],
    ['a RayJob cluster grace period', () => new RayJob(chart('ray'), 'job', {
      entrypoint: RayEntrypoint.command('python t.py'), cluster: { image: RAY_IMAGE, terminationGracePeriod: Duration.millis(500) },
    }), "RayJob 'ray/job': cluster.terminationGracePeriod (0.5s) must be a whole number of seconds >= 0"],
    ['a RayJob activeDeadline', () => new RayJob(chart('ray'), 'job', {
      entrypoint: RayEntrypoint.command('python t.py'), cluster: { image: RAY_IMAGE }, activeDeadline: Duration.millis(1500),
    }), "RayJob 'ray/job': activeDeadline (1.5s) must be a whole number of seconds >= 1"],
    ['a zero RayJob activeDeadline', () => new RayJob(chart('ray'), 'job', {
      entrypoint: RayEntrypoint.command('python t.py'), cluster: { image: RAY_IMAGE }, activeDeadline: Duration.seconds(0),
    }), "RayJob 'ray/job': activeDeadline (0s) must be a whole number of seconds >= 1"],
    ['a RayService incremental upgrade interval', () => new RayService(chart('ray'), 'llm', {
      cluster: { image: RAY_IMAGE, workerGroups: [{ groupName: 'gpu', minReplicas: 1, maxReplicas: 3 }] },
      serveConfig: serve({}),
      upgradeStrategy: RayServiceUpgrade.incremental({ gatewayClassName: 'istio', stepSizePercent: 10, interval: Duration.millis(1500) }),
    }), "RayService 'ray/llm': upgradeStrategy.interval (1.5s) must be a whole number of seconds >= 1"],
    ['an MLflow project job TTL', () => new MlflowProjectJobTemplate(chart('mlops'), 'train', {
      repositoryUri: 'registry.example.com/ml/projects', ttlAfterFinished: Duration.millis(1500),
    }), "MlflowProjectJobTemplate 'mlops/train': ttlAfterFinished (1.5s) must be a whole number of seconds >= 0"],
    ['a fractional multi-node startupTimeout', multiNode({ startupTimeout: Duration.millis(90500) }),
      "MultiNodeServing 'prod/llama': startupTimeout (90.5s) must be a whole number of seconds >= 10"],
    // Below one startup-probe period (10 s) the probe's failureThreshold would be rounded up.
    ['a multi-node startupTimeout below the probe period', multiNode({ startupTimeout: Duration.seconds(5) }),
      "MultiNodeServing 'prod/llama': startupTimeout (5s) must be a whole number of seconds >= 10"],
    ['a multi-node preStop sleep', multiNode({ preStop: PreStop.sleep(Duration.millis(2500)) }),
      "MultiNodeServing 'prod/llama': preStop (2.5s) must be a whole number of seconds"],
    ['a training preStop sleep', () => new DistributedTrainingJob(chart('train'), 'job', {
      image: 'training-worker:v1', backend: TrainingBackend.indexedJob({ preStop: PreStop.sleep(Duration.millis(1500)) }),
    }), "DistributedTrainingJob 'train/job': backend.preStop (1.5s) must be a whole number of seconds"],
    ['an image policy scan maxAge', () => {
      const c = chart('platform');
      new ImagePolicy(c, 'signed', {
        engine: ImagePolicyEngine.kyverno(),
        repositories: ['registry.example.com/ml'],
        namespaces: [new MlNamespace(c, 'ml')],
        signature: ImageSignature.keyless({ issuer: 'https://token.actions.githubusercontent.com', subject: 'https://github.com/acme/m/.github/workflows/r.yaml@refs/heads/main' }),
        vulnerabilityScan: { maxSeverity: VulnerabilitySeverity.HIGH, maxAge: Duration.millis(3_600_500) },
      });
    }, "ImagePolicy 'platform/signed': vulnerabilityScan.maxAge (3600.5s) must be a whole number of seconds"],
    ['a sub-millisecond ExternalSecret refresh', () => {
      const c = chart();
      new ExternalSecret(c, 'hf', {
        store: ClusterSecretStore.fromClusterSecretStoreName(c, 'shared', 'shared-vault'),
        data: [{ secretKey: 'HF_TOKEN', remoteKey: 'hf' }],
        refreshInterval: Duration.millis(1000.5),
      });
    }, "ExternalSecret 'prod/hf': refreshInterval (1000.5ms) must be a whole number of seconds, 0 or more"],
  ])('%s', (_label, build, message) => {
    expect(build).toThrow(message);
  });

  test('Ray Serve delays are floats of seconds in Ray: a fractional Duration is kept, not refused', () => {
    const c = chart('ray');
    new RayService(c, 'llm', { cluster: { image: RAY_IMAGE }, serveConfig: serve({ upscaleDelay: Duration.millis(1500), downscaleDelay: Duration.minutes(10) }) });
    const rs = findObject(synthAndValidate(c), 'ray.io/v1/RayService', 'llm');
    const autoscaling = JSON.parse(rs.spec.serveConfigV2).applications[0].deployments[0].autoscaling_config;
    expect(autoscaling).toMatchObject({ upscale_delay_s: 1.5, downscale_delay_s: 600 });
  });

  test('alert thresholds below a millisecond are kept (Prometheus compares floats)', () => {
    const c = chart();
    const bert = new MlModelServing(c, 'bert', { image: 'ml-model:v1', gpus: { count: 1 } });
    new ModelServerAlerts(c, 'alerts', { serving: bert, p99LatencyThreshold: Duration.millis(0.5) });
    const rules = findObject(synthAndValidate(c), 'PrometheusRule').spec.groups.flatMap((g: any) => g.rules);
    expect(rules.find((r: any) => r.alert === 'ModelServerHighP99Latency').expr).toMatch(/> \(0\.0005\)$/);
  });

  test('a scan maxAge of whole hours stays in hours; any other whole number of seconds is written exactly', () => {
    const render = (maxAge: Duration) => {
      const c = chart('platform');
      new ImagePolicy(c, 'signed', {
        engine: ImagePolicyEngine.kyverno(),
        repositories: ['registry.example.com/ml'],
        namespaces: [new MlNamespace(c, 'ml')],
        signature: ImageSignature.keyless({ issuer: 'https://token.actions.githubusercontent.com', subject: 'https://github.com/acme/m/.github/workflows/r.yaml@refs/heads/main' }),
        vulnerabilityScan: { maxSeverity: VulnerabilitySeverity.HIGH, maxAge: maxAge },
      });
      const policy = findObject(synthAndValidate(c), 'ClusterPolicy', 'signed');
      return JSON.stringify(policy.spec.rules).match(/"DurationLessThanOrEquals","value":"([^"]+)"/)![1];
    };
    expect(render(Duration.days(7))).toBe('168h');
    expect(render(Duration.seconds(3601))).toBe('3601s');
  });

  test('property: a Duration is accepted as whole seconds exactly when it is a whole number of seconds >= min', () => {
    const scope = chart();
    fc.assert(fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 0, max: 3 }), (ms, min) => {
      const whole = ms % 1000 === 0 && ms / 1000 >= min;
      let refused: Error | undefined;
      try {
        requireWholeSeconds(scope, 'd', Duration.millis(ms), min);
      } catch (e) {
        refused = e as Error;
      }
      expect(refused === undefined).toBe(whole);
      if (refused) expect(refused.message).toContain(`: d (${ms / 1000}s) must be a whole number of seconds >= ${min}`);
    }), { numRuns: 300 });
  });
});

describe('values passed to cdk8s-plus are checked first, in the same format', () => {
  const P = "MlModelServing 'prod/bert': ";
  test.each<[string, Partial<MlModelServingProps>, string]>([
    ['a fractional probe period', { liveness: kplus.Probe.fromHttpGet('/health', { port: 8080, periodSeconds: Duration.millis(1500) }) },
      'liveness periodSeconds (1.5s) must be a whole number of seconds >= 1'],
    ['a fractional probe initial delay', { readiness: kplus.Probe.fromHttpGet('/ready', { port: 8080, initialDelaySeconds: Duration.millis(500) }) },
      'readiness initialDelaySeconds (0.5s) must be a whole number of seconds >= 0'],
    ['a fractional probe timeout', { startup: kplus.Probe.fromTcpSocket({ port: 8080, timeoutSeconds: Duration.millis(500) }) },
      'startup timeoutSeconds (0.5s) must be a whole number of seconds >= 1'],
    ['a zero probe timeout', { startup: kplus.Probe.fromTcpSocket({ port: 8080, timeoutSeconds: Duration.seconds(0) }) },
      'startup timeoutSeconds (0s) must be a whole number of seconds >= 1'],
    ['a sidecar probe period', { sidecars: [{ ...SIDECAR, readiness: kplus.Probe.fromTcpSocket({ port: 9000, periodSeconds: Duration.millis(1500) }) }] },
      'sidecars[0].readiness periodSeconds (1.5s) must be a whole number of seconds >= 1'],
    ['a probe on port 0', { readiness: kplus.Probe.fromTcpSocket({ port: 0 }) }, 'readiness port (0) must be between 1 and 65535'],
    ['memory in a fraction of a MiB', { resources: { memory: { request: Size.kibibytes(1500) } } },
      'resources.memory.request (1.46484375Mi) must be a whole number of MiB'],
    ['a memory limit in a fraction of a MiB', { resources: { memory: { limit: Size.kibibytes(4_500_000) } } },
      'resources.memory.limit (4394.53125Mi) must be a whole number of MiB'],
    ['ephemeral storage in a fraction of a GiB', { resources: { ephemeralStorage: { request: Size.mebibytes(1500) } } },
      'resources.ephemeralStorage.request (1.46484375Gi) must be a whole number of GiB'],
    ['a sidecar memory request in a fraction of a MiB', {
      sidecars: [{
        ...SIDECAR,
        resources: {
          cpu: { request: kplus.Cpu.millis(100), limit: kplus.Cpu.millis(100) },
          memory: { request: Size.kibibytes(1500), limit: Size.kibibytes(1500) },
        },
      }],
    }, 'sidecars[0].resources.memory.request (1.46484375Mi) must be a whole number of MiB'],
    ['a model initializer memory in a fraction of a MiB', { model: ModelSource.fromStorageUri('s3://models/bert', { initializerResources: { memory: { request: Size.kibibytes(1500) } } }) },
      'model.initializerResources.memory.request (1.46484375Mi) must be a whole number of MiB'],
    ['a Hugging Face token key that no Secret can hold', { model: ModelSource.fromHuggingFace('org/model', { sizeLimit: Size.gibibytes(20), tokenSecret: 'hf', tokenKey: 'HF TOKEN' }) },
      "model.tokenKey ('HF TOKEN') is not a valid Secret key: alphanumerics, '-', '_' and '.'"],
    ['a NaN cpu limit', { resources: { cpu: { limit: kplus.Cpu.units(NaN) } } }, 'resources.cpu.limit (NaN) must be >= cpu.request (1)'],
    ['a preStop HTTP port 0', { preStop: PreStop.httpGet('/drain', 0) }, 'preStop port (0) must be between 1 and 65535'],
    ['a relative preStop HTTP path', { preStop: PreStop.httpGet('drain', 8080) }, "preStop path ('drain') must start with '/'"],
    ['an empty preStop command', { preStop: PreStop.exec([]) }, 'preStop command must be a non-empty list of strings'],
    // JavaScript callers: a plain string or undefined would render an empty variable or crash cdk8s-plus.
    ['a plain-string env value', { env: { MODE: 'fast' as unknown as kplus.EnvValue } },
      "env['MODE'] must be a kplus.EnvValue (e.g. EnvValue.fromValue('...')), not string"],
    ['an undefined env value', { env: { MODE: undefined as unknown as kplus.EnvValue } },
      "env['MODE'] must be a kplus.EnvValue (e.g. EnvValue.fromValue('...')), not undefined"],
    ['a sidecar env value that is a number', { sidecars: [{ ...SIDECAR, env: { N: 3 as unknown as kplus.EnvValue } }] },
      "sidecars[0].env['N'] must be a kplus.EnvValue (e.g. EnvValue.fromValue('...')), not number"],
  ])('%s', (_label, props, message) => {
    expect(serving(props)).toThrow(P + message);
  });

  test('a Ray autoscaler resource is checked when the cluster is built, not wrapped in a serialization error', () => {
    const build = ray({ autoscaler: { resources: { memory: { request: Size.kibibytes(1500) } } }, workerGroups: [{ groupName: 'cpu', minReplicas: 0, maxReplicas: 2 }] });
    expect(build).toThrow(/^RayCluster 'ray\/rc': autoscaler\.resources\.memory\.request \(1\.46484375Mi\) must be a whole number of MiB$/);
  });

  test('a Ray preStop handler on port 0 is refused by the cluster prop', () => {
    expect(() => new RayJob(chart('ray'), 'job', { entrypoint: RayEntrypoint.command('python t.py'), cluster: { image: RAY_IMAGE, preStop: PreStop.httpGet('/drain', 0) } }))
      .toThrow("RayJob 'ray/job': cluster.preStop port (0) must be between 1 and 65535");
  });

  test('an Azure connection string key is a Secret key', () => {
    const c = chart('mlops');
    const secret = kplus.Secret.fromSecretName(c, 'Azure', 'azure');
    expect(() => new MlflowTrackingServer(c, 'mlflow', {
      image: 'ghcr.io/mlflow/mlflow:v3.6.0',
      backendStore: { secret: kplus.Secret.fromSecretName(c, 'Db', 'mlflow-db'), key: 'uri' },
      artifactStore: MlflowArtifactStore.azureBlob('wasbs://ml@acct.blob.core.windows.net/mlflow', { secret, key: 'connection string' }),
    })).toThrow("MlflowTrackingServer 'mlops/mlflow': artifactStore connectionString.key ('connection string') is not a valid Secret key: alphanumerics, '-', '_' and '.'");
  });

  test('a notebook workspace is a whole number of GiB (the unit cdk8s-plus renders claims in)', () => {
    expect(() => new Notebook(chart('kf'), 'nb', { image: 'kubeflownotebookswg/jupyter-scipy:v1.9.0', workspaceSize: Size.mebibytes(1500) }))
      .toThrow("Notebook 'kf/nb': workspaceSize (1.46484375Gi) must be a whole number of GiB >= 1");
    expect(() => new Notebook(chart('kf'), 'nb', { image: 'kubeflownotebookswg/jupyter-scipy:v1.9.0', workspaceSize: Size.gibibytes(0) }))
      .toThrow("Notebook 'kf/nb': workspaceSize (0Gi) must be a whole number of GiB >= 1");
  });

  test('a runtime shared memory or cache of a fractional MiB is compared exactly and synthesizes (emptyDir sizes take any quantity)', () => {
    const c = chart();
    new MlModelServing(c, 'llm', {
      runtime: ServingRuntime.vllm({ model: 'meta-llama/Llama-3.1-8B-Instruct', sharedMemory: Size.kibibytes(1536 * 1024 + 512) }, { cacheSize: Size.kibibytes(10 * 1024 * 1024 + 512) }),
      gpus: { count: 1 },
    });
    const volumes = findObject(synthAndValidate(c), 'Deployment', 'llm').spec.template.spec.volumes;
    expect(volumes.find((v: any) => v.name === 'dshm').emptyDir).toEqual({ medium: 'Memory', sizeLimit: '1536.5Mi' });
  });

  test('what cdk8s-plus renders cleanly still passes: whole-second probes, whole MiB, EnvValues, HTTP preStop', () => {
    const c = chart();
    new MlModelServing(c, 'bert', {
      image: 'ml-model:v1',
      liveness: kplus.Probe.fromHttpGet('/health', { port: 8080, periodSeconds: Duration.seconds(15), initialDelaySeconds: Duration.seconds(0), timeoutSeconds: Duration.minutes(1) }),
      resources: { memory: { request: Size.mebibytes(1536), limit: Size.gibibytes(2) }, ephemeralStorage: { request: Size.gibibytes(1) } },
      env: { MODE: kplus.EnvValue.fromValue('fast') },
      preStop: PreStop.httpGet('/drain', 8080, Duration.seconds(5)),
    });
    const container = findObject(synthAndValidate(c), 'Deployment', 'bert').spec.template.spec.containers[0];
    expect(container.livenessProbe).toMatchObject({ periodSeconds: 15, timeoutSeconds: 60 });
    expect(container.resources.requests.memory).toBe('1536Mi');
    expect(container.lifecycle.preStop).toEqual({ httpGet: { path: '/drain', port: 8080, scheme: 'HTTP' } });
    // An exec hook's budget is only counted against the grace period, never rendered: a fraction is fine.
    const other = chart();
    new MlModelServing(other, 'bert', { image: 'ml-model:v1', preStop: PreStop.exec(['/bin/drain'], Duration.millis(2500)) });
    expect(findObject(synthAndValidate(other), 'Deployment', 'bert').spec.template.spec.containers[0].lifecycle.preStop).toEqual({ exec: { command: ['/bin/drain'] } });
  });
});

describe('errors of internal parts are rooted at the construct and the prop the user wrote', () => {
  const GROUP = { groupName: 'cpu', minReplicas: 1, maxReplicas: 2 };
  test.each<[string, () => unknown, string]>([
    // A Ray cluster's groups are internal constructs: errors name the cluster, and the group's option.
    ['a Ray cluster podSecurity', ray({ workerGroups: [GROUP], podSecurity: PodSecurity.restricted({ runAsUser: 0 }) }),
      "RayCluster 'ray/rc': podSecurity runAsUser (0) is root"],
    ['a Ray head env name', ray({ head: { env: { 'A=B': kplus.EnvValue.fromValue('x') } } }),
      "RayCluster 'ray/rc': head.env key ('A=B') is not a valid environment variable name"],
    ['a Ray worker group memory', ray({ workerGroups: [GROUP, { ...GROUP, groupName: 'big', resources: { memory: { request: Size.kibibytes(1500) } } }] }),
      "RayCluster 'ray/rc': workerGroups[1].resources.memory.request (1.46484375Mi) must be a whole number of MiB"],
    ['a Ray worker group GPU count', ray({ workerGroups: [{ ...GROUP, gpus: { count: 0.5 } }] }),
      "RayCluster 'ray/rc': workerGroups[0].gpus.count (0.5) must be a whole number"],
    ['a RayJob head mount', () => new RayJob(chart('ray'), 'job', {
      entrypoint: RayEntrypoint.command('python t.py'), cluster: { image: RAY_IMAGE, head: { mounts: [{ path: 'data', volume: WorkloadVolume.emptyDir('data') }] } },
    }), "RayJob 'ray/job': cluster.head.mounts[0].path ('data') must be an absolute path other than '/'"],
    ['a worker group image of its own', ray({ workerGroups: [{ ...GROUP, image: 'rayproject/ray:latest' }] }),
      "RayCluster 'ray/rc': workerGroups[0].image ('rayproject/ray:latest') uses the mutable ':latest' tag"],
    // A training backend's pod options are written under `backend`.
    ['a training backend podSecurity', () => new DistributedTrainingJob(chart('train'), 'job', {
      image: 'training-worker:v1', backend: TrainingBackend.indexedJob({ podSecurity: PodSecurity.restricted({ runAsUser: 0 }) }),
    }), "DistributedTrainingJob 'train/job': backend.podSecurity runAsUser (0) is root"],
    ['a training backend sidecar name', () => new DistributedTrainingJob(chart('train'), 'job', {
      image: 'training-worker:v1', backend: TrainingBackend.pytorchJob({ sidecars: [{ name: 'Proxy', image: 'envoy:v1.30' }] }),
    }), "DistributedTrainingJob 'train/job': backend.sidecars[0].name ('Proxy') must be a valid RFC 1123 DNS label"],
    ['a training backend init container env name', () => new DistributedTrainingJob(chart('train'), 'job', {
      image: 'training-worker:v1', backend: TrainingBackend.indexedJob({ initContainers: [{ name: 'init', image: 'busybox:1.36', env: { 'A=B': kplus.EnvValue.fromValue('x') } }] }),
    }), "DistributedTrainingJob 'train/job': backend.initContainers[0].env key ('A=B') is not a valid environment variable name"],
  ])('%s', (_label, build, message) => {
    expect(build).toThrow(message);
  });
});

describe('cron schedules are parsed as the API server, Karpenter and Velero parse them (robfig/cron)', () => {
  const mlflow = (gcSchedule: Cron) => () => {
    const c = chart('mlops');
    new MlflowTrackingServer(c, 'mlflow', {
      image: 'ghcr.io/mlflow/mlflow:v3.6.0',
      backendStore: { secret: kplus.Secret.fromSecretName(c, 'Db', 'mlflow-db'), key: 'uri' },
      artifactStore: MlflowArtifactStore.s3('s3://ml-artifacts/mlflow'),
      gcSchedule,
    });
    return c;
  };
  const velero = (schedule: Cron) => () => {
    const c = chart('platform');
    new VeleroSchedule(c, 'daily', { namespaces: [new MlNamespace(c, 'ml')], schedule });
    return c;
  };
  const etcd = (schedule: Cron) => () => {
    const c = chart('platform');
    new EtcdSnapshotCronJob(c, 'etcd', { reason: 'kubeadm cluster on bare metal', image: 'registry.example.com/etcd:3.5.21', schedule });
    return c;
  };
  test.each<[string, () => unknown, string]>([
    ['an MLflow gc minute out of range', mlflow(Cron.schedule({ minute: '60', hour: '3' })),
      "MlflowTrackingServer 'mlops/mlflow': gcSchedule ('60 3 * * *') has minute '60': '60' is outside 0-59"],
    ['a Velero day of week 7', velero(Cron.schedule({ minute: '0', hour: '2', weekDay: '7' })),
      "VeleroSchedule 'platform/daily': schedule ('0 2 * * 7') has day of week '7': '7' is outside 0-6"],
    ['an etcd snapshot schedule of 6 fields', etcd(Cron.schedule({ minute: '0', hour: '*/6', weekDay: 'MON FRI' })),
      "EtcdSnapshotCronJob 'platform/etcd': schedule ('0 */6 * * MON FRI') must be a cron expression of 5 fields (minute hour day-of-month month day-of-week)"],
    ['a time zone in the schedule', mlflow(Cron.schedule({ minute: 'CRON_TZ=Europe/Paris 0', hour: '3' })),
      "MlflowTrackingServer 'mlops/mlflow': gcSchedule ('CRON_TZ=Europe/Paris 0 3 * * *') must not name a time zone: schedules run in the controller's time zone"],
  ])('%s', (_label, build, message) => {
    expect(build).toThrow(message);
  });

  test('descriptors, names, ranges and steps pass, for CronJobs and Karpenter budgets alike', () => {
    const daily = { expressionString: '@daily' } as unknown as Cron;
    synthAndValidate(mlflow(daily)() as Chart);
    synthAndValidate(velero(Cron.schedule({ minute: '*/15', hour: '1-5', month: 'JAN-MAR', weekDay: 'MON,FRI' }))() as Chart);
    const c = chart();
    new SpotNodePool(c, 'spot', { disruption: { budgets: [{ nodes: kplus.PercentOrAbsolute.absolute(0), schedule: daily, duration: Duration.hours(8) }] } });
    const pool = findObject(synthAndValidate(c), 'karpenter.sh/v1/NodePool');
    expect(pool.spec.disruption.budgets[0]).toMatchObject({ schedule: '@daily', duration: '8h' });
  });
});
