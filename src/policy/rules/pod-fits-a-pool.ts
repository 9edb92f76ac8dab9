import { knownPools, misfits } from '../model/pools';
import { podAmounts } from '../model/workloads';
import { defineRule, PolicySeverity } from '../policy-rule';
import { violation } from './helpers';

export const podFitsAPool = defineRule({
  id: 'ML-007',
  name: 'pod-fits-a-declared-pool',
  severity: PolicySeverity.ERROR,
  explanation: 'A pod that asks for placement (GPUs, tolerations, a node selector or required node affinity) but fits no declared node pool (Karpenter NodePools in the manifests, or pools passed as nodePools) stays Pending forever: its taints are not tolerated, its labels contradict the pool\'s, or it needs more than a node (or the whole pool limit) offers.',
  fix: 'Schedule the workload onto a pool with pool.schedule(workload) (tolerations and affinity together), lower its requests, or declare the pool it is meant for.',
  check: (ctx) => {
    const pools = knownPools(ctx.objects, ctx.nodePools);
    if (pools.length === 0) return [];
    return ctx._podGroups().flatMap((g) => {
      const spec = g.at.spec;
      const requests = podAmounts(spec, 'requests');
      const placed = requests.gpu > 0 || (spec.tolerations ?? []).length > 0 || spec.nodeSelector !== undefined
        || spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution !== undefined;
      if (!placed) return [];
      const reasons = pools.map((p) => ({ p, why: misfits(g, requests, p) }));
      if (reasons.some((r) => r.why.length === 0)) return [];
      return [violation(g, `fits no declared node pool: ${reasons.map((r) => `${r.p.source} (${r.why.join('; ')})`).join(', ')}`)];
    });
  },
});
