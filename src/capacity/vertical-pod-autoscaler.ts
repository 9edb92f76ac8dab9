import { ApiObject, Chart, Lazy, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { invalidProp } from '../core/errors';
import { applyObjectMetadata, ObjectMetadataOptions } from '../core/metadata-validation';
import { requireDnsSubdomain, requireInteger, requireProps } from '../core/validation';
import { WorkloadTarget } from '../observability/workload-target';
import { MlModelServing } from '../serving/ml-model-serving';
import { VPA_API_VERSION, VpaContainerPolicySpec, VpaSpec } from './crds/vpa';
import { horizontalScaler } from './horizontal-scaler';
import { renderAmounts, requireOrdered, requirePositiveAmounts } from './resource-amounts';

/** When the VPA applies its recommendations. */
export enum VpaUpdateMode {
  /** Recommend only (read them with `kubectl describe vpa`); pods are never touched. */
  OFF = 'Off',
  /** Set resources when pods are created, never afterwards. */
  INITIAL = 'Initial',
  /** Evict pods whose resources are far from the recommendation. */
  RECREATE = 'Recreate',
  /** Resize pods in place where possible, else evict them. */
  IN_PLACE_OR_RECREATE = 'InPlaceOrRecreate',
  /** Resize pods in place only. */
  IN_PLACE = 'InPlace',
  /** The VPA's default active mode (currently Recreate). */
  AUTO = 'Auto',
}

/** Resources a VPA can right-size. */
export enum VpaResource {
  /** CPU. */
  CPU = 'cpu',
  /** Memory. */
  MEMORY = 'memory',
}

/** Which resource values the VPA sets. */
export enum VpaControlledValues {
  /** Requests, and limits scaled in proportion. */
  REQUESTS_AND_LIMITS = 'RequestsAndLimits',
  /** Requests only; limits stay as declared. */
  REQUESTS_ONLY = 'RequestsOnly',
}

/** Whether the VPA handles a container. */
export enum VpaContainerMode {
  /** Recommend for (and, in an active update mode, resize) the container. */
  AUTO = 'Auto',
  /** Leave the container alone. */
  OFF = 'Off',
}

/** Bounds of VPA recommendations. */
export interface VpaResourceBounds {
  /**
   * CPU.
   * @default - unbounded
   */
  readonly cpu?: kplus.Cpu;
  /**
   * Memory.
   * @default - unbounded
   */
  readonly memory?: Size;
}

/** Right-sizing settings, for every container or for one. */
export interface VpaResourcePolicyOptions {
  /**
   * The least the VPA recommends.
   * @default - no minimum
   */
  readonly minAllowed?: VpaResourceBounds;
  /**
   * The most the VPA recommends; keep it within the node size.
   * @default - no maximum
   */
  readonly maxAllowed?: VpaResourceBounds;
  /**
   * The resources the VPA right-sizes.
   * @default [VpaResource.CPU, VpaResource.MEMORY]
   */
  readonly controlledResources?: VpaResource[];
  /**
   * Which values the VPA sets.
   * @default VpaControlledValues.REQUESTS_AND_LIMITS
   */
  readonly controlledValues?: VpaControlledValues;
}

/** Settings for one container of the target. */
export interface VpaContainerPolicy extends VpaResourcePolicyOptions {
  /** The container's name. */
  readonly containerName: string;
  /**
   * Whether the VPA handles this container.
   * @default VpaContainerMode.AUTO
   */
  readonly mode?: VpaContainerMode;
}

/** A workload referenced by kind and name. */
export interface VpaTargetReference {
  /** The workload's API version, e.g. `apps/v1`. */
  readonly apiVersion: string;
  /** The workload's kind, e.g. `Deployment`. */
  readonly kind: string;
  /** The workload's name. */
  readonly name: string;
}

/**
 * What a {@link VerticalPodAutoscaler} right-sizes.
 *
 * @example
 * import { PodSecurity, VerticalPodAutoscaler, VpaTarget, VpaUpdateMode } from 'cdk8s-ml';
 *
 * // A cdk8s-plus Deployment of your own, its pods sized by the VPA when created.
 * const cache = new kplus.Deployment(this, 'feature-cache', {
 *   containers: [{ image: 'registry.example.com/feature-cache:7.4.1', portNumber: 6379 }],
 * });
 * PodSecurity.restricted().applyTo(cache);
 * new VerticalPodAutoscaler(this, 'feature-cache-vpa', { target: VpaTarget.workload(cache), updateMode: VpaUpdateMode.INITIAL });
 */
export class VpaTarget {
  /** The Deployment of a model server (whose HPA, if any, is checked for conflicts). */
  public static modelServing(serving: MlModelServing): VpaTarget {
    // Its workload: the Deployment, or the Rollout that replaced it.
    const ref = WorkloadTarget.fromServing(serving).workloadRef;
    return new VpaTarget({ ...ref }, serving.deployment.containers.map(c => c.name), ApiObject.of(serving.deployment).metadata.namespace);
  }

  /** Any workload target (adopted by reference or from cdk8s-plus). */
  public static of(target: WorkloadTarget): VpaTarget {
    // The VPA updater evicts only pods of a controller with a scale subresource.
    if (target._unscalable && target._scope) throw invalidProp(target._scope, 'VpaTarget.of(target)', `('${target.name}') ${target._unscalable}`);
    const serving = target._serving;
    if (serving) return VpaTarget.modelServing(serving);
    const workload = target._scope as kplus.Workload | undefined;
    if (workload) return VpaTarget.workload(workload);
    return new VpaTarget({ ...target.workloadRef }, undefined, target.namespace);
  }

  /** A cdk8s-plus workload: Deployment, StatefulSet, DaemonSet, Job, ... */
  public static workload(workload: kplus.Workload): VpaTarget {
    const obj = ApiObject.of(workload);
    return new VpaTarget(
      { apiVersion: obj.apiVersion, kind: obj.kind, name: obj.name },
      workload.containers.map(c => c.name),
      obj.metadata.namespace,
    );
  }

  /** A workload by reference (in the VPA's namespace); its containers are unknown. */
  public static reference(reference: VpaTargetReference): VpaTarget {
    return new VpaTarget({ ...reference }, undefined, undefined);
  }

  private constructor(
    private readonly reference: VpaTargetReference,
    private readonly containerNames: string[] | undefined,
    private readonly targetNamespace: string | undefined,
  ) {}

  /** The target's apiVersion, kind and name. @internal */
  public get _reference(): VpaTargetReference {
    return this.reference;
  }

  /** The target's container names, when known (a reference target's are not). @internal */
  public get _containers(): string[] | undefined {
    return this.containerNames;
  }

  /** The target's namespace, when known. @internal */
  public get _namespace(): string | undefined {
    return this.targetNamespace;
  }
}

/** Properties of {@link VerticalPodAutoscaler}. */
export interface VerticalPodAutoscalerProps extends VpaResourcePolicyOptions {
  /** The workload to right-size. */
  readonly target: VpaTarget;
  /**
   * The VPA's name.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * When recommendations are applied. Active modes evict or resize pods; they must
   * not be combined with an HPA (or KEDA cpu/memory triggers) scaling on the same
   * CPU or memory.
   * @default VpaUpdateMode.OFF - recommendations only
   */
  readonly updateMode?: VpaUpdateMode;
  /**
   * Per-container settings; the top-level settings apply to the other containers.
   * @default - none
   */
  readonly containerPolicies?: VpaContainerPolicy[];
  /**
   * The fewest live replicas for the updater to evict a pod (active modes).
   * @default - the VPA's global setting (2)
   */
  readonly minReplicas?: number;
  /**
   * Labels and annotations of every object this construct emits.
   * @default - none
   */
  readonly metadata?: ObjectMetadataOptions;
}

/** One resource of one container (or '*', every container) the VPA controls. */
interface Controlled { readonly container: string; readonly resource: string }

/**
 * A VerticalPodAutoscaler (`autoscaling.k8s.io/v1`) for right-sizing: by default it
 * only recommends requests (`updateMode: Off`), the safe way to find out what a
 * model server or a training job actually uses. An active mode next to an HPA (or a
 * KEDA ScaledObject, which drives one) that scales on the same CPU or memory is
 * refused: the VPA would change the requests the HPA's utilization is measured
 * against, and the two would fight.
 *
 * @example
 * import { MlModelServing, ServingScaling, VerticalPodAutoscaler, VpaTarget } from 'cdk8s-ml';
 *
 * // Right-sizing advice for the server: recommendations only (updateMode Off), read
 * // them with `kubectl describe vpa bert`.
 * const bert = new MlModelServing(this, 'bert', {
 *   image: 'registry.example.com/bert-server:1.4.2',
 *   scaling: ServingScaling.fixed(3),
 * });
 * new VerticalPodAutoscaler(this, 'bert-vpa', { name: 'bert', target: VpaTarget.modelServing(bert) });
 */
export class VerticalPodAutoscaler extends Construct {
  /** The VPA's name. */
  public readonly name: string;
  /** The update mode. */
  public readonly updateMode: VpaUpdateMode;
  /** The VerticalPodAutoscaler object. */
  public readonly apiObject: ApiObject;

  private readonly target: VpaTarget;
  private readonly namespace: string | undefined;
  private readonly controlled: Controlled[];

  public constructor(scope: Construct, id: string, props: VerticalPodAutoscalerProps) {
    super(scope, id);
    requireProps(this, props, ['target']);
    this.name = props.name ?? id;
    requireDnsSubdomain(this, 'name', this.name);
    this.target = props.target;
    this.updateMode = props.updateMode ?? VpaUpdateMode.OFF;
    if (!(Object.values(VpaUpdateMode) as string[]).includes(this.updateMode)) {
      throw invalidProp(this, 'updateMode', `('${this.updateMode}') must be one of ${Object.values(VpaUpdateMode).join(', ')}`);
    }
    if (props.minReplicas !== undefined) requireInteger(this, 'minReplicas', props.minReplicas, 1);
    // A VPA acts on its own namespace, so it lives in the target's.
    this.namespace = this.target._namespace ?? Chart.of(this).namespace;

    const policies = this.containerPolicies(props);
    this.controlled = this.controlledResources(props, policies);
    this.checkHorizontalAutoscalers();

    const spec = (): VpaSpec => ({
      targetRef: { ...this.target._reference },
      updatePolicy: {
        updateMode: this.updateMode,
        ...(props.minReplicas !== undefined ? { minReplicas: props.minReplicas } : {}),
      },
      ...(policies.length > 0 ? { resourcePolicy: { containerPolicies: policies } } : {}),
    });
    this.apiObject = new ApiObject(this, 'Resource', {
      apiVersion: VPA_API_VERSION,
      kind: 'VerticalPodAutoscaler',
      metadata: { name: this.name, namespace: this.namespace },
      // Checked again at synthesis, for HPAs added after this VPA.
      spec: Lazy.any({ produce: () => { this.checkHorizontalAutoscalers(); return spec(); } }),
    });
    applyObjectMetadata(this, 'metadata', props.metadata);
  }

  private containerPolicies(props: VerticalPodAutoscalerProps): VpaContainerPolicySpec[] {
    const policies: VpaContainerPolicySpec[] = [];
    const hasDefault = props.minAllowed || props.maxAllowed || props.controlledResources || props.controlledValues;
    if (hasDefault) policies.push(this.renderPolicy('', '*', undefined, props));
    const seen = new Set<string>();
    (props.containerPolicies ?? []).forEach((p, i) => {
      const prop = `containerPolicies[${i}]`;
      if (!p.containerName || p.containerName === '*') {
        throw invalidProp(this, `${prop}.containerName`, `('${p.containerName}') must name a container; settings for every container are the top-level props`);
      }
      if (seen.has(p.containerName)) {
        throw invalidProp(this, `${prop}.containerName`, `('${p.containerName}') has a policy already`);
      }
      seen.add(p.containerName);
      const containers = this.target._containers;
      if (containers && !containers.includes(p.containerName)) {
        throw invalidProp(this, `${prop}.containerName`, `('${p.containerName}') is not a container of ${this.target._reference.kind} '${this.target._reference.name}' (${containers.join(', ')})`);
      }
      policies.push(this.renderPolicy(`${prop}.`, p.containerName, p.mode, p));
    });
    return policies;
  }

  private renderPolicy(
    prefix: string, containerName: string, mode: VpaContainerMode | undefined, o: VpaResourcePolicyOptions,
  ): VpaContainerPolicySpec {
    if (mode !== undefined && !(Object.values(VpaContainerMode) as string[]).includes(mode)) {
      throw invalidProp(this, `${prefix}mode`, `('${mode}') must be one of ${Object.values(VpaContainerMode).join(', ')}`);
    }
    if (o.controlledResources !== undefined) {
      if (o.controlledResources.length === 0) {
        throw invalidProp(this, `${prefix}controlledResources`, 'is empty: leave it out for cpu and memory, or set the container mode to Off');
      }
      for (const r of o.controlledResources) {
        if (!(Object.values(VpaResource) as string[]).includes(r)) {
          throw invalidProp(this, `${prefix}controlledResources`, `('${r}') must be one of ${Object.values(VpaResource).join(', ')}`);
        }
      }
    }
    requirePositiveAmounts(this, `${prefix}minAllowed`, o.minAllowed);
    requirePositiveAmounts(this, `${prefix}maxAllowed`, o.maxAllowed);
    requireOrdered(this, `${prefix}minAllowed`, o.minAllowed, 'maxAllowed', o.maxAllowed);
    const min = renderAmounts(o.minAllowed);
    const max = renderAmounts(o.maxAllowed);
    return {
      containerName,
      ...(mode ? { mode } : {}),
      ...(o.controlledResources ? { controlledResources: [...o.controlledResources] } : {}),
      ...(o.controlledValues ? { controlledValues: o.controlledValues } : {}),
      ...(Object.keys(min).length > 0 ? { minAllowed: min } : {}),
      ...(Object.keys(max).length > 0 ? { maxAllowed: max } : {}),
    };
  }

  /** Which (container, resource) pairs the VPA would change; none in mode Off. */
  private controlledResources(props: VerticalPodAutoscalerProps, policies: VpaContainerPolicySpec[]): Controlled[] {
    if (this.updateMode === VpaUpdateMode.OFF) return [];
    const named = new Map(policies.filter(p => p.containerName !== '*').map(p => [p.containerName, p]));
    const defaults = props.controlledResources ?? [VpaResource.CPU, VpaResource.MEMORY];
    const of = (p: VpaContainerPolicySpec | undefined): string[] =>
      p === undefined ? defaults : (p.mode === VpaContainerMode.OFF ? [] : (p.controlledResources ?? [VpaResource.CPU, VpaResource.MEMORY]));
    // Containers unknown (a reference target): the defaults reach every container
    // without a policy of its own, written '*'.
    const containers = this.target._containers ?? ['*', ...named.keys()];
    return containers.flatMap(c => of(c === '*' ? undefined : named.get(c)).map(resource => ({ container: c, resource })));
  }

  /**
   * Throws when an HPA of the app (or a KEDA ScaledObject, which makes one) scales
   * the same target on a resource the VPA controls.
   */
  private checkHorizontalAutoscalers(): void {
    if (this.controlled.length === 0) return;
    const ref = this.target._reference;
    for (const c of this.node.root.node.findAll()) {
      const scaler = c instanceof ApiObject ? horizontalScaler(c) : undefined;
      if (!scaler || scaler.targetKind !== ref.kind || scaler.targetName !== ref.name || scaler.namespace !== this.namespace) continue;
      const conflicts = scaler.metrics.filter(m => this.controlled.some(v =>
        v.resource === m.resource && (m.container === undefined || v.container === '*' || v.container === m.container)));
      if (conflicts.length > 0) {
        const resources = [...new Set(conflicts.map(m => m.resource))].join(' and ');
        throw invalidProp(this, 'updateMode', `(${this.updateMode}) conflicts with ${scaler.description}, which scales ${ref.kind} '${ref.name}' on ${resources}: `
          + 'the VPA would change the requests the HPA\'s utilization is measured against, and the two would fight. Keep updateMode Off (recommendations only), '
          + `leave ${resources} out of controlledResources, or ${scaler.remedy}`);
      }
    }
  }
}
