import { Chart, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { MlModelServing, MlModelServingProps, ModelSource, ServingRuntime } from '../../src';
import { findObject, synthAndValidate } from '../util';

function synth(props: Partial<MlModelServingProps>) {
  const chart = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
  const serving = new MlModelServing(chart, 'llm', { ...props });
  const manifests = synthAndValidate(chart);
  const deployment = findObject(manifests, 'Deployment', 'llm');
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0];
  const env = Object.fromEntries((container.env ?? []).map((e: any) => [e.name, e.value]));
  return { serving, manifests, deployment, pod, container, env, service: findObject(manifests, 'Service', 'llm') };
}

const H100 = { gpus: { count: 2 }, resources: { memory: { request: Size.gibibytes(64), limit: Size.gibibytes(64) } } };

describe('ServingRuntime.vllm', () => {
  test('image, args with the tensor-parallel degree from the GPU count, port, probes, metrics', () => {
    const { serving, container, deployment, env, pod } = synth({
      runtime: ServingRuntime.vllm({ revision: 'abc123' }), model: ModelSource.fromPersistentVolumeClaim('llama-weights'), ...H100,
    });
    expect(container.image).toBe('vllm/vllm-openai:v0.11.0');
    expect(container.args).toEqual([
      '/mnt/models', '--port', '8000', '--tensor-parallel-size', '2', '--served-model-name', 'llm', '--revision', 'abc123',
    ]);
    expect(container.ports).toEqual([{ containerPort: 8000, name: 'http' }]);
    expect(container.livenessProbe.httpGet).toEqual({ path: '/health', port: 8000, scheme: 'HTTP' });
    expect(container.readinessProbe.httpGet.path).toBe('/v1/models');
    expect(container.startupProbe.httpGet.path).toBe('/health');
    expect(deployment.spec.template.metadata.annotations).toMatchObject({ 'prometheus.io/port': '8000', 'prometheus.io/path': '/metrics' });
    expect(serving.metricNames).toMatchObject({
      queueGauge: 'vllm:num_requests_waiting',
      kvCacheUsageGauge: 'vllm:kv_cache_usage_perc',
      timeToFirstTokenHistogram: 'vllm:time_to_first_token_seconds',
      latencyHistogram: 'vllm:e2e_request_latency_seconds',
      generationTokensCounter: 'vllm:generation_tokens_total',
      statusCodeLabel: 'status',
    });
    expect(serving.metricNames.inferenceLatencyHistogram).toBeUndefined();
    expect(env).toMatchObject({
      HOME: '/var/cache/model-server',
      HF_HOME: '/var/cache/model-server/.cache/huggingface',
      XDG_CACHE_HOME: '/var/cache/model-server/.cache',
      VLLM_CACHE_ROOT: '/var/cache/model-server/.cache/vllm',
    });
    expect(pod.volumes).toEqual(expect.arrayContaining([
      { name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '4096Mi' } },
      { name: 'runtime-home', emptyDir: { sizeLimit: '10240Mi' } },
    ]));
    expect(container.volumeMounts).toEqual(expect.arrayContaining([
      { name: 'dshm', mountPath: '/dev/shm' }, { name: 'runtime-home', mountPath: '/var/cache/model-server' },
    ]));
    expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
  });

  test('a Hugging Face id needs no model source; user props win over the runtime', () => {
    const { container, env } = synth({
      runtime: ServingRuntime.vllm({ model: 'meta-llama/Llama-3.1-8B-Instruct' }),
      gpus: { count: 1 },
      image: 'registry.example.com/vllm:v0.11.0-patched',
      port: 9000,
      readinessPath: '/health',
      env: { HF_HOME: kplus.EnvValue.fromValue('/models/hf') },
    });
    expect(container.image).toBe('registry.example.com/vllm:v0.11.0-patched');
    expect(container.args.slice(0, 5)).toEqual(['meta-llama/Llama-3.1-8B-Instruct', '--port', '9000', '--tensor-parallel-size', '1']);
    expect(container.readinessProbe.httpGet).toEqual({ path: '/health', port: 9000, scheme: 'HTTP' });
    expect(env.HF_HOME).toBe('/models/hf');
  });

  test('errors', () => {
    expect(() => synth({ runtime: ServingRuntime.vllm() })).toThrow(
      "MlModelServing 'prod/llm': runtime.model is required without a model source: give a Hugging Face model id or set the server's model");
    expect(() => synth({ runtime: ServingRuntime.vllm({ model: 'x/y', tensorParallelSize: 4 }), gpus: { count: 2 } })).toThrow(
      "MlModelServing 'prod/llm': runtime.tensorParallelSize (4) must not exceed the GPUs per pod (2)");
    expect(() => synth({ runtime: ServingRuntime.vllm({ model: 'x/y', sharedMemory: Size.gibibytes(8) }) })).toThrow(
      "MlModelServing 'prod/llm': runtime.sharedMemory (8192Mi) must be below the memory limit (4096Mi): /dev/shm counts against it");
    expect(() => synth({ runtime: ServingRuntime.vllm({ model: 'x/y', image: 'vllm/vllm-openai' }) })).toThrow(/image/);
  });
});

