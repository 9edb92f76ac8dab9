import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ContainerModel } from './container-model';
import { invalidProp } from './errors';
import { requirePinnedImage, versionFromImage } from './image';
import { MlLabels } from './labels';
import { requireAnnotationKey, requireLabelKey } from './metadata-validation';
import { PodModel } from './pod-model';
import { completeResources, GpuOptions, NVIDIA_GPU, NVIDIA_GPU_PRODUCT_LABEL, QosClass, qosClassOf, ResourceDefaults, validateGpus } from './resources';
import { ISchedulable, NodeRequirement, NodeSelectorOperator, NodeToleration } from './scheduling';
import { PodSecurity } from './security';
import { WorkloadServiceAccount } from './service-account';
import { requireUniqueObjectsInApp } from './unique-objects';
import { requireAbsolutePath, requireContainerProps, requireDnsLabel, requireDnsSubdomain, requireEnvNames, requireInteger, requireLabelValue } from './validation';
import { ContainerSpec, MlWorkloadProps, WorkloadPodOptions } from './workload-props';
import { VolumeMount, WorkloadVolume } from './workload-volume';

/** What distinguishes one kind of workload from another, given by each construct. @internal */
export interface WorkloadTraits {
  /** `app.kubernetes.io/component`. */
  readonly component: string;
  readonly defaultResources: ResourceDefaults;
  readonly guaranteedQosByDefault: boolean;
  /** GPUs when the user names none. */
  readonly defaultGpus?: GpuOptions;
  /** Largest GPU count accepted per pod, and the prop that raises it. */
  readonly maxGpusPerNode: number;
  readonly maxGpusPerNodeProp?: string;
  /** Extra labels that are part of the selector (e.g. a blue-green color). */
  readonly selectorLabels?: { [key: string]: string };
  /** The labels that select the pods, when a controller labels them (TrainJob's JobSet). */
  readonly selector?: { [key: string]: string };
  /** Pod-level options; absent where a runtime owns the pod (TrainJob). */
  readonly pod?: WorkloadPodOptions;
  /**
   * Where the user wrote the pod options, prefixed to their props in errors
   * (`backend.` for a training backend's options).
   * @default ''
   */
  readonly podPropPrefix?: string;
  /** The default termination grace period. */
  readonly defaultTerminationGrace?: Duration;
  /**
   * The image comes from a runtime the workload references (a TrainJob's
   * TrainingRuntime) when the user names none: no image is required or rendered.
   */
  readonly imageFromRuntime?: boolean;
  /** The image when the user names none (e.g. a serving runtime's). */
  readonly defaultImage?: string;
}

// Init containers and sidecars are small helpers (downloads, proxies).
const HELPER_RESOURCES: ResourceDefaults = {
  cpuRequest: kplus.Cpu.millis(100),
  cpuLimit: kplus.Cpu.millis(500),
  memoryRequest: Size.mebibytes(128),
  memoryLimit: Size.mebibytes(512),
};

/** Name, labels and annotations of a child object. @internal */
export interface ChildMetadata {
  readonly name: string;
  readonly labels: { [key: string]: string };
  readonly annotations?: { [key: string]: string };
}

/** What a construct adds to the shared main container (ports, probes, its own env). @internal */
export type MainContainerExtras = Partial<kplus.ContainerProps> & { env?: { [name: string]: kplus.EnvValue } };

/** The pod model's image when a referenced runtime brings the real one (never rendered). @internal */
export const RUNTIME_IMAGE_PLACEHOLDER = 'runtime-provided:image';

/** The writable /tmp every container gets under the read-only root filesystem. */
export const TMP_VOLUME = WorkloadVolume.emptyDir('tmp');

/**
 * The base of every workload construct of this library (model servers, training
 * jobs, and the workloads built on them): it resolves the shared props once
 * (name, labels, image, resources and GPUs, identity, security, placement,
 * volumes, init containers and sidecars) into ONE pod model, which each construct
 * renders into its Kubernetes object. Implements {@link ISchedulable}, so node
 * pools schedule any workload the same way.
 */
