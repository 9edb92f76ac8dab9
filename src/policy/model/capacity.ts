// Requested and limited resources per workload at minimum and maximum scale, and
// their sums per namespace against ResourceQuotas: the ground truth of the capacity
// report and of the quota rule (ML-008), computed once.
import { containersOf, isObject, nameOf, namespaceOf } from './manifest';
import { quantityValue } from './quantity';
import { addTotals, isGpuResource, PodGroup, podAmounts, ResourceTotals, SpotPlacement, spotPlacement, zeroTotals } from './workloads';
import { PolicyContext } from '../policy-context';

export interface WorkloadCapacity {
  readonly group: PodGroup;
  readonly namespace: string;
  readonly perPodRequests: ResourceTotals;
  readonly perPodLimits: ResourceTotals;
  readonly minRequests: ResourceTotals;
  readonly maxRequests: ResourceTotals;
  readonly minLimits: ResourceTotals;
  readonly maxLimits: ResourceTotals;
  /** Containers with no cpu or memory request (BestEffort for that resource). */
  readonly withoutRequests: string[];
  readonly spot: SpotPlacement;
}

export function workloadCapacities(ctx: PolicyContext): WorkloadCapacity[] {
  return ctx._podGroups().map((g) => {
    const req = podAmounts(g.at.spec, 'requests');
    const lim = podAmounts(g.at.spec, 'limits');
    const withoutRequests = containersOf(g.at.spec)
      .filter(({ list }) => list !== 'ephemeralContainers')
      .filter(({ container: c }) => ['cpu', 'memory'].some((k) => c.resources?.requests?.[k] === undefined && c.resources?.limits?.[k] === undefined))
      .map(({ container }) => String(container.name));
    return {
      group: g,
      namespace: namespaceOf(g.object),
      perPodRequests: req,
      perPodLimits: lim,
      minRequests: addTotals(zeroTotals(), req, g.minPods),
      maxRequests: addTotals(zeroTotals(), req, g.maxPods),
      minLimits: addTotals(zeroTotals(), lim, g.minPods),
      maxLimits: addTotals(zeroTotals(), lim, g.maxPods),
      withoutRequests,
      spot: spotPlacement(g.at.spec, ctx._spotPools()),
    };
  });
}

/** What a quota's `hard` entry is measured against at maximum scale. */
export interface QuotaUse {
  readonly quota: any;
  readonly namespace: string;
  readonly resource: string;
  readonly hard: number;
  readonly hardText: string;
  readonly atMax: number;
  readonly atMin: number;
}

function measure(key: string, rows: WorkloadCapacity[], scale: 'min' | 'max'): number | undefined {
  const sum = (f: (r: WorkloadCapacity) => number) => rows.reduce((a, r) => a + f(r), 0);
  const req = (r: WorkloadCapacity) => (scale === 'max' ? r.maxRequests : r.minRequests);
  const lim = (r: WorkloadCapacity) => (scale === 'max' ? r.maxLimits : r.minLimits);
  switch (key) {
    case 'cpu': case 'requests.cpu': return sum((r) => req(r).cpu);
    case 'memory': case 'requests.memory': return sum((r) => req(r).memory);
    case 'limits.cpu': return sum((r) => lim(r).cpu);
    case 'limits.memory': return sum((r) => lim(r).memory);
    case 'ephemeral-storage': case 'requests.ephemeral-storage': return sum((r) => req(r).ephemeralStorage);
    case 'limits.ephemeral-storage': return sum((r) => lim(r).ephemeralStorage);
    case 'pods': case 'count/pods': return sum((r) => (scale === 'max' ? r.group.maxPods : r.group.minPods));
    default: {
      // Extended resources are quota'd as requests.<name> only.
      const m = /^requests\.(.+)$/.exec(key);
      if (m && isGpuResource(m[1])) {
        return sum((r) => (scale === 'max' ? r.group.maxPods : r.group.minPods) * gpusOf(r, m[1]));
      }
      return undefined;
    }
  }
}

function gpusOf(r: WorkloadCapacity, resource: string): number {
  // Per pod, the GPUs of that one resource name (a pod may mix MIG slices and whole GPUs).
  let app = 0;
  let init = 0;
  for (const { list, container } of containersOf(r.group.at.spec)) {
    const v = quantityValue(container.resources?.limits?.[resource] ?? container.resources?.requests?.[resource]) ?? 0;
    if (list === 'containers') app += v; else if (list === 'initContainers') init = Math.max(init, v);
  }
  return Math.max(app, init);
}

/**
 * Every measurable `hard` entry of every unscoped ResourceQuota, with the namespace's
 * use at minimum and maximum scale. Scoped quotas (scopes, scopeSelector) cover a
 * subset of pods we cannot always tell apart from manifests, so they are left out.
 */
export function quotaUses(ctx: PolicyContext, rows: WorkloadCapacity[]): QuotaUse[] {
  const out: QuotaUse[] = [];
  for (const quota of ctx.ofKind('ResourceQuota')) {
    if (quota.spec?.scopes || quota.spec?.scopeSelector) continue;
    const ns = namespaceOf(quota);
    const inNs = rows.filter((r) => r.namespace === ns);
    for (const [key, value] of Object.entries(isObject(quota.spec?.hard) ? quota.spec.hard : {})) {
      const hard = quantityValue(value);
      const atMax = measure(key, inNs, 'max');
      if (hard === undefined || atMax === undefined) continue;
      out.push({ quota, namespace: ns, resource: key, hard, hardText: String(value), atMax, atMin: measure(key, inNs, 'min') ?? 0 });
    }
  }
  return out;
}

/** `ResourceQuota ml/ml-quota`. */
export function quotaName(q: any): string {
  return `${namespaceOf(q)}/${nameOf(q)}`;
}
