import { Chart, Duration, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import * as fc from 'fast-check';
import {
  InferenceService, KServeClusterServingRuntime, KServeModelFormat, KServeProtocolVersion, KServeServingRuntime,
  KServeServingRuntimeProps, PodSecurity, PolicyTesting, ServingRuntime,
} from '../../src';
import { assertRestricted, findObject, findObjects, synthAndValidate } from '../util';

const chart = (namespace = 'team-a') => new Chart(Testing.app(), 'kf', { namespace });
const BIG = { resources: { memory: { request: Size.gibibytes(32) } } };

function runtime(props: KServeServingRuntimeProps, cluster = false) {
  const c = chart();
  const rt = cluster ? new KServeClusterServingRuntime(c, 'rt', props) : new KServeServingRuntime(c, 'rt', props);
  const manifests = synthAndValidate(c);
  const obj = findObject(manifests, cluster ? 'serving.kserve.io/v1alpha1/ClusterServingRuntime' : 'serving.kserve.io/v1alpha1/ServingRuntime');
  const container = obj.spec.containers[0];
  const env = Object.fromEntries((container.env ?? []).map((e: any) => [e.name, e.value]));
  return { c, rt, manifests, obj, spec: obj.spec, container, env };
}

const fmt = (name: string, version: string, priority?: number): KServeModelFormat =>
  ({ name, version, autoSelect: priority !== undefined, ...(priority !== undefined ? { priority } : {}) });

describe('KServeServingRuntime: each preset as KServe declares it (config/runtimes, v0.20.0)', () => {
  test.each([
    ['vllm', ServingRuntime.vllm(), [fmt('vLLM', '1', 1)], undefined],
    ['triton', ServingRuntime.triton(), [fmt('tensorrt', '8', 1), fmt('tensorflow', '1', 1), fmt('tensorflow', '2', 1), fmt('onnx', '1', 1), fmt('pytorch', '1'), fmt('triton', '2', 1)], ['v2', 'grpc-v2']],
    ['mlserver', ServingRuntime.mlserver(), [fmt('sklearn', '0', 2), fmt('sklearn', '1', 2), fmt('xgboost', '1', 2), fmt('xgboost', '2', 2),
      fmt('lightgbm', '3', 2), fmt('lightgbm', '4', 2), fmt('mlflow', '1', 1), fmt('mlflow', '2', 1)], ['v2']],
    ['mlflow', ServingRuntime.mlflow(), [fmt('mlflow', '1', 1), fmt('mlflow', '2', 1)], ['v2']],
    ['tgi', ServingRuntime.tgi(), [fmt('huggingface', '1')], undefined],
    ['torchserve', ServingRuntime.torchServe(), [fmt('pytorch', '1')], undefined],
  ])('%s: supportedModelFormats, protocolVersions, one restricted kserve-container, multiModel false', (_n, preset, formats, protocols) => {
    const { spec, container, manifests } = runtime({ runtime: preset, ...BIG });
    expect(spec.supportedModelFormats).toEqual(formats);
    expect(spec.protocolVersions).toEqual(protocols);
    expect(spec.multiModel).toBe(false);
    expect(spec.containers.map((x: any) => x.name)).toEqual(['kserve-container']);
    // A ServingRuntime has no pod securityContext: the container carries everything.
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      runAsUser: 1000,
      runAsGroup: 1000,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container.resources.limits).toMatchObject({ cpu: '2', memory: '32768Mi' });
    expect(container.ports[0].name).toBe('http');
    expect(spec.volumes).toEqual(expect.arrayContaining([{ name: 'tmp', emptyDir: {} }, { name: 'runtime-home', emptyDir: { sizeLimit: '10240Mi' } }]));
    expect(container.volumeMounts).toEqual(expect.arrayContaining([
      { name: 'tmp', mountPath: '/tmp' }, { name: 'runtime-home', mountPath: '/var/cache/model-server' },
    ]));
    assertRestricted(manifests);
  });

  test('the model is read from KServe\'s /mnt/models and named {{.Name}} (the InferenceService\'s name)', () => {
    expect(runtime({ runtime: ServingRuntime.vllm(), ...BIG }).container.args).toEqual([
      '/mnt/models', '--port', '8000', '--tensor-parallel-size', '1', '--served-model-name', '{{.Name}}',
    ]);
    expect(runtime({ runtime: ServingRuntime.triton() }).container.args).toContain('--model-repository=/mnt/models');
    expect(runtime({ runtime: ServingRuntime.tgi(), ...BIG }).container.args.slice(0, 2)).toEqual(['--model-id', '/mnt/models']);
    const mlflow = runtime({ runtime: ServingRuntime.mlflow() });
    expect(mlflow.container.command).toEqual(['mlserver', 'start', '/mnt/models']);
    expect(mlflow.env).toMatchObject({ MLSERVER_MODEL_NAME: '{{.Name}}', MLSERVER_MODEL_URI: '/mnt/models', MLSERVER_MODEL_IMPLEMENTATION: 'mlserver_mlflow.MLflowRuntime' });
    expect(mlflow.container.args).toBeUndefined();
  });

  test('mlserver: the server-type annotation makes KServe set the model name, URI and modelClass label its template reads', () => {
    const { obj, env } = runtime({ runtime: ServingRuntime.mlserver() });
    expect(obj.metadata.annotations).toEqual({ 'serving.kserve.io/server-type': 'mlserver' });
    expect(env.MLSERVER_MODEL_IMPLEMENTATION).toBe('{{.Labels.modelClass}}');
  });

  test('probes on the runtime\'s own endpoints, metrics announced for KServe and Prometheus', () => {
    const { spec, container } = runtime({ runtime: ServingRuntime.triton(), startupTimeout: Duration.minutes(20) });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/v2/health/live', port: 8000, scheme: 'HTTP' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/v2/health/ready', port: 8000, scheme: 'HTTP' });
    expect(container.startupProbe).toMatchObject({ failureThreshold: 120, periodSeconds: 10 });
    expect(container.ports).toEqual([
      { name: 'http', containerPort: 8000 }, { name: 'grpc', containerPort: 8001 }, { name: 'metrics', containerPort: 8002 },
    ]);
    expect(spec.annotations).toMatchObject({
      'prometheus.kserve.io/port': '8002', 'prometheus.kserve.io/path': '/metrics', 'prometheus.io/scrape': 'true', 'prometheus.io/port': '8002',
    });
  });

  test('GPUs: the preset shards over them, the container requests them, the GPU taint is tolerated', () => {
    const { rt, spec, container } = runtime({ runtime: ServingRuntime.vllm(), gpus: { count: 4 }, ...BIG });
    expect(rt.gpuCount).toBe(4);
    expect(container.args).toEqual(expect.arrayContaining(['--tensor-parallel-size', '4']));
    expect(container.resources.limits['nvidia.com/gpu']).toBe('4');
    expect(spec.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(spec.volumes).toContainEqual({ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '8192Mi' } });
  });

  test('torchserve brings its ConfigMap, mounted read-only', () => {
    const { manifests, container } = runtime({ runtime: ServingRuntime.torchServe() });
    expect(findObject(manifests, 'ConfigMap').metadata.name).toBe('rt-torchserve-config');
    expect(container.volumeMounts).toContainEqual({ name: 'runtime-config', mountPath: '/etc/torchserve', readOnly: true });
  });

  test('user formats, protocols, image, env and metadata win', () => {
    const { spec, container, env, obj } = runtime({
      runtime: ServingRuntime.custom({ image: 'ghcr.io/acme/server:1.2.3', port: 9000, livenessPath: '/live', readinessPath: '/ready' }),
      supportedModelFormats: [{ name: 'acme', version: '3', autoSelect: true, priority: 5 }],
      protocolVersions: [KServeProtocolVersion.V1],
      env: { LOG_LEVEL: kplus.EnvValue.fromValue('debug') },
      metadata: { labels: { team: 'nlp' } },
    });
    expect(spec.supportedModelFormats).toEqual([{ name: 'acme', version: '3', autoSelect: true, priority: 5 }]);
    expect(spec.protocolVersions).toEqual(['v1']);
    expect(container.image).toBe('ghcr.io/acme/server:1.2.3');
    expect(env.LOG_LEVEL).toBe('debug');
    expect(obj.metadata.labels.team).toBe('nlp');
  });
});

