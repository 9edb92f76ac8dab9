import { Chart, Duration, Testing } from 'cdk8s';
import {
  DashboardPanel, GrafanaDashboard, GrafanaDashboardProps, MlDashboards, MlModelServing, ModelServingDashboard, PanelUnit, ServingScaling,
} from '../../src';
import { findObjects, synthAndValidate } from '../util';
import { syntaxErrors } from './util/promql-grammar';
import { exprsAsRuleFile, promtoolTest, runPromtool } from './util/promtool';

/** Every dashboard ConfigMap of a chart, parsed. */
function dashboards(chart: Chart): { configMap: any; json: any }[] {
  return findObjects(synthAndValidate(chart), 'ConfigMap')
    .filter((cm: any) => cm.metadata.labels?.grafana_dashboard === '1')
    .map((cm: any) => {
      const keys = Object.keys(cm.data);
      expect(keys).toHaveLength(1);
      return { configMap: cm, json: JSON.parse(cm.data[keys[0]]) };
    });
}

/** Substitutes Grafana's variables so the expression is plain PromQL. */
function plainPromQl(expr: string): string {
  return expr.replace(/\$__rate_interval/g, '5m').replace(/\$namespace/g, 'ml').replace(/\$\{datasource\}/g, 'prom');
}

/** What Grafana needs to load a dashboard and what ours always have. */
function expectWellFormed(json: any): void {
  expect(typeof json.uid).toBe('string');
  expect(json.uid).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
  expect(json.title).toEqual(expect.any(String));
  expect(json.schemaVersion).toBe(42); // the Grafana Foundation SDK's (Grafana 12)
  expect(json.time).toEqual({ from: expect.any(String), to: 'now' });
  expect(json.templating.list.map((v: any) => [v.name, v.type])).toEqual([['datasource', 'datasource'], ['namespace', 'query']]);
  expect(json.templating.list[0].query).toBe('prometheus');
  expect(json.templating.list[1].datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
  expect(json.panels.length).toBeGreaterThan(0);
  const ids = new Set<number>();
  for (const panel of json.panels) {
    expect(['timeseries', 'stat']).toContain(panel.type);
    expect(panel.title).toEqual(expect.any(String));
    expect(Number.isInteger(panel.id)).toBe(true);
    ids.add(panel.id);
    const g = panel.gridPos;
    expect(g.x + g.w).toBeLessThanOrEqual(24);
    expect(g.h).toBeGreaterThan(0);
    expect(panel.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
    expect(panel.targets.length).toBeGreaterThan(0);
    expect(new Set(panel.targets.map((t: any) => t.refId)).size).toBe(panel.targets.length);
    for (const t of panel.targets) expect(t.expr.trim()).not.toBe('');
  }
  expect(ids.size).toBe(json.panels.length);
}

/** No two panels overlap on the grid. */
function expectNoOverlap(panels: any[]): void {
  for (const a of panels) {
    for (const b of panels) {
      if (a === b) continue;
      const ga = a.gridPos;
      const gb = b.gridPos;
      const overlap = ga.x < gb.x + gb.w && gb.x < ga.x + ga.w && ga.y < gb.y + gb.h && gb.y < ga.y + ga.h;
      expect(overlap).toBe(false);
    }
  }
}

function allExprs(items: { json: any }[]): string[] {
  return items.flatMap(d => d.json.panels.flatMap((p: any) => p.targets.map((t: any) => plainPromQl(t.expr))));
}

/** Every panel query that the Prometheus grammar (@prometheus-io/lezer-promql) rejects. */
function unparsable(items: { json: any }[]): string[] {
  return allExprs(items).filter(e => syntaxErrors(e).length > 0);
}

describe('MlDashboards: the guide\'s four dashboards', () => {
  const chart = new Chart(Testing.app(), 'monitoring', { namespace: 'monitoring' });
  const set = new MlDashboards(chart, 'dashboards');
  const items = dashboards(chart);

  test('four sidecar ConfigMaps in the ML folder', () => {
    expect(items.map(d => d.json.title)).toEqual(['Cluster Overview', 'Application Metrics', 'ML Model Metrics', 'Resource Utilization']);
    for (const { configMap, json } of items) {
      expect(configMap.metadata.labels).toEqual({ grafana_dashboard: '1' });
      expect(configMap.metadata.annotations).toEqual({ grafana_folder: 'ML' });
      expect(Object.keys(configMap.data)).toEqual([`${json.uid}.json`]);
    }
    expect(set.clusterOverview.uid).toBe('ml-cluster-overview');
  });

  test('valid dashboard JSON with datasource and namespace variables, non-overlapping panels', () => {
    for (const { json } of items) {
      expectWellFormed(json);
      expectNoOverlap(json.panels);
    }
  });

  test('the panels the guide names, with real cAdvisor, kube-state-metrics and DCGM series', () => {
    const byTitle = (title: string) => items.flatMap(d => d.json.panels).find((p: any) => p.title === title);
    expect(byTitle('Request rate').targets[0].expr).toBe('sum by(pod) (rate(http_requests_total{namespace="$namespace"}[$__rate_interval]))');
    expect(byTitle('Request latency').targets.map((t: any) => t.legendFormat)).toEqual(['p50', 'p90', 'p99']);
    expect(byTitle('Request latency').targets[2].expr).toBe(
      'histogram_quantile(0.99, sum by(le) (rate(http_request_duration_seconds_bucket{namespace="$namespace"}[$__rate_interval])))');
    expect(byTitle('Error ratio').fieldConfig.defaults.unit).toBe('percentunit');
    expect(byTitle('Inference latency').targets[0].expr).toContain('model_inference_duration_seconds_bucket');
    expect(byTitle('Inference throughput').targets[0].expr).toContain('model_inferences_total');
    expect(byTitle('Model accuracy').targets[0].expr).toContain('model_accuracy');
    expect(byTitle('CPU usage (cores)').targets[0].expr).toBe(
      'sum by(pod) (rate(container_cpu_usage_seconds_total{namespace="$namespace",container!="",container!="POD"}[$__rate_interval]))');
    expect(byTitle('Memory working set').targets[0].expr).toContain('container_memory_working_set_bytes');
    expect(byTitle('GPU utilization').targets[0].expr).toBe('avg by(pod) (DCGM_FI_DEV_GPU_UTIL{namespace="$namespace"})');
    expect(byTitle('Nodes ready').targets[0].expr).toBe('sum(kube_node_status_condition{condition="Ready",status="true"})');
  });

  test('metric names and folder are props', () => {
    const c = new Chart(Testing.app(), 'monitoring');
    new MlDashboards(c, 'dashboards', { folder: 'Inference', namePrefix: 'llm', inferenceLatencyHistogram: 'vllm:e2e_request_latency_seconds' });
    const d = dashboards(c);
    expect(d[0].configMap.metadata.annotations).toEqual({ grafana_folder: 'Inference' });
    expect(d.map(x => x.json.uid)).toEqual(['llm-cluster-overview', 'llm-application-metrics', 'llm-model-metrics', 'llm-resource-utilization']);
    expect(JSON.stringify(d[2].json)).toContain('vllm:e2e_request_latency_seconds_bucket');
  });

  test('every panel query parses with the Prometheus grammar (variables substituted)', () => {
    expect(allExprs(items).length).toBeGreaterThan(15);
    expect(unparsable(items)).toEqual([]);
  });

  promtoolTest('every panel query parses (promtool, variables substituted)', (promtool) => {
    const exprs = allExprs(items);
    expect(exprs.length).toBeGreaterThan(15);
    const result = runPromtool(promtool, ['check', 'rules', 'rules.yml'], { 'rules.yml': exprsAsRuleFile(exprs) });
    expect(result.output).toContain(`SUCCESS: ${exprs.length} rules found`);
  });
});

describe('ModelServingDashboard', () => {
  const chart = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
  const serving = new MlModelServing(chart, 'bert', { image: 'ml-model:v1', scaling: ServingScaling.autoscale({ minReplicas: 2, maxReplicas: 8 }) });
  new ModelServingDashboard(chart, 'dashboard', { serving });
  const items = dashboards(chart);
  const json = items[0].json;

  test('one dashboard for the server, namespace preselected, all its queries on its pods', () => {
    expect(items).toHaveLength(1);
    expect(items[0].configMap.metadata.name).toBe('bert-dashboard');
    expect(json.title).toBe('Model server: bert');
    expectWellFormed(json);
    expectNoOverlap(json.panels);
    expect(json.templating.list[1].current).toEqual({ text: 'ml', value: 'ml' });
    for (const panel of json.panels) {
      for (const t of panel.targets) {
        if (/^[0-9]+$/.test(t.expr)) continue; // the replica bounds
        expect(t.expr).toMatch(/pod=~"bert-\[a-z0-9\]\+-\[a-z0-9\]\+"|deployment="bert"/);
      }
    }
    const bounds = json.panels.find((p: any) => p.title === 'Replica bounds');
    expect(bounds.targets.map((t: any) => t.expr)).toEqual(['2', '8']);
  });

  test('every panel query parses with the Prometheus grammar', () => {
    expect(unparsable(items)).toEqual([]);
  });

  promtoolTest('every panel query parses (promtool)', (promtool) => {
    const exprs = allExprs(items);
    const result = runPromtool(promtool, ['check', 'rules', 'rules.yml'], { 'rules.yml': exprsAsRuleFile(exprs) });
    expect(result.output).toContain(`SUCCESS: ${exprs.length} rules found`);
  });
});

describe('GrafanaDashboard', () => {
  function make(props: Partial<GrafanaDashboardProps>) {
    const chart = new Chart(Testing.app(), 'prod');
    return () => new GrafanaDashboard(chart, 'board', { title: 'Board', ...props });
  }
  const panel = (title: string, width?: number) => DashboardPanel.timeSeries({ title, width, queries: [{ expr: 'up' }] });

  test('custom sidecar label, folder annotation, labels; panels wrap at 24 columns', () => {
    const chart = new Chart(Testing.app(), 'prod');
    const board = new GrafanaDashboard(chart, 'board', {
      title: 'Board',
      uid: 'my_board',
      folder: 'Team',
      folderAnnotation: 'k8s-sidecar-target-directory',
      sidecarLabel: 'grafana_dashboard_ml',
      metadata: { labels: { team: 'nlp' } },
      panels: [panel('a', 16), panel('b', 16)],
    });
    board.addPanel(DashboardPanel.stat({ title: 'c', unit: PanelUnit.PERCENT, queries: [{ expr: 'up' }] }));
    expect(dashboards(chart)).toHaveLength(0); // not labelled grafana_dashboard
    const cm = findObjects(synthAndValidate(chart), 'ConfigMap')[0];
    expect(cm.metadata.labels).toEqual({ team: 'nlp', grafana_dashboard_ml: '1' });
    expect(cm.metadata.annotations).toEqual({ 'k8s-sidecar-target-directory': 'Team' });
    const json = JSON.parse(cm.data['my_board.json']);
    expect(json.panels.map((p: any) => p.gridPos)).toEqual([
      { h: 8, w: 16, x: 0, y: 0 }, { h: 8, w: 16, x: 0, y: 8 }, { h: 4, w: 6, x: 16, y: 8 },
    ]);
    expect(json.panels[2].fieldConfig.defaults.unit).toBe('percent');
    expect(board.toJson().uid).toBe('my_board');
  });

  test('panel kinds, units, descriptions and queries reach the JSON (Grafana Foundation SDK builders)', () => {
    const chart = new Chart(Testing.app(), 'prod');
    new GrafanaDashboard(chart, 'board', {
      title: 'Board',
      panels: [
        DashboardPanel.stat({ title: 's', queries: [{ expr: 'up' }] }),
        DashboardPanel.timeSeries({
          title: 't', unit: PanelUnit.SECONDS, description: 'why', queries: [{ expr: 'up', legend: '{{pod}}' }, { expr: 'vector(1)' }],
        }),
      ],
    });
    const [s, t] = dashboards(chart)[0].json.panels;
    expect(s.type).toBe('stat');
    expect(s.options.reduceOptions.calcs).toEqual(['lastNotNull']);
    expect(s.fieldConfig.defaults.unit).toBe('short');
    expect(s.description).toBeUndefined();
    expect(t.type).toBe('timeseries');
    expect(t.options.legend).toMatchObject({ displayMode: 'list', placement: 'bottom', showLegend: true });
    expect(t.options.tooltip).toEqual({ mode: 'multi', sort: 'desc' });
    expect(t.fieldConfig.defaults.unit).toBe('s');
    expect(t.description).toBe('why');
    expect(t.targets).toEqual([
      { refId: 'A', expr: 'up', legendFormat: '{{pod}}', range: true, instant: false, datasource: { type: 'prometheus', uid: '${datasource}' } },
      { refId: 'B', expr: 'vector(1)', range: true, instant: false, datasource: { type: 'prometheus', uid: '${datasource}' } },
    ]);
  });

  test.each<[string, Partial<GrafanaDashboardProps>, string]>([
    ['uid too long', { uid: 'x'.repeat(41) }, `GrafanaDashboard 'prod/board': uid ('${'x'.repeat(41)}') must be 1 to 40 letters, digits, '-' or '_'`],
    ['uid with dots', { uid: 'a.b' }, "GrafanaDashboard 'prod/board': uid ('a.b') must be 1 to 40 letters, digits, '-' or '_'"],
    ['empty title', { title: ' ' }, "GrafanaDashboard 'prod/board': title must not be empty"],
    ['empty folder', { folder: '' }, "GrafanaDashboard 'prod/board': folder must not be empty"],
    ['bad name', { name: 'My Board' }, "GrafanaDashboard 'prod/board': name ('My Board') must be a valid RFC 1123 DNS subdomain"],
    ['panel too wide', { panels: [panel('wide', 30)] }, "GrafanaDashboard 'prod/board': panels['wide'].width (30) must be between 1 and 24"],
    ['panel without queries', { panels: [DashboardPanel.timeSeries({ title: 'none', queries: [] })] },
      "GrafanaDashboard 'prod/board': panels['none'] has 0 queries; give 1 to 26"],
    ['panel with an empty query', { panels: [DashboardPanel.stat({ title: 'blank', queries: [{ expr: '' }] })] },
      "GrafanaDashboard 'prod/board': panels['blank'] has an empty query"],
  ])('rejects %s', (_name, props, message) => {
    expect(make(props)).toThrow(message);
  });

  test('refresh and time range are Durations, written in one Grafana unit', () => {
    const json = (props: Partial<GrafanaDashboardProps>) => make({ panels: [panel('a')], ...props })().toJson();
    expect([json({}).refresh, json({}).time.from]).toEqual(['30s', 'now-6h']);
    const custom = json({ refresh: Duration.minutes(1), timeFrom: Duration.minutes(90) });
    expect([custom.refresh, custom.time.from]).toEqual(['1m', 'now-90m']);
    expect(json({ timeFrom: Duration.days(7) }).time.from).toBe('now-7d');
    expect(make({ refresh: Duration.millis(1500) })).toThrow("GrafanaDashboard 'prod/board': refresh (1.5s) must be a positive whole number of seconds");
    expect(make({ timeFrom: Duration.seconds(0) })).toThrow("GrafanaDashboard 'prod/board': timeFrom (0s) must be a positive whole number of seconds");
  });

  test('a dashboard too large for kubectl apply fails at synth', () => {
    const chart = new Chart(Testing.app(), 'prod');
    const big = `sum(up{job=~"${'a'.repeat(10_000)}"})`;
    new GrafanaDashboard(chart, 'board', {
      title: 'Board',
      panels: Array.from({ length: 30 }, (_, i) => DashboardPanel.timeSeries({ title: `p${i}`, queries: [{ expr: big }] })),
    });
    expect(() => chart.toJson()).toThrow(/GrafanaDashboard 'prod\/board': panels make a dashboard of \d+ bytes, above the 256 KiB kubectl apply can store; split it$/);
  });

  test('metric names of the builders are checked', () => {
    const chart = new Chart(Testing.app(), 'prod');
    expect(() => new MlDashboards(chart, 'd', { accuracyGauge: 'model-accuracy' }))
      .toThrow("MlDashboards 'prod/d': accuracyGauge ('model-accuracy') must be a valid Prometheus metric name");
    expect(() => new MlDashboards(chart, 'e', { statusCodeLabel: 'status code' }))
      .toThrow("MlDashboards 'prod/e': statusCodeLabel ('status code') must be a valid Prometheus label name");
  });
});
