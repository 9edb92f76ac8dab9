import { Size, SizeRoundingBehavior } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { invalidProp } from './errors';
import { PreStop } from './lifecycle';
import { VolumeMount } from './workload-volume';

/** What a container of the workload model is, besides what cdk8s-plus renders. @internal */
export interface ContainerModelOptions {
  /** Everything cdk8s-plus-27 renders correctly (image, command, env, probes, cpu/memory, security context). */
  readonly props: kplus.ContainerProps & { readonly name: string };
  /** Restart policy `Always` on an init container: a native sidecar (Kubernetes 1.29+). */
  readonly sidecar?: boolean;
}

/**
 * One container of the workload model. cdk8s-plus renders its base fields (the
 * same way whether it belongs to a cdk8s-plus workload or is rendered detached for
 * a custom resource's pod template); the fields cdk8s-plus-27 cannot render or its
 * converter drops are added after conversion, to the container of this NAME:
 * extended resources (GPUs), the lifecycle (e.g. `preStop.sleep`), the native
 * sidecar restart policy, and the volume mounts of the model's volumes.
 * @internal
 */
export class ContainerModel {
  public readonly name: string;
  public readonly sidecar: boolean;
  public preStop?: PreStop;
  private readonly props: kplus.ContainerProps;
  private readonly extended = new Map<string, number>();
  private readonly mounts: VolumeMount[] = [];
  private reservedStorageMi = 0;

  public constructor(private readonly scope: IConstruct, options: ContainerModelOptions) {
    this.name = options.props.name;
    this.props = options.props;
    this.sidecar = options.sidecar ?? false;
  }

  /** The props cdk8s-plus renders. */
  public get kplusProps(): kplus.ContainerProps {
    return this.props;
  }

  /** The container port of the given name, if declared. */
  public portNumber(name: string): number | undefined {
    return (this.props.ports ?? []).find(p => p.name === name)?.number;
  }

  /** Requests and limits (equal, as Kubernetes requires) of an extended resource such as `nvidia.com/gpu`. */
  public setExtendedResource(resourceName: string, count: number): void {
    this.extended.set(resourceName, count);
  }

  /**
   * Adds disk the pod fills (an emptyDir's size cap, e.g. a downloaded model) to the
   * container's ephemeral-storage request (and limit, when one is set), so the
   * scheduler places the pod on a node with room and the kubelet does not evict it.
   */
  public reserveEphemeralStorage(size: Size): void {
    this.reservedStorageMi += Math.ceil(size.toMebibytes({ rounding: SizeRoundingBehavior.NONE }));
  }

  /** The extended resources, by name. */
  public get extendedResources(): ReadonlyMap<string, number> {
    return this.extended;
  }

  /** Mounts a volume of the model; a second mount at the same path is refused. */
  public mount(prop: string, mount: VolumeMount): void {
    const path = mount.path.replace(/\/+$/, '') || '/';
    const clash = this.mounts.find(m => m.path.replace(/\/+$/, '') === path);
    if (clash) {
      throw invalidProp(this.scope, prop, `('${mount.path}') is already a mount path of container '${this.name}' (volume '${clash.volume.name}')`);
    }
    this.mounts.push(mount);
  }

  /** The model's mounts, in the order added. */
  public get volumeMounts(): readonly VolumeMount[] {
    return this.mounts;
  }

  /** Renders the container alone (for pod templates of custom resources). */
  public renderDetached(): any {
    const json = kplus.k8s.toJson_Container(new kplus.Container(this.props)._toKube());
    this.renderInto(json);
    return json;
  }

  /** Adds the post-conversion fields to this container's rendered JSON. */
  public renderInto(container: any): void {
    if (this.extended.size > 0) {
      const resources = (container.resources ??= {});
      for (const [name, count] of this.extended) {
        (resources.requests ??= {})[name] = String(count);
        (resources.limits ??= {})[name] = String(count);
      }
    }
    if (this.reservedStorageMi > 0) {
      const resources = (container.resources ??= {});
      const add = (quantity?: string) => `${mebibytesOf(quantity) + this.reservedStorageMi}Mi`;
      (resources.requests ??= {})['ephemeral-storage'] = add(resources.requests['ephemeral-storage']);
      if (resources.limits?.['ephemeral-storage'] !== undefined) resources.limits['ephemeral-storage'] = add(resources.limits['ephemeral-storage']);
    }
    if (this.preStop) container.lifecycle = { ...container.lifecycle, preStop: this.preStop._toKube() };
    if (this.sidecar) container.restartPolicy = 'Always';
    if (this.mounts.length > 0) {
      const existing: any[] = container.volumeMounts ?? [];
      const ours = this.mounts.map(m => ({
        mountPath: m.path,
        name: m.volume.name,
        ...(m.readOnly ? { readOnly: true } : {}),
        ...(m.subPath ? { subPath: m.subPath } : {}),
      }));
      container.volumeMounts = [...ours, ...existing.filter(e => !ours.some(o => o.mountPath === e.mountPath))];
    }
  }
}

const UNITS: { [suffix: string]: number } = { '': 1 / (1024 * 1024), 'Ki': 1 / 1024, 'Mi': 1, 'Gi': 1024, 'Ti': 1024 * 1024, 'k': 1e3 / 1048576, 'M': 1e6 / 1048576, 'G': 1e9 / 1048576, 'T': 1e12 / 1048576 };

/** MiB of a rendered quantity (0 when absent), rounded up. */
function mebibytesOf(quantity?: string): number {
  if (quantity === undefined) return 0;
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(quantity);
  if (!m) throw new Error(`cannot add to the ephemeral-storage quantity '${quantity}'`);
  return Math.ceil(Number(m[1]) * UNITS[m[2] ?? '']);
}
