import * as kplus from 'cdk8s-plus-27';
import { PodTemplatePatch } from './pod-template-patch';

/** Operators of node selector requirements. */
export enum NodeSelectorOperator {
  /** The label's value is one of `values`. */
  IN = 'In',
  /** The label's value is none of `values` (or the label is absent). */
  NOT_IN = 'NotIn',
  /** The label is present. */
  EXISTS = 'Exists',
  /** The label is absent. */
  DOES_NOT_EXIST = 'DoesNotExist',
  /** The label's integer value is greater than the single value. */
  GT = 'Gt',
  /** The label's integer value is less than the single value. */
  LT = 'Lt',
}

/** A requirement on node labels (one matchExpression). */
export interface NodeRequirement {
  /** The node label key. */
  readonly key: string;
  /** How the label is matched. */
  readonly operator: NodeSelectorOperator;
  /**
   * Values for In, NotIn (one or more), Gt and Lt (exactly one).
   * @default - none (Exists, DoesNotExist)
   */
  readonly values?: string[];
}

/** A toleration of a node taint. */
export interface NodeToleration {
  /** The taint key. */
  readonly key: string;
  /**
   * The taint value to match; without it any value is tolerated (operator Exists).
   * @default - any value
   */
  readonly value?: string;
  /**
   * The taint effect to tolerate.
   * @default - every effect
   */
  readonly effect?: kplus.TaintEffect;
}

/**
 * Anything whose pods can be steered onto nodes: a model server, a training job,
 * a cdk8s-plus workload (via {@link SchedulableWorkload.of}). Capacity constructs
 * (spot and GPU node pools) talk to workloads only through this, so tolerations and
 * affinities are always added together.
 */
export interface ISchedulable {
  /** Tolerate a taint. */
  tolerate(toleration: NodeToleration): void;
  /** Require nodes matching all `requirements` (one required node selector term). */
  requireNodes(requirements: NodeRequirement[]): void;
  /** Prefer nodes matching all `requirements`, with `weight` 1..100. */
  preferNodes(weight: number, requirements: NodeRequirement[]): void;
}

/** Identity of a toleration, to add each one once (GPU and pool tolerations overlap). */
function tolerationKey(t: NodeToleration): string {
  return JSON.stringify([t.key, t.value ?? null, t.effect ?? null]);
}

/** A requirement as a Kubernetes node selector requirement (matchExpression). */
function matchExpression(r: NodeRequirement): any {
  return { key: r.key, operator: r.operator, ...(r.values ? { values: [...r.values] } : {}) };
}

function labelQuery(r: NodeRequirement): kplus.NodeLabelQuery {
  const values = r.values ?? [];
  switch (r.operator) {
    case NodeSelectorOperator.IN: return kplus.NodeLabelQuery.in(r.key, values);
    case NodeSelectorOperator.NOT_IN: return kplus.NodeLabelQuery.notIn(r.key, values);
    case NodeSelectorOperator.EXISTS: return kplus.NodeLabelQuery.exists(r.key);
    case NodeSelectorOperator.DOES_NOT_EXIST: return kplus.NodeLabelQuery.doesNotExist(r.key);
    case NodeSelectorOperator.GT: return kplus.NodeLabelQuery.gt(r.key, values);
    case NodeSelectorOperator.LT: return kplus.NodeLabelQuery.lt(r.key, values);
  }
}

/** The first required node selector term of a pod spec, as a JSON pointer below the pod spec. */
const FIRST_REQUIRED_TERM = 'affinity/nodeAffinity/requiredDuringSchedulingIgnoredDuringExecution/nodeSelectorTerms/0';

/**
 * Adapts a cdk8s-plus workload (Deployment, Job, StatefulSet, Pod, ...) to
 * {@link ISchedulable}, ANDing every required node requirement into ONE node
 * selector term.
 *
 * cdk8s-plus-27's `scheduling.attract()` adds a term per call, and Kubernetes ORs
 * terms: a GPU model requirement plus a spot pool's requirement would admit any
 * spot node, whatever its GPU, and any node of that model, spot or not. So the first
 * requirement creates the term through cdk8s-plus and later ones are appended to it
 * with {@link PodTemplatePatch}. Terms a user adds directly with
 * `workload.scheduling.attract()` keep cdk8s-plus's OR semantics.
 */
