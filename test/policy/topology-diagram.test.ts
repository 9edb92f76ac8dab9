import { spawnSync } from 'child_process';
import { App } from 'cdk8s';
import { deployment, pdb } from './fixtures';
import { build as buildCanary } from '../../examples/canary';
import { build as buildMonitoring } from '../../examples/monitoring';
import { build as buildSpot } from '../../examples/spot-capacity';
import { DiagramGrouping, TopologyDiagram } from '../../src';

/** Renders DOT with Graphviz; CI installs it (.ci/run), so a missing `dot` fails rather than skips. */
function renderDot(dot: string): string {
  const r = spawnSync('dot', ['-Tsvg'], { input: dot, encoding: 'utf-8' });
  if (r.error) throw new Error(`Graphviz 'dot' is needed to check the DOT output (apt-get install graphviz): ${r.error.message}`);
  if (r.status !== 0) throw new Error(`dot rejected the diagram:\n${r.stderr}\n${dot}`);
  return r.stdout;
}

function appWith(build: (app: App) => void): App {
  const app = new App({ outdir: '/tmp/cdk8s-ml-policy-diagram' });
  build(app);
  return app;
}

describe('topology diagram of the examples', () => {
  test('spot-capacity: Service, HPA, PDB, VPA edges and the training job on the spot pool; valid DOT', () => {
    const diagram = TopologyDiagram.fromChart(appWith(buildSpot).charts[0]);
    const dot = diagram.toDot();
    expect(dot).toContain('label="spot-capacity/llm";');
    expect(dot).toMatch(/n\d+ \[label="Deployment\\nllm", shape=box3d\];/);
    for (const label of ['selects', 'scales 3–12', 'protects', 'right-sizes (Off)', 'runs on spot']) expect(dot).toContain(`[label="${label}"`);
    expect(renderDot(dot)).toContain('<svg');
  });

  test('canary-gateway: HTTPRoute weights to the stable and canary Services', () => {
    const app = appWith(buildCanary);
    const chart = app.charts.find((c) => c.node.id === 'canary-gateway')!;
    const diagram = TopologyDiagram.fromChart(chart);
    const mermaid = diagram.toMermaid();
    expect(mermaid.startsWith('flowchart LR\n')).toBe(true);
    expect(mermaid).toMatch(/-->\|"weight 90"\| n\d+/);
    expect(mermaid).toMatch(/-->\|"weight 10"\| n\d+/);
    expect(renderDot(diagram.toDot())).toContain('<svg');
  });

  test('monitored-serving: ServiceMonitor and PodMonitor scrape edges, KEDA scaling', () => {
    const app = appWith(buildMonitoring);
    const chart = app.charts.find((c) => c.node.id === 'monitored-serving')!;
    const diagram = TopologyDiagram.fromChart(chart, { groupBy: DiagramGrouping.NAMESPACE });
    const dot = diagram.toDot();
    expect(dot).toContain('label="namespace ml";');
    expect(dot).toContain('[label="scrapes"]');
    expect(dot).toMatch(/ScaledObject[^\n]*\n/);
    expect(renderDot(dot)).toContain('<svg');
  });
});

describe('topology diagram of YAML', () => {
  test('NetworkPolicy allow edges between workloads, labels escaped for both formats', () => {
    const api = deployment('api');
    const bert = deployment('bert "v2"');
    const policy = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'bert', namespace: 'ml' },
      spec: { podSelector: { matchLabels: { app: 'bert "v2"' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'api' } } }], ports: [{ port: 8080 }] }] },
    };
    const diagram = TopologyDiagram.fromManifests([api, bert, pdb('api'), policy]);
    const dot = diagram.toDot();
    expect(dot).toContain('n0 -> n1 [label="allowed :8080", style=dashed];');
    expect(dot).toContain('[label="Deployment\\nbert \\"v2\\""');
    expect(diagram.toMermaid()).toContain('n1["Deployment<br/>bert #quot;v2#quot;"]');
    expect(dot).toContain('label="namespace ml";');
    renderDot(dot);
  });
});
