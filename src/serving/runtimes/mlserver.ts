import { Size } from 'cdk8s';
import { IConstruct } from 'constructs';
import { checkCommon, COMMON_CACHE_ENV, modelDirectory, RuntimeContext, RuntimeSpec, threePorts } from './runtime-spec';

/** Options of {@link ServingRuntime.mlserver}. */
export interface MlServerRuntimeOptions {
  /**
   * The MLServer image; a tag is required.
   * @default 'seldonio/mlserver:1.6.1'
   */
  readonly image?: string;
  /**
   * The folder of models (`mlserver start <folder>`), with `model-settings.json` files.
   * @default - the server's model source mount path; required without one
   */
  readonly modelsDir?: string;
  /**
   * HTTP port (`MLSERVER_HTTP_PORT`).
   * @default 8080
   */
  readonly port?: number;
  /**
   * gRPC port (`MLSERVER_GRPC_PORT`).
   * @default 8081
   */
  readonly grpcPort?: number;
  /**
   * Metrics port (`MLSERVER_METRICS_PORT`).
   * @default 8082
   */
  readonly metricsPort?: number;
  /**
   * Size of `/dev/shm` (parallel inference workers share tensors through it).
   * @default Size.mebibytes(512)
   */
  readonly sharedMemory?: Size;
}

export const MLSERVER_DEFAULT_IMAGE = 'seldonio/mlserver:1.6.1';

/** Seldon MLServer. @internal */
export function mlserverSpec(scope: IConstruct, o: MlServerRuntimeOptions, ctx: RuntimeContext): RuntimeSpec {
  return mlserverBaseSpec(scope, o, modelDirectory(scope, 'modelsDir', o.modelsDir, ctx), ctx);
}

/**
 * MLServer serving `dir`: ports, V2 health, metrics and writable directories, which
 * the MLflow preset (MLServer's MLflow runtime) shares. @internal
 */
export function mlserverBaseSpec(scope: IConstruct, o: Omit<MlServerRuntimeOptions, 'modelsDir'>, dir: string, ctx: RuntimeContext): RuntimeSpec {
  checkCommon(scope, o);
  const { port, grpc, metrics } = threePorts(scope, ctx, o, { http: 8080, grpc: 8081, metrics: 8082 });
  return {
    name: 'mlserver',
    port,
    command: ['mlserver', 'start', dir],
    args: [],
    // Server settings from MLSERVER_* variables; defaults http 8080, grpc 8081, metrics 8082
    // (https://docs.seldon.ai/mlserver/api-reference/settings).
    env: {
      MLSERVER_HTTP_PORT: String(port),
      MLSERVER_GRPC_PORT: String(grpc),
      MLSERVER_METRICS_PORT: String(metrics),
    },
    extraPorts: [{ name: 'grpc', number: grpc }],
    // V2 health: live = the server answers, ready = every model is loaded
    // (mlserver/rest/app.py routes /v2/health/live and /v2/health/ready).
    livenessPath: '/v2/health/live',
    readinessPath: '/v2/health/ready',
    startupPath: '/v2/health/live',
    metricsPort: metrics,
    metricsPath: '/metrics',
    // https://docs.seldon.ai/mlserver/user-guide/metrics: success/failure counters and
    // the REST server's latency (`metrics_rest_server_prefix`, default `rest_server`).
    metricNames: {
      requestsCounter: 'model_infer_request_success',
      failedRequestsCounter: 'model_infer_request_failure',
      latencyHistogram: 'rest_server_requests_duration_seconds',
    },
    // MLSERVER_METRICS_DIR: the multiprocess metrics of parallel workers (default `.metrics` in the cwd).
    cacheEnv: { ...COMMON_CACHE_ENV, MLSERVER_METRICS_DIR: '.metrics' },
    sharedMemory: o.sharedMemory ?? Size.mebibytes(512),
  };
}
