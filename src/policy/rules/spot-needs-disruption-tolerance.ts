import { SpotPlacement, spotPlacement } from '../model/workloads';
import { defineRule, PolicySeverity, PolicyViolation } from '../policy-rule';
import { budgetsOf, violation } from './helpers';

const SERVER = new Set(['Deployment', 'StatefulSet', 'ReplicaSet', 'Rollout', 'LeaderWorkerSet']);

export const spotNeedsDisruptionTolerance = defineRule({
  id: 'ML-005',
  name: 'spot-needs-disruption-tolerance',
  severity: PolicySeverity.WARNING,
  explanation: 'Spot nodes are reclaimed with two minutes\' notice (30 s on GKE). A server on spot without a PodDisruptionBudget and two replicas goes down with its node; a job on spot without retries (backoffLimit: 0, restartPolicy: Never, no elastic policy) fails for good at the first reclaim.',
  fix: 'Servers: run at least 2 replicas with a PodDisruptionBudget. Jobs: allow retries (backoffLimit >= 1 or a podFailurePolicy that ignores DisruptionTarget), restartPolicy OnFailure or an elasticPolicy for PyTorchJob workers, and checkpoint.',
  check: (ctx) => ctx._podGroups().flatMap((g): PolicyViolation[] => {
    if (spotPlacement(g.at.spec, ctx._spotPools()) === SpotPlacement.NONE) return [];
    const kind = g.object.kind;
    if (SERVER.has(kind)) {
      const problems = [];
      if (g.minPods < 2) problems.push(`runs as few as ${g.minPods} pod(s)`);
      if (budgetsOf(ctx, g).length === 0) problems.push('has no PodDisruptionBudget');
      return problems.length ? [violation(g, `may run on spot and ${problems.join(' and ')}`)] : [];
    }
    if (kind === 'Job' || kind === 'CronJob') {
      const job = kind === 'CronJob' ? g.object.spec?.jobTemplate?.spec ?? {} : g.object.spec ?? {};
      const failsOnDisruption = (job.podFailurePolicy?.rules ?? []).some((r: any) => r?.action === 'FailJob'
        && (r.onPodConditions ?? []).some((c: any) => c?.type === 'DisruptionTarget'));
      if (job.backoffLimit === 0 || failsOnDisruption) {
        return [violation(g, `may run on spot but ${failsOnDisruption ? 'fails the job on DisruptionTarget' : 'has backoffLimit: 0'}: one reclaimed node fails it`, 'spec')];
      }
      return [];
    }
    if (/ReplicaSpecs\./.test(g.at.path)) {
      const restart = g.at.owner?.restartPolicy ?? 'Never';
      const elastic = g.object.spec?.elasticPolicy !== undefined;
      if (restart === 'Never' && !elastic && g.object.spec?.runPolicy?.backoffLimit === undefined) {
        return [violation(g, 'may run on spot with restartPolicy Never, no elasticPolicy and no runPolicy.backoffLimit: one reclaimed node fails the job')];
      }
      return [];
    }
    if (g.role === 'headGroupSpec') {
      return [violation(g, 'the Ray head may run on spot: losing it loses the cluster and its jobs')];
    }
    return [];
  }),
});
