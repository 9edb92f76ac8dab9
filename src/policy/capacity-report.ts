import { App, Chart } from 'cdk8s';
import { quotaName, QuotaUse, quotaUses, WorkloadCapacity, workloadCapacities } from './model/capacity';
import { nameOf } from './model/manifest';
import { knownPools, misfits } from './model/pools';
import { formatCores, formatGiB } from './model/quantity';
import { addTotals, podAmounts, ResourceTotals, SpotPlacement, zeroTotals } from './model/workloads';
import { PolicyContext, PolicyNodePool } from './policy-context';
import { PolicyEngine, PolicyTarget } from './policy-engine';
import { PriceTable } from './price-table';

/** Options of the capacity and cost report. */
export interface CapacityReportOptions {
  /**
   * Hourly prices (OpenCost keys).
   * @default PriceTable.example() - labelled as example prices in every output
   */
  readonly prices?: PriceTable;
  /**
   * Node pools besides the Karpenter NodePools in the manifests, for pool limits.
   * @default - none
   */
  readonly nodePools?: PolicyNodePool[];
}

const HOURS_PER_MONTH = 730;

interface PoolUse {
  name: string;
  source: string;
  spot: boolean;
  limits?: Partial<ResourceTotals>;
  max: ResourceTotals;
  workloads: string[];
}
const GIB = 2 ** 30;

interface Row {
  namespace: string;
  kind: string;
  name: string;
  role: string;
  constructPath?: string;
  minPods: number;
  maxPods: number;
  boundsFrom: string;
  requestsPerPod: ResourceTotals;
  requestsMin: ResourceTotals;
  requestsMax: ResourceTotals;
  limitsMin: ResourceTotals;
  limitsMax: ResourceTotals;
  containersWithoutRequests: string[];
  placement: SpotPlacement;
  pool?: string;
  costPerHourMin: number;
  costPerHourMax: number;
}

function totalsJson(t: ResourceTotals) {
  return { cpu: round(t.cpu), memoryGiB: round(t.memory / GIB), gpu: t.gpu, ephemeralStorageGiB: round(t.ephemeralStorage / GIB) };
}

