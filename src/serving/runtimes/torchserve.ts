import { Size } from 'cdk8s';
import { IConstruct } from 'constructs';
import { checkCommon, RuntimeContext, RuntimeSpec } from './runtime-spec';
import { invalidProp } from '../../core/errors';

/** Options of {@link ServingRuntime.torchServe}. */
export interface TorchServeRuntimeOptions {
  /**
   * The TorchServe image; a tag is required.
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
   * Turn token authorization off (TorchServe enforces it by default and writes the
   * tokens to a key file inside the pod, which no client outside can read). Give
   * the reason, e.g. that the NetworkPolicy admits only the gateway.
   * @default - token authorization on
   */
  readonly disableTokenAuthorization?: string;
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

const CONFIG_DIR = '/etc/torchserve';

export const TORCHSERVE_DEFAULT_IMAGE = 'pytorch/torchserve:0.12.0-gpu';

/** PyTorch TorchServe. @internal */
export function torchServeSpec(scope: IConstruct, o: TorchServeRuntimeOptions, ctx: RuntimeContext): RuntimeSpec {
  checkCommon(scope, o);
  if (o.disableTokenAuthorization !== undefined && o.disableTokenAuthorization.trim().length < 10) {
    throw invalidProp(scope, 'runtime.disableTokenAuthorization', 'needs a written reason (at least 10 characters)');
  }
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
      '--ts-config', `${CONFIG_DIR}/config.properties`,
      '--model-store', store,
      '--models', o.models ?? 'all',
      '--no-config-snapshots',
      ...(o.extraArgs ?? []),
    ],
    env: {},
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
    // Our own config.properties (https://pytorch.org/serve/configuration.html): the APIs
    // on all addresses (the default is localhost only), the metrics API in `prometheus`
    // mode (the default, `log`, serves no Prometheus text: https://pytorch.org/serve/metrics.html).
    // TS_* environment variables would need enable_envvars_config=true.
    configDirectory: CONFIG_DIR,
    configFiles: {
      'config.properties': [
        'inference_address=http://0.0.0.0:8080',
        'management_address=http://0.0.0.0:8081',
        'metrics_address=http://0.0.0.0:8082',
        'metrics_mode=prometheus',
        `model_store=${store}`,
        `load_models=${o.models ?? 'all'}`,
        // https://pytorch.org/serve/token_authorization_api.html
        ...(o.disableTokenAuthorization !== undefined ? ['disable_token_authorization=true'] : []),
        '',
      ].join('\n'),
    },
  };
}
