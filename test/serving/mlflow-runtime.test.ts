import { App, Chart, Size, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { build as buildMlflowExample } from '../../examples/mlflow';
import { MlModelServing, MlModelServingProps, ModelSource, ServingRuntime } from '../../src';
import { assertRestricted, findObject, findObjects, synthAndValidate, validateManifests } from '../util';

const MLFLOW_IMAGE = 'ghcr.io/mlflow/mlflow:v3.6.0';
const registry = (o: { alias?: string; version?: number } = { alias: 'champion' }) => ModelSource.fromMlflowRegistry({
  name: 'churn', ...o, trackingUri: 'http://mlflow.mlops:5000', image: MLFLOW_IMAGE, sizeLimit: Size.gibibytes(2),
});

function synth(props: Partial<MlModelServingProps> = {}) {
  const chart = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
  const serving = new MlModelServing(chart, 'churn', { runtime: ServingRuntime.mlflow(), model: registry(), ...props });
  const manifests = synthAndValidate(chart);
  const deployment = findObject(manifests, 'Deployment', 'churn');
  const pod = deployment.spec.template.spec;
  const container = pod.containers.find((c: any) => c.name === 'model-server');
  const env = Object.fromEntries((container.env ?? []).map((e: any) => [e.name, e.value]));
  return { serving, manifests, deployment, pod, container, env };
}

describe('ServingRuntime.mlflow (MLServer\'s MLflow runtime)', () => {
  test('MLServer 1.7.1 starts the one model the MLSERVER_MODEL_* variables describe', () => {
    const { container, env, serving } = synth();
    expect(container.image).toBe('seldonio/mlserver:1.7.1');
    expect(container.command).toEqual(['mlserver', 'start', '/mnt/models']);
    expect(env).toMatchObject({
      MLSERVER_MODEL_IMPLEMENTATION: 'mlserver_mlflow.MLflowRuntime',
      MLSERVER_MODEL_URI: '/mnt/models',
      MLSERVER_MODEL_NAME: 'churn',
      MLSERVER_HTTP_PORT: '8080',
      MLSERVER_GRPC_PORT: '8081',
      MLSERVER_METRICS_PORT: '8082',
    });
    expect(env.MLSERVER_PARALLEL_WORKERS).toBeUndefined();
    expect(serving.runtime?.runtimeName).toBe('mlflow');
  });

  test('probes hit MLServer\'s V2 health endpoints on the HTTP port; metrics on 8082 with MLServer\'s names', () => {
    const { container, deployment, serving, manifests } = synth();
    expect(container.livenessProbe.httpGet).toEqual({ path: '/v2/health/live', port: 8080, scheme: 'HTTP' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/v2/health/ready', port: 8080, scheme: 'HTTP' });
    expect(container.startupProbe.httpGet).toEqual({ path: '/v2/health/live', port: 8080, scheme: 'HTTP' });
    expect(container.ports).toEqual(expect.arrayContaining([
      { name: 'http', containerPort: 8080 }, { name: 'grpc', containerPort: 8081 }, { name: 'metrics', containerPort: 8082 },
    ]));
    expect(deployment.spec.template.metadata.annotations).toMatchObject({ 'prometheus.io/port': '8082', 'prometheus.io/path': '/metrics' });
    expect(serving.metricNames).toMatchObject({ requestsCounter: 'model_infer_request_success', failedRequestsCounter: 'model_infer_request_failure' });
    const service = findObject(manifests, 'Service', 'churn');
    expect(service.spec.ports.map((p: any) => p.name)).toEqual(['http', 'metrics', 'grpc']);
  });

  test('restricted, read-only root; every directory MLServer and MLflow write to is on the writable home', () => {
    const { container, pod, env, manifests } = synth();
    assertRestricted(manifests);
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, runAsNonRoot: true, allowPrivilegeEscalation: false });
    const home = '/var/cache/model-server';
    expect(container.volumeMounts).toContainEqual({ name: 'runtime-home', mountPath: home });
    expect(pod.volumes).toContainEqual({ name: 'runtime-home', emptyDir: { sizeLimit: '10240Mi' } });
    // Defaults of MLServer (cwd /opt/mlserver: .metrics, .envs) and of its image (HF_HOME, NUMBA_CACHE_DIR) are read-only.
    for (const k of ['HOME', 'MLSERVER_METRICS_DIR', 'MLSERVER_ENVIRONMENTS_DIR', 'HF_HOME', 'NUMBA_CACHE_DIR', 'XDG_CACHE_HOME']) {
      expect(env[k]).toMatch(new RegExp(`^${home}(/|$)`));
    }
    expect(container.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
    expect(container.volumeMounts).toContainEqual({ name: 'dshm', mountPath: '/dev/shm' });
    expect(pod.volumes).toContainEqual({ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '512Mi' } });
  });

  test('composes with ModelSource.fromMlflowRegistry: the init container downloads into the directory MLServer serves', () => {
    const { pod, container } = synth();
    const init = pod.initContainers.find((c: any) => c.name === 'mlflow-model-download');
    expect(init.command.slice(-2)).toEqual(['models:/churn@champion', '/mnt/models']);
    const model = init.volumeMounts.find((m: any) => m.mountPath === '/mnt/models');
    expect(container.volumeMounts).toContainEqual({ name: model.name, mountPath: '/mnt/models', readOnly: true });
    // The runtime's 10Gi home plus the model's 2Gi emptyDir.
    expect(container.resources.requests['ephemeral-storage']).toBe('12288Mi');
  });

  test('options: model name, parallel workers, ports, another model directory', () => {
    const { container, env } = synth({
      runtime: ServingRuntime.mlflow({ modelName: 'churn-v2', parallelWorkers: 0, port: 9000, grpcPort: 9001, metricsPort: 9002, modelUri: '/models/churn' }),
      model: undefined,
    });
    expect(env).toMatchObject({ MLSERVER_MODEL_NAME: 'churn-v2', MLSERVER_PARALLEL_WORKERS: '0', MLSERVER_HTTP_PORT: '9000', MLSERVER_MODEL_URI: '/models/churn' });
    expect(container.command).toEqual(['mlserver', 'start', '/models/churn']);
    expect(container.readinessProbe.httpGet.port).toBe(9000);
  });

  test.each([
    [{}, false, "MlModelServing 'prod/churn': runtime.modelUri is required without a model source and must be an absolute path"],
    [{ modelUri: 'models/churn' }, false, "MlModelServing 'prod/churn': runtime.modelUri is required without a model source and must be an absolute path"],
    [{ modelName: 'churn/v2' }, true, "MlModelServing 'prod/churn': runtime.modelName ('churn/v2') must be letters, digits, '_', '.' or '-': it is a segment of the V2 URLs"],
    [{ parallelWorkers: -1 }, true, "MlModelServing 'prod/churn': runtime.parallelWorkers (-1) must be"],
    [{ grpcPort: 8080 }, true, "MlModelServing 'prod/churn': runtime ports (http 8080, grpc 8080, metrics 8082) must differ"],
    [{ sharedMemory: Size.gibibytes(8) }, true, "MlModelServing 'prod/churn': runtime.sharedMemory (8192Mi) must be below the memory limit (4096Mi)"],
  ])('refused %#', (options, withModel, message) => {
    expect(() => new MlModelServing(new Chart(Testing.app(), 'prod'), 'churn', {
      runtime: ServingRuntime.mlflow(options as any), ...(withModel ? { model: registry() } : {}),
    })).toThrow(message);
  });

  test('property: any valid model name is served as given, anything with a URL separator is refused', () => {
    fc.assert(fc.property(fc.stringMatching(/^[A-Za-z0-9][\w.-]{0,30}$/), fc.constantFrom('/', '?', '#', ' ', '%'), (name, bad) => {
      const make = (n: string) => new MlModelServing(new Chart(Testing.app(), 'prod'), 'churn', { runtime: ServingRuntime.mlflow({ modelName: n }), model: registry() });
      expect(make(name)._server.kplusProps.envVariables?.MLSERVER_MODEL_NAME.value).toBe(name);
      expect(() => make(`${name}${bad}x`)).toThrow(/runtime\.modelName .* must be letters/);
    }), { numRuns: 50 });
  });
});

describe('examples/mlflow.ts through the harness', () => {
  const app = new App({ outdir: '/dev/null' });
  buildMlflowExample(app);
  const manifests = app.charts.flatMap(c => c.toJson());

  test('validates and is restricted', () => {
    validateManifests(manifests);
    assertRestricted(manifests);
  });

  test('the registered model is downloaded and served by the MLflow runtime, with probes MLServer answers', () => {
    const deployment = findObjects(manifests, 'Deployment').find((d: any) => d.metadata.name === 'churn-model');
    const pod = deployment.spec.template.spec;
    const server = pod.containers[0];
    expect(server.image).toBe('seldonio/mlserver:1.7.1');
    expect(server.readinessProbe.httpGet.path).toBe('/v2/health/ready');
    expect(pod.initContainers.map((c: any) => c.name)).toContain('mlflow-model-download');
    const env = Object.fromEntries(server.env.map((e: any) => [e.name, e.value]));
    expect(env).toMatchObject({ MLSERVER_MODEL_IMPLEMENTATION: 'mlserver_mlflow.MLflowRuntime', MLSERVER_MODEL_URI: '/mnt/models', MLSERVER_MODEL_NAME: 'churn-model' });
  });
});
