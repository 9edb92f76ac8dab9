import { ApiObject, App, Chart, Duration, Lazy, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct, IConstruct } from 'constructs';
import { IKServeRuntime, KSERVE_PROFILES, KServeModelFormat, KServeProtocolVersion, requireModelFormats, samePriorityFormat } from './kserve-model-format';
import { makeClusterScoped } from '../../capacity/cluster-scoped';
import { ContainerModel } from '../../core/container-model';
import { invalidProp } from '../../core/errors';
import { requirePinnedImage } from '../../core/image';
import { MlLabels } from '../../core/labels';
import { applyObjectMetadata, ObjectMetadataOptions } from '../../core/metadata-validation';
import { ChildMetadata, TMP_VOLUME } from '../../core/ml-workload';
import { PodModel } from '../../core/pod-model';
import { prometheusScrapeAnnotations } from '../../core/prometheus-annotations';
import { completeResources, GpuOptions, NVIDIA_GPU, validateGpus } from '../../core/resources';
import { PodSecurity } from '../../core/security';
import { TargetCluster } from '../../core/unique-objects';
import { requireDnsLabel, requireEnvNames, requireWholeSeconds } from '../../core/validation';
import { KSERVE_NAME_PLACEHOLDER, RuntimeSpec } from '../../serving/runtimes/runtime-spec';
import { ServingRuntime } from '../../serving/runtimes/serving-runtime';

/** Properties shared by {@link KServeServingRuntime} and {@link KServeClusterServingRuntime}. */
export interface KServeRuntimeProps {
  /**
   * The serving-runtime preset (vLLM, Triton, MLServer, MLflow, TGI, TorchServe, custom)
   * whose image, arguments, ports, probes, environment, writable caches and `/dev/shm`
   * the runtime's `kserve-container` gets, with the model at KServe's `/mnt/models`.
   */
  readonly runtime: ServingRuntime;
  /**
   * The runtime's name, which InferenceServices give as `runtime`.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * The model formats served.
   * @default - the preset's, as KServe's own default runtime for that server declares them
   * (auto-selected only for a namespaced runtime); required for a custom runtime
   */
  readonly supportedModelFormats?: KServeModelFormat[];
  /**
   * The inference protocols served.
   * @default - the preset's (e.g. V2 and gRPC V2 for Triton; none claimed for OpenAI-style servers)
   */
  readonly protocolVersions?: KServeProtocolVersion[];
  /**
   * The server image.
   * @default - the preset's
   */
  readonly image?: string;
  /**
   * Accept an image without a pinned tag or digest.
   * @default false
   */
  readonly allowMutableImageTag?: boolean;
  /**
   * CPU and memory of the container: what InferenceServices get unless they set their own.
   * @default - requests cpu 1 / memory 2Gi, limits cpu 2 / memory 4Gi
   */
  readonly resources?: kplus.ContainerResources;
  /**
   * GPUs of the container; the preset shards over them (vLLM/TGI tensor parallelism),
   * so InferenceServices using the runtime must request the same count.
   * @default - none
   */
  readonly gpus?: GpuOptions;
  /**
   * More environment variables (they win over the preset's).
   * @default - none
   */
  readonly env?: { [name: string]: kplus.EnvValue };
  /**
   * The container's security context. It is rendered on the container (a
   * ServingRuntime has no pod security context), so its identity wins over the
   * InferenceService pod's.
   * @default PodSecurity.restricted()
   */
  readonly podSecurity?: PodSecurity;
  /**
   * How long the startup probe waits for the model to load.
   * @default Duration.minutes(10)
   */
  readonly startupTimeout?: Duration;
  /**
   * Labels and annotations of the runtime object.
   * @default - none
   */
  readonly metadata?: ObjectMetadataOptions;
}

const DEFAULT_RESOURCES = {
  cpuRequest: kplus.Cpu.units(1), cpuLimit: kplus.Cpu.units(2), memoryRequest: Size.gibibytes(2), memoryLimit: Size.gibibytes(4),
};
/** Where KServe's storage initializer puts the model (pkg/constants/constants.go, DefaultModelLocalMountPath). */
const KSERVE_MODEL_PATH = '/mnt/models';
/** The container KServe merges the InferenceService's predictor into (constants.InferenceServiceContainerName). */
const KSERVE_CONTAINER = 'kserve-container';
/**
 * KServe's default runtimes (config/runtimes/kustomization.yaml, v0.20.0). The controller
 * rewrites the image of some by NAME (utils.UpdateImageTag: `-gpu` / `-cpu` variants) and
 * applies server defaults by name; as ClusterServingRuntimes they are KServe's own objects.
 */
