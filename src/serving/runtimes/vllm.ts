import { Size } from 'cdk8s';
import { IConstruct } from 'constructs';
import { checkCommon, COMMON_CACHE_ENV, RuntimeContext, RuntimeSpec, shardCount } from './runtime-spec';
import { invalidProp } from '../../core/errors';

/** Options of {@link ServingRuntime.vllm}. */
export interface VllmRuntimeOptions {
  /**
   * The vLLM OpenAI-compatible server image; a tag is required.
   * @default 'vllm/vllm-openai:v0.11.0'
   */
  readonly image?: string;
  /**
   * The model: a Hugging Face id (`meta-llama/Llama-3.1-8B-Instruct`, downloaded by
   * vLLM into its writable cache) or a path in the container.
   * @default - the server's model source mount path (`model`); required without one
   */
  readonly model?: string;
  /**
   * The name clients send as `model` (`--served-model-name`).
   * @default - the server's name when the model is a path, else the model id
   */
  readonly servedModelName?: string;
  /**
   * Model revision (branch, tag or commit) for a Hugging Face id (`--revision`); pin a commit.
   * @default - the default branch
   */
  readonly revision?: string;
  /**
   * GPUs the model is split over (`--tensor-parallel-size`).
   * @default - the server's GPU count
   */
  readonly tensorParallelSize?: number;
  /**
   * Maximum context length (`--max-model-len`).
   * @default - the model's
   */
  readonly maxModelLen?: number;
  /**
   * Share of GPU memory vLLM takes, 0..1 (`--gpu-memory-utilization`).
   * @default - vLLM's (0.9)
   */
  readonly gpuMemoryUtilization?: number;
  /**
   * Port of the API server (`--port`); also serves `/metrics`.
   * @default 8000
   */
  readonly port?: number;
  /**
   * Size of `/dev/shm`: tensor parallelism exchanges tensors between worker
   * processes through shared memory (vLLM's docs ask for `--ipc=host` or a large `--shm-size`).
   * @default - 2Gi, plus 2Gi per GPU beyond the first
   */
  readonly sharedMemory?: Size;
  /**
   * Queue depth per replica (`vllm:num_requests_waiting`) KEDA holds, by default, for GPU servers.
   * @default 5
   */
  readonly queueTarget?: number;
  /**
   * More `vllm serve` arguments, appended.
   * @default - none
   */
  readonly extraArgs?: string[];
}

export const VLLM_DEFAULT_IMAGE = 'vllm/vllm-openai:v0.11.0';

/** vLLM's OpenAI-compatible server (`vllm serve`). @internal */
export function vllmSpec(scope: IConstruct, o: VllmRuntimeOptions, ctx: RuntimeContext): RuntimeSpec {
  checkCommon(scope, o);
  const model = o.model ?? ctx.modelPath;
  if (model === undefined || model.trim() === '') {
    throw invalidProp(scope, 'runtime.model', 'is required without a model source: give a Hugging Face model id or set the server\'s model');
  }
  const tp = shardCount(scope, 'runtime.tensorParallelSize', o.tensorParallelSize, ctx);
  if (o.gpuMemoryUtilization !== undefined && !(o.gpuMemoryUtilization > 0 && o.gpuMemoryUtilization <= 1)) {
    throw invalidProp(scope, 'runtime.gpuMemoryUtilization', `(${o.gpuMemoryUtilization}) must be in (0, 1]`);
  }
  if (o.maxModelLen !== undefined && !(Number.isInteger(o.maxModelLen) && o.maxModelLen > 0)) {
    throw invalidProp(scope, 'runtime.maxModelLen', `(${o.maxModelLen}) must be a positive whole number`);
  }
  if (o.queueTarget !== undefined && !(o.queueTarget > 0)) throw invalidProp(scope, 'runtime.queueTarget', `(${o.queueTarget}) must be positive`);
  const port = ctx.port ?? o.port ?? 8000;
  const served = o.servedModelName ?? (model.startsWith('/') ? ctx.serverName : undefined);
  return {
    name: 'vllm',
    port,
    // The image's entrypoint is `vllm serve`: the model is the first argument.
    // Flags: https://docs.vllm.ai/en/stable/cli/serve.html (--port, --tensor-parallel-size,
    // --served-model-name, --revision, --max-model-len, --gpu-memory-utilization).
    args: [
      model,
      '--port', String(port),
      '--tensor-parallel-size', String(tp),
      ...(served ? ['--served-model-name', served] : []),
      ...(o.revision ? ['--revision', o.revision] : []),
      ...(o.maxModelLen !== undefined ? ['--max-model-len', String(o.maxModelLen)] : []),
      ...(o.gpuMemoryUtilization !== undefined ? ['--gpu-memory-utilization', String(o.gpuMemoryUtilization)] : []),
      ...(o.extraArgs ?? []),
    ],
    env: {},
    extraPorts: [],
    // `/health` answers once the engine runs; `/v1/models` lists the served model,
    // i.e. the model is loaded (OpenAI-compatible server endpoints,
    // https://docs.vllm.ai/en/stable/serving/openai_compatible_server.html).
    livenessPath: '/health',
    readinessPath: '/v1/models',
    startupPath: '/health',
    // Metrics on the API port at /metrics: https://docs.vllm.ai/en/stable/usage/metrics/
    // (V1 names, docs/design/metrics.md in vllm-project/vllm). HTTP counters and
    // latency come from prometheus-fastapi-instrumentator (`status` grouped as 2xx..5xx).
    metricsPort: port,
    metricsPath: '/metrics',
    metricNames: {
      requestsCounter: 'http_requests_total',
      statusCodeLabel: 'status',
      errorCodeRegex: '5..',
      latencyHistogram: 'vllm:e2e_request_latency_seconds',
      queueGauge: 'vllm:num_requests_waiting',
      runningGauge: 'vllm:num_requests_running',
      kvCacheUsageGauge: 'vllm:kv_cache_usage_perc',
      timeToFirstTokenHistogram: 'vllm:time_to_first_token_seconds',
      generationTokensCounter: 'vllm:generation_tokens_total',
      promptTokensCounter: 'vllm:prompt_tokens_total',
    },
    // vLLM and its libraries write under ~/.cache; as a non-root user with the
    // image's HOME=/ that is `/.cache`: PermissionError (vllm-project/vllm#9118, #10185, #20127).
    cacheEnv: { ...COMMON_CACHE_ENV, VLLM_CACHE_ROOT: '.cache/vllm', OUTLINES_CACHE_DIR: '.cache/outlines' },
    sharedMemory: o.sharedMemory ?? Size.gibibytes(2 * Math.max(tp, 1)),
    scaling: { gauge: 'vllm:num_requests_waiting', threshold: o.queueTarget ?? 5 },
  };
}