describe('KServeClusterServingRuntime', () => {
  test('cluster-scoped, not auto-selected by default (KServe\'s defaults hold those priorities)', () => {
    const { obj, rt } = runtime({ runtime: ServingRuntime.mlflow() }, true);
    expect(obj.metadata.namespace).toBeUndefined();
    expect(rt.clusterScoped).toBe(true);
    expect(obj.spec.supportedModelFormats).toEqual([
      { name: 'mlflow', version: '1', autoSelect: false }, { name: 'mlflow', version: '2', autoSelect: false },
    ]);
  });

  test('an InferenceService of any namespace can name it', () => {
    const c = chart('platform');
    const rt = new KServeClusterServingRuntime(c, 'mlflow', { runtime: ServingRuntime.mlflow() });
    const other = new Chart(c.node.scope as any, 'other', { namespace: 'team-b' });
    new InferenceService(other, 'churn', { modelFormat: 'mlflow', servingRuntime: rt, storageUri: 's3://b/m' });
    expect(findObject(synthAndValidate(other), 'InferenceService').spec.predictor.model.runtime).toBe('mlflow');
  });
});

describe('InferenceService with a runtime of ours', () => {
  test('renders runtime: <name>, keeps the predictor container free of the runtime\'s fields', () => {
    const c = chart();
    const rt = new KServeServingRuntime(c, 'sklearn-rt', { runtime: ServingRuntime.mlserver() });
    new InferenceService(c, 'iris', { modelFormat: 'sklearn', modelFormatVersion: '1', servingRuntime: rt, storageUri: 'gs://b/iris' });
    const manifests = synthAndValidate(c);
    const model = findObject(manifests, 'InferenceService').spec.predictor.model;
    expect(model.runtime).toBe('sklearn-rt');
    expect(model.modelFormat).toEqual({ name: 'sklearn', version: '1' });
    // Merged into the runtime's kserve-container by KServe: no image, command or args of its own.
    expect(model.image).toBeUndefined();
    expect(model.command).toBeUndefined();
    expect(model.args).toBeUndefined();
    expect(findObjects(manifests, 'serving.kserve.io/v1alpha1/ServingRuntime')).toHaveLength(1);
  });

  test('a format named without a version matches any version; non-auto-selected formats count when named', () => {
    const c = chart();
    const triton = new KServeServingRuntime(c, 'triton', { runtime: ServingRuntime.triton() });
    new InferenceService(c, 'a', { modelFormat: 'onnx', servingRuntime: triton, storageUri: 's3://b/a' });
    new InferenceService(c, 'b', { modelFormat: 'pytorch', modelFormatVersion: '1', servingRuntime: triton, storageUri: 's3://b/b' });
    expect(findObjects(synthAndValidate(c), 'InferenceService')).toHaveLength(2);
  });

  test('vLLM\'s case-sensitive format name is accepted', () => {
    const c = chart();
    const vllm = new KServeServingRuntime(c, 'vllm', { runtime: ServingRuntime.vllm(), gpus: { count: 1 }, ...BIG });
    new InferenceService(c, 'llm', { modelFormat: 'vLLM', servingRuntime: vllm, storageUri: 'hf://meta-llama/Llama-3.1-8B-Instruct', gpus: { count: 1 } });
    expect(findObject(synthAndValidate(c), 'InferenceService').spec.predictor.model.runtime).toBe('vllm');
  });

  const isvcError = (make: (c: Chart) => void) => () => make(chart());
  test.each([
    [(c: Chart) => new InferenceService(c, 'isvc', { modelFormat: 'pytorch', servingRuntime: new KServeServingRuntime(c, 'ml', { runtime: ServingRuntime.mlflow() }), storageUri: 's3://b/m' }),
      "InferenceService 'kf/isvc': modelFormat (pytorch) is not served by runtime 'ml' (mlflow 1, mlflow 2): KServe would refuse it (\"does not support specified framework/version\")"],
    [(c: Chart) => new InferenceService(c, 'isvc', { modelFormat: 'mlflow', modelFormatVersion: '3', servingRuntime: new KServeServingRuntime(c, 'ml', { runtime: ServingRuntime.mlflow() }), storageUri: 's3://b/m' }),
      "InferenceService 'kf/isvc': modelFormat (mlflow version 3) is not served by runtime 'ml' (mlflow 1, mlflow 2)"],
    [(c: Chart) => new InferenceService(c, 'isvc', { modelFormat: 'mlflow', runtime: 'other', servingRuntime: new KServeServingRuntime(c, 'ml', { runtime: ServingRuntime.mlflow() }), storageUri: 's3://b/m' }),
      "InferenceService 'kf/isvc': runtime ('other') and servingRuntime ('ml') both name the runtime; give one"],
    [(c: Chart) => new InferenceService(c, 'isvc', {
      modelFormat: 'vLLM',
      gpus: { count: 2 },
      storageUri: 's3://b/m',
      servingRuntime: new KServeServingRuntime(c, 'v', { runtime: ServingRuntime.vllm(), gpus: { count: 1 }, ...BIG }),
    }), "InferenceService 'kf/isvc': gpus (2) must equal the GPUs of runtime 'v' (1): its arguments shard over that many"],
    [(c: Chart) => {
      const rt = new KServeServingRuntime(new Chart(c.node.scope as any, 'x', { namespace: 'team-b' }), 'ml', { runtime: ServingRuntime.mlflow() });
      new InferenceService(c, 'isvc', { modelFormat: 'mlflow', servingRuntime: rt, storageUri: 's3://b/m' });
    }, "InferenceService 'kf/isvc': servingRuntime ('ml') is a ServingRuntime of namespace 'team-b', which KServe looks up in the InferenceService's own ('team-a')"],
    [(c: Chart) => new InferenceService(c, 'isvc', {
      modelFormat: 'vLLM',
      gpus: { count: 4 },
      storageUri: 's3://b/m',
      servingRuntime: new KServeServingRuntime(c, 'v', { runtime: ServingRuntime.vllm(), gpus: { count: 4 }, ...BIG }),
    }), "InferenceService 'kf/isvc': resources.memory.limit (4096Mi) must be above the /dev/shm of runtime 'v' (8192Mi), which counts against it"],
    [(c: Chart) => new InferenceService(c, 'isvc', { modelFormat: 'sk learn', storageUri: 's3://b/m' }),
      "InferenceService 'kf/isvc': modelFormat ('sk learn') must be letters, digits, '_', '.' or '-'"],
  ])('refused %#', (make, message) => {
    expect(isvcError(make)).toThrow(message);
  });
});

