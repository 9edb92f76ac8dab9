import * as kplus from 'cdk8s-plus-27';
import { Construct, IConstruct } from 'constructs';
import { requireLabelKey } from './node-pool-requirement';
import { invalidProp } from '../core/errors';
import { interruptionProblem } from '../core/interruption';
import { ISchedulable, NodeRequirement } from '../core/scheduling';
import { isLabelValue, requireInteger } from '../core/validation';

/** A taint the nodes of a pool carry. */
export interface NodeTaint {
  /** The taint key, e.g. `nvidia.com/gpu`. */
  readonly key: string;
  /**
   * The taint value.
   * @default - no value (tolerated with operator Exists)
   */
  readonly value?: string;
  /** What the taint does to pods that do not tolerate it. */
  readonly effect: kplus.TaintEffect;
}

/**
 * How strongly a workload is bound to a node pool by {@link INodePool.schedule}.
 *
 * @example
 * import { DistributedTrainingJob, GpuNodePool, MlModelServing, NodePoolAffinity, Torchrun } from 'cdk8s-ml';
 *
 * const a100 = new GpuNodePool(this, 'a100', { gpuNames: ['a100'], maxGpus: 32 });
 * // Training only on these nodes (the default)...
 * const job = new DistributedTrainingJob(this, 'finetune', {
 *   image: 'registry.example.com/trainer:2.3.0',
 *   gpus: { count: 8 },
 *   torchrun: Torchrun.script('/app/train.py'),
 * });
 * a100.schedule(job, { affinity: NodePoolAffinity.required() });
 * // ...the server there when it can, elsewhere when it must.
 * const server = new MlModelServing(this, 'bert', { image: 'registry.example.com/bert-server:1.4.2', gpus: { count: 1 } });
 * a100.schedule(server, { affinity: NodePoolAffinity.preferred(80) });
 */
export class NodePoolAffinity {
  /**
   * The pods run on the pool's nodes or stay pending (required node affinity).
   * With a spot pool this means spot only.
   */
  public static required(): NodePoolAffinity {
    return new NodePoolAffinity(undefined);
  }

  /**
   * The pods prefer the pool's nodes and fall back to any other node they can
   * run on (preferred node affinity of `weight`, 1..100, and no required term):
   * e.g. spot first, with on-demand nodes as the fallback when spot capacity is gone.
   */
  public static preferred(weight: number = 100): NodePoolAffinity {
    return new NodePoolAffinity(weight);
  }

  private constructor(private readonly weight: number | undefined) {}

  /** True for a required affinity: required affinities to two pools are ANDed. @internal */
  public get _required(): boolean {
    return this.weight === undefined;
  }

  /** Throws, naming `pool`, unless the affinity is one Kubernetes accepts. @internal */
  public _validate(pool: IConstruct): void {
    if (this.weight !== undefined) requireInteger(pool, 'schedule() affinity weight', this.weight, 1, 100);
  }

  /** Gives `workload` the affinity to nodes matching `requirements`. @internal */
  public _apply(workload: ISchedulable, requirements: NodeRequirement[]): void {
    if (this.weight === undefined) workload.requireNodes(requirements);
    else workload.preferNodes(this.weight, requirements);
  }
}

/** Options of {@link INodePool.schedule}. */
export interface NodePoolScheduleOptions {
  /**
   * Required or preferred node affinity to the pool.
   * @default NodePoolAffinity.required()
   */
  readonly affinity?: NodePoolAffinity;
  /**
   * Add tolerations of the pool's taints. Turning this off is only accepted for
   * pools whose taints do not keep pods away (none, or PreferNoSchedule only):
   * otherwise the affinity would point the workload at nodes it cannot run on.
   * @default true
   */
  readonly tolerate?: boolean;
  /**
   * Why a workload that cannot survive losing a pod mid-run (a non-elastic
   * training job) may run on this spot pool anyway, e.g. 'short job, restarts
   * from its hourly checkpoint'. Without it such a workload is refused on a spot
   * pool: one reclaim would fail it or leave its peers blocked.
   * @default - refused on spot pools when the workload says it is not elastic
   */
  readonly nonElasticReason?: string;
}

/**
 * A pool of nodes that workloads can be steered onto: a Karpenter NodePool of ours,
 * or nodes made by a cloud's own tooling (GKE, AKS, EKS managed node groups) whose
 * labels and taints the pool knows.
 */
export interface INodePool extends IConstruct {
  /** The taints on the pool's nodes; a workload scheduled onto the pool tolerates each. */
  readonly taints: NodeTaint[];
  /** The node label requirements that select exactly the pool's nodes. */
  readonly nodeRequirements: NodeRequirement[];
  /** Whether the pool's nodes may be spot (preemptible) capacity. */
  readonly spot: boolean;
  /**
   * Steers `workload` onto the pool: tolerations of every taint and node affinity to
   * the pool's labels, always together, so neither half can be forgotten. Takes an
   * MlModelServing or a DistributedTrainingJob directly, and any cdk8s-plus workload
   * through `SchedulableWorkload.of(workload)`.
   */
  schedule(workload: ISchedulable, options?: NodePoolScheduleOptions): void;
}