describe('other presets', () => {
  test('Triton: model repository, three ports, v2 health, metrics on 8002', () => {
    const { serving, container, service, deployment } = synth({ runtime: ServingRuntime.triton(), model: ModelSource.fromPersistentVolumeClaim('repo') });
    expect(container.image).toBe('nvcr.io/nvidia/tritonserver:25.01-py3');
    expect(container.command).toEqual(['tritonserver']);
    expect(container.args).toEqual(['--model-repository=/mnt/models', '--http-port=8000', '--grpc-port=8001', '--metrics-port=8002']);
    expect(container.ports.map((p: any) => p.containerPort)).toEqual([8000, 8002, 8001]);
    expect(container.livenessProbe.httpGet.path).toBe('/v2/health/live');
    expect(container.readinessProbe.httpGet.path).toBe('/v2/health/ready');
    expect(service.spec.ports.map((p: any) => p.name)).toEqual(['http', 'metrics', 'grpc']);
    expect(deployment.spec.template.metadata.annotations['prometheus.io/port']).toBe('8002');
    expect(serving.metricNames).toMatchObject({ requestsCounter: 'nv_inference_request_success', failedRequestsCounter: 'nv_inference_request_failure' });
    expect(serving.metricNames.latencyHistogram).toBeUndefined();
  });

  test('MLServer: settings by environment, 8080/8081/8082', () => {
    const { container, env } = synth({ runtime: ServingRuntime.mlserver(), model: ModelSource.fromPersistentVolumeClaim('m') });
    expect(container.command).toEqual(['mlserver', 'start', '/mnt/models']);
    expect(env).toMatchObject({ MLSERVER_HTTP_PORT: '8080', MLSERVER_GRPC_PORT: '8081', MLSERVER_METRICS_PORT: '8082' });
    expect(container.readinessProbe.httpGet.path).toBe('/v2/health/ready');
  });

  test('TGI: launcher args with shards from the GPU count, unprivileged port', () => {
    const { container, serving } = synth({ runtime: ServingRuntime.tgi({ modelId: 'mistralai/Mistral-7B-v0.1' }), ...H100 });
    expect(container.args).toEqual(['--model-id', 'mistralai/Mistral-7B-v0.1', '--hostname', '0.0.0.0', '--port', '8080', '--num-shard', '2']);
    expect(container.readinessProbe.httpGet.path).toBe('/health');
    expect(serving.metricNames.queueGauge).toBe('tgi_queue_size');
  });

  test('TorchServe: foreground, its own config.properties (all addresses, Prometheus metrics mode), /ping', () => {
    const chart = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
    new MlModelServing(chart, 'llm', { runtime: ServingRuntime.torchServe(), model: ModelSource.fromPersistentVolumeClaim('mars') });
    const manifests = synthAndValidate(chart);
    const container = findObject(manifests, 'Deployment', 'llm').spec.template.spec.containers[0];
    expect(container.args).toEqual(expect.arrayContaining(['--foreground', '--ts-config', '/etc/torchserve/config.properties', '--no-config-snapshots']));
    const config = findObject(manifests, 'ConfigMap', 'llm-torchserve-config').data['config.properties'];
    expect(config.split('\n')).toEqual(expect.arrayContaining([
      'inference_address=http://0.0.0.0:8080', 'metrics_address=http://0.0.0.0:8082', 'metrics_mode=prometheus', 'model_store=/mnt/models',
    ]));
    expect(config).not.toContain('disable_token_authorization');
    expect(container.volumeMounts).toEqual(expect.arrayContaining([{ name: 'runtime-config', mountPath: '/etc/torchserve', readOnly: true }]));
    expect(container.livenessProbe.httpGet.path).toBe('/ping');
    expect(container.ports.map((p: any) => p.containerPort)).toEqual([8080, 8082, 8081]);
    expect(() => synth({ runtime: ServingRuntime.torchServe({ modelStore: '/m', disableTokenAuthorization: 'x' }) })).toThrow(
      "MlModelServing 'prod/llm': runtime.disableTokenAuthorization needs a written reason (at least 10 characters)");
  });

  test('custom: classic metric names, given paths', () => {
    const { serving, container } = synth({
      runtime: ServingRuntime.custom({ image: 'my/server:v1', port: 7000, livenessPath: '/live', readinessPath: '/loaded' }),
    });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/loaded', port: 7000, scheme: 'HTTP' });
    expect(serving.metricNames.requestsCounter).toBe('http_requests_total');
    expect(() => synth({ runtime: ServingRuntime.custom({ image: 'my/server:v1', port: 7000, livenessPath: 'live', readinessPath: '/r' }) }))
      .toThrow("MlModelServing 'prod/llm': runtime.livenessPath ('live') must start with '/'");
  });
});