describe('KServeServingRuntime refusals', () => {
  const make = (props: Partial<KServeServingRuntimeProps>, cluster = false) => () => {
    const c = chart();
    const p = { runtime: ServingRuntime.mlserver(), ...props } as KServeServingRuntimeProps;
    if (cluster) new KServeClusterServingRuntime(c, 'rt', p); else new KServeServingRuntime(c, 'rt', p);
  };
  test.each([
    [{ name: 'Bad_Name' }, "KServeServingRuntime 'kf/rt': name ('Bad_Name')"],
    [{ name: 'kserve-mlserver' }, "KServeServingRuntime 'kf/rt': name ('kserve-mlserver') is the name of a KServe default runtime, whose image the controller rewrites by name and which KServe installs itself; pick another"],
    [{ runtime: undefined }, "KServeServingRuntime 'kf/rt': runtime is required: a ServingRuntime preset such as ServingRuntime.mlserver()"],
    [{ supportedModelFormats: [] }, "KServeServingRuntime 'kf/rt': supportedModelFormats needs at least one model format (a custom runtime declares its own)"],
    [{ runtime: ServingRuntime.custom({ image: 'a/b:1', port: 8080, livenessPath: '/l', readinessPath: '/r' }) }, "KServeServingRuntime 'kf/rt': supportedModelFormats needs at least one model format"],
    [{ supportedModelFormats: [{ name: 'sklearn', version: 'v1' }] }, "KServeServingRuntime 'kf/rt': supportedModelFormats[0].version ('v1') must be \"major\", \"major.minor\" or \"major.minor.patch\""],
    [{ supportedModelFormats: [{ name: 'my format' }] }, "KServeServingRuntime 'kf/rt': supportedModelFormats[0].name ('my format') must be letters, digits, '_', '.' or '-'"],
    [{ supportedModelFormats: [{ name: 'sklearn', priority: 2 }] }, "KServeServingRuntime 'kf/rt': supportedModelFormats[0].priority only orders auto-selected runtimes: set autoSelect: true"],
    [{ supportedModelFormats: [{ name: 'sklearn', autoSelect: true, priority: 0 }] }, "KServeServingRuntime 'kf/rt': supportedModelFormats[0].priority (0) must be"],
    [{ supportedModelFormats: [{ name: 'sklearn', version: '1' }, { name: 'SKLearn', version: '1' }] }, "KServeServingRuntime 'kf/rt': supportedModelFormats[1] repeats SKLearn version 1"],
    [{ supportedModelFormats: [fmt('sklearn', '0', 1), fmt('sklearn', '1', 2)] }, "KServeServingRuntime 'kf/rt': supportedModelFormats[1].priority (2) differs from the priority (1) of another sklearn version: KServe's webhook refuses that"],
    [{ protocolVersions: [KServeProtocolVersion.V2, KServeProtocolVersion.V2] }, "KServeServingRuntime 'kf/rt': protocolVersions repeat a protocol"],
    [{ image: 'seldonio/mlserver' }, "KServeServingRuntime 'kf/rt': image"],
    [{ startupTimeout: Duration.seconds(5) }, "KServeServingRuntime 'kf/rt': startupTimeout"],
    [{ podSecurity: PodSecurity.relaxed({ reason: ' ', writableRootFilesystem: true }) }, "KServeServingRuntime 'kf/rt': podSecurity relaxes the restricted profile without a reason"],
    [{ runtime: ServingRuntime.vllm(), gpus: { count: 2 } }, "KServeServingRuntime 'kf/rt': runtime.sharedMemory (4096Mi) must be below the memory limit (4096Mi): /dev/shm counts against it"],
  ])('refused %#', (props, message) => {
    expect(make(props as Partial<KServeServingRuntimeProps>)).toThrow(message);
  });

  test('a ClusterServingRuntime cannot carry the TorchServe preset\'s ConfigMap to every namespace', () => {
    expect(make({ runtime: ServingRuntime.torchServe() }, true)).toThrow(
      "KServeClusterServingRuntime 'kf/rt': runtime ('torchserve') mounts a ConfigMap of its own, which a ClusterServingRuntime cannot bring to every namespace; use a KServeServingRuntime in the InferenceServices' namespace");
  });
});

