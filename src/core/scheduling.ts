import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { AfterConversion } from './after-conversion';
import { invalidProp } from './errors';
import { requireLabelKey } from './metadata-validation';
import { podSpecOf } from './pod-template-path';
import { isLabelValue, requireInteger } from './validation';

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

/** A weighted node preference. */
export interface NodePreference {
  /** 1..100; the scheduler adds the weights of the preferences a node meets. */
  readonly weight: number;
  /** All must hold for the preference to count. */
  readonly requirements: NodeRequirement[];
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
  /** Require nodes matching all `requirements`, in addition to every other required one. */
  requireNodes(requirements: NodeRequirement[]): void;
  /** Prefer nodes matching all `requirements`, with `weight` 1..100. */
  preferNodes(weight: number, requirements: NodeRequirement[]): void;
}

/** Identity of a toleration, to add each one once (GPU and pool tolerations overlap). */
function tolerationKey(t: any): string {
  return JSON.stringify([t.key, t.operator, t.value ?? null, t.effect ?? null]);
}

function matchExpression(r: NodeRequirement): any {
  return { key: r.key, operator: r.operator, ...(r.values ? { values: [...r.values] } : {}) };
}

const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

/**
 * Refuses a node requirement the API server rejects: an invalid label key, In and
 * NotIn without values, Gt and Lt without exactly one integer, Exists and
 * DoesNotExist with values.
 * @see https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#operators
 */
export function requireNodeRequirement(scope: IConstruct, prop: string, r: NodeRequirement): void {
  if (!r || typeof r !== 'object') throw invalidProp(scope, prop, 'is required');
  requireLabelKey(scope, `${prop}.key`, r.key);
  const values = r.values ?? [];
  const operators = Object.values(NodeSelectorOperator) as string[];
  if (!operators.includes(r.operator)) {
    throw invalidProp(scope, `${prop}.operator`, `('${r.operator}') must be one of ${operators.join(', ')}`);
  }
  switch (r.operator) {
    case NodeSelectorOperator.IN:
    case NodeSelectorOperator.NOT_IN:
      if (values.length === 0) throw invalidProp(scope, `${prop}.values`, `must have at least one value for ${r.operator}`);
      break;
    case NodeSelectorOperator.GT:
    case NodeSelectorOperator.LT:
      if (values.length !== 1 || !/^-?[0-9]+$/.test(values[0])) {
        throw invalidProp(scope, `${prop}.values`, `(${JSON.stringify(values)}) must be exactly one integer for ${r.operator}`);
      }
      break;
    default:
      if (values.length > 0) throw invalidProp(scope, `${prop}.values`, `(${JSON.stringify(values)}) must be empty for ${r.operator}`);
  }
}

/** Refuses a toleration the API server rejects (key, value, effect). */
export function requireToleration(scope: IConstruct, prop: string, t: NodeToleration): void {
  if (!t || typeof t !== 'object') throw invalidProp(scope, prop, 'is required');
  requireLabelKey(scope, `${prop}.key`, t.key);
  if (t.value !== undefined && !isLabelValue(t.value)) {
    throw invalidProp(scope, `${prop}.value`, `('${t.value}') must be a valid label value: at most 63 characters, alphanumeric at both ends, '-', '_' or '.' inside`);
  }
  if (t.effect !== undefined && !TAINT_EFFECTS.includes(t.effect)) {
    throw invalidProp(scope, `${prop}.effect`, `('${t.effect}') must be one of ${TAINT_EFFECTS.join(', ')}`);
  }
}

/**
 * Where a workload's pods may run, as intent: tolerations, requirements that must
 * ALL hold, and weighted preferences. Rendered into a pod spec after conversion:
 * tolerations are added once each, and the requirements are ANDed into EVERY
 * required node selector term (Kubernetes ORs terms), including terms a user added
 * with cdk8s-plus's `scheduling.attract()`, in whatever order the calls came. So a
 * node pool's requirements hold for every node the pods may land on.
 */
export class Placement implements ISchedulable {
  private readonly tolerations: NodeToleration[] = [];
  private readonly required: NodeRequirement[] = [];
  private readonly preferred: NodePreference[] = [];

  public constructor(private readonly scope: IConstruct) {}

  public tolerate(toleration: NodeToleration): void {
    requireToleration(this.scope, 'tolerate', toleration);
    this.tolerations.push(toleration);
  }

