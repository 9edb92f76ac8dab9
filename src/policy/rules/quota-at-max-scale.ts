import { quotaUses, workloadCapacities } from '../model/capacity';
import { defineRule, PolicySeverity } from '../policy-rule';

export const quotaAtMaxScale = defineRule({
  id: 'ML-008',
  name: 'quota-covers-max-scale',
  severity: PolicySeverity.ERROR,
  explanation: 'The workloads declared in a namespace need more at maximum scale (HPA/KEDA maxima, Job parallelism, Ray and LeaderWorkerSet group sizes) than its ResourceQuota allows. The quota admission then refuses new pods exactly at peak load: the HPA scales up and nothing starts.',
  fix: 'Raise the quota\'s hard limits, lower the autoscalers\' maxima, or move workloads to another namespace; the capacity report (`cdk8s-ml report`) shows the sums.',
  check: (ctx) => {
    if (ctx.ofKind('ResourceQuota').length === 0) return [];
    return quotaUses(ctx, workloadCapacities(ctx))
      .filter((u) => u.atMax > u.hard)
      .map((u) => ({
        object: u.quota,
        message: `hard ${u.resource} is ${u.hardText} but the namespace's workloads need ${round(u.atMax, u.resource)} at maximum scale`,
        location: `spec.hard.${u.resource}`,
      }));
  },
});

function round(value: number, resource: string): string {
  if (/memory|storage/.test(resource)) return `${Math.round((value / 2 ** 20) * 100) / 100}Mi`;
  return String(Math.round(value * 1000) / 1000);
}
