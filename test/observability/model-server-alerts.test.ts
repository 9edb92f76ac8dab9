import { Chart, Duration, Testing } from 'cdk8s';
import { MlModelServing, MlModelServingProps, ModelServerAlerts, ModelServerAlertsProps, ServingScaledObject, ServingScaling } from '../../src';
import { findObject, findObjects, synthAndValidate } from '../util';
import { syntaxErrors } from './util/promql-grammar';
import { exprsAsRuleFile, promtoolTest, runPromtool } from './util/promtool';

function render(props: Partial<ModelServerAlertsProps> = {}, servingProps: Partial<MlModelServingProps> = {}, namespace: string | null = 'ml') {
  const chart = new Chart(Testing.app(), 'prod', { namespace: namespace ?? undefined });
  // A GPU server by default: the GPU alerts are on only for servers with GPUs.
  const serving = new MlModelServing(chart, 'bert', { image: 'ml-model:v1', gpus: { count: 1 }, ...servingProps });
  const alerts = new ModelServerAlerts(chart, 'alerts', { serving, ...props });
  const manifests = synthAndValidate(chart);
  const rule = findObject(manifests, 'PrometheusRule', 'bert');
  const byName = Object.fromEntries(rule.spec.groups[0].rules.map((r: any) => [r.alert, r]));
  return { alerts, rule, byName };
}

const POD = 'pod=~"bert-[a-z0-9]+-[a-z0-9]+"';

/** promtool unit tests of the default alerts of `bert` in `ml`, with synthetic series. */
function alertTests(): unknown {
  const pod = 'namespace="ml",pod="bert-5d8f9c7b6-x2x7k"';
  const common = { deployment: 'bert', namespace: 'ml', team: 'nlp' };
  return {
    rule_files: ['rules.yml'],
    evaluation_interval: '1m',
    tests: [{
      // Failing bert: 10 req/s, 1 of them 5xx; all requests take 1..2.5 s; one replica
      // unavailable; the HPA at its maximum of 20. A healthy other server alongside.
      interval: '1m',
      input_series: [
        { series: `http_requests_total{${pod},code="200"}`, values: '0+600x30' },
        { series: `http_requests_total{${pod},code="500"}`, values: '0+60x30' },
        { series: 'http_requests_total{namespace="ml",pod="gpt-7c9d8b6f5-abcde",code="500"}', values: '0+600x30' },
        { series: `http_request_duration_seconds_bucket{${pod},le="0.5"}`, values: '0+0x30' },
        { series: `http_request_duration_seconds_bucket{${pod},le="1"}`, values: '0+0x30' },
        { series: `http_request_duration_seconds_bucket{${pod},le="2.5"}`, values: '0+660x30' },
        { series: `http_request_duration_seconds_bucket{${pod},le="+Inf"}`, values: '0+660x30' },
        { series: 'kube_deployment_status_replicas_unavailable{namespace="ml",deployment="bert"}', values: '1x30' },
        { series: 'kube_deployment_status_replicas_unavailable{namespace="ml",deployment="gpt"}', values: '3x30' },
        { series: 'kube_horizontalpodautoscaler_status_current_replicas{namespace="ml",horizontalpodautoscaler="bert"}', values: '20x30' },
        { series: 'kube_horizontalpodautoscaler_spec_max_replicas{namespace="ml",horizontalpodautoscaler="bert"}', values: '20x30' },
        { series: `DCGM_FI_DEV_GPU_UTIL{${pod},gpu="0"}`, values: '50x30' },
      ],
      alert_rule_test: [
        // Conditions hold from the start, but not yet for the 10m pending period.
        { eval_time: '5m', alertname: 'ModelServerHighErrorRatio', exp_alerts: [] },
        { eval_time: '5m', alertname: 'ModelServerPodsNotReady', exp_alerts: [] },
        {
          eval_time: '15m',
          alertname: 'ModelServerHighErrorRatio',
          exp_alerts: [{
            exp_labels: { ...common, severity: 'critical' },
            exp_annotations: {
              summary: 'Model server bert: more than 5% of requests fail',
              description: '9.091% of requests to bert returned code=~"5.." over 5m.',
            },
          }],
        },
        {
          eval_time: '15m',
          alertname: 'ModelServerHighP99Latency',
          exp_alerts: [{
            exp_labels: { ...common, severity: 'warning' },
            exp_annotations: {
              summary: 'Model server bert: p99 inference latency above 1s',
              description: 'The 99th percentile of http_request_duration_seconds over 5m is 2.485s (threshold 1s).',
            },
          }],
        },
        {
          eval_time: '15m',
          alertname: 'ModelServerPodsNotReady',
          exp_alerts: [{
            exp_labels: { ...common, severity: 'warning' },
            exp_annotations: {
              summary: 'Model server bert: pods not ready',
              description: '1 replicas of bert have been unavailable for 10m (model loading, crash loops, failing readiness).',
            },
          }],
        },
        {
          eval_time: '15m',
          alertname: 'ModelServerReplicasAtMax',
          exp_alerts: [{
            exp_labels: { ...common, horizontalpodautoscaler: 'bert', severity: 'warning' },
            exp_annotations: {
              summary: "Model server bert: pinned at the autoscaler's maximum",
              description: 'HPA bert has run 20 replicas, its maximum, for 10m; load beyond it is not absorbed. Raise maxReplicas or add capacity.',
            },
          }],
        },
        // 50% utilization: neither saturated nor idle.
        { eval_time: '30m', alertname: 'ModelServerGpuSaturated', exp_alerts: [] },
        { eval_time: '30m', alertname: 'ModelServerGpuIdle', exp_alerts: [] },
      ],
    }, {
      // Idle GPUs fire only after the 1h idle period.
      interval: '5m',
      input_series: [{ series: `DCGM_FI_DEV_GPU_UTIL{${pod},gpu="0"}`, values: '3x30' }],
      alert_rule_test: [
        { eval_time: '50m', alertname: 'ModelServerGpuIdle', exp_alerts: [] },
        {
          eval_time: '90m',
          alertname: 'ModelServerGpuIdle',
          exp_alerts: [{
            exp_labels: { ...common, severity: 'info' },
            exp_annotations: {
              summary: 'Model server bert: GPUs idle',
              description: 'Average GPU utilization of bert has stayed below 10% for 1h (3%); fewer or smaller GPUs would do.',
            },
          }],
        },
      ],
    }],
  };
}

