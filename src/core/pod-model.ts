import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { AfterConversion } from './after-conversion';
import { ContainerModel } from './container-model';
import { invalidProp } from './errors';
import { TopologySpread } from './placement';
import { podSpecOf, podTemplateOf } from './pod-template-path';
import { Placement, SchedulableWorkload } from './scheduling';
import { PodSecurity } from './security';
import { WorkloadVolume } from './workload-volume';

/** Pod-level settings of the workload model. @internal */
export interface PodModelOptions {
  readonly security: PodSecurity;
  readonly serviceAccountName?: string;
  readonly automountServiceAccountToken: boolean;
  readonly terminationGracePeriod?: Duration;
  readonly priorityClassName?: string;
}

/**
 * The one pod of every workload of this library, as intent: containers (main, init,
 * native sidecars) keyed by name, volumes keyed by name, security, identity,
 * placement, lifecycle. It renders the same way into a cdk8s-plus workload (after
 * cdk8s-plus and its typed converter have run, through {@link AfterConversion}) and
 * into the raw pod template of a custom resource (PyTorchJob, TrainJob, RayCluster,
 * ...), so every backend emits the same pod.
 * @internal
 */
export class PodModel {
  public readonly placement: Placement;
  public readonly containers: ContainerModel[] = [];
  public readonly initContainers: ContainerModel[] = [];
  /** Pod spec fields rendered as given (e.g. `subdomain`). */
  public readonly extraFields: { [field: string]: unknown } = {};
  private readonly volumes = new Map<string, WorkloadVolume>();
  private readonly spreads: { spread: TopologySpread; selector: { [key: string]: string } }[] = [];

  public constructor(private readonly scope: IConstruct, public readonly options: PodModelOptions) {
    this.placement = new Placement(scope);
  }

  /** Adds a main container. */
  public addContainer(container: ContainerModel, prop = 'containerName'): ContainerModel {
    this.requireUniqueName(prop, container.name);
    this.requireFreePorts(prop, container);
    this.containers.push(container);
    return container;
  }

  /** Adds an init container or native sidecar; they start in the order added. */
  public addInitContainer(container: ContainerModel, prop = 'initContainers'): ContainerModel {
    this.requireUniqueName(prop, container.name);
    if (container.sidecar) this.requireFreePorts(prop, container);
    this.initContainers.push(container);
    return container;
  }

  /** Adds a volume once; another volume of the same name is refused. */
  public addVolume(prop: string, volume: WorkloadVolume): void {
    if (volume._toKube().image !== undefined && !this.options.security._relaxed?.allowImageVolumes) {
      throw invalidProp(this.scope, prop, `volume '${volume.name}' is an image volume, which the restricted Pod Security profile does not allow; set podSecurity: PodSecurity.relaxed({ reason, allowImageVolumes: true }) and run it in a baseline namespace`);
    }
    const existing = this.volumes.get(volume.name);
    if (existing && !existing._sameAs(volume)) {
      throw invalidProp(this.scope, prop, `volume name '${volume.name}' is already used by another volume of the pod`);
    }
    this.volumes.set(volume.name, volume);
  }

  /** Mounts a volume into a container of the model, adding the volume to the pod. */
  public mount(prop: string, container: ContainerModel, mount: { volume: WorkloadVolume; path: string; readOnly?: boolean; subPath?: string }): void {
    this.addVolume(prop, mount.volume);
    container.mount(prop, mount);
  }

  /** The pod's volumes, in the order added. */
  public get podVolumes(): WorkloadVolume[] {
    return [...this.volumes.values()];
  }

  /** Spreads the pods selected by `selector`; `prop` is where the user gave it. */
  public addSpread(prop: string, spread: TopologySpread, selector: { [key: string]: string }): void {
    spread._validate(this.scope, prop);
    const same = this.spreads.find(s => s.spread._identity === spread._identity);
    if (same) {
      throw invalidProp(this.scope, prop, `repeats the spread over ${spread._identity} (topologyKey and whenUnsatisfiable): the API server allows each pair once`);
    }
    this.spreads.push({ spread, selector });
  }

