import { Size } from 'cdk8s';
import { IConstruct } from 'constructs';
import { checkCommon, COMMON_CACHE_ENV, RuntimeContext, RuntimeSpec, shardCount } from './runtime-spec';
import { invalidProp } from '../../core/errors';

/** Options of {@link ServingRuntime.tgi}. */
export interface TgiRuntimeOptions {
  /**
   * The Text Generation Inference image; a tag is required.
   * @default 'ghcr.io/huggingface/text-generation-inference:3.3.4'
   */
  readonly image?: string;
  /**
   * The model (`--model-id`): a Hugging Face id or a path in the container.
   * @default - the server's model source mount path; required without one
   */
  readonly modelId?: string;
  /**
   * Model revision for a Hugging Face id (`--revision`); pin a commit.
   * @default - the default branch
   */
  readonly revision?: string;
  /**
   * Shards (GPUs) the model is split over (`--num-shard`).
   * @default - the server's GPU count
   */
  readonly numShard?: number;
  /**
   * Port (`--port`). The image's default, 80, needs a capability the restricted profile drops.
   * @default 8080
   */
  readonly port?: number;
  /**
   * Size of `/dev/shm` (NCCL between shards; TGI's docs run it with `--shm-size 1g`).
   * @default - 1Gi per shard
   */
  readonly sharedMemory?: Size;
  /**
   * Queue depth per replica (`tgi_queue_size`) KEDA holds, by default, for GPU servers.
   * @default 10
   */
  readonly queueTarget?: number;
  /**
   * More launcher arguments, appended.
   * @default - none
   */
  readonly extraArgs?: string[];
}

export const TGI_DEFAULT_IMAGE = 'ghcr.io/huggingface/text-generation-inference:3.3.4';

/** Hugging Face Text Generation Inference. @internal */
export function tgiSpec(scope: IConstruct, o: TgiRuntimeOptions, ctx: RuntimeContext): RuntimeSpec {
  checkCommon(scope, o);
  const model = o.modelId ?? ctx.modelPath;
  if (model === undefined || model.trim() === '') {
    throw invalidProp(scope, 'runtime.modelId', 'is required without a model source: give a Hugging Face model id or set the server\'s model');
  }
  const shards = shardCount(scope, 'runtime.numShard', o.numShard, ctx);
  if (o.queueTarget !== undefined && !(o.queueTarget > 0)) throw invalidProp(scope, 'runtime.queueTarget', `(${o.queueTarget}) must be positive`);
  const port = ctx.port ?? o.port ?? 8080;
  return {
    name: 'tgi',
    port,
    // The image's entrypoint is `text-generation-launcher` (--model-id, --revision,
    // --num-shard, --hostname, --port; https://huggingface.co/docs/text-generation-inference/reference/launcher).
    args: [
      '--model-id', model,
      '--hostname', '0.0.0.0',
      '--port', String(port),
      '--num-shard', String(shards),
      ...(o.revision ? ['--revision', o.revision] : []),
      ...(o.extraArgs ?? []),
    ],
    env: {},
    extraPorts: [],
    // `/health` answers 200 once the model is loaded and can serve.
    livenessPath: '/health',
    readinessPath: '/health',
    startupPath: '/health',
    // https://huggingface.co/docs/text-generation-inference/reference/metrics
    metricsPort: port,
    metricsPath: '/metrics',
    metricNames: {
      requestsCounter: 'tgi_request_success',
      failedRequestsCounter: 'tgi_request_failure',
      latencyHistogram: 'tgi_request_duration',
      queueGauge: 'tgi_queue_size',
      runningGauge: 'tgi_batch_current_size',
    },
    // The image caches downloads in /data (HUGGINGFACE_HUB_CACHE); move it into the writable home.
    cacheEnv: { ...COMMON_CACHE_ENV, HUGGINGFACE_HUB_CACHE: '.cache/huggingface/hub' },
    sharedMemory: o.sharedMemory ?? Size.gibibytes(shards),
    scaling: { gauge: 'tgi_queue_size', threshold: o.queueTarget ?? 10 },
  };
}