const KSERVE_DEFAULT_RUNTIMES = [
  'kserve-tensorflow-serving', 'kserve-sklearnserver', 'kserve-predictiveserver', 'kserve-mlserver', 'kserve-xgbserver',
  'kserve-tritonserver', 'kserve-pmmlserver', 'kserve-paddleserver', 'kserve-lgbserver', 'kserve-torchserve',
  'kserve-huggingfaceserver', 'kserve-huggingfaceserver-multinode', 'kserve-autogluonserver', 'kserve-vllmserver',
];

/**
 * A KServe `serving.kserve.io/v1alpha1` runtime built from a serving-runtime preset:
 * the base of {@link KServeServingRuntime} and {@link KServeClusterServingRuntime}.
 *
 * The KServe controller merges an InferenceService's predictor container into this
 * runtime's `kserve-container` (strategic merge: the predictor's env, resources and
 * mounts win; its args are appended), merges the pod's volumes and tolerations, fills
 * `{{.Name}}` with the InferenceService's name, and its storage initializer downloads
 * `storageUri` to `/mnt/models` (kserve pkg/controller/v1beta1/inferenceservice/utils/utils.go,
 * MergeRuntimeContainers, MergePodSpec, ReplacePlaceholders). Only `kserve-container`
 * survives the merge, so the runtime has no other container.
 *
 * @example
 * import { InferenceService, KServeRuntimeBase, KServeServingRuntime, ServingRuntime } from 'cdk8s-ml';
 *
 * // Either variant serves where a runtime is expected.
 * const triton: KServeRuntimeBase = new KServeServingRuntime(this, 'triton', { runtime: ServingRuntime.triton() });
 * new InferenceService(this, 'resnet', { modelFormat: 'onnx', servingRuntime: triton, storageUri: 's3://models/resnet' });
 */
export abstract class KServeRuntimeBase extends Construct implements IKServeRuntime {
  /** The runtime's name, which InferenceServices give as `runtime`. */
  public readonly runtimeName: string;
  /** Whether it is a ClusterServingRuntime. */
  public readonly clusterScoped: boolean;
  /** The model formats served. */
  public readonly supportedModelFormats: KServeModelFormat[];
  /** The inference protocols served. */
  public readonly protocolVersions: KServeProtocolVersion[];
  /** GPUs of the container (0 without). */
  public readonly gpuCount: number;
  /** Size of the memory-backed `/dev/shm`, if any. */
  public readonly sharedMemory?: Size;
  /** The runtime's container image. */
  public readonly image: string;
  /** The runtime object. */
  public readonly apiObject: ApiObject;
  /** The container's port for HTTP inference (the first port: KServe's Service targets it). */
  public readonly port: number;
  /** The pod model (the runtime's container, volumes, tolerations). @internal */
  public readonly _pod: PodModel;
  /** The preset resolved for KServe. @internal */
  public readonly _spec: RuntimeSpec;
  /** CPU and memory of the container. */
  public readonly resources: kplus.ContainerResources;
  /** The object's name (the same as `runtimeName`). */
  public readonly name: string;
  private readonly labels: { [key: string]: string };

