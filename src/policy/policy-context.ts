import { isObject, nameOf, namespaceOf, selectorMatches } from './model/manifest';
import { PodGroup, podGroups, scalerKey, spotOnlyPools } from './model/workloads';

/** A taint on the nodes of a declared pool. */
export interface PolicyNodeTaint {
  /** The taint key. */
  readonly key: string;
  /**
   * The taint value.
   * @default - none
   */
  readonly value?: string;
  /** `NoSchedule`, `PreferNoSchedule` or `NoExecute`. */
  readonly effect: string;
}

/**
 * A pool of nodes the cluster has, declared by the user for the checks that need
 * node shapes (a pod that fits no node) and the capacity report (node-pool limits).
 * Karpenter NodePools in the manifests are read on their own; declare the others
 * (managed node groups, GKE/AKS pools) here.
 */
export interface PolicyNodePool {
  /** The pool's name. */
  readonly name: string;
  /**
   * Labels every node of the pool carries, e.g. `{ 'cloud.google.com/gke-nodepool': 'l4-spot' }`.
   * @default - none known
   */
  readonly labels?: { [key: string]: string };
  /**
   * Taints every node of the pool carries.
   * @default - none
   */
  readonly taints?: PolicyNodeTaint[];
  /**
   * What one node offers to pods, as Kubernetes quantities keyed by resource name
   * (`cpu`, `memory`, `nvidia.com/gpu`).
   * @default - unknown: no per-node fit check
   */
  readonly allocatable?: { [resource: string]: string };
  /**
   * The most the whole pool may hold, as quantities keyed by resource name.
   * @default - unlimited
   */
  readonly limits?: { [resource: string]: string };
  /**
   * Whether the pool's nodes are spot capacity.
   * @default false
   */
  readonly spot?: boolean;
}

/** Facts the checks use beyond the manifests. */
export interface PolicyContextOptions {
  /**
   * Node pools of the cluster not described by the manifests.
   * @default - only Karpenter NodePools found in the manifests
   */
  readonly nodePools?: PolicyNodePool[];
}

/**
 * The manifests under check, with lookups rules share. Rules read only the plain
 * JSON objects, never constructs, so YAML from anywhere (Helm included) is judged
 * like a chart of this library.
 *
 * @example
 * import { IPolicyRule, PolicyChecks, PolicyContext, PolicyPack, PolicySeverity, PolicyViolation } from 'cdk8s-ml';
 *
 * // A rule of your own reads the manifests under check through the context.
 * class TeamLabel implements IPolicyRule {
 *   public readonly id: string = 'ACME-001';
 *   public readonly name: string = 'team-label';
 *   public readonly severity: PolicySeverity = PolicySeverity.WARNING;
 *   public readonly suppressible: boolean = true;
 *   public readonly explanation: string = 'Every workload names its owning team, so its alerts reach someone.';
 *   public readonly fix: string = 'Add metadata.labels.team.';
 *
 *   public check(context: PolicyContext): PolicyViolation[] {
 *     const violations: PolicyViolation[] = [];
 *     for (const deployment of context.ofKind('Deployment')) {
 *       if (!deployment.metadata.labels || !deployment.metadata.labels.team) {
 *         violations.push({ object: deployment, message: 'has no team label', location: 'metadata.labels.team' });
 *       }
 *     }
 *     return violations;
 *   }
 * }
 * PolicyChecks.of(this, { printWarnings: false }).addPack(PolicyPack.custom('acme', [new TeamLabel()]));
 */
export class PolicyContext {
  /** Every manifest under check. */
  public readonly objects: any[];
  /** Node pools declared by the user. */
  public readonly nodePools: PolicyNodePool[];

  private readonly byKind = new Map<string, any[]>();
  private readonly byKey = new Map<string, any>();
  private pdbIndex?: Map<string, any[]>;
  private groups?: PodGroup[];
  private spotPools?: Set<string>;

  constructor(objects: any[], options: PolicyContextOptions = {}) {
    this.objects = objects.filter((o) => typeof o === 'object' && o !== null && !Array.isArray(o));
    this.nodePools = options.nodePools ?? [];
    for (const o of this.objects) {
      const list = this.byKind.get(o.kind) ?? [];
      list.push(o);
      this.byKind.set(o.kind, list);
      const key = `${o.kind}\u0000${namespaceOf(o)}\u0000${nameOf(o)}`;
      if (!this.byKey.has(key)) this.byKey.set(key, o);
    }
  }

  /** Every object of `kind` (any apiVersion). */
  public ofKind(kind: string): any[] {
    return this.byKind.get(kind) ?? [];
  }

  /** The object of `kind` named `name` in `namespace` ('' for none), if present. */
  public find(kind: string, namespace: string, name: string): any {
    return this.byKey.get(`${kind}\u0000${namespace}\u0000${name}`);
  }

  /**
   * The PodDisruptionBudgets of `namespace` whose selector matches `labels`, found
   * through an index on their rarest matchLabels pair: several rules ask for every
   * workload, and a namespace may hold thousands of budgets.
   * @internal
   */
  public _budgetsFor(namespace: string, labels: { [key: string]: string }): any[] {
    if (!this.pdbIndex) {
      // Index each budget under its rarest matchLabels pair, so a pair every
      // budget shares (managed-by, component) never becomes the bucket.
      this.pdbIndex = new Map();
      const pdbs = this.ofKind('PodDisruptionBudget');
      const pairs = (p: any) => Object.entries(isObject(p.spec?.selector?.matchLabels) ? p.spec.selector.matchLabels : {})
        .map(([k, v]) => `${namespaceOf(p)}\u0000${k}=${v}`);
      const counts = new Map<string, number>();
      for (const p of pdbs) for (const k of pairs(p)) counts.set(k, (counts.get(k) ?? 0) + 1);
      for (const p of pdbs) {
        const keys = pairs(p);
        const key = keys.length === 0 ? `${namespaceOf(p)}\u0000` : keys.reduce((a, b) => (counts.get(b)! < counts.get(a)! ? b : a));
        const list = this.pdbIndex.get(key);
        if (list) list.push(p); else this.pdbIndex.set(key, [p]);
      }
    }
    const candidates = [
      ...(this.pdbIndex.get(`${namespace}\u0000`) ?? []),
      ...Object.entries(labels).flatMap(([k, v]) => this.pdbIndex!.get(`${namespace}\u0000${k}=${v}`) ?? []),
    ];
    return [...new Set(candidates)].filter((p) => selectorMatches(p.spec?.selector, labels));
  }

  /** Every pod template with its scale bounds. @internal */
  public _podGroups(): PodGroup[] {
    if (!this.groups) {
      const scalers = new Map<string, any>();
      for (const s of [...this.ofKind('HorizontalPodAutoscaler'), ...this.ofKind('ScaledObject')]) {
        const key = scalerKey(s);
        if (key && !scalers.has(key)) scalers.set(key, s);
      }
      this.groups = this.objects.flatMap((o) => podGroups(o, (target) => scalers.get(`${namespaceOf(target)}\u0000${target.kind}\u0000${nameOf(target)}`)));
    }
    return this.groups;
  }

  /** Names of spot-only Karpenter NodePools and user pools marked spot. @internal */
  public _spotPools(): Set<string> {
    if (!this.spotPools) {
      this.spotPools = spotOnlyPools(this.objects);
      for (const p of this.nodePools) if (p.spot) this.spotPools.add(p.name);
    }
    return this.spotPools;
  }
}