export class SchedulableWorkload implements ISchedulable {
  /**
   * Wraps a cdk8s-plus workload. The same wrapper is returned for the same workload,
   * so requirements from every caller land in one term, each toleration is added
   * once, and node pools see a workload they already scheduled.
   */
  public static of(workload: kplus.Workload | kplus.Pod): ISchedulable {
    let wrapper = SchedulableWorkload.wrappers.get(workload);
    if (!wrapper) {
      wrapper = new SchedulableWorkload(workload);
      SchedulableWorkload.wrappers.set(workload, wrapper);
    }
    return wrapper;
  }

  private static readonly wrappers = new WeakMap<kplus.Workload | kplus.Pod, SchedulableWorkload>();

  private readonly tolerated = new Set<string>();
  private hasRequiredTerm = false;

  private constructor(private readonly workload: kplus.Workload | kplus.Pod) {}

  public tolerate(t: NodeToleration): void {
    if (this.tolerated.has(tolerationKey(t))) return;
    this.tolerated.add(tolerationKey(t));
    const options = { effect: t.effect };
    const query = t.value !== undefined
      ? kplus.NodeTaintQuery.is(t.key, t.value, options)
      : kplus.NodeTaintQuery.exists(t.key, options);
    this.workload.scheduling.tolerate(kplus.Node.tainted(query));
  }

  public requireNodes(requirements: NodeRequirement[]): void {
    if (requirements.length === 0) return;
    if (!this.hasRequiredTerm) {
      this.workload.scheduling.attract(kplus.Node.labeled(...requirements.map(labelQuery)));
      this.hasRequiredTerm = true;
      return;
    }
    const patch = PodTemplatePatch.of(this.workload);
    for (const r of requirements) {
      patch.setPodSpec(`${FIRST_REQUIRED_TERM}/matchExpressions/-`, matchExpression(r));
    }
  }

  public preferNodes(weight: number, requirements: NodeRequirement[]): void {
    this.workload.scheduling.attract(kplus.Node.labeled(...requirements.map(labelQuery)), { weight });
  }
}

/**
 * Tolerations and node affinity collected for pod templates we render ourselves
 * (custom resources such as PyTorchJob or RayCluster embed raw pod templates).
 */
export class PodPlacement implements ISchedulable {
  private readonly tolerations: NodeToleration[] = [];
  private readonly required: NodeRequirement[][] = [];
  private readonly preferred: { weight: number; requirements: NodeRequirement[] }[] = [];

  public tolerate(toleration: NodeToleration): void {
    if (this.tolerations.some(t => tolerationKey(t) === tolerationKey(toleration))) return;
    this.tolerations.push(toleration);
  }

  public requireNodes(requirements: NodeRequirement[]): void {
    this.required.push(requirements);
  }

  public preferNodes(weight: number, requirements: NodeRequirement[]): void {
    this.preferred.push({ weight, requirements });
  }

  /** Kubernetes `tolerations`, or undefined when there are none. @internal */
  public _renderTolerations(): any[] | undefined {
    if (this.tolerations.length === 0) return undefined;
    return this.tolerations.map(t => ({
      key: t.key,
      operator: t.value !== undefined ? 'Equal' : 'Exists',
      ...(t.value !== undefined ? { value: t.value } : {}),
      ...(t.effect ? { effect: t.effect } : {}),
    }));
  }

  /**
   * Kubernetes `affinity.nodeAffinity`, or undefined. Required requirements are
   * ANDed into one term (as {@link SchedulableWorkload} does), so every one holds.
   * @internal
   */
  public _renderAffinity(): any | undefined {
    const nodeAffinity: any = {};
    if (this.required.length > 0) {
      nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = {
        nodeSelectorTerms: [{ matchExpressions: this.required.flat().map(matchExpression) }],
      };
    }
    if (this.preferred.length > 0) {
      nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution = this.preferred.map(p => ({
        weight: p.weight,
        preference: { matchExpressions: p.requirements.map(matchExpression) },
      }));
    }
    return Object.keys(nodeAffinity).length > 0 ? { nodeAffinity } : undefined;
  }
}
