import { Cron, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { requireCronSchedule } from '../core/cron-schedule';
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

/**
 * Karpenter's string of a duration (`30s`, `5m`, `720h`): the largest of h, m and s
 * that divides it, which the CRD's `^([0-9]+(s|m|h))+$` accepts. Durations that
 * Karpenter counts in whole minutes (budget windows) are refused otherwise, as are
 * fractions of a second and, unless `allowZero`, zero.
 */
export function requireKarpenterDuration(scope: IConstruct, prop: string, duration: Duration, unit: 'seconds' | 'minutes', allowZero = true): string {
  const seconds = duration.toSeconds({ integral: false });
  const whole = unit === 'minutes' ? Number.isInteger(seconds / 60) : Number.isInteger(seconds);
  if (!whole || seconds < 0 || (!allowZero && seconds === 0)) {
    const what = unit === 'minutes' ? 'a positive whole number of minutes' : 'a whole, non-negative number of seconds';
    throw invalidProp(scope, prop, `(${seconds}s) must be ${what}`);
  }
  if (seconds > 0 && seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds > 0 && seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

/**
 * A limit on how many of the pool's nodes Karpenter may disrupt at once, optionally
 * only during a cron window (e.g. no voluntary disruption during business hours).
 */
export interface NodeDisruptionBudget {
  /** How many nodes may be disrupted at once: an absolute count or a percentage. */
  readonly nodes: kplus.PercentOrAbsolute;
  /**
   * When the budget starts being active (UTC; Karpenter supports no time zones),
   * e.g. `Cron.schedule({ minute: '0', hour: '9', weekDay: '1-5' })`. Requires `duration`.
   * @default - always active
   */
  readonly schedule?: Cron;
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
   * How long a node must be consolidatable before Karpenter acts; damps churn. Whole seconds.
   * @default Duration.minutes(5)
   */
  readonly consolidateAfter?: Duration;
  /**
   * Never consolidate the pool's nodes (`consolidateAfter: Never`), e.g. for nodes
   * whose pods must not be moved for cost. Not with `consolidateAfter`.
   * @default false
   */
  readonly neverConsolidate?: boolean;
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
  const duration = b.duration && requireKarpenterDuration(scope, `${prop}.duration`, b.duration, 'minutes', false);
  const schedule = b.schedule?.expressionString;
  if (schedule !== undefined) requireCronSchedule(scope, `${prop}.schedule`, schedule);
  const reasons = Object.values(DisruptionReason) as string[];
  for (const r of b.reasons ?? []) {
    if (!reasons.includes(r)) {
      throw invalidProp(scope, `${prop}.reasons`, `('${r}') is not a disruption reason; use one of ${reasons.join(', ')}`);
    }
  }
  return {
    nodes,
    ...(schedule !== undefined ? { schedule: schedule.trim() } : {}),
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
  if (d?.neverConsolidate && d.consolidateAfter !== undefined) {
    throw invalidProp(scope, 'disruption.neverConsolidate', 'cannot be combined with disruption.consolidateAfter: give one');
  }
  const consolidateAfter = d?.neverConsolidate
    ? 'Never'
    : requireKarpenterDuration(scope, 'disruption.consolidateAfter', d?.consolidateAfter ?? Duration.minutes(5), 'seconds');
  return {
    consolidationPolicy: policy,
    consolidateAfter,
    ...(budgets && budgets.length > 0 ? { budgets } : {}),
  };
}
