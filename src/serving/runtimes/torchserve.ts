import { Size } from 'cdk8s';
import { IConstruct } from 'constructs';
import { checkCommon, RuntimeContext, RuntimeSpec } from './runtime-spec';
import { invalidProp } from '../../core/errors';

/** Options of {@link ServingRuntime.torchServe}. */
export interface TorchServeRuntimeOptions {
  /**
   * The TorchServe image; a tag is required. Its `/home/model-server/config.properties`
   * binds the inference (8080), management (8081) and metrics (8082) APIs on all addresses.
   * @default 'pytorch/torchserve:0.12.0-gpu'
   */
  readonly image?: string;
  /**
   * The model store holding `.mar` archives (`--model-store`).
   * @default - the server's model source mount path; required without one
   */
  readonly modelStore?: string;
  /**
   * Models to load (`--models`).
   * @default 'all'
   */
  readonly models?: string;
  /**
   * Configuration file (`--ts-config`).
   * @default '/home/model-server/config.properties' (the image's)
   */
  readonly configFile?: string;
  /**
   * Size of `/dev/shm` (the Python workers' tensors).
   * @default Size.mebibytes(512)
   */
  readonly sharedMemory?: Size;
  /**
   * More `torchserve` arguments, appended.
   * @default - none
   */
  readonly extraArgs?: string[];
}

export const TORCHSERVE_DEFAULT_IMAGE = 'pytorch/torchserve:0.12.0-gpu';

/** PyTorch TorchServe. @internal */
export function torchServeSpec(scope: IConstruct, o: TorchServeRuntimeOptions, ctx: RuntimeContext): RuntimeSpec {
  checkCommon(scope, o);
  const store = o.modelStore ?? ctx.modelPath;
  if (store === undefined || !store.startsWith('/')) {
    throw invalidProp(scope, 'runtime.modelStore', 'is required without a model source and must be an absolute path');
  }
  return {
    name: 'torchserve',
    // Inference 8080, management 8081, metrics 8082
    // (https://pytorch.org/serve/rest_api.html, https://pytorch.org/serve/metrics_api.html).
    port: 8080,
    // --foreground keeps the frontend the container's process; --no-config-snapshots
    // keeps it from writing into the read-only image (https://pytorch.org/serve/configuration.html).
    command: ['torchserve'],
    args: [
      '--start', '--foreground',
      '--ts-config', o.configFile ?? '/home/model-server/config.properties',
      '--model-store', store,
      '--models', o.models ?? 'all',
      '--no-config-snapshots',
      ...(o.extraArgs ?? []),
    ],
    // The metrics endpoint serves Prometheus text only in `prometheus` mode
    // (TS_METRICS_MODE, https://pytorch.org/serve/metrics.html); logs go to the writable home.
    env: { TS_METRICS_MODE: 'prometheus' },
    extraPorts: [{ name: 'management', number: 8081 }],
    // `GET /ping` on the inference API (https://pytorch.org/serve/inference_api.html).
    livenessPath: '/ping',
    readinessPath: '/ping',
    startupPath: '/ping',
    metricsPort: 8082,
    metricsPath: '/metrics',
    // Default frontend metrics (https://pytorch.org/serve/metrics.html#default-frontend-metrics).
    metricNames: {
      requestsCounter: 'Requests2XX',
      failedRequestsCounter: 'Requests5XX',
      inferenceCounter: 'ts_inference_requests_total',
    },
    cacheEnv: { LOG_LOCATION: 'logs', METRICS_LOCATION: 'logs', XDG_CACHE_HOME: '.cache' },
    sharedMemory: o.sharedMemory ?? Size.mebibytes(512),
  };
}
