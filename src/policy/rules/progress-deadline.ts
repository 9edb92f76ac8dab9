import { defineRule, PolicySeverity } from '../policy-rule';
import { containerAt, violation } from './helpers';

/** The longest a startup probe lets a container start, in seconds (Kubernetes defaults). */
export function startupBudgetSeconds(probe: any): number {
  return (probe?.initialDelaySeconds ?? 0) + (probe?.failureThreshold ?? 3) * (probe?.periodSeconds ?? 10);
}

export const progressDeadline = defineRule({
  id: 'REL-006',
  name: 'progress-deadline-covers-startup',
  severity: PolicySeverity.ERROR,
  explanation: 'A Deployment whose progressDeadlineSeconds (default 600) is shorter than its startup probe allows (initialDelaySeconds + failureThreshold × periodSeconds) is marked failed while a large model is still loading, so `kubectl rollout status` and GitOps tools report a failure and may roll back a healthy release.',
  fix: 'Raise spec.progressDeadlineSeconds above the startup probe budget (with a margin for image pulls), or speed up model loading.',
  check: (ctx) => ctx._podGroups()
    .filter((g) => g.object.kind === 'Deployment' || g.object.kind === 'Rollout')
    .flatMap((g) => {
      const deadline = g.object.spec?.progressDeadlineSeconds ?? 600;
      return (g.at.spec.containers ?? []).flatMap((c: any, i: number) => {
        if (!c?.startupProbe) return [];
        const budget = startupBudgetSeconds(c.startupProbe);
        return budget < deadline ? [] : [violation(g, `container "${c.name}" may take ${budget}s to start, not less than progressDeadlineSeconds (${deadline})`, `${containerAt(g, 'containers', i)}.startupProbe`)];
      });
    }),
});