// Which pool each workload is required on: required affinities are ANDed, so a
// workload required on two pools could never be scheduled.
const requiredOn = new WeakMap<ISchedulable, NodePoolBase>();
const scheduledOn = new WeakMap<ISchedulable, Set<NodePoolBase>>();

/** Validates taints of a pool (key and value syntax, known effect, no duplicates). */
export function validateTaints(scope: IConstruct, prop: string, taints: NodeTaint[], generated = 0): void {
  const effects = Object.values(kplus.TaintEffect) as string[];
  const seen = new Set<string>();
  taints.forEach((t, j) => {
    // The first `generated` taints are the pool's own; the user's are indexed as written.
    const at = j < generated ? `the pool's ${t.key} taint` : `${prop}[${j - generated}]`;
    requireLabelKey(scope, `${at}.key`, t.key);
    // A taint value is validated as a label value (63 characters, no prefix).
    if (t.value !== undefined && !isLabelValue(t.value)) {
      throw invalidProp(scope, `${at}.value`, `('${t.value}') is not a valid taint value: at most 63 characters, alphanumeric at both ends, '-', '_' or '.' inside`);
    }
    if (!effects.includes(t.effect)) {
      throw invalidProp(scope, `${at}.effect`, `('${t.effect}') is not a taint effect; use one of ${effects.join(', ')}`);
    }
    const id = `${t.key}:${t.effect}`;
    if (seen.has(id)) {
      throw invalidProp(scope, at, `duplicates the taint ${id}`);
    }
    seen.add(id);
  });
}

/** `key=value:Effect`, as kubectl prints taints. */
export function describeTaint(t: NodeTaint): string {
  return `${t.key}${t.value !== undefined ? `=${t.value}` : ''}:${t.effect}`;
}

/**
 * What every node pool shares: the scheduling of workloads onto it. Subclasses
 * set the taints and the node requirements.
 */
export abstract class NodePoolBase extends Construct implements INodePool {
  public abstract readonly taints: NodeTaint[];
  public abstract readonly nodeRequirements: NodeRequirement[];
  public abstract readonly spot: boolean;

  /**
   * Steers `workload` onto the pool: a toleration of every taint (unless `tolerate`
   * is false, accepted only when no taint repels pods) and a required (default) or
   * preferred node affinity to `nodeRequirements`. Refuses a workload already
   * required on another pool, and scheduling twice onto the same pool.
   */
  public schedule(workload: ISchedulable, options: NodePoolScheduleOptions = {}): void {
    const affinity = options.affinity ?? NodePoolAffinity.required();
    const who = Construct.isConstruct(workload) ? ` '${workload.node.path}'` : '';
    affinity._validate(this);

    const tolerate = options.tolerate ?? true;
    const repelling = this.taints.filter(t => t.effect !== kplus.TaintEffect.PREFER_NO_SCHEDULE);
    if (!tolerate && repelling.length > 0) {
      throw invalidProp(this, 'schedule() tolerate', `is false, but the pool's nodes carry ${repelling.map(describeTaint).join(', ')}: the workload${who} could never run there. Keep tolerate true, or schedule it onto an untainted pool`);
    }

    if (options.nonElasticReason !== undefined && options.nonElasticReason.trim() === '') {
      throw invalidProp(this, 'schedule() nonElasticReason', 'must say why the workload may be interrupted');
    }
    const problem = this.spot ? interruptionProblem(workload) : undefined;
    if (problem && options.nonElasticReason === undefined) {
      throw invalidProp(this, 'schedule()', `refuses the workload${who} on spot capacity: ${problem}. Make it elastic, or pass nonElasticReason to accept the interruptions`);
    }

    const pools = scheduledOn.get(workload) ?? new Set<NodePoolBase>();
    if (pools.has(this)) {
      throw invalidProp(this, 'schedule()', `was already called for the workload${who}; tolerations and affinity are in place`);
    }
    if (affinity._required) {
      const other = requiredOn.get(workload);
      if (other) {
        throw invalidProp(this, 'schedule()', `cannot require the workload${who} on this pool: it is already required on '${other.node.path}', and required node affinities are ANDed, so no node would match both. Use NodePoolAffinity.preferred() for one of them`);
      }
      requiredOn.set(workload, this);
    }
    pools.add(this);
    scheduledOn.set(workload, pools);

    if (tolerate) {
      for (const t of this.taints) {
        workload.tolerate({ key: t.key, value: t.value, effect: t.effect });
      }
    }
    affinity._apply(workload, this.nodeRequirements);
  }
}
