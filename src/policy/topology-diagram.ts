import { App, Chart } from 'cdk8s';
import { isObject, mapSelectorMatches, nameOf, namespaceOf, selectorMatches } from './model/manifest';
import { knownPools, misfits } from './model/pools';
import { podAmounts, spotPlacement, SpotPlacement } from './model/workloads';
import { PolicyContext, PolicyNodePool } from './policy-context';
import { PolicyEngine, PolicyTarget } from './policy-engine';

/** How the diagram groups objects into subgraphs. */
export enum DiagramGrouping {
  /** One subgraph per construct (the child of the chart that made the objects); namespaces for YAML. */
  CONSTRUCT = 'construct',
  /** One subgraph per namespace. */
  NAMESPACE = 'namespace',
}

/** Options of {@link TopologyDiagram}. */
export interface TopologyDiagramOptions {
  /**
   * Subgraphs per construct or per namespace.
   * @default DiagramGrouping.CONSTRUCT
   */
  readonly groupBy?: DiagramGrouping;
  /**
   * Node pools besides the Karpenter NodePools in the manifests.
   * @default - none
   */
  readonly nodePools?: PolicyNodePool[];
}

// The kinds drawn; the rest (ConfigMaps, ServiceAccounts, RBAC...) would only add noise.
const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod', 'Rollout', 'PyTorchJob', 'TFJob',
  'MPIJob', 'TrainJob', 'RayJob', 'RayCluster', 'RayService', 'LeaderWorkerSet', 'InferenceService', 'JobSet']);
const DRAWN = new Set([...WORKLOADS, 'Service', 'HorizontalPodAutoscaler', 'ScaledObject', 'PodDisruptionBudget', 'HTTPRoute', 'GRPCRoute',
  'Ingress', 'ServiceMonitor', 'PodMonitor', 'NetworkPolicy', 'NodePool', 'VerticalPodAutoscaler']);

interface DNode { id: string; label: string; group: string; kind: string; spot?: boolean }
interface DEdge { from: string; to: string; label: string; dashed?: boolean }

/**
 * The topology of a set of manifests as Mermaid or Graphviz DOT: one subgraph per
 * construct or namespace, edges from selectors and references (Service → pods,
 * HPA/KEDA/VPA → workload, PDB, HTTPRoute weights, Ingress, ServiceMonitor/PodMonitor,
 * NetworkPolicy allow rules, workload → node pool).
 *
 * @example
 * import { DiagramGrouping, MlModelServing, TopologyDiagram } from 'cdk8s-ml';
 *
 * new MlModelServing(this, 'bert', { image: 'registry.example.com/ml/bert-server:1.4.2' });
 * // Workloads, Services, budgets, autoscalers and network policies as a Mermaid
 * // flowchart (for a README or a pull request), one subgraph per namespace.
 * const mermaid = TopologyDiagram.fromChart(this, { groupBy: DiagramGrouping.NAMESPACE }).toMermaid();
 */
export class TopologyDiagram {
  /** The diagram of plain manifests (e.g. parsed YAML). */
  public static fromManifests(manifests: any[], options: TopologyDiagramOptions = {}): TopologyDiagram {
    return new TopologyDiagram(manifests.map((manifest) => ({ manifest })), options);
  }

  /** The diagram of one chart, grouped by construct. */
  public static fromChart(chart: Chart, options: TopologyDiagramOptions = {}): TopologyDiagram {
    return new TopologyDiagram(PolicyEngine._targetsOf(chart), options);
  }

  /** The diagram of every chart of an app. */
  public static fromApp(app: App, options: TopologyDiagramOptions = {}): TopologyDiagram {
    return new TopologyDiagram(app.charts.flatMap((c) => PolicyEngine._targetsOf(c)), options);
  }

  private readonly nodes: DNode[] = [];
  private readonly edges: DEdge[] = [];

