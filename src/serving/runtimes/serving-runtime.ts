import { Size, SizeRoundingBehavior } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { MLFLOW_DEFAULT_IMAGE, MlflowRuntimeOptions, mlflowSpec } from './mlflow';
import { MLSERVER_DEFAULT_IMAGE, MlServerRuntimeOptions, mlserverSpec } from './mlserver';
import { checkCommon, RUNTIME_HOME, RuntimeContext, RuntimeSpec } from './runtime-spec';
import { TGI_DEFAULT_IMAGE, TgiRuntimeOptions, tgiSpec } from './tgi';
import { TORCHSERVE_DEFAULT_IMAGE, TorchServeRuntimeOptions, torchServeSpec } from './torchserve';
import { TRITON_DEFAULT_IMAGE, TritonRuntimeOptions, tritonSpec } from './triton';
import { VLLM_DEFAULT_IMAGE, VllmRuntimeOptions, vllmSpec } from './vllm';
import { ContainerModel } from '../../core/container-model';
import { invalidProp } from '../../core/errors';
import { ChildMetadata } from '../../core/ml-workload';
import { PodModel } from '../../core/pod-model';
import { MetricsEndpoint } from '../../core/prometheus-annotations';
import { requirePort } from '../../core/validation';
import { WorkloadVolume } from '../../core/workload-volume';

/** Exact MiB: cdk8s's default conversion throws on a fraction without naming the prop. */
const EXACT_MIB = { rounding: SizeRoundingBehavior.NONE };

/** Options of {@link ServingRuntime.custom}. */
export interface CustomRuntimeOptions {
  /** The server image; a tag is required. */
  readonly image: string;
  /** Port the server listens on. */
  readonly port: number;
  /**
   * Entrypoint.
   * @default - the image's
   */
  readonly command?: string[];
  /**
   * Arguments.
   * @default - the image's
   */
  readonly args?: string[];
  /** Liveness path (the process is alive). */
  readonly livenessPath: string;
  /** Readiness path (the model is loaded and can serve). */
  readonly readinessPath: string;
  /**
   * Path the startup probe polls while the model loads.
   * @default - `livenessPath`
   */
  readonly startupPath?: string;
  /**
   * Metrics endpoint and metric names.
   * @default - `/metrics` on `port`, the classic names
   */
  readonly metrics?: MetricsEndpoint;
  /**
   * Size of `/dev/shm`.
   * @default - no shared memory volume (the container runtime's 64Mi)
   */
  readonly sharedMemory?: Size;
  /**
   * More cache environment variables, each pointed at a directory (relative to the
   * writable home) e.g. `{ MY_CACHE: '.cache/mine' }`. HOME and XDG_CACHE_HOME always are.
   * @default - none
   */
  readonly cacheEnv?: { [name: string]: string };
}

/** Options of the writable home every runtime gets. */
export interface RuntimeHomeOptions {
  /**
   * Size cap of the emptyDir holding HOME and the runtime's caches (counted in
   * the server's ephemeral-storage request). Downloads of a Hugging Face model id land here.
   * @default Size.gibibytes(10)
   */
  readonly cacheSize?: Size;
}

type Resolver = (scope: IConstruct, ctx: RuntimeContext) => RuntimeSpec;

/**
 * What a runtime binds into: a workload (`MlModelServing`, `MultiNodeServing`) or a
 * KServe ServingRuntime, each with its pod model.
 * @internal
 */
export interface RuntimeHost extends IConstruct {
  readonly name: string;
  readonly resources: kplus.ContainerResources;
  readonly _pod: PodModel;
  _metadata(name?: string): ChildMetadata;
}

