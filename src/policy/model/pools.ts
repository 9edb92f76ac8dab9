// Node pools known to a check: Karpenter NodePools found in the manifests and pools
// the user declares, reduced to labels, taints, per-node allocatable and pool limits.
import { isObject, nameOf } from './manifest';
import { quantityValue } from './quantity';
import { isGpuResource, PodGroup, ResourceTotals, tolerates } from './workloads';
import { CAPACITY_TYPE_LABEL, NODE_POOL_LABEL } from '../../capacity/karpenter-node-pool';
import { CapacityType } from '../../capacity/karpenter-node-pool-options';
import { PolicyNodePool } from '../policy-context';

export interface KnownPool {
  readonly name: string;
  /** Label key -> the values nodes of the pool may carry. */
  readonly labels: Map<string, string[]>;
  readonly taints: { key: string; value?: string; effect: string }[];
  readonly allocatable?: Partial<ResourceTotals>;
  readonly limits?: Partial<ResourceTotals>;
  readonly spot: boolean;
  /** Where it comes from, for messages. */
  readonly source: string;
}

/** A resource list (`{ cpu: '64', 'nvidia.com/gpu': '8' }`) as totals. */
export function totalsOf(list: { [resource: string]: unknown } | undefined): Partial<ResourceTotals> | undefined {
  if (!isObject(list)) return undefined;
  const out: Partial<ResourceTotals> = {};
  for (const [k, v] of Object.entries(list)) {
    const n = quantityValue(v);
    if (n === undefined) continue;
    if (k === 'cpu') out.cpu = n;
    else if (k === 'memory') out.memory = n;
    else if (k === 'ephemeral-storage') out.ephemeralStorage = n;
    else if (isGpuResource(k)) out.gpu = (out.gpu ?? 0) + n;
  }
  return out;
}

/** The pools of the manifests (Karpenter v1 NodePools) and the user's declarations. */
export function knownPools(objects: any[], declared: PolicyNodePool[]): KnownPool[] {
  const pools: KnownPool[] = [];
  for (const o of objects) {
    if (o?.kind !== 'NodePool' || !String(o.apiVersion).startsWith('karpenter.sh/')) continue;
    const tpl = o.spec?.template ?? {};
    const labels = new Map<string, string[]>();
    for (const [k, v] of Object.entries(isObject(tpl.metadata?.labels) ? tpl.metadata.labels : {})) labels.set(k, [String(v)]);
    for (const r of tpl.spec?.requirements ?? []) {
      if (r?.operator === 'In' && Array.isArray(r.values)) labels.set(r.key, r.values.map(String));
    }
    labels.set(NODE_POOL_LABEL, [nameOf(o)]);
    const capacity = labels.get(CAPACITY_TYPE_LABEL);
    pools.push({
      name: nameOf(o),
      labels,
      taints: (tpl.spec?.taints ?? []).filter(isObject),
      limits: totalsOf(o.spec?.limits),
      spot: !!capacity && capacity.every((v) => v === CapacityType.SPOT),
      source: `NodePool ${nameOf(o)}`,
    });
  }
  for (const p of declared) {
    pools.push({
      name: p.name,
      labels: new Map(Object.entries(p.labels ?? {}).map(([k, v]) => [k, [v]])),
      taints: (p.taints ?? []).map((t) => ({ key: t.key, value: t.value, effect: t.effect })),
      allocatable: totalsOf(p.allocatable),
      limits: totalsOf(p.limits),
      spot: p.spot ?? false,
      source: `declared pool ${p.name}`,
    });
  }
  return pools;
}

function expressionHolds(e: any, pool: KnownPool): boolean {
  const have = pool.labels.get(e?.key);
  const values: string[] = Array.isArray(e?.values) ? e.values.map(String) : [];
  // Labels the pool does not declare (zone, instance type...) are unknown: assume
  // they can be met, so only contradictions with what is known fail.
  if (!have) return true;
  switch (e?.operator) {
    case 'In': return have.some((v) => values.includes(v));
    case 'NotIn': return have.some((v) => !values.includes(v));
    case 'DoesNotExist': return false;
    default: return true;
  }
}

/** Why `group`'s pods cannot run on `pool`; empty when they can. */
export function misfits(group: PodGroup, requests: ResourceTotals, pool: KnownPool): string[] {
  const spec = group.at.spec;
  const out: string[] = [];
  for (const t of pool.taints) {
    if ((t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerates(spec, t)) out.push(`does not tolerate ${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`);
  }
  for (const [k, v] of Object.entries(isObject(spec.nodeSelector) ? spec.nodeSelector : {})) {
    const have = pool.labels.get(k);
    if (have && !have.includes(String(v))) out.push(`nodeSelector ${k}=${v} (pool has ${have.join('|')})`);
  }
  const terms: any[] = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  if (terms.length > 0 && !terms.some((t) => (t?.matchExpressions ?? []).every((e: any) => expressionHolds(e, pool)))) {
    out.push('required node affinity matches none of its labels');
  }
  const fits = (label: string, need: number, bound: number | undefined, what: string) => {
    if (bound !== undefined && need > bound) out.push(`needs ${label} ${need} per pod, more than its ${what} (${bound})`);
  };
  for (const [bounds, what] of [[pool.allocatable, 'node allocatable'], [pool.limits, 'pool limit']] as const) {
    if (!bounds) continue;
    fits('cpu', requests.cpu, bounds.cpu, what);
    fits('memory', requests.memory, bounds.memory, what);
    fits('GPUs', requests.gpu, bounds.gpu, what);
  }
  return out;
}