export abstract class MlWorkload extends Construct implements ISchedulable {
  /** The name of every object. */
  public readonly name: string;
  /** The labels on every object and pod. */
  public readonly labels: { [key: string]: string };
  /** The labels that select exactly this workload's pods. */
  public readonly selector: { [key: string]: string };
  /** The annotations on every object. */
  public readonly annotations: { [key: string]: string };
  /** CPU and memory of the main container, requests and limits resolved. */
  public readonly resources: kplus.ContainerResources;
  /** The pods' QoS class. */
  public readonly qosClass: QosClass;
  /** GPUs per pod (0 without). */
  public readonly gpuCount: number;
  /** The pods' ServiceAccount (created, or a reference to an existing one). */
  public readonly serviceAccount: kplus.IServiceAccount;
  /** The pods' security contexts (and the namespace Pod Security level they need). */
  public readonly podSecurity: PodSecurity;
  /** The labels on the pods: every object's, plus what the identity needs. */
  public readonly podLabels: { [key: string]: string };
  /** The main container's image (the user's, or the construct's default). */
  public readonly image: string;

  /** The pod model. @internal */
  public readonly _pod: PodModel;
  /** @internal */
  protected readonly _props: MlWorkloadProps;
  private readonly gpus?: GpuOptions;
  private readonly podPropPrefix: string;

  protected constructor(scope: Construct, id: string, props: MlWorkloadProps) {
    super(scope, id);
    if (props === undefined || props === null || typeof props !== 'object') {
      throw invalidProp(this, 'props', 'are required');
    }
    requireUniqueObjectsInApp(this);
    const traits = this._traits(id, props);
    this._props = props;
    this.name = props.name ?? id;
    requireDnsLabel(this, 'name', this.name);
    const runtimeImage = props.image === undefined && traits.defaultImage === undefined && traits.imageFromRuntime === true;
    // A stand-in for the pod model only: the workload renders no image then (its runtime's is used).
    const image = runtimeImage ? RUNTIME_IMAGE_PLACEHOLDER : props.image ?? traits.defaultImage;
    if (typeof image !== 'string') throw invalidProp(this, 'image', 'is required');
    if (!runtimeImage) requirePinnedImage(this, 'image', image, props.allowMutableImageTag ?? false);
    this.image = image;

    const version = props.version ?? (runtimeImage ? undefined : versionFromImage(image));
    if (version) requireLabelValue(this, 'version', version);
    this.requireMetadata(props, traits);
    const labelOptions = { name: this.name, version, component: traits.component, partOf: props.partOf };
    this.selector = traits.selector ?? { ...MlLabels.selector(labelOptions), ...traits.selectorLabels };
    this.labels = { ...props.labels, ...MlLabels.of(labelOptions), ...traits.selectorLabels };
    this.annotations = { ...props.annotations };

    this.resources = completeResources(this, 'resources', props.resources, traits.defaultResources, props.guaranteedQos ?? traits.guaranteedQosByDefault);
    this.qosClass = qosClassOf(this.resources);
    if (traits.maxGpusPerNodeProp) requireInteger(this, traits.maxGpusPerNodeProp, traits.maxGpusPerNode, 1);
    this.gpus = props.gpus ?? traits.defaultGpus;
    this.gpuCount = validateGpus(this, 'gpus', this.gpus, traits.maxGpusPerNode, traits.maxGpusPerNodeProp);

    const account = props.serviceAccount ?? WorkloadServiceAccount.create();
    this.serviceAccount = account._existingName !== undefined
      ? kplus.ServiceAccount.fromServiceAccountName(this, 'ServiceAccount', account._existingName)
      : new kplus.ServiceAccount(this, 'ServiceAccount', {
        metadata: { name: this.name, labels: this.labels, annotations: this.mergedAnnotations(account._annotations) },
        automountToken: false,
      });
    if (account._existingName !== undefined) requireDnsSubdomain(this, 'serviceAccount', account._existingName);
    this.podLabels = { ...this.labels, ...account._podLabels };

    const pod = traits.pod ?? {};
    const pp = this.podPropPrefix = traits.podPropPrefix ?? '';
    this.podSecurity = pod.podSecurity ?? PodSecurity.restricted();
    if (this.podSecurity._relaxed && !this.podSecurity._relaxed.reason?.trim()) {
      throw invalidProp(this, `${pp}podSecurity`, 'relaxes the restricted profile without a reason');
    }
    this.podSecurity._validate(this, `${pp}podSecurity`);
    const grace = pod.terminationGracePeriod ?? traits.defaultTerminationGrace;
    if (grace !== undefined) {
      const s = grace.toSeconds({ integral: false });
      if (!Number.isInteger(s) || s < 0) throw invalidProp(this, `${pp}terminationGracePeriod`, `(${s}s) must be a whole number of seconds >= 0`);
    }
    if (pod.priorityClass) requireDnsSubdomain(this, `${pp}priorityClass`, pod.priorityClass.priorityClassName);
    this._pod = new PodModel(this, {
      security: this.podSecurity,
      serviceAccountName: this.serviceAccount.name,
      automountServiceAccountToken: pod.automountServiceAccountToken ?? false,
      terminationGracePeriod: grace,
      priorityClassName: pod.priorityClass?.priorityClassName,
    });
    this.placeGpus();
  }