  private constructor(targets: PolicyTarget[], options: TopologyDiagramOptions) {
    const groupBy = options.groupBy ?? DiagramGrouping.CONSTRUCT;
    const ctx = new PolicyContext(targets.map((t) => t.manifest), { nodePools: options.nodePools });
    const ids = new Map<any, string>();
    const groupOf = (t: PolicyTarget): string => {
      const path = t.constructPath?.split('/');
      if (groupBy === DiagramGrouping.CONSTRUCT && path && path.length >= 2) return path.length > 2 ? path.slice(0, 2).join('/') : path[0];
      const ns = namespaceOf(t.manifest);
      return ns ? `namespace ${ns}` : t.manifest.kind === 'NodePool' ? 'cluster' : 'no namespace';
    };
    for (const t of targets) {
      const o = t.manifest;
      if (!isObject(o) || !DRAWN.has(o.kind)) continue;
      const id = `n${this.nodes.length}`;
      ids.set(o, id);
      this.nodes.push({ id, label: `${o.kind}\n${nameOf(o)}`, group: groupOf(t), kind: o.kind });
    }
    const ref = (kind: string, ns: string, name: string) => {
      const o = ctx.find(kind, ns, name);
      return o ? ids.get(o) : undefined;
    };
    const edge = (from: string | undefined, to: string | undefined, label: string, dashed = false) => {
      if (from && to && from !== to) this.edges.push({ from, to, label, dashed });
    };

    // Pod templates indexed by namespace and label pair, so selectors find their
    // workloads without scanning every one (thousands of servers in one namespace).
    const groups = ctx._podGroups().filter((g) => ids.has(g.object));
    const index = new Map<string, typeof groups>();
    for (const g of groups) {
      for (const [k, v] of Object.entries(isObject(g.at.metadata?.labels) ? g.at.metadata.labels : {})) {
        const key = `${namespaceOf(g.object)}\u0000${k}=${v}`;
        const list = index.get(key);
        if (list) list.push(g); else index.set(key, [g]);
      }
    }
    const podsSelectedBy = (ns: string, selector: any, plain: boolean) => {
      const labels = plain ? selector : selector?.matchLabels;
      // The rarest label pair of the selector narrows the search most.
      const lists = Object.entries(isObject(labels) ? labels : {}).map(([k, v]) => index.get(`${ns}\u0000${k}=${v}`) ?? []);
      const candidates = lists.length > 0
        ? lists.reduce((a, b) => (b.length < a.length ? b : a))
        : groups.filter((g) => namespaceOf(g.object) === ns);
      const match = plain ? mapSelectorMatches : selectorMatches;
      const seen = new Set<any>();
      return candidates.filter((g) => match(selector, g.at.metadata?.labels) && !seen.has(g.object) && seen.add(g.object));
    };

    for (const o of ctx.objects) {
      const id = ids.get(o);
      if (!id) continue;
      const ns = namespaceOf(o);
      switch (o.kind) {
        case 'Service':
          for (const g of podsSelectedBy(ns, o.spec?.selector, true)) edge(id, ids.get(g.object), 'selects');
          break;
        case 'HorizontalPodAutoscaler':
        case 'ScaledObject': {
          const t = o.spec?.scaleTargetRef ?? {};
          const bounds = o.kind === 'ScaledObject' ? `${o.spec?.minReplicaCount ?? 0}–${o.spec?.maxReplicaCount ?? 100}` : `${o.spec?.minReplicas ?? 1}–${o.spec?.maxReplicas}`;
          edge(id, ref(t.kind ?? 'Deployment', ns, t.name), `scales ${bounds}`);
          break;
        }
        case 'VerticalPodAutoscaler':
          edge(id, ref(o.spec?.targetRef?.kind, ns, o.spec?.targetRef?.name), `right-sizes (${o.spec?.updatePolicy?.updateMode ?? 'Auto'})`);
          break;
        case 'PodDisruptionBudget':
          for (const g of podsSelectedBy(ns, o.spec?.selector, false)) edge(id, ids.get(g.object), 'protects');
          break;
        case 'HTTPRoute':
        case 'GRPCRoute':
          for (const rule of o.spec?.rules ?? []) {
            for (const b of rule?.backendRefs ?? []) {
              if ((b?.kind ?? 'Service') !== 'Service') continue;
              edge(id, ref('Service', b.namespace ?? ns, b.name), b.weight !== undefined ? `weight ${b.weight}` : 'routes');
            }
          }
          break;
        case 'Ingress':
          for (const rule of o.spec?.rules ?? []) {
            for (const p of rule?.http?.paths ?? []) edge(id, ref('Service', ns, p?.backend?.service?.name), `${rule.host ?? '*'}${p.path ?? '/'}`);
          }
          break;
        case 'ServiceMonitor': {
          const nsSel = o.spec?.namespaceSelector;
          const namespaces: string[] | undefined = nsSel?.any ? undefined : nsSel?.matchNames ?? [ns];
          for (const svc of ctx.ofKind('Service')) {
            if (namespaces && !namespaces.includes(namespaceOf(svc))) continue;
            if (selectorMatches(o.spec?.selector, svc.metadata?.labels)) edge(id, ids.get(svc), 'scrapes');
          }
          break;
        }
        case 'PodMonitor':
          for (const g of podsSelectedBy(ns, o.spec?.selector, false)) edge(id, ids.get(g.object), 'scrapes');
          break;
        case 'NetworkPolicy': {
          const targetsOf = podsSelectedBy(ns, o.spec?.podSelector ?? {}, false);
          for (const rule of o.spec?.ingress ?? []) {
            const ports = (rule?.ports ?? []).map((p: any) => p?.port).filter((p: any) => p !== undefined).join(',');
            for (const peer of rule?.from ?? []) {
              // Peers in other namespaces (namespaceSelector) are drawn only when they are pod selectors we can resolve here.
              if (!peer?.podSelector || peer.namespaceSelector) continue;
              for (const src of podsSelectedBy(ns, peer.podSelector, false)) {
                for (const dst of targetsOf) edge(ids.get(src.object), ids.get(dst.object), `allowed${ports ? ` :${ports}` : ''}`, true);
              }
            }
          }
          for (const dst of targetsOf) edge(id, ids.get(dst.object), 'isolates', true);
          break;
        }
        default:
          break;
      }
    }

    // Workload -> the one declared pool it can run on.
    const pools = knownPools(ctx.objects, ctx.nodePools);
    const poolIds = new Map<string, string>();
    for (const p of pools) {
      const existing = ctx.objects.find((o) => o.kind === 'NodePool' && nameOf(o) === p.name && ids.has(o));
      if (existing) {poolIds.set(p.name, ids.get(existing)!);} else {
        const id = `n${this.nodes.length}`;
        this.nodes.push({ id, label: `node pool\n${p.name}`, group: 'cluster', kind: 'NodePool', spot: p.spot });
        poolIds.set(p.name, id);
      }
    }
    if (pools.length > 0) {
      for (const g of groups) {
        const spec = g.at.spec;
        const placed = (spec.tolerations ?? []).length > 0 || spec.nodeSelector !== undefined || spec.affinity?.nodeAffinity !== undefined;
        if (!placed) continue;
        const fits = pools.filter((p) => misfits(g, podAmounts(spec, 'requests'), p).length === 0);
        if (fits.length === 0 || (pools.length > 1 && fits.length === pools.length)) continue;
        const spot = spotPlacement(spec, ctx._spotPools());
        for (const p of fits) edge(ids.get(g.object), poolIds.get(p.name), `runs on${g.role ? ` (${g.role})` : ''}${spot === SpotPlacement.REQUIRED ? ' spot' : ''}`, true);
      }
    }
    // One edge per (from, to, label).
    const seen = new Set<string>();
    this.edges = this.edges.filter((e) => {
      const k = `${e.from}>${e.to}>${e.label}`;
      return !seen.has(k) && seen.add(k) !== undefined;
    });
  }