describe('what KServe\'s webhook and controller decide, checked at synth', () => {
  test('two runtimes of one namespace auto-selecting a format at one priority are refused (the webhook denies the second)', () => {
    const c = chart();
    new KServeServingRuntime(c, 'mlserver', { runtime: ServingRuntime.mlserver() });
    new KServeServingRuntime(c, 'mlflow', { runtime: ServingRuntime.mlflow() });
    expect(() => Testing.synth(c)).toThrow(
      "KServeServingRuntime 'kf/mlflow': supportedModelFormats auto-select mlflow 1 at priority 1, as runtime 'mlserver' ('kf/mlserver') does: KServe's webhook refuses the second (\"same priority assigned for the model format mlflow\"); give one another priority or autoSelect: false");
  });

  test('other namespaces, other priorities, disjoint protocols or no auto-selection do not clash', () => {
    const app = Testing.app();
    const a = new Chart(app, 'a', { namespace: 'team-a' });
    const b = new Chart(app, 'b', { namespace: 'team-b' });
    new KServeServingRuntime(a, 'mlserver', { runtime: ServingRuntime.mlserver() });
    new KServeServingRuntime(b, 'mlflow', { runtime: ServingRuntime.mlflow() });
    new KServeServingRuntime(a, 'mlflow-p5', { runtime: ServingRuntime.mlflow(), supportedModelFormats: [fmt('mlflow', '2', 5)] });
    new KServeServingRuntime(a, 'mlflow-v1', { runtime: ServingRuntime.mlflow(), protocolVersions: [KServeProtocolVersion.V1] });
    new KServeServingRuntime(a, 'mlflow-named', { runtime: ServingRuntime.mlflow(), supportedModelFormats: [{ name: 'mlflow', version: '2' }] });
    new KServeClusterServingRuntime(a, 'mlflow-cluster', { runtime: ServingRuntime.mlflow() });
    expect(() => Testing.synth(a)).not.toThrow();
  });

  test('property: a named runtime accepts exactly the formats KServe\'s label set holds (RuntimeSupportsModel)', () => {
    const name = fc.constantFrom('sklearn', 'SKLearn', 'onnx', 'mlflow');
    const version = fc.option(fc.constantFrom('1', '2', '1.0'), { nil: undefined });
    const format = fc.record({ name, version, autoSelect: fc.boolean() });
    fc.assert(fc.property(fc.uniqueArray(format, { minLength: 1, maxLength: 4, selector: m => `${m.name.toLowerCase()}:${m.version}` }), name, version, (formats, wanted, wantedVersion) => {
      // The controller's oracle: "mt:<name>" and "mt:<name>:<version>" for every format (a named runtime ignores autoSelect).
      const labels = new Set(formats.flatMap(m => [`mt:${m.name}`, ...(m.version ? [`mt:${m.name}:${m.version}`] : [])]));
      const supported = labels.has(wantedVersion ? `mt:${wanted}:${wantedVersion}` : `mt:${wanted}`);
      const c = chart();
      const rt = new KServeServingRuntime(c, 'rt', { runtime: ServingRuntime.mlflow(), supportedModelFormats: formats.map(m => ({ ...m, autoSelect: false })) });
      const make = () => new InferenceService(c, 'isvc', { modelFormat: wanted, modelFormatVersion: wantedVersion, servingRuntime: rt, storageUri: 's3://b/m' });
      if (supported) expect(make).not.toThrow();
      else expect(make).toThrow(/modelFormat .* is not served by runtime 'rt'/);
    }), { numRuns: 150 });
  });
});

test('policy checks see a runtime as a template (no pod, no token to turn off), not as a pod of its own', () => {
  const c = chart();
  const rt = new KServeServingRuntime(c, 'ml', { runtime: ServingRuntime.mlflow() });
  new InferenceService(c, 'churn', { modelFormat: 'mlflow', servingRuntime: rt, storageUri: 's3://b/m', minReplicas: 2 });
  const report = PolicyTesting.report(c);
  expect(report.active.filter(f => f.kind === 'ServingRuntime')).toEqual([]);
});