  /**
   * What distinguishes this kind of workload (defaults, component, pod options);
   * called once, at the start of construction, with the props only.
   * @internal
   */
  protected abstract _traits(id: string, props: MlWorkloadProps): WorkloadTraits;

  /** Tolerate a node taint (e.g. a spot or GPU pool's). */
  public tolerate(toleration: NodeToleration): void {
    this._pod.placement.tolerate(toleration);
  }

  /** Require nodes matching all `requirements`, ANDed with every other required one. */
  public requireNodes(requirements: NodeRequirement[]): void {
    this._pod.placement.requireNodes(requirements);
  }

  /** Prefer nodes matching all `requirements`, with `weight` 1..100. */
  public preferNodes(weight: number, requirements: NodeRequirement[]): void {
    this._pod.placement.preferNodes(weight, requirements);
  }

  /** Metadata of a child object: the workload's name, labels and annotations. @internal */
  public _metadata(name: string = this.name, extraLabels: { [key: string]: string } = {}): ChildMetadata {
    return { name, labels: { ...this.labels, ...extraLabels }, ...this._annotationsField() };
  }

  /** `annotations` when there are any. @internal */
  public _annotationsField(extra: { [key: string]: string } = {}): { annotations?: { [key: string]: string } } {
    const merged = this.mergedAnnotations(extra);
    return merged ? { annotations: merged } : {};
  }

  /** `annotations` of the pod template, when there are any. @internal */
  public _podAnnotationsField(extra: { [key: string]: string } = {}): { annotations?: { [key: string]: string } } {
    const merged = { ...this._props.podAnnotations, ...extra };
    return Object.keys(merged).length > 0 ? { annotations: merged } : {};
  }

  /**
   * The main container of the model: the shared props (image, command, env,
   * resources, GPUs, mounts, /tmp, security) plus what the construct adds.
   * @internal
   */
  protected _createMainContainer(name: string, extra: MainContainerExtras, pod?: WorkloadPodOptions): ContainerModel {
    requireDnsLabel(this, 'containerName', name);
    const props = this._props;
    const { env, ...rest } = extra;
    requireEnvNames(this, 'env', props.env);
    const container = this._pod.addContainer(new ContainerModel(this, {
      props: {
        name,
        image: this.image,
        imagePullPolicy: props.imagePullPolicy ?? (props.allowMutableImageTag ? kplus.ImagePullPolicy.ALWAYS : kplus.ImagePullPolicy.IF_NOT_PRESENT),
        command: props.command,
        args: props.args,
        envVariables: { ...props.env, ...env },
        envFrom: props.envFrom,
        resources: this.resources,
        securityContext: this.podSecurity._containerContext(),
        ...rest,
      },
    }));
    requireContainerProps(this, { prefix: '' }, container.kplusProps);
    if (this.gpuCount > 0) container.setExtendedResource(this.gpus!.resourceName ?? NVIDIA_GPU, this.gpuCount);
    this._pod.mount('mounts', container, { volume: TMP_VOLUME, path: '/tmp' });
    (props.mounts ?? []).forEach((m, i) => this._mountInto(container, `mounts[${i}]`, m));
    if (pod?.preStop) {
      pod.preStop._validate(this, `${this.podPropPrefix}preStop`);
      container.preStop = pod.preStop;
    }
    (pod?.initContainers ?? []).forEach((c, i) => this.addHelper(`${this.podPropPrefix}initContainers[${i}]`, c, false));
    (pod?.sidecars ?? []).forEach((c, i) => this.addHelper(`${this.podPropPrefix}sidecars[${i}]`, c, true));
    return container;
  }

