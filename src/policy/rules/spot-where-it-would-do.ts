import { nameOf, namespaceOf } from '../model/manifest';
import { SPOT_LABELS, SpotPlacement, spotPlacement } from '../model/workloads';
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

const QUEUE_LABEL = 'kueue.x-k8s.io/queue-name';
const NODE_POOL_LABEL = 'karpenter.sh/nodepool';

/**
 * True when the object is submitted to a Kueue LocalQueue whose ClusterQueue has a
 * spot ResourceFlavor: Kueue adds the flavor's node labels and tolerations to the
 * pods at admission, so the manifest's own pod spec does not show the spot placement.
 * @see https://kueue.sigs.k8s.io/docs/concepts/resource_flavor/
 */
function admittedOnSpot(all: any[], obj: any, spotPools: Set<string>): boolean {
  const queue = obj?.metadata?.labels?.[QUEUE_LABEL];
  if (typeof queue !== 'string') return false;
  const find = (kind: string, name: unknown, namespace?: string) => all.find((o) => o?.kind === kind
    && String(o.apiVersion).startsWith('kueue.x-k8s.io/') && nameOf(o) === name && (namespace === undefined || namespaceOf(o) === namespace));
  const clusterQueue = find('ClusterQueue', find('LocalQueue', queue, namespaceOf(obj))?.spec?.clusterQueue);
  const flavors: string[] = (clusterQueue?.spec?.resourceGroups ?? []).flatMap((g: any) => (g?.flavors ?? []).map((f: any) => f?.name));
  return flavors.some((name) => Object.entries(find('ResourceFlavor', name)?.spec?.nodeLabels ?? {})
    .some(([k, v]) => SPOT_LABELS[k]?.includes(String(v)) || (k === NODE_POOL_LABEL && spotPools.has(String(v)))));
}

export const spotWhereItWouldDo = defineRule({
  id: 'COST-002',
  name: 'on-demand-where-spot-would-do',
  severity: PolicySeverity.INFO,
  explanation: 'A batch or training workload that retries lost pods runs only on on-demand nodes. Spot capacity costs 60-90% less and such a workload survives its reclaims (with checkpoints, at the price of some rework).',
  fix: 'Schedule it onto a spot pool (spotPool.schedule(job)) or tolerate and prefer spot nodes; keep on-demand for work that cannot checkpoint.',
  check: (ctx) => ctx._podGroups()
    .filter((g) => ['Job', 'CronJob', 'PyTorchJob', 'TFJob', 'MPIJob'].includes(g.object.kind))
    .filter((g) => restartTolerant(g) && spotPlacement(g.at.spec, ctx._spotPools()) === SpotPlacement.NONE
      && !admittedOnSpot(ctx.objects, g.object, ctx._spotPools()))
    .map((g) => violation(g, `retries lost pods (${g.object.kind}) yet never runs on spot capacity`)),
});
