import { defineRule, PolicySeverity } from '../policy-rule';

export const rayJobCleanup = defineRule({
  id: 'ML-006',
  name: 'ray-job-cleanup',
  severity: PolicySeverity.WARNING,
  explanation: 'A RayJob without shutdownAfterJobFinishes: true leaves its RayCluster (head and GPU workers) running after the job ends, billing idle GPUs until someone deletes it.',
  fix: 'Set spec.shutdownAfterJobFinishes: true (and ttlSecondsAfterFinished to keep logs for a while), or submit to a long-lived RayCluster with clusterSelector.',
  check: (ctx) => ctx.ofKind('RayJob')
    .filter((j) => String(j.apiVersion).startsWith('ray.io/') && j.spec?.shutdownAfterJobFinishes !== true && j.spec?.clusterSelector === undefined)
    .map((j) => ({ object: j, message: 'does not set shutdownAfterJobFinishes: true; its cluster outlives the job', location: 'spec.shutdownAfterJobFinishes' })),
});