function round(n: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/**
 * Capacity and cost of the workloads in a set of manifests: per workload and
 * namespace, CPU, memory, GPUs and ephemeral storage requested and limited at
 * minimum and maximum scale (HPA/KEDA bounds, Job parallelism, Ray group maxima,
 * LeaderWorkerSet sizes), containers without requests, totals against ResourceQuotas
 * and node-pool limits, the spot share, and an estimated cost per hour and month
 * from requests and the price table. As Markdown, JSON or CSV.
 *
 * @example
 * import { CapacityReport, GpuNodePool, MlModelServing, PriceTable, ServingScaling } from 'cdk8s-ml';
 *
 * const llm = new MlModelServing(this, 'llm', {
 *   image: 'vllm/vllm-openai:v0.6.3',
 *   gpus: { count: 1 },
 *   scaling: ServingScaling.autoscale({ minReplicas: 1, maxReplicas: 4 }),
 * });
 * new GpuNodePool(this, 'gpu', { maxGpus: 8, instanceFamilies: ['g5', 'g6'] }).schedule(llm);
 * // Requests at minimum and maximum scale against the pool's limit, with their cost,
 * // as a Markdown table for the pull request.
 * const report = CapacityReport.fromChart(this, {
 *   prices: PriceTable.fromOpenCost({ CPU: '0.031', spotCPU: '0.007', RAM: '0.004', GPU: '1.01', spotGPU: '0.35' }),
 * });
 * const markdown = report.toMarkdown();
 */
export class CapacityReport {
  /** The report of plain manifests (e.g. parsed YAML). */
  public static fromManifests(manifests: any[], options: CapacityReportOptions = {}): CapacityReport {
    return new CapacityReport(manifests.map((manifest) => ({ manifest })), options);
  }

  /** The report of one chart, with construct paths. */
  public static fromChart(chart: Chart, options: CapacityReportOptions = {}): CapacityReport {
    return new CapacityReport(PolicyEngine._targetsOf(chart), options);
  }

  /** The report of every chart of an app together. */
  public static fromApp(app: App, options: CapacityReportOptions = {}): CapacityReport {
    return new CapacityReport(app.charts.flatMap((c) => PolicyEngine._targetsOf(c)), options);
  }

  /** The prices the estimate uses. */
  public readonly prices: PriceTable;
  private readonly rows: Row[];
  private readonly quotas: QuotaUse[];
  private readonly pools: PoolUse[];

  private constructor(targets: PolicyTarget[], options: CapacityReportOptions) {
    this.prices = options.prices ?? PriceTable.example();
    const paths = new Map<any, string | undefined>(targets.map((t) => [t.manifest, t.constructPath]));
    const ctx = new PolicyContext(targets.map((t) => t.manifest), { nodePools: options.nodePools });
    const capacities = workloadCapacities(ctx);
    const pools = knownPools(ctx.objects, ctx.nodePools);
    const poolOf = (c: WorkloadCapacity): string | undefined => {
      const spec = c.group.at.spec;
      const placed = (spec.tolerations ?? []).length > 0 || spec.nodeSelector !== undefined
        || spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution !== undefined;
      if (!placed) return undefined;
      const fits = pools.filter((p) => misfits(c.group, podAmounts(spec, 'requests'), p).length === 0);
      return fits.length === 1 ? fits[0].name : undefined;
    };
    this.rows = capacities.map((c) => {
      const g = c.group;
      return {
        namespace: c.namespace,
        kind: g.object.kind,
        name: nameOf(g.object),
        role: g.role,
        ...(paths.get(g.object) ? { constructPath: paths.get(g.object) } : {}),
        minPods: g.minPods,
        maxPods: g.maxPods,
        boundsFrom: g.boundsFrom,
        requestsPerPod: c.perPodRequests,
        requestsMin: c.minRequests,
        requestsMax: c.maxRequests,
        limitsMin: c.minLimits,
        limitsMax: c.maxLimits,
        containersWithoutRequests: c.withoutRequests,
        placement: c.spot,
        pool: poolOf(c),
        costPerHourMin: this.cost(c.minRequests, c.spot === SpotPlacement.REQUIRED),
        costPerHourMax: this.cost(c.maxRequests, c.spot === SpotPlacement.REQUIRED),
      };
    });
    this.quotas = quotaUses(ctx, capacities);
    this.pools = pools.filter((p) => p.limits && Object.keys(p.limits).length > 0).map((p) => {
      const on = this.rows.filter((r) => r.pool === p.name);
      return {
        name: p.name,
        source: p.source,
        spot: p.spot,
        limits: p.limits,
        max: on.reduce((a, r) => addTotals(a, r.requestsMax), zeroTotals()),
        workloads: on.map((r) => `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`),
      };
    });
  }

  /** Cost per hour of requests; spot prices for pods that only run on spot (upper bound otherwise). */
  private cost(t: ResourceTotals, spot: boolean): number {
    const p = (k: string) => this.prices.price(spot ? `spot${k}` : k);
    return t.cpu * p('CPU') + (t.memory / GIB) * p('RAM') + t.gpu * p('GPU') + (t.ephemeralStorage / GIB) * this.prices.price('storage');
  }

  private namespaces() {
    const names = [...new Set(this.rows.map((r) => r.namespace))].sort();
    return names.map((ns) => {
      const rows = this.rows.filter((r) => r.namespace === ns);
      const sum = (f: (r: Row) => ResourceTotals) => rows.reduce((a, r) => addTotals(a, f(r)), zeroTotals());
      return {
        namespace: ns,
        workloads: rows.length,
        requestsMin: sum((r) => r.requestsMin),
        requestsMax: sum((r) => r.requestsMax),
        limitsMin: sum((r) => r.limitsMin),
        limitsMax: sum((r) => r.limitsMax),
        costPerHourMin: rows.reduce((a, r) => a + r.costPerHourMin, 0),
        costPerHourMax: rows.reduce((a, r) => a + r.costPerHourMax, 0),
        withoutRequests: rows.reduce((a, r) => a + r.containersWithoutRequests.length, 0),
      };
    });
  }

  private spotShare() {
    const max = (f: (r: Row) => boolean, k: keyof ResourceTotals) => this.rows.filter(f).reduce((a, r) => a + r.requestsMax[k], 0);
    const all = (k: keyof ResourceTotals) => max(() => true, k);
    const share = (k: keyof ResourceTotals, p: SpotPlacement) => (all(k) === 0 ? 0 : round(max((r) => r.placement === p, k) / all(k), 4));
    return {
      cpu: { spot: share('cpu', SpotPlacement.REQUIRED), spotAllowed: share('cpu', SpotPlacement.ALLOWED) },
      gpu: { spot: share('gpu', SpotPlacement.REQUIRED), spotAllowed: share('gpu', SpotPlacement.ALLOWED) },
    };
  }

  /** The report as plain JSON. */
  public toJson(): any {
    const ns = this.namespaces();
    const perHour = (f: 'costPerHourMin' | 'costPerHourMax') => round(this.rows.reduce((a, r) => a + r[f], 0), 4);
    return {
      prices: { label: this.prices.label, currency: this.prices.currency, perHour: this.prices.toJson() },
      totals: {
        costPerHour: { min: perHour('costPerHourMin'), max: perHour('costPerHourMax') },
        costPerMonth: { min: round(perHour('costPerHourMin') * HOURS_PER_MONTH, 2), max: round(perHour('costPerHourMax') * HOURS_PER_MONTH, 2) },
        spotShare: this.spotShare(),
      },
      workloads: this.rows.map((r) => ({
        namespace: r.namespace,
        kind: r.kind,
        name: r.name,
        role: r.role,
        ...(r.constructPath ? { constructPath: r.constructPath } : {}),
        pods: { min: r.minPods, max: r.maxPods, from: r.boundsFrom },
        requestsPerPod: totalsJson(r.requestsPerPod),
        requests: { min: totalsJson(r.requestsMin), max: totalsJson(r.requestsMax) },
        limits: { min: totalsJson(r.limitsMin), max: totalsJson(r.limitsMax) },
        containersWithoutRequests: r.containersWithoutRequests,
        placement: r.placement,
        ...(r.pool ? { nodePool: r.pool } : {}),
        costPerHour: { min: round(r.costPerHourMin, 4), max: round(r.costPerHourMax, 4) },
      })),
      namespaces: ns.map((n) => ({
        namespace: n.namespace,
        workloads: n.workloads,
        requests: { min: totalsJson(n.requestsMin), max: totalsJson(n.requestsMax) },
        limits: { min: totalsJson(n.limitsMin), max: totalsJson(n.limitsMax) },
        containersWithoutRequests: n.withoutRequests,
        costPerHour: { min: round(n.costPerHourMin, 4), max: round(n.costPerHourMax, 4) },
      })),
      quotas: this.quotas.map((q) => ({
        quota: quotaName(q.quota),
        resource: q.resource,
        hard: q.hardText,
        atMin: round(q.atMin),
        atMax: round(q.atMax),
        exceededAtMax: q.atMax > q.hard,
      })),
      nodePools: this.pools.map((p) => ({
        name: p.name,
        source: p.source,
        spot: p.spot,
        limits: p.limits ? { ...p.limits } : {},
        requestsAtMax: totalsJson(p.max),
        workloads: p.workloads,
        exceededAtMax: (['cpu', 'memory', 'gpu'] as const).some((k) => p.limits?.[k] !== undefined && p.max[k] > p.limits[k]!),
      })),
    };
  }

  /** One CSV row per workload pod template (RFC 4180 quoting). */
  public toCsv(): string {
    const header = ['namespace', 'kind', 'name', 'role', 'construct_path', 'pods_min', 'pods_max',
      'cpu_request_min', 'cpu_request_max', 'memory_request_gib_min', 'memory_request_gib_max', 'gpu_min', 'gpu_max',
      'ephemeral_gib_max', 'cpu_limit_max', 'memory_limit_gib_max', 'containers_without_requests', 'placement', 'node_pool',
      'cost_per_hour_min', 'cost_per_hour_max', 'cost_per_month_max', 'currency', 'prices'];
    const q = (v: unknown) => {
      const s = String(v ?? '');
      return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
    };
    const lines = this.rows.map((r) => [
      r.namespace, r.kind, r.name, r.role, r.constructPath ?? '', r.minPods, r.maxPods,
      formatCores(r.requestsMin.cpu), formatCores(r.requestsMax.cpu), formatGiB(r.requestsMin.memory), formatGiB(r.requestsMax.memory),
      r.requestsMin.gpu, r.requestsMax.gpu, formatGiB(r.requestsMax.ephemeralStorage), formatCores(r.limitsMax.cpu), formatGiB(r.limitsMax.memory),
      r.containersWithoutRequests.join(' '), r.placement, r.pool ?? '',
      round(r.costPerHourMin, 4), round(r.costPerHourMax, 4), round(r.costPerHourMax * HOURS_PER_MONTH, 2), this.prices.currency, this.prices.label,
    ].map(q).join(','));
    return [header.join(','), ...lines].join('\n') + '\n';
  }

  /** Markdown: totals, then tables per workload, namespace, quota and node pool. */
  public toMarkdown(): string {
    const j = this.toJson();
    const cur = this.prices.currency;
    const money = (n: number) => `${round(n, 2).toFixed(2)} ${cur}`;
    const res = (t: ResourceTotals) => `${formatCores(t.cpu)} CPU, ${formatGiB(t.memory)} GiB${t.gpu ? `, ${t.gpu} GPU` : ''}`;
    const out = [
      '# Capacity and cost',
      '',
      `Prices: **${this.prices.label}** (${cur} per hour: ${Object.entries(this.prices.toJson()).map(([k, v]) => `${k} ${v}`).join(', ')}).`,
      `Estimated cost from requests: ${money(j.totals.costPerHour.min)}–${money(j.totals.costPerHour.max)} per hour, `
      + `${money(j.totals.costPerMonth.min)}–${money(j.totals.costPerMonth.max)} per month (${HOURS_PER_MONTH} h).`,
      `Spot share at maximum scale: CPU ${Math.round(j.totals.spotShare.cpu.spot * 100)}% spot-only (+${Math.round(j.totals.spotShare.cpu.spotAllowed * 100)}% may use spot), `
      + `GPU ${Math.round(j.totals.spotShare.gpu.spot * 100)}% spot-only (+${Math.round(j.totals.spotShare.gpu.spotAllowed * 100)}% may use spot).`,
      '',
      '## Workloads',
      '',
      '| Namespace | Workload | Pods (min–max) | Requests per pod | Requests at max | Limits at max | Without requests | Placement | Cost/h (min–max) |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      ...this.rows.map((r) => `| ${r.namespace || '-'} | ${r.kind} ${r.name}${r.role ? ` (${r.role})` : ''} | ${r.minPods}–${r.maxPods} (${r.boundsFrom}) | ${res(r.requestsPerPod)} `
        + `| ${res(r.requestsMax)} | ${res(r.limitsMax)} | ${r.containersWithoutRequests.join(', ') || '-'} | ${r.placement}${r.pool ? ` (${r.pool})` : ''} `
        + `| ${money(r.costPerHourMin)}–${money(r.costPerHourMax)} |`),
      '',
      '## Namespaces',
      '',
      '| Namespace | Workloads | Requests (min) | Requests (max) | Limits (max) | Containers without requests | Cost/month (max) |',
      '| --- | --- | --- | --- | --- | --- | --- |',
      ...this.namespaces().map((n) => `| ${n.namespace || '-'} | ${n.workloads} | ${res(n.requestsMin)} | ${res(n.requestsMax)} | ${res(n.limitsMax)} | ${n.withoutRequests} | ${money(n.costPerHourMax * HOURS_PER_MONTH)} |`),
    ];
    if (j.quotas.length > 0) {
      out.push('', '## Resource quotas', '', '| Quota | Resource | Hard | At min | At max | |', '| --- | --- | --- | --- | --- | --- |');
      for (const q of j.quotas) out.push(`| ${q.quota} | ${q.resource} | ${q.hard} | ${this.show(q.resource, q.atMin)} | ${this.show(q.resource, q.atMax)} | ${q.exceededAtMax ? '**exceeded at max**' : 'ok'} |`);
    }
    if (this.pools.length > 0) {
      out.push('', '## Node pools', '', '| Pool | Spot | Limits | Requests at max of workloads only it can run | |', '| --- | --- | --- | --- | --- |');
      for (const p of j.nodePools) {
        const limits = Object.entries(p.limits).map(([k, v]) => `${k} ${k === 'memory' ? `${formatGiB(v as number)} GiB` : v}`).join(', ');
        out.push(`| ${p.name} | ${p.spot ? 'yes' : 'no'} | ${limits} | ${p.requestsAtMax.cpu} CPU, ${p.requestsAtMax.memoryGiB} GiB, ${p.requestsAtMax.gpu} GPU | ${p.exceededAtMax ? '**exceeded at max**' : 'ok'} |`);
      }
    }
    return out.join('\n') + '\n';
  }

  private show(resource: string, value: number): string {
    return /memory|storage/.test(resource) ? `${formatGiB(value)}Gi` : String(round(value));
  }
}
