import { containerGpus } from '../model/workloads';
import { defineRule, PolicySeverity } from '../policy-rule';
import { containerAt, serverGroups, violation } from './helpers';

export const startupProbeOnGpuServers = defineRule({
  id: 'ML-003',
  name: 'startup-probe-on-gpu-servers',
  severity: PolicySeverity.ERROR,
  explanation: 'A GPU server loads gigabytes of weights before it answers. Without a startup probe its liveness probe kills it mid-load, over and over (CrashLoopBackOff) while it holds the GPU.',
  fix: 'Add a startupProbe whose failureThreshold × periodSeconds covers the model load (e.g. 60 × 10s); the liveness probe starts after it succeeds.',
  check: (ctx) => serverGroups(ctx).flatMap((g) => (g.at.spec.containers ?? []).flatMap((c: any, i: number) =>
    // A server (ports) gets a liveness probe sooner or later (REL-001), which kills it
    // mid-load; a GPU process with neither (a multi-node worker running
    // `ray start --block`) has nothing to wait out.
    Object.keys(containerGpus(c)).length > 0 && (c?.livenessProbe !== undefined || (c?.ports ?? []).length > 0)
      && c?.startupProbe === undefined
      ? [violation(g, `GPU container "${c.name}" has no startupProbe`, containerAt(g, 'containers', i))]
      : [])),
});