  public requireNodes(requirements: NodeRequirement[]): void {
    // An empty list adds nothing (no empty term is ever rendered).
    if (!Array.isArray(requirements)) throw invalidProp(this.scope, 'requireNodes', 'needs a list of requirements');
    requirements.forEach((r, i) => requireNodeRequirement(this.scope, `requireNodes requirements[${i}]`, r));
    this.required.push(...requirements);
  }

  public preferNodes(weight: number, requirements: NodeRequirement[]): void {
    requireInteger(this.scope, 'preferNodes weight', weight, 1, 100);
    if (!Array.isArray(requirements) || requirements.length === 0) throw invalidProp(this.scope, 'preferNodes', 'needs at least one requirement');
    requirements.forEach((r, i) => requireNodeRequirement(this.scope, `preferNodes requirements[${i}]`, r));
    this.preferred.push({ weight, requirements });
  }

  /** Kubernetes tolerations, deduplicated. @internal */
  public _tolerations(): any[] {
    return this.tolerations.map(t => ({
      key: t.key,
      operator: t.value !== undefined ? 'Equal' : 'Exists',
      ...(t.value !== undefined ? { value: t.value } : {}),
      ...(t.effect ? { effect: t.effect } : {}),
    }));
  }

  /** The required requirements, in the order given. @internal */
  public get _required(): NodeRequirement[] {
    return [...this.required];
  }

  /** The preferences, in the order given. @internal */
  public get _preferred(): NodePreference[] {
    return [...this.preferred];
  }

  /** Merges tolerations and node affinity into a rendered pod spec. @internal */
  public _renderInto(podSpec: any): void {
    const tolerations = [...(podSpec.tolerations ?? [])];
    for (const t of this._tolerations()) {
      if (!tolerations.some(existing => tolerationKey(existing) === tolerationKey(t))) tolerations.push(t);
    }
    if (tolerations.length > 0) podSpec.tolerations = tolerations;

    if (this.required.length === 0 && this.preferred.length === 0) return;
    const nodeAffinity = ((podSpec.affinity ??= {}).nodeAffinity ??= {});
    if (this.required.length > 0) {
      const required = (nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution ??= {});
      const terms: any[] = required.nodeSelectorTerms?.length ? required.nodeSelectorTerms : [{}];
      for (const term of terms) {
        const expressions: any[] = term.matchExpressions ?? [];
        for (const r of this.required.map(matchExpression)) {
          if (!expressions.some(e => JSON.stringify(e) === JSON.stringify(r))) expressions.push(r);
        }
        term.matchExpressions = expressions;
      }
      required.nodeSelectorTerms = terms;
    }
    if (this.preferred.length > 0) {
      nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution = [
        ...(nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution ?? []),
        ...this.preferred.map(p => ({ weight: p.weight, preference: { matchExpressions: p.requirements.map(matchExpression) } })),
      ];
    }
  }
}

/**
 * Adapts any cdk8s-plus workload (Deployment, Job, StatefulSet, Pod, ...) to
 * {@link ISchedulable}, with the semantics of {@link Placement}: the node pools'
 * requirements are ANDed into every required term, rendered after conversion.
 *
 * @example
 * import { CapacityType, KarpenterNodePool, PodSecurity, SchedulableWorkload } from 'cdk8s-ml';
 *
 * // A cdk8s-plus Job of your own, on the nodes of a pool like the library's workloads.
 * const cpu = new KarpenterNodePool(this, 'cpu', { capacityTypes: [CapacityType.ON_DEMAND], instanceCategories: ['c'] });
 * const tokenize = new kplus.Job(this, 'tokenize', {
 *   containers: [{ image: 'registry.example.com/tokenizer:1.0.2', args: ['--shards', '64'] }],
 * });
 * PodSecurity.restricted().applyTo(tokenize);
 * cpu.schedule(SchedulableWorkload.of(tokenize));
 */
export class SchedulableWorkload {
  /** The placement of a cdk8s-plus workload; the same one for the same workload. */
  public static of(workload: kplus.AbstractPod): ISchedulable {
    let placement = SchedulableWorkload.placements.get(workload);
    if (!placement) {
      const created = new Placement(workload);
      placement = created;
      SchedulableWorkload.placements.set(workload, created);
      AfterConversion.of(workload)._addStage(manifest => created._renderInto(podSpecOf(manifest)));
    }
    return placement;
  }

  /** Makes `placement` the one of `workload` (the workload model's own). @internal */
  public static _register(workload: kplus.AbstractPod, placement: Placement): void {
    SchedulableWorkload.placements.set(workload, placement);
  }

  private static readonly placements = new WeakMap<kplus.AbstractPod, Placement>();

  private constructor() {}
}
