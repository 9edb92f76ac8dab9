import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { invalidProp } from '../core/errors';
import { KarpenterBudget, KarpenterDisruption } from './crds/karpenter';

/** Which nodes Karpenter may remove or replace to save cost. */
export enum ConsolidationPolicy {
  /** Only nodes running no (non-daemon) pods. Gentle on long GPU jobs. */
  WHEN_EMPTY = 'WhenEmpty',
  /** Empty nodes, and nodes whose pods fit elsewhere more cheaply. */
  WHEN_EMPTY_OR_UNDERUTILIZED = 'WhenEmptyOrUnderutilized',
  /** Like WHEN_EMPTY_OR_UNDERUTILIZED, weighing savings against disruption. */
  BALANCED = 'Balanced',
}

/** Why Karpenter disrupts a node; a budget can apply to some reasons only. */
export enum DisruptionReason {
  /** Consolidation of underutilized nodes. */
  UNDERUTILIZED = 'Underutilized',
  /** Removal of empty nodes. */
  EMPTY = 'Empty',
  /** Replacement of nodes that drifted from the pool's spec. */
  DRIFTED = 'Drifted',
}

/** A Karpenter duration: a length of time, or never. */
export class KarpenterDuration {
  /** After `duration` (whole seconds). */
  public static after(duration: Duration): KarpenterDuration {
    return new KarpenterDuration(duration);
  }

  /** Never (e.g. nodes that never expire, or no consolidation delay at all). */
  public static never(): KarpenterDuration {
    return new KarpenterDuration(undefined);
  }

  private constructor(private readonly duration: Duration | undefined) {}

  /** The Karpenter string (`30s`, `5m`, `720h`, `Never`), validated. @internal */
  public _render(scope: IConstruct, prop: string): string {
    if (!this.duration) return 'Never';
    const seconds = this.duration.toSeconds({ integral: false });
    if (!Number.isInteger(seconds) || seconds < 0) {
      throw invalidProp(scope, prop, `(${seconds}s) must be a whole, non-negative number of seconds`);
    }
    if (seconds > 0 && seconds % 3600 === 0) return `${seconds / 3600}h`;
    if (seconds > 0 && seconds % 60 === 0) return `${seconds / 60}m`;
    return `${seconds}s`;
  }
}

/**
 * A limit on how many of the pool's nodes Karpenter may disrupt at once, optionally
 * only during a cron window (e.g. no voluntary disruption during business hours).
 */
export interface NodeDisruptionBudget {
  /** How many nodes may be disrupted at once: an absolute count or a percentage. */
  readonly nodes: kplus.PercentOrAbsolute;
  /**
   * When the budget starts being active, as a cron expression (UTC), e.g. `0 9 * * 1-5`.
   * Requires `duration`.
   * @default - always active
   */
  readonly schedule?: string;
  /**
   * How long the budget stays active after each `schedule` hit; whole minutes.
   * Requires `schedule`.
   * @default - always active
   */
  readonly duration?: Duration;
  /**
   * The disruption reasons the budget applies to.
   * @default - every reason
   */
  readonly reasons?: DisruptionReason[];
}

/** How Karpenter may disrupt the nodes of a pool. */
export interface NodePoolDisruption {
  /**
   * Which nodes may be consolidated.
   * @default - ConsolidationPolicy.WHEN_EMPTY_OR_UNDERUTILIZED (GpuNodePool: WHEN_EMPTY)
   */
  readonly consolidationPolicy?: ConsolidationPolicy;
  /**
   * How long a node must be consolidatable before Karpenter acts; damps churn.
   * @default KarpenterDuration.after(Duration.minutes(5))
   */
  readonly consolidateAfter?: KarpenterDuration;
  /**
   * Budgets limiting concurrent disruption.
   * @default - Karpenter's default, 10% of the nodes
   */
  readonly budgets?: NodeDisruptionBudget[];
}

function renderBudget(scope: IConstruct, prop: string, b: NodeDisruptionBudget): KarpenterBudget {
  const nodes = String(b.nodes.value);
  if (!/^((100|[0-9]{1,2})%|[0-9]+)$/.test(nodes)) {
    throw invalidProp(scope, `${prop}.nodes`, `('${nodes}') must be a whole number of nodes or a percentage between 0% and 100%`);
  }
  if ((b.schedule === undefined) !== (b.duration === undefined)) {
    throw invalidProp(scope, prop, 'must set schedule and duration together (a cron window), or neither');
  }
  let duration: string | undefined;
  if (b.duration) {
    const minutes = b.duration.toMinutes({ integral: false });
    if (!Number.isInteger(minutes) || minutes <= 0) {
      throw invalidProp(scope, `${prop}.duration`, `(${b.duration.toSeconds({ integral: false })}s) must be a positive whole number of minutes`);
    }
    duration = minutes % 60 === 0 ? `${minutes / 60}h` : `${minutes}m`;
  }
  if (b.schedule !== undefined && !/^(@(annually|yearly|monthly|weekly|daily|midnight|hourly))$|^(\S+\s+){4}\S+$/.test(b.schedule.trim())) {
    throw invalidProp(scope, `${prop}.schedule`, `('${b.schedule}') must be a cron expression of 5 fields or a macro such as @daily`);
  }
  const reasons = Object.values(DisruptionReason) as string[];
  for (const r of b.reasons ?? []) {
    if (!reasons.includes(r)) {
      throw invalidProp(scope, `${prop}.reasons`, `('${r}') is not a disruption reason; use one of ${reasons.join(', ')}`);
    }
  }
  return {
    nodes,
    ...(b.schedule !== undefined ? { schedule: b.schedule.trim() } : {}),
    ...(duration ? { duration } : {}),
    ...(b.reasons && b.reasons.length > 0 ? { reasons: [...b.reasons] } : {}),
  };
}

/** The NodePool's `spec.disruption`, with our defaults. */
export function renderDisruption(scope: IConstruct, d: NodePoolDisruption | undefined, defaultPolicy: ConsolidationPolicy): KarpenterDisruption {
  const policy = d?.consolidationPolicy ?? defaultPolicy;
  if (!(Object.values(ConsolidationPolicy) as string[]).includes(policy)) {
    throw invalidProp(scope, 'disruption.consolidationPolicy', `('${policy}') must be one of ${Object.values(ConsolidationPolicy).join(', ')}`);
  }
  const budgets = d?.budgets?.map((b, i) => renderBudget(scope, `disruption.budgets[${i}]`, b));
  return {
    consolidationPolicy: policy,
    consolidateAfter: (d?.consolidateAfter ?? KarpenterDuration.after(Duration.minutes(5)))._render(scope, 'disruption.consolidateAfter'),
    ...(budgets && budgets.length > 0 ? { budgets } : {}),
  };
}
