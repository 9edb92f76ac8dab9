import { defineRule, PolicySeverity } from '../policy-rule';
import { containerAt, serverGroups, violation } from './helpers';

export const serverProbes = defineRule({
  id: 'REL-001',
  name: 'server-probes',
  severity: PolicySeverity.ERROR,
  explanation: 'A serving container without a readiness probe gets traffic before its model is loaded (errors on every rollout and scale-up); without a liveness probe a wedged server (CUDA error, deadlock) keeps its GPU and its share of traffic forever.',
  fix: 'Give every container that exposes a port a readinessProbe (the model is loaded) and a livenessProbe (the process answers), e.g. httpGet /ready and /health.',
  check: (ctx) => serverGroups(ctx).flatMap((g) =>
    (Array.isArray(g.at.spec.containers) ? g.at.spec.containers : []).flatMap((c: any, i: number) => {
      if (!Array.isArray(c?.ports) || c.ports.length === 0) return [];
      const missing = ['readinessProbe', 'livenessProbe'].filter((p) => c[p] === undefined);
      return missing.length === 0 ? [] : [violation(g, `container "${c.name}" serves ports but has no ${missing.join(' and no ')}`, containerAt(g, 'containers', i))];
    })),
});
