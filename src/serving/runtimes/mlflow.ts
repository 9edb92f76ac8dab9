import { Size } from 'cdk8s';
import { IConstruct } from 'constructs';
import { mlserverBaseSpec } from './mlserver';
import { KSERVE_NAME_PLACEHOLDER, modelDirectory, RuntimeContext, RuntimeSpec } from './runtime-spec';
import { invalidProp } from '../../core/errors';
import { requireInteger } from '../../core/validation';

/** Options of {@link ServingRuntime.mlflow}. */
export interface MlflowRuntimeOptions {
  /**
   * The MLServer image (the full image: it ships the `mlserver-mlflow` runtime, which
   * the `-slim` images lack); a tag is required. Its MLflow should be at least the one
   * the model was logged with.
   * @default 'seldonio/mlserver:1.7.1'
   */
  readonly image?: string;
  /**
   * The MLflow model directory (the one holding `MLmodel`), `MLSERVER_MODEL_URI`.
   * @default - the server's model source mount path (e.g. `ModelSource.fromMlflowRegistry`); required without one
   */
  readonly modelUri?: string;
  /**
   * The name clients use (`/v2/models/<name>/infer`), `MLSERVER_MODEL_NAME`.
   * @default - the server's name
   */
  readonly modelName?: string;
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
   * Inference worker processes (`MLSERVER_PARALLEL_WORKERS`); 0 runs inference in the
   * server's own process.
   * @default - MLServer's (1)
   */
  readonly parallelWorkers?: number;
  /**
   * Size of `/dev/shm` (parallel inference workers exchange requests through it).
   * @default Size.mebibytes(512)
   */
  readonly sharedMemory?: Size;
}

/** MLServer 1.7.1, the release KServe v0.20's default runtimes pin (config/runtimes/kustomization.yaml). */
export const MLFLOW_DEFAULT_IMAGE = 'seldonio/mlserver:1.7.1';

/**
 * An MLflow model served by MLServer's MLflow runtime (`mlserver_mlflow.MLflowRuntime`,
 * what KServe's own `kserve-mlserver` runtime uses for the `mlflow` format): the V2
 * inference protocol over HTTP and gRPC, health and Prometheus metrics, unlike
 * `mlflow models serve`, which has neither a readiness endpoint nor metrics.
 * @internal
 */
export function mlflowSpec(scope: IConstruct, o: MlflowRuntimeOptions, ctx: RuntimeContext): RuntimeSpec {
  const dir = modelDirectory(scope, 'modelUri', o.modelUri, ctx);
  const name = o.modelName ?? ctx.serverName;
  // The name is a path segment of every V2 URL (/v2/models/<name>/...); KServe's
  // `{{.Name}}` placeholder (the InferenceService's name) is filled in by its controller.
  if (name !== KSERVE_NAME_PLACEHOLDER && !/^[A-Za-z0-9][\w.-]*$/.test(name)) {
    throw invalidProp(scope, 'runtime.modelName', `('${name}') must be letters, digits, '_', '.' or '-': it is a segment of the V2 URLs`);
  }
  if (o.parallelWorkers !== undefined) requireInteger(scope, 'runtime.parallelWorkers', o.parallelWorkers, 0, 64);
  // `mlserver start <folder>` finds no model-settings.json in an MLflow model folder and
  // then loads the one model the MLSERVER_MODEL_* variables describe
  // (SeldonIO/MLServer mlserver/repository/repository.py, SchemalessModelRepository.list).
  // The image's own CMD does the same after activating an optional environment tarball.
  const server = mlserverBaseSpec(scope, o, dir, ctx);
  return {
    ...server,
    name: 'mlflow',
    // The model's implementation, name and URI (mlserver/settings.py, 1.7.1).
    env: {
      ...server.env,
      MLSERVER_MODEL_IMPLEMENTATION: 'mlserver_mlflow.MLflowRuntime',
      MLSERVER_MODEL_NAME: name,
      MLSERVER_MODEL_URI: dir,
      ...(o.parallelWorkers !== undefined ? { MLSERVER_PARALLEL_WORKERS: String(o.parallelWorkers) } : {}),
    },
    // The root filesystem is read-only and the image's working directory /opt/mlserver
    // is where MLServer writes by default: besides `.metrics`, `.envs`
    // (MLSERVER_ENVIRONMENTS_DIR), where the MLflow model's own environment tarball is
    // unpacked; the image also points HF_HOME and NUMBA_CACHE_DIR there (Dockerfile),
    // which the common cache variables move into the writable home.
    cacheEnv: { ...server.cacheEnv, MLSERVER_ENVIRONMENTS_DIR: '.envs' },
  };
}
