import { Chart, Testing } from 'cdk8s';
import { MlModelServing, ModelServerAlerts, ServingScaling } from '../../src';
import { findObject, synthAndValidate } from '../util';
import { promtoolTest, runPromtool } from './util/promtool';

function render(factor?: number) {
  const chart = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
  const stable = new MlModelServing(chart, 'bert', { image: 'ml-model:v1', scaling: ServingScaling.fixed(3) });
  const canary = new MlModelServing(chart, 'bert-canary', { image: 'ml-model:v2', scaling: ServingScaling.fixed(1) });
  new ModelServerAlerts(chart, 'alerts', { serving: canary, compareWith: stable, canaryErrorRatioFactor: factor });
  const rule = findObject(synthAndValidate(chart), 'PrometheusRule', 'bert-canary');
  return { groups: rule.spec.groups, byName: Object.fromEntries(rule.spec.groups[0].rules.map((r: any) => [r.alert, r])), stable, canary, chart };
}

function tests(): unknown {
  const ns = 'namespace="ml"';
  const labels = { deployment: 'bert-canary', namespace: 'ml', severity: 'critical' };
  const base = [
    // Stable: 1% errors. Canary: 4% errors at 15m... then the canary gets well.
    { series: `http_requests_total{${ns},pod="bert-5d8f9c7b6-x2x7k",code="200"}`, values: '0+990x40' },
    { series: `http_requests_total{${ns},pod="bert-5d8f9c7b6-x2x7k",code="500"}`, values: '0+10x40' },
    { series: `http_requests_total{${ns},pod="bert-canary-6c7d8e9f0-abcde",code="200"}`, values: '0+960x40' },
  ];
  return {
    rule_files: ['rules.yml'],
    evaluation_interval: '1m',
    tests: [
      {
        interval: '1m',
        input_series: [...base, { series: `http_requests_total{${ns},pod="bert-canary-6c7d8e9f0-abcde",code="500"}`, values: '0+40x40' }],
        alert_rule_test: [{ eval_time: '20m', alertname: 'ModelServerCanaryErrorRatio', exp_alerts: [{ exp_labels: labels }] }],
      },
      {
        // 1.5% on the canary: within 2x the stable's 1%.
        interval: '1m',
        input_series: [...base, { series: `http_requests_total{${ns},pod="bert-canary-6c7d8e9f0-abcde",code="500"}`, values: '0+15x40' }],
        alert_rule_test: [{ eval_time: '20m', alertname: 'ModelServerCanaryErrorRatio', exp_alerts: [] }],
      },
    ],
  };
}

describe('ModelServerAlerts canary comparison', () => {
  const { groups, byName } = render();

  test('the canary error ratio against the stable one', () => {
    expect(byName.ModelServerCanaryErrorRatio.expr).toContain('pod=~"bert-canary-[a-z0-9]+-[a-z0-9]+"');
    expect(byName.ModelServerCanaryErrorRatio.expr).toContain('pod=~"bert-[a-z0-9]+-[a-z0-9]+"');
    expect(byName.ModelServerCanaryErrorRatio.labels.severity).toBe('critical');
  });

  test('errors', () => {
    expect(() => render(0.5)).toThrow("ModelServerAlerts 'prod/alerts': canaryErrorRatioFactor (0.5) must be at least 1");
  });

  promtoolTest('promtool test rules: fires above twice the stable ratio, not below', (promtool) => {
    const bare = groups.map((g: any) => ({ ...g, rules: g.rules.map(({ annotations, ...r }: any) => r) }));
    const result = runPromtool(promtool, ['test', 'rules', 'tests.yml'], { 'rules.yml': { groups: bare }, 'tests.yml': tests() });
    expect(result.output).toContain('SUCCESS');
    expect(result.ok).toBe(true);
  });
});