  private groups(): Map<string, DNode[]> {
    const out = new Map<string, DNode[]>();
    for (const n of this.nodes) out.set(n.group, [...(out.get(n.group) ?? []), n]);
    return out;
  }

  /** The diagram as a Mermaid flowchart. */
  public toMermaid(): string {
    const esc = (s: string) => s.replace(/"/g, '#quot;').replace(/\n/g, '<br/>');
    const lines = ['flowchart LR'];
    let g = 0;
    for (const [group, nodes] of this.groups()) {
      lines.push(`  subgraph g${g++}["${esc(group)}"]`);
      for (const n of nodes) lines.push(`    ${n.id}["${esc(n.label)}"]`);
      lines.push('  end');
    }
    for (const e of this.edges) lines.push(`  ${e.from} ${e.dashed ? '-.->' : '-->'}|"${esc(e.label)}"| ${e.to}`);
    return lines.join('\n') + '\n';
  }

  /** The diagram as Graphviz DOT (`dot -Tsvg`). */
  public toDot(): string {
    const esc = (s: string) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
    const shape = (kind: string) => (WORKLOADS.has(kind) ? 'box3d' : kind === 'NodePool' ? 'cylinder' : kind === 'Service' ? 'ellipse' : 'note');
    const lines = ['digraph topology {', '  rankdir=LR;', '  node [fontname="Helvetica", fontsize=10];', '  edge [fontname="Helvetica", fontsize=9];'];
    let g = 0;
    for (const [group, nodes] of this.groups()) {
      lines.push(`  subgraph cluster_${g++} {`, `    label="${esc(group)}";`, '    style=rounded;');
      for (const n of nodes) lines.push(`    ${n.id} [label="${esc(n.label)}", shape=${shape(n.kind)}${n.spot ? ', style=dashed' : ''}];`);
      lines.push('  }');
    }
    for (const e of this.edges) lines.push(`  ${e.from} -> ${e.to} [label="${esc(e.label)}"${e.dashed ? ', style=dashed' : ''}];`);
    lines.push('}');
    return lines.join('\n') + '\n';
  }
}