describe('ModelServerAlerts', () => {
  const { alerts, rule, byName } = render({ ruleLabels: { release: 'kube-prometheus-stack' }, alertLabels: { team: 'nlp' } });

  test('one group with the six model-server alerts', () => {
    expect(alerts.alertNames).toEqual([
      'ModelServerHighP99Latency', 'ModelServerHighErrorRatio', 'ModelServerReplicasAtMax',
      'ModelServerPodsNotReady', 'ModelServerGpuSaturated', 'ModelServerGpuIdle',
    ]);
    expect(rule.spec.groups.map((g: any) => g.name)).toEqual(['bert.model-server']);
    expect(alerts.groupName).toBe('bert.model-server');
  });

  test('the rule carries the labels Prometheus selects rules by', () => {
    expect(rule.metadata.labels).toMatchObject({ 'app.kubernetes.io/name': 'bert', 'release': 'kube-prometheus-stack' });
  });

  test('every alert is labelled with severity, namespace, deployment and the extra labels', () => {
    for (const r of Object.values<any>(byName)) {
      expect(r.labels).toMatchObject({ namespace: 'ml', deployment: 'bert', team: 'nlp' });
      expect(['info', 'warning', 'critical']).toContain(r.labels.severity);
      expect(r.annotations.summary).toContain('bert');
      expect(r.annotations.description).toBeDefined();
    }
  });

  test('default thresholds: p99 1s, 5% errors, GPU 95% / 10%', () => {
    expect(byName.ModelServerHighP99Latency.expr).toBe(
      `(histogram_quantile(0.99, sum by(le) (rate(http_request_duration_seconds_bucket{namespace="ml",${POD}}[5m])))) > (1)`);
    expect(byName.ModelServerHighErrorRatio.expr).toBe(
      `((sum(rate(http_requests_total{namespace="ml",${POD},code=~"5.."}[5m]))) / (sum(rate(http_requests_total{namespace="ml",${POD}}[5m])))) > (0.05)`);
    expect(byName.ModelServerReplicasAtMax.expr).toBe(
      '(kube_horizontalpodautoscaler_status_current_replicas{namespace="ml",horizontalpodautoscaler="bert"}) >= on(namespace, horizontalpodautoscaler) '
      + '(kube_horizontalpodautoscaler_spec_max_replicas{namespace="ml",horizontalpodautoscaler="bert"})');
    expect(byName.ModelServerPodsNotReady.expr).toBe('(kube_deployment_status_replicas_unavailable{namespace="ml",deployment="bert"}) > (0)');
    expect(byName.ModelServerGpuSaturated.expr).toBe(`(avg(DCGM_FI_DEV_GPU_UTIL{namespace="ml",${POD}})) > (95)`);
    expect(byName.ModelServerGpuIdle.expr).toBe(`(avg(DCGM_FI_DEV_GPU_UTIL{namespace="ml",${POD}})) < (10)`);
    expect(byName.ModelServerGpuIdle.for).toBe('1h');
    expect(byName.ModelServerHighErrorRatio.for).toBe('10m');
  });

  test('thresholds, metric names and periods are props', () => {
    const { byName: custom } = render({
      p99LatencyThreshold: Duration.millis(250),
      errorRatioThreshold: 0.01,
      rateWindow: Duration.minutes(2),
      pendingPeriod: Duration.minutes(5),
      gpuSaturatedPercent: 90,
      gpuIdlePercent: 20,
      gpuIdlePeriod: Duration.hours(3),
      dcgmPodLabel: 'exported_pod',
      dcgmNamespaceLabel: 'exported_namespace',
    }, {
      // The names come from the server's one declaration.
      metrics: {
        port: 8080,
        names: { latencyHistogram: 'vllm:e2e_request_latency_seconds', requestsCounter: 'model_requests_total', statusCodeLabel: 'status', errorCodeRegex: '5..|429' },
      },
    });
    expect(custom.ModelServerHighP99Latency.expr).toContain('vllm:e2e_request_latency_seconds_bucket{');
    expect(custom.ModelServerHighP99Latency.expr).toMatch(/\[2m\]\)\)\)\) > \(0\.25\)$/);
    expect(custom.ModelServerHighErrorRatio.expr).toContain('model_requests_total{namespace="ml",' + POD + ',status=~"5..|429"}[2m]');
    expect(custom.ModelServerHighErrorRatio.expr).toMatch(/> \(0\.01\)$/);
    expect(custom.ModelServerGpuSaturated.expr).toBe('(avg(DCGM_FI_DEV_GPU_UTIL{exported_namespace="ml",exported_pod=~"bert-[a-z0-9]+-[a-z0-9]+"})) > (90)');
    expect(custom.ModelServerGpuIdle.expr).toMatch(/< \(20\)$/);
    expect(custom.ModelServerGpuIdle.for).toBe('3h');
    // Not-ready waits out the server's startup budget (10 min), not the shorter pending period.
    expect(custom.ModelServerPodsNotReady.for).toBe('10m');
  });

  test('an external scaler without KEDA: no replicas-at-max alert; a fixed count: none either', () => {
    expect(render({}, { scaling: ServingScaling.external({ minReplicas: 2, maxReplicas: 10 }) }).alerts.alertNames).not.toContain('ModelServerReplicasAtMax');
    expect(render({}, { scaling: ServingScaling.fixed(3) }).alerts.alertNames).not.toContain('ModelServerReplicasAtMax');
  });

  test.each(['alerts first', 'KEDA first'])('with KEDA the alerts follow its HPA, whatever the order (%s)', order => {
    const chart = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
    const serving = new MlModelServing(chart, 'bert', { image: 'ml-model:v1' });
    const keda = () => new ServingScaledObject(chart, 'keda', { serving, threshold: 10 });
    const makeAlerts = () => new ModelServerAlerts(chart, 'alerts', { serving });
    if (order === 'alerts first') { makeAlerts(); keda(); } else { keda(); makeAlerts(); }
    const manifests = synthAndValidate(chart);
    const atMax = findObject(manifests, 'PrometheusRule', 'bert').spec.groups[0].rules.find((r: any) => r.alert === 'ModelServerReplicasAtMax');
    expect(atMax.expr).toContain('horizontalpodautoscaler="keda-hpa-bert"');
    // KEDA replaced the server's own HPA: one HPA owner only.
    expect(findObjects(manifests, 'HorizontalPodAutoscaler')).toEqual([]);
    expect(serving.autoscaler).toBeUndefined();
    expect(serving.hpaName).toBe('keda-hpa-bert');
  });

  test('GPU alerts can be left out; without a chart namespace, no namespace matcher', () => {
    const { alerts: a, byName: b } = render({ gpuAlerts: false }, {}, null);
    expect(a.alertNames).not.toContain('ModelServerGpuSaturated');
    expect(b.ModelServerPodsNotReady.expr).toBe('(kube_deployment_status_replicas_unavailable{deployment="bert"}) > (0)');
    expect(b.ModelServerPodsNotReady.labels).toEqual({ deployment: 'bert', severity: 'warning' });
  });

  test('every expression parses with the Prometheus grammar, with default and custom props', () => {
    const custom = render({ dcgmPodLabel: 'exported_pod' }, {
      metrics: { port: 8080, names: { latencyHistogram: 'vllm:e2e_request_latency_seconds', errorCodeRegex: '5..|429', statusCodeLabel: 'status' } },
    });
    const rules = [...Object.values<any>(byName), ...Object.values<any>(custom.byName)];
    expect(rules).toHaveLength(12);
    for (const r of rules) expect({ alert: r.alert, errors: syntaxErrors(r.expr) }).toEqual({ alert: r.alert, errors: [] });
  });

  promtoolTest('promtool check rules accepts the rendered groups (every expression parses)', (promtool) => {
    const result = runPromtool(promtool, ['check', 'rules', 'rules.yml'], { 'rules.yml': { groups: rule.spec.groups } });
    expect(result.output).toContain('SUCCESS: 6 rules found');
    expect(result.ok).toBe(true);
  });

  promtoolTest('the check can fail: promtool rejects a broken expression', (promtool) => {
    const result = runPromtool(promtool, ['check', 'rules', 'rules.yml'], { 'rules.yml': exprsAsRuleFile(['sum(rate(x[5m])']) });
    expect(result.ok).toBe(false);
  });

  promtoolTest('promtool test rules: the alerts fire on synthetic series, and only then', (promtool) => {
    const result = runPromtool(promtool, ['test', 'rules', 'tests.yml'], { 'rules.yml': { groups: rule.spec.groups }, 'tests.yml': alertTests() });
    expect(result.output).toContain('SUCCESS');
    expect(result.ok).toBe(true);
  });

  promtoolTest('promtool test rules fails when a threshold no longer matches the series', (promtool) => {
    const lenient = render({ ruleLabels: { release: 'kube-prometheus-stack' }, alertLabels: { team: 'nlp' }, errorRatioThreshold: 0.2 });
    const result = runPromtool(promtool, ['test', 'rules', 'tests.yml'], { 'rules.yml': { groups: lenient.rule.spec.groups }, 'tests.yml': alertTests() });
    expect(result.ok).toBe(false);
    expect(result.output).toContain('ModelServerHighErrorRatio');
  });

  test('GPU alerts default to on only for servers with GPUs', () => {
    const cpu = render({}, { gpus: undefined });
    expect(Object.keys(cpu.byName).filter(n => n.includes('Gpu'))).toEqual([]);
    const forced = render({ gpuAlerts: true }, { gpus: undefined });
    expect(Object.keys(forced.byName).filter(n => n.includes('Gpu')).sort()).toEqual(['ModelServerGpuIdle', 'ModelServerGpuSaturated']);
    expect(Object.keys(render().byName).filter(n => n.includes('Gpu')).length).toBe(2);
  });
});