/**
 * The model server software: one object that sets the server's image default,
 * arguments (model, tensor parallelism from the GPU count, ports), probes on the
 * runtime's own health endpoints, its metrics endpoint and metric names (read by
 * alerts, KEDA and dashboards), `/dev/shm`, writable HOME and caches on an emptyDir
 * (the image's root stays read-only), and the KEDA signal it recommends. Every prop
 * the user sets on the server still wins.
 *
 * @example
 * import { MlModelServing, ModelSource, ServingRuntime } from 'cdk8s-ml';
 *
 * // The runtime sets the image, arguments, port, probe paths, metrics and shared memory.
 * new MlModelServing(this, 'llama', {
 *   runtime: ServingRuntime.vllm({ servedModelName: 'llama-3.1-8b-instruct', maxModelLen: 16384 }),
 *   model: ModelSource.fromPersistentVolumeClaim('llama-3-1-8b-weights'),
 *   gpus: { count: 1 },
 * });
 *
 * new MlModelServing(this, 'triton', {
 *   runtime: ServingRuntime.triton(),
 *   model: ModelSource.fromPersistentVolumeClaim('triton-model-repository'),
 *   gpus: { count: 1 },
 * });
 */
export class ServingRuntime {
  /** vLLM's OpenAI-compatible server (`vllm serve`), the LLM default. */
  public static vllm(options: VllmRuntimeOptions = {}, home: RuntimeHomeOptions = {}): ServingRuntime {
    return new ServingRuntime('vllm', options.image ?? VLLM_DEFAULT_IMAGE, home, (s, c) => vllmSpec(s, options, c));
  }

  /** NVIDIA Triton Inference Server over a model repository. */
  public static triton(options: TritonRuntimeOptions = {}, home: RuntimeHomeOptions = {}): ServingRuntime {
    return new ServingRuntime('triton', options.image ?? TRITON_DEFAULT_IMAGE, home, (s, c) => tritonSpec(s, options, c));
  }

  /** Seldon MLServer (scikit-learn, XGBoost, MLflow, Hugging Face runtimes). */
  public static mlserver(options: MlServerRuntimeOptions = {}, home: RuntimeHomeOptions = {}): ServingRuntime {
    return new ServingRuntime('mlserver', options.image ?? MLSERVER_DEFAULT_IMAGE, home, (s, c) => mlserverSpec(s, options, c));
  }

  /** Hugging Face Text Generation Inference. */
  public static tgi(options: TgiRuntimeOptions = {}, home: RuntimeHomeOptions = {}): ServingRuntime {
    return new ServingRuntime('tgi', options.image ?? TGI_DEFAULT_IMAGE, home, (s, c) => tgiSpec(s, options, c));
  }

  /** PyTorch TorchServe over a model store of `.mar` archives. */
  public static torchServe(options: TorchServeRuntimeOptions = {}, home: RuntimeHomeOptions = {}): ServingRuntime {
    return new ServingRuntime('torchserve', options.image ?? TORCHSERVE_DEFAULT_IMAGE, home, (s, c) => torchServeSpec(s, options, c));
  }

  /**
   * A model logged with MLflow (e.g. downloaded by `ModelSource.fromMlflowRegistry`),
   * served by MLServer's MLflow runtime over the V2 inference protocol.
   */
  public static mlflow(options: MlflowRuntimeOptions = {}, home: RuntimeHomeOptions = {}): ServingRuntime {
    return new ServingRuntime('mlflow', options.image ?? MLFLOW_DEFAULT_IMAGE, home, (s, c) => mlflowSpec(s, options, c));
  }

  /** Any other server, described by its port, health paths and metrics. */
  public static custom(options: CustomRuntimeOptions, home: RuntimeHomeOptions = {}): ServingRuntime {
    return new ServingRuntime('custom', options.image, home, (scope) => {
      checkCommon(scope, { port: options.port, sharedMemory: options.sharedMemory });
      for (const [prop, path] of [['livenessPath', options.livenessPath], ['readinessPath', options.readinessPath], ['startupPath', options.startupPath]] as const) {
        if (path !== undefined && !path.startsWith('/')) throw invalidProp(scope, `runtime.${prop}`, `('${path}') must start with '/'`);
      }
      if (options.metrics) requirePort(scope, 'runtime.metrics.port', options.metrics.port);
      return {
        name: 'custom',
        port: options.port,
        command: options.command,
        args: options.args ?? [],
        env: {},
        extraPorts: [],
        livenessPath: options.livenessPath,
        readinessPath: options.readinessPath,
        startupPath: options.startupPath ?? options.livenessPath,
        metricsPort: options.metrics?.port ?? options.port,
        metricsPath: options.metrics?.path ?? '/metrics',
        metricNames: options.metrics?.names ?? {},
        cacheEnv: { XDG_CACHE_HOME: '.cache', ...options.cacheEnv },
        sharedMemory: options.sharedMemory,
      };
    }, true);
  }

