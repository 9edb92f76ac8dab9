import { Size } from 'cdk8s';
import { IConstruct } from 'constructs';
import { checkCommon, modelDirectory, RuntimeContext, RuntimeSpec, threePorts } from './runtime-spec';
import { invalidProp } from '../../core/errors';

/** Options of {@link ServingRuntime.triton}. */
export interface TritonRuntimeOptions {
  /**
   * The Triton Inference Server image; a tag is required.
   * @default 'nvcr.io/nvidia/tritonserver:25.01-py3'
   */
  readonly image?: string;
  /**
   * The model repository (`--model-repository`).
   * @default - the server's model source mount path; required without one
   */
  readonly modelRepository?: string;
  /**
   * HTTP/REST port (`--http-port`).
   * @default 8000
   */
  readonly port?: number;
  /**
   * gRPC port (`--grpc-port`).
   * @default 8001
   */
  readonly grpcPort?: number;
  /**
   * Metrics port (`--metrics-port`).
   * @default 8002
   */
  readonly metricsPort?: number;
  /**
   * Size of `/dev/shm` (the Python backend and system shared memory use it).
   * @default Size.gibibytes(1)
   */
  readonly sharedMemory?: Size;
  /**
   * Pending requests per replica (`nv_inference_pending_request_count`) KEDA holds, by default, for GPU servers.
   * @default 10
   */
  readonly queueTarget?: number;
  /**
   * More `tritonserver` arguments, appended.
   * @default - none
   */
  readonly extraArgs?: string[];
}

export const TRITON_DEFAULT_IMAGE = 'nvcr.io/nvidia/tritonserver:25.01-py3';

/** NVIDIA Triton Inference Server. @internal */
export function tritonSpec(scope: IConstruct, o: TritonRuntimeOptions, ctx: RuntimeContext): RuntimeSpec {
  checkCommon(scope, o);
  const repository = modelDirectory(scope, 'modelRepository', o.modelRepository, ctx);
  const { port, grpc, metrics } = threePorts(scope, ctx, o, { http: 8000, grpc: 8001, metrics: 8002 });
  if (o.queueTarget !== undefined && !(o.queueTarget > 0)) throw invalidProp(scope, 'runtime.queueTarget', `(${o.queueTarget}) must be positive`);
  return {
    name: 'triton',
    port,
    // Flags: `tritonserver --help`; ports 8000/8001/8002 are Triton's defaults
    // (https://docs.nvidia.com/deeplearning/triton-inference-server/user-guide/docs/user_guide/metrics.html).
    command: ['tritonserver'],
    args: [
      `--model-repository=${repository}`,
      `--http-port=${port}`, `--grpc-port=${grpc}`, `--metrics-port=${metrics}`,
      ...(o.extraArgs ?? []),
    ],
    env: {},
    extraPorts: [{ name: 'grpc', number: grpc }],
    // KServe v2 protocol health: live = the server answers, ready = every model is
    // loaded (https://docs.seldon.ai/seldon-core-1/reference/prediction-apis/v2-protocol/rest/health).
    livenessPath: '/v2/health/live',
    readinessPath: '/v2/health/ready',
    startupPath: '/v2/health/live',
    metricsPort: metrics,
    metricsPath: '/metrics',
    // Triton's metrics (user_guide/metrics.md): success and failure counters per model,
    // cumulative durations in microseconds (no latency histogram by default), pending
    // requests per model, GPU utilization.
    metricNames: {
      requestsCounter: 'nv_inference_request_success',
      failedRequestsCounter: 'nv_inference_request_failure',
      inferenceCounter: 'nv_inference_count',
      queueGauge: 'nv_inference_pending_request_count',
    },
    cacheEnv: { XDG_CACHE_HOME: '.cache' },
    sharedMemory: o.sharedMemory ?? Size.gibibytes(1),
    scaling: { gauge: 'nv_inference_pending_request_count', threshold: o.queueTarget ?? 10 },
  };
}