  protected constructor(scope: Construct, id: string, props: KServeRuntimeProps, clusterScoped: boolean) {
    super(scope, id);
    if (props === undefined || props === null || !(props.runtime instanceof ServingRuntime)) {
      throw invalidProp(this, 'runtime', 'is required: a ServingRuntime preset such as ServingRuntime.mlserver()');
    }
    this.clusterScoped = clusterScoped;
    this.name = this.runtimeName = props.name ?? id;
    requireDnsLabel(this, 'name', this.runtimeName);
    if (KSERVE_DEFAULT_RUNTIMES.includes(this.runtimeName)) {
      throw invalidProp(this, 'name', `('${this.runtimeName}') is the name of a KServe default runtime, whose image the controller rewrites by name and which KServe installs itself; pick another`);
    }
    const preset = props.runtime;
    const profile = KSERVE_PROFILES[preset.runtimeName];
    const defaultFormats = profile.formats.map(m => (clusterScoped ? withoutAutoSelect(m) : m));
    this.supportedModelFormats = (props.supportedModelFormats ?? defaultFormats).map(m => ({ ...m }));
    requireModelFormats(this, this.supportedModelFormats);
    this.protocolVersions = [...(props.protocolVersions ?? profile.protocols)];
    if (new Set(this.protocolVersions).size !== this.protocolVersions.length) throw invalidProp(this, 'protocolVersions', 'repeat a protocol');
    requireWholeSeconds(this, 'startupTimeout', props.startupTimeout, 10);
    requireEnvNames(this, 'env', props.env);

    this.image = props.image ?? preset.image;
    requirePinnedImage(this, 'image', this.image, props.allowMutableImageTag ?? false);
    this.resources = completeResources(this, 'resources', props.resources, DEFAULT_RESOURCES);
    this.gpuCount = validateGpus(this, 'gpus', props.gpus, 16);
    const security = props.podSecurity ?? PodSecurity.restricted();
    if (security._relaxed && !security._relaxed.reason?.trim()) throw invalidProp(this, 'podSecurity', 'relaxes the restricted profile without a reason');
    security._validate(this, 'podSecurity');
    this._pod = new PodModel(this, { security, automountServiceAccountToken: false });
    this.labels = { ...MlLabels.of({ name: this.runtimeName, component: 'serving-runtime' }) };

    // The preset, told KServe's model path and the `{{.Name}}` placeholder as the server name.
    const spec = this._spec = preset._resolve(this, { gpuCount: this.gpuCount, modelPath: KSERVE_MODEL_PATH, serverName: KSERVE_NAME_PLACEHOLDER });
    this.port = spec.port;
    this.sharedMemory = spec.sharedMemory;
    const env: { [name: string]: kplus.EnvValue } = { ...preset._env(spec) };
    for (const [k, v] of Object.entries(profile.env ?? {})) env[k] = kplus.EnvValue.fromValue(v);
    const probe = (path: string, periodSeconds: number, failureThreshold: number) => kplus.Probe.fromHttpGet(path, {
      port: spec.port, periodSeconds: Duration.seconds(periodSeconds), timeoutSeconds: Duration.seconds(5), failureThreshold,
    });
    const container = this._pod.addContainer(new ContainerModel(this, {
      props: {
        name: KSERVE_CONTAINER,
        image: this.image,
        imagePullPolicy: props.allowMutableImageTag ? kplus.ImagePullPolicy.ALWAYS : kplus.ImagePullPolicy.IF_NOT_PRESENT,
        command: spec.command,
        args: spec.args.length > 0 ? spec.args : undefined,
        envVariables: { ...env, ...props.env },
        // The first port is the one KServe's Service targets (service_reconciler.go, createDefaultSvc).
        ports: [
          { name: 'http', number: spec.port },
          ...spec.extraPorts,
          ...(spec.metricsPort !== spec.port ? [{ name: 'metrics', number: spec.metricsPort }] : []),
        ],
        liveness: probe(spec.livenessPath, 10, 3),
        readiness: probe(spec.readinessPath, 5, 3),
        startup: probe(spec.startupPath, 10, Math.ceil((props.startupTimeout ?? Duration.minutes(10)).toSeconds() / 10)),
        resources: this.resources,
        securityContext: security._containerContext(),
      },
    }));
    if (this.gpuCount > 0) {
      const gpuResource = props.gpus!.resourceName ?? NVIDIA_GPU;
      container.setExtendedResource(gpuResource, this.gpuCount);
      // Tolerations are merged into the predictor pod (MergePodSpec).
      if (props.gpus!.tolerateGpuTaint ?? true) this._pod.placement.tolerate({ key: gpuResource, effect: kplus.TaintEffect.NO_SCHEDULE });
    }
    this._pod.mount('runtime', container, { volume: TMP_VOLUME, path: '/tmp' });
    if (clusterScoped && spec.configFiles) {
      // The preset's ConfigMap would exist in one namespace only; the predictor pods of
      // other namespaces would never start (their configMap volume has no source).
      throw invalidProp(this, 'runtime', `('${preset.runtimeName}') mounts a ConfigMap of its own, which a ClusterServingRuntime cannot bring to every namespace; use a KServeServingRuntime in the InferenceServices' namespace`);
    }
    preset._bind(this, container, spec);

    const metricsAnnotations = {
      // KServe's own convention (config/runtimes/*.yaml), read by its metrics aggregation.
      'prometheus.kserve.io/port': String(spec.metricsPort),
      'prometheus.kserve.io/path': spec.metricsPath,
      ...prometheusScrapeAnnotations({ port: spec.metricsPort, path: spec.metricsPath }),
    };
    this.apiObject = new ApiObject(this, 'Resource', {
      apiVersion: 'serving.kserve.io/v1alpha1',
      kind: clusterScoped ? 'ClusterServingRuntime' : 'ServingRuntime',
      metadata: { name: this.runtimeName, labels: this.labels, ...(profile.annotations ? { annotations: { ...profile.annotations } } : {}) },
      spec: Lazy.any({ produce: () => this.renderSpec(security, metricsAnnotations) }),
    });
    if (clusterScoped) makeClusterScoped(this.apiObject);
    applyObjectMetadata(this, 'metadata', props.metadata);
    requireDistinctPriorities(this);
  }

