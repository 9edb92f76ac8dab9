import { nameOf } from '../model/manifest';
import { defineRule, PolicySeverity, PolicyViolation } from '../policy-rule';
import { budgetsOf, serverGroups } from './helpers';

/** Pods a budget lets go at `pods` replicas, or undefined when it cannot be judged. */
export function evictable(pdb: any, pods: number): number | undefined {
  const value = (v: unknown): number | undefined => {
    if (typeof v === 'number') return v;
    const pct = typeof v === 'string' ? /^(\d+)%$/.exec(v) : null;
    return pct ? Number(pct[1]) : undefined;
  };
  const isPct = (v: unknown) => typeof v === 'string' && v.endsWith('%');
  const { minAvailable, maxUnavailable } = pdb.spec ?? {};
  if (maxUnavailable !== undefined) {
    const n = value(maxUnavailable);
    if (n === undefined) return undefined;
    // Kubernetes rounds a maxUnavailable percentage up.
    return isPct(maxUnavailable) ? Math.ceil((n / 100) * pods) : n;
  }
  if (minAvailable !== undefined) {
    const n = value(minAvailable);
    if (n === undefined) return undefined;
    // ... and a minAvailable percentage up too, which leaves fewer to evict.
    return pods - (isPct(minAvailable) ? Math.ceil((n / 100) * pods) : n);
  }
  return undefined;
}

export const disruptionBudgetAllowsEviction = defineRule({
  id: 'REL-003',
  name: 'disruption-budget-allows-eviction',
  severity: PolicySeverity.ERROR,
  explanation: 'A PodDisruptionBudget that allows no eviction at the workload\'s smallest scale (minAvailable >= the HPA minimum or the replicas, maxUnavailable: 0) makes every node drain hang: cluster upgrades stall and Karpenter cannot consolidate or replace spot nodes.',
  fix: 'Use maxUnavailable: 1, or a minAvailable below the fewest replicas the workload (or its HPA minReplicas) can run.',
  check: (ctx) => serverGroups(ctx).flatMap((g) => budgetsOf(ctx, g).flatMap((pdb): PolicyViolation[] => {
    const atMin = evictable(pdb, g.minPods);
    if (atMin === undefined || atMin >= 1) return [];
    return [{
      object: pdb,
      message: `allows ${Math.max(atMin, 0)} evictions when ${g.object.kind} ${nameOf(g.object)} runs its fewest pods (${g.minPods}, from ${g.boundsFrom}): drains block`,
      location: 'spec',
    }];
  })),
});
