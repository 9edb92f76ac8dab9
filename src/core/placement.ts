import { IConstruct } from 'constructs';
import { invalidProp } from './errors';
import { requireLabelKey } from './metadata-validation';
import { requireInteger } from './validation';

/** What the scheduler does when a spread constraint cannot be met. */
export enum UnsatisfiableSpreadAction {
  /** Schedule anyway, preferring placements that reduce the skew (soft). */
  SCHEDULE_ANYWAY = 'ScheduleAnyway',
  /** Keep the pod pending (hard). */
  DO_NOT_SCHEDULE = 'DoNotSchedule',
}

/** Options of a topology spread constraint. */
export interface TopologySpreadOptions {
  /**
   * The largest allowed difference in matching pods between two domains.
   * @default 1
   */
  readonly maxSkew?: number;
  /**
   * What to do when the constraint cannot be satisfied.
   * @default UnsatisfiableSpreadAction.SCHEDULE_ANYWAY
   */
  readonly whenUnsatisfiable?: UnsatisfiableSpreadAction;
  /**
   * Minimum number of eligible domains (only with DO_NOT_SCHEDULE).
   * @default - not set
   */
  readonly minDomains?: number;
  /**
   * Pod label keys whose values are added to the selector, e.g. `pod-template-hash`
   * so a rolling update spreads the new ReplicaSet on its own (Kubernetes 1.27+).
   * @default - none
   */
  readonly matchLabelKeys?: string[];
}

/**
 * A topology spread constraint over the pods of one workload. cdk8s-plus-27's
 * `scheduling.spread` renders required pod anti-affinity instead, which leaves pods
 * pending when there are more replicas than zones; this renders the real
 * `topologySpreadConstraints`, soft by default.
 *
 * @example
 * import { MlModelServing, TopologySpread, UnsatisfiableSpreadAction } from 'cdk8s-ml';
 *
 * new MlModelServing(this, 'bert', {
 *   image: 'registry.example.com/bert-server:1.4.2',
 *   spread: [
 *     // Hard over zones (a pod stays Pending rather than crowd one zone), soft over nodes.
 *     TopologySpread.acrossZones({ whenUnsatisfiable: UnsatisfiableSpreadAction.DO_NOT_SCHEDULE }),
 *     TopologySpread.acrossNodes(),
 *   ],
 * });
 */
export class TopologySpread {
  /** Spread across zones (`topology.kubernetes.io/zone`). */
  public static acrossZones(options: TopologySpreadOptions = {}): TopologySpread {
    return new TopologySpread('topology.kubernetes.io/zone', options);
  }

  /** Spread across nodes (`kubernetes.io/hostname`). */
  public static acrossNodes(options: TopologySpreadOptions = {}): TopologySpread {
    return new TopologySpread('kubernetes.io/hostname', options);
  }

  /** Spread across the domains of any node label. */
  public static of(topologyKey: string, options: TopologySpreadOptions = {}): TopologySpread {
    return new TopologySpread(topologyKey, options);
  }

  private constructor(public readonly topologyKey: string, private readonly options: TopologySpreadOptions) {}

  /**
   * Refuses what the API server rejects: maxSkew below 1, minDomains below 1 or with
   * ScheduleAnyway, an invalid topology or label key.
   * @see https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/#spread-constraint-definition
   * @internal
   */
  public _validate(scope: IConstruct, prop: string): void {
    requireLabelKey(scope, `${prop} topologyKey`, this.topologyKey);
    if (this.options.maxSkew !== undefined) requireInteger(scope, `${prop} maxSkew`, this.options.maxSkew, 1);
    if (this.options.minDomains !== undefined) {
      requireInteger(scope, `${prop} minDomains`, this.options.minDomains, 1);
      if ((this.options.whenUnsatisfiable ?? UnsatisfiableSpreadAction.SCHEDULE_ANYWAY) !== UnsatisfiableSpreadAction.DO_NOT_SCHEDULE) {
        throw invalidProp(scope, `${prop} minDomains`, `(${this.options.minDomains}) needs whenUnsatisfiable: UnsatisfiableSpreadAction.DO_NOT_SCHEDULE; the API server refuses it with ScheduleAnyway`);
      }
    }
    (this.options.matchLabelKeys ?? []).forEach((k, i) => requireLabelKey(scope, `${prop} matchLabelKeys[${i}]`, k));
  }

  /** What the API server requires to be unique among a pod's constraints. @internal */
  public get _identity(): string {
    return `${this.topologyKey} / ${this.options.whenUnsatisfiable ?? UnsatisfiableSpreadAction.SCHEDULE_ANYWAY}`;
  }

  /** @internal */
  public _toKube(selector: { [key: string]: string }): any {
    const action = this.options.whenUnsatisfiable ?? UnsatisfiableSpreadAction.SCHEDULE_ANYWAY;
    return {
      maxSkew: this.options.maxSkew ?? 1,
      topologyKey: this.topologyKey,
      whenUnsatisfiable: action,
      labelSelector: { matchLabels: { ...selector } },
      ...(this.options.minDomains !== undefined ? { minDomains: this.options.minDomains } : {}),
      ...(this.options.matchLabelKeys ? { matchLabelKeys: [...this.options.matchLabelKeys] } : {}),
    };
  }
}