  private constructor(
    /** The runtime's name (`vllm`, `triton`, `mlserver`, `mlflow`, `tgi`, `torchserve`, `custom`). */
    public readonly runtimeName: string,
    /** The server image. */
    public readonly image: string,
    private readonly home: RuntimeHomeOptions,
    private readonly resolver: Resolver,
    /** Custom runtimes declare no names of their own: the classic ones apply. */
    private readonly classicNames = false,
  ) {}

  /** The runtime resolved for one server (checked). @internal */
  public _resolve(scope: IConstruct, ctx: RuntimeContext): RuntimeSpec {
    return this.resolver(scope, ctx);
  }

  /** Whether unnamed metrics fall back to the classic names. @internal */
  public get _classicNames(): boolean {
    return this.classicNames;
  }

  /**
   * Renders the runtime's pod-level parts into the server's pod model: `/dev/shm`
   * (checked against the memory limit, which a tmpfs counts against) and the
   * writable home with the cache variables.
   * @internal
   */
  public _bind(workload: RuntimeHost, server: ContainerModel, spec: RuntimeSpec): void {
    const cacheSize = this.home.cacheSize ?? Size.gibibytes(10);
    if (!(cacheSize.toMebibytes(EXACT_MIB) >= 1)) throw invalidProp(workload, 'runtime.cacheSize', 'must be at least 1Mi');
    workload._pod.mount('runtime', server, { volume: WorkloadVolume.emptyDir('runtime-home', { sizeLimit: cacheSize }), path: RUNTIME_HOME });
    server.reserveEphemeralStorage(cacheSize);
    if (spec.configFiles && spec.configDirectory) {
      const configMap = new kplus.ConfigMap(workload, 'RuntimeConfig', { metadata: workload._metadata(`${workload.name}-${spec.name}-config`) });
      for (const [file, content] of Object.entries(spec.configFiles)) configMap.addData(file, content);
      const volume = WorkloadVolume.fromConfigMap('runtime-config', configMap.name);
      workload._pod.mount('runtime', server, { volume, path: spec.configDirectory, readOnly: true });
    }
    if (spec.sharedMemory) {
      const limit = workload.resources.memory?.limit?.toMebibytes(EXACT_MIB);
      const shm = spec.sharedMemory.toMebibytes(EXACT_MIB);
      if (limit !== undefined && shm >= limit) {
        throw invalidProp(workload, 'runtime.sharedMemory', `(${shm}Mi) must be below the memory limit (${limit}Mi): /dev/shm counts against it`);
      }
      workload._pod.mount('runtime', server, { volume: WorkloadVolume.memory('dshm', { sizeLimit: spec.sharedMemory }), path: '/dev/shm' });
    }
  }

  /** The environment the runtime sets: its own, HOME and the caches. @internal */
  public _env(spec: RuntimeSpec): { [name: string]: kplus.EnvValue } {
    const env: { [name: string]: kplus.EnvValue } = { HOME: kplus.EnvValue.fromValue(RUNTIME_HOME) };
    for (const [k, rel] of Object.entries(spec.cacheEnv)) env[k] = kplus.EnvValue.fromValue(`${RUNTIME_HOME}/${rel}`);
    for (const [k, v] of Object.entries(spec.env)) env[k] = kplus.EnvValue.fromValue(v);
    return env;
  }

  /** The runtime's cache size, for the ephemeral-storage request. @internal */
  public get _cacheSize(): Size {
    return this.home.cacheSize ?? Size.gibibytes(10);
  }
}