  /**
   * Binds the model to a cdk8s-plus workload: its main containers are added to the
   * workload (so `container.mount()`, `env.addVariable()` and the rest still work), and
   * the rest of the pod is rendered after conversion.
   */
  public bindTo(workload: kplus.AbstractPod): kplus.Container[] {
    const added = this.containers.map(c => workload.addContainer(c.kplusProps));
    SchedulableWorkload._register(workload, this.placement);
    AfterConversion.of(workload)._addStage(manifest => this.renderInto(podSpecOf(manifest)));
    return added;
  }

  /**
   * The complete pod template, for custom resources that embed one. `metadata` is
   * rendered as given.
   */
  public renderTemplate(metadata: { labels?: { [key: string]: string }; annotations?: { [key: string]: string } }): any {
    const template = { metadata: JSON.parse(JSON.stringify(metadata)), spec: this.renderPodSpec() };
    return template;
  }

  /** The complete pod spec, for custom resources. */
  public renderPodSpec(): any {
    const spec: any = { containers: this.containers.map(c => kplus.k8s.toJson_Container(new kplus.Container(c.kplusProps)._toKube())) };
    this.renderInto(spec);
    return spec;
  }

  /** The model's fields, merged into a rendered pod spec (keyed by name, never by position). */
  public renderInto(spec: any): void {
    const o = this.options;
    spec.securityContext = o.security._podContext();
    spec.automountServiceAccountToken = o.automountServiceAccountToken;
    if (o.serviceAccountName) spec.serviceAccountName = o.serviceAccountName;
    if (o.terminationGracePeriod) spec.terminationGracePeriodSeconds = o.terminationGracePeriod.toSeconds();
    if (o.priorityClassName) spec.priorityClassName = o.priorityClassName;
    Object.assign(spec, JSON.parse(JSON.stringify(this.extraFields)));

    for (const model of this.containers) {
      const rendered = (spec.containers ?? []).find((c: any) => c.name === model.name);
      if (rendered) model.renderInto(rendered);
    }
    if (this.initContainers.length > 0) {
      const ours = this.initContainers.map(c => c.renderDetached());
      const theirs = (spec.initContainers ?? []).filter((c: any) => !ours.some(o2 => o2.name === c.name));
      spec.initContainers = [...ours, ...theirs];
    }
    if (this.volumes.size > 0) {
      const ours = this.podVolumes.map(v => v._toKube());
      const theirs = (spec.volumes ?? []).filter((v: any) => !ours.some(o2 => o2.name === v.name));
      spec.volumes = [...ours, ...theirs];
    }
    this.placement._renderInto(spec);
    if (this.spreads.length > 0) {
      spec.topologySpreadConstraints = [
        ...(spec.topologySpreadConstraints ?? []),
        ...this.spreads.map(s => s.spread._toKube(s.selector)),
      ];
    }
  }

  /** Containers that run side by side share the pod's network: one port each. */
  private requireFreePorts(prop: string, container: ContainerModel): void {
    const running = [...this.containers, ...this.initContainers.filter(c => c.sidecar)];
    for (const p of container.kplusProps.ports ?? []) {
      const key = `${p.number}/${p.protocol ?? 'TCP'}`;
      const other = running.find(c => (c.kplusProps.ports ?? []).some(o => `${o.number}/${o.protocol ?? 'TCP'}` === key));
      if (other) throw invalidProp(this.scope, prop, `port ${key} is already used by container '${other.name}' of the pod, which shares its network`);
    }
  }

  private requireUniqueName(prop: string, name: string): void {
    if ([...this.containers, ...this.initContainers].some(c => c.name === name)) {
      throw invalidProp(this.scope, prop, `('${name}') is already the name of another container of the pod`);
    }
  }
}

export { podTemplateOf };
