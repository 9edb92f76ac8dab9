import { SpotPlacement, spotPlacement } from '../model/workloads';
import { defineRule, PolicySeverity } from '../policy-rule';
import { violation } from './helpers';

/** True when a batch pod group retries lost pods, so losing a spot node costs time, not the run. */
function restartTolerant(g: { object: any; at: { owner: any; path: string } }): boolean {
  const o = g.object;
  if (o.kind === 'Job') return (o.spec?.backoffLimit ?? 6) > 0;
  if (o.kind === 'CronJob') return (o.spec?.jobTemplate?.spec?.backoffLimit ?? 6) > 0;
  if (/ReplicaSpecs\./.test(g.at.path)) return o.spec?.elasticPolicy !== undefined || (g.at.owner?.restartPolicy ?? 'Never') !== 'Never';
  return false;
}

export const spotWhereItWouldDo = defineRule({
  id: 'COST-002',
  name: 'on-demand-where-spot-would-do',
  severity: PolicySeverity.INFO,
  explanation: 'A batch or training workload that retries lost pods runs only on on-demand nodes. Spot capacity costs 60-90% less and such a workload survives its reclaims (with checkpoints, at the price of some rework).',
  fix: 'Schedule it onto a spot pool (spotPool.schedule(job)) or tolerate and prefer spot nodes; keep on-demand for work that cannot checkpoint.',
  check: (ctx) => ctx._podGroups()
    .filter((g) => ['Job', 'CronJob', 'PyTorchJob', 'TFJob', 'MPIJob'].includes(g.object.kind))
    .filter((g) => restartTolerant(g) && spotPlacement(g.at.spec, ctx._spotPools()) === SpotPlacement.NONE)
    .map((g) => violation(g, `retries lost pods (${g.object.kind}) yet never runs on spot capacity`)),
});