  /** Name and labels of a child object (the preset's ConfigMap). @internal */
  public _metadata(name: string = this.runtimeName): ChildMetadata {
    return { name, labels: { ...this.labels } };
  }

  private renderSpec(security: PodSecurity, annotations: { [key: string]: string }): any {
    const pod = this._pod.renderPodSpec();
    // A ServingRuntime has no pod security context: the pod-level fields the restricted
    // profile needs (non-root identity, seccomp) go on the container.
    const { runAsUser, runAsGroup, runAsNonRoot, seccompProfile } = security._podContext();
    for (const c of pod.containers) c.securityContext = { ...c.securityContext, runAsUser, runAsGroup, runAsNonRoot, seccompProfile };
    return {
      supportedModelFormats: this.supportedModelFormats,
      ...(this.protocolVersions.length > 0 ? { protocolVersions: this.protocolVersions } : {}),
      // One model per server, as every preset serves (ModelMesh takes multi-model runtimes).
      multiModel: false,
      annotations,
      containers: pod.containers,
      ...(pod.volumes ? { volumes: pod.volumes } : {}),
      ...(pod.tolerations ? { tolerations: pod.tolerations } : {}),
      ...(pod.affinity ? { affinity: pod.affinity } : {}),
      ...(pod.nodeSelector ? { nodeSelector: pod.nodeSelector } : {}),
    };
  }
}

const CHECKED = new WeakSet<IConstruct>();

/** Adds (once per App) the synth-time check KServe's webhook makes between runtimes of one scope. */
function requireDistinctPriorities(scope: IConstruct): void {
  const root = scope.node.root;
  if (!(root instanceof App) || CHECKED.has(root)) return;
  CHECKED.add(root);
  root.node.addValidation({
    validate: () => {
      const runtimes = root.node.findAll().filter((c): c is KServeRuntimeBase => c instanceof KServeRuntimeBase);
      const scopeOf = (r: KServeRuntimeBase) => JSON.stringify([TargetCluster.of(Chart.of(r)), r.clusterScoped ? null : Chart.of(r).namespace ?? 'default']);
      const errors: string[] = [];
      runtimes.forEach((b, j) => runtimes.slice(0, j).filter(a => scopeOf(a) === scopeOf(b)).forEach(a => {
        const of = (r: KServeRuntimeBase) => ({ formats: r.supportedModelFormats, protocols: r.protocolVersions });
        const clash = samePriorityFormat(of(a), of(b));
        if (clash) {
          errors.push(`${b.constructor.name} '${b.node.path}': supportedModelFormats auto-select ${clash.name}${clash.version ? ` ${clash.version}` : ''} at priority ${clash.priority}, as runtime '${a.runtimeName}' ('${a.node.path}') does: KServe's webhook refuses the second ("same priority assigned for the model format ${clash.name}"); give one another priority or autoSelect: false`);
        }
      }));
      return errors;
    },
  });
}

function withoutAutoSelect(m: KServeModelFormat): KServeModelFormat {
  // KServe installs its defaults as ClusterServingRuntimes claiming these priorities; its
  // webhook refuses another cluster runtime auto-selected for an equal format at an equal
  // priority (servingruntime_webhook.go, validateServingRuntimePriority).
  return { name: m.name, ...(m.version ? { version: m.version } : {}), autoSelect: false };
}