  /** Mounts a user's volume, checking the path. @internal */
  protected _mountInto(container: ContainerModel, prop: string, mount: VolumeMount): void {
    requireAbsolutePath(this, `${prop}.path`, mount.path);
    if (mount.subPath !== undefined && (mount.subPath.startsWith('/') || mount.subPath.split('/').includes('..'))) {
      throw invalidProp(this, `${prop}.subPath`, `('${mount.subPath}') must be a relative path without '..'`);
    }
    this._pod.mount(prop, container, mount);
  }

  private addHelper(prop: string, spec: ContainerSpec, sidecar: boolean): void {
    requireDnsLabel(this, `${prop}.name`, spec.name);
    requirePinnedImage(this, `${prop}.image`, spec.image, spec.allowMutableImageTag ?? false);
    requireEnvNames(this, `${prop}.env`, spec.env);
    if (!sidecar && (spec.readiness || spec.startup)) {
      throw invalidProp(this, prop, 'has a probe; init containers run to completion and must not have probes (use sidecars for long-running helpers)');
    }
    const container = this._pod.addInitContainer(new ContainerModel(this, {
      sidecar,
      props: {
        name: spec.name,
        image: spec.image,
        imagePullPolicy: spec.allowMutableImageTag ? kplus.ImagePullPolicy.ALWAYS : kplus.ImagePullPolicy.IF_NOT_PRESENT,
        command: spec.command,
        args: spec.args,
        envVariables: spec.env,
        envFrom: spec.envFrom,
        ports: spec.ports,
        readiness: spec.readiness,
        startup: spec.startup,
        resources: completeResources(this, `${prop}.resources`, spec.resources, HELPER_RESOURCES),
        securityContext: this.podSecurity._containerContext(),
      },
    }), `${prop}.name`);
    requireContainerProps(this, { prefix: `${prop}.` }, container.kplusProps);
    this._pod.mount(prop, container, { volume: TMP_VOLUME, path: '/tmp' });
    (spec.mounts ?? []).forEach((m, i) => this._mountInto(container, `${prop}.mounts[${i}]`, m));
  }

  /** Label keys and values, partOf, annotation keys: what the API server checks on every object. */
  private requireMetadata(props: MlWorkloadProps, traits: WorkloadTraits): void {
    if (props.partOf !== undefined) requireLabelValue(this, 'partOf', props.partOf);
    for (const [prop, labels] of [['labels', props.labels], ['selectorLabels', traits.selectorLabels]] as const) {
      for (const [k, v] of Object.entries(labels ?? {})) {
        requireLabelKey(this, `${prop} key`, k);
        requireLabelValue(this, `${prop}['${k}']`, v);
      }
    }
    for (const [prop, annotations] of [['annotations', props.annotations], ['podAnnotations', props.podAnnotations]] as const) {
      for (const [k, v] of Object.entries(annotations ?? {})) {
        requireAnnotationKey(this, `${prop} key`, k);
        if (typeof v !== 'string') throw invalidProp(this, `${prop}['${k}']`, `(${v}) must be a string`);
      }
    }
  }

  private placeGpus(): void {
    if (this.gpuCount === 0) return;
    const gpus = this.gpus!;
    if (gpus.tolerateGpuTaint ?? true) {
      this._pod.placement.tolerate({ key: gpus.resourceName ?? NVIDIA_GPU, effect: kplus.TaintEffect.NO_SCHEDULE });
    }
    if (gpus.product) {
      this._pod.placement.requireNodes([{ key: NVIDIA_GPU_PRODUCT_LABEL, operator: NodeSelectorOperator.IN, values: [gpus.product] }]);
    }
  }

  private mergedAnnotations(extra: { [key: string]: string }): { [key: string]: string } | undefined {
    const merged = { ...this.annotations, ...extra };
    return Object.keys(merged).length > 0 ? merged : undefined;
  }
}
