import { defineRule, PolicySeverity } from '../policy-rule';
import { budgetsOf, serverGroups, violation } from './helpers';

export const disruptionBudget = defineRule({
  id: 'REL-002',
  name: 'disruption-budget',
  severity: PolicySeverity.ERROR,
  explanation: 'A workload that can run two or more replicas has no PodDisruptionBudget, so a node drain (upgrade, Karpenter consolidation, spot rebalancing) may evict every replica at once and take the model offline.',
  fix: 'Add a policy/v1 PodDisruptionBudget selecting the pods with maxUnavailable: 1 (MlModelServing does this for you).',
  check: (ctx) => serverGroups(ctx)
    .filter((g) => g.maxPods >= 2 && budgetsOf(ctx, g).length === 0)
    .map((g) => violation(g, `runs up to ${g.maxPods} pods (${g.boundsFrom}) and no PodDisruptionBudget selects them`)),
});
