// The analysis queries evaluated by promtool on synthetic series: they measure the
// new ReplicaSet's pods only, agree with the server's error-ratio alert, and give no
// value (inconclusive) without traffic.
import { Chart, Duration, Testing } from 'cdk8s';
import { CanaryRelease, CanaryStep, CanaryTraffic, ModelServerAlerts, RolloutAnalysis } from '../../src';
import { promtoolTest, runPromtool } from '../observability/util/promtool';
import { findObject, synthAndValidate } from '../util';

const HASH = '6f9d8c7b5';
const chart = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
const release = new CanaryRelease(chart, 'bert', {
  stable: { image: 'ml-model:v2' },
  traffic: CanaryTraffic.replicaRatio({ totalReplicas: 4 }),
  rollout: {
    steps: [CanaryStep.weight(25), CanaryStep.analysis(RolloutAnalysis.serverMetrics({
      prometheusAddress: 'http://prometheus:9090', maxP95Latency: Duration.millis(500), window: Duration.minutes(5),
    }))],
  },
});
new ModelServerAlerts(chart, 'alerts', { serving: release.stable });
const manifests = synthAndValidate(chart);
const template = findObject(manifests, 'AnalysisTemplate', 'bert-server-metrics');
const query = (name: string) => template.spec.metrics.find((m: any) => m.name === name).provider.prometheus.query
  .split('{{args.pod-template-hash}}').join(HASH);
const alertRules = findObject(manifests, 'PrometheusRule', 'bert').spec.groups;
const errorAlert = alertRules[0].rules.find((r: any) => r.alert === 'ModelServerHighErrorRatio');

const canary = `namespace="ml",pod="bert-${HASH}-x2x7k"`;
const stable = 'namespace="ml",pod="bert-5d8f9c7b6-abcde"';
const tests = {
  rule_files: ['rules.yml'],
  evaluation_interval: '1m',
  tests: [{
    interval: '1m',
    input_series: [
      // The canary: 10 req/s, 1 of them 5xx, every request between 0.5 s and 1 s.
      { series: `http_requests_total{${canary},code="200"}`, values: '0+540x30' },
      { series: `http_requests_total{${canary},code="500"}`, values: '0+60x30' },
      { series: `http_request_duration_seconds_bucket{${canary},le="0.5"}`, values: '0+0x30' },
      { series: `http_request_duration_seconds_bucket{${canary},le="1"}`, values: '0+600x30' },
      { series: `http_request_duration_seconds_bucket{${canary},le="+Inf"}`, values: '0+600x30' },
      // The stable pods: healthy and fast; they must not dilute the canary's numbers.
      { series: `http_requests_total{${stable},code="200"}`, values: '0+6000x30' },
      { series: `http_request_duration_seconds_bucket{${stable},le="0.5"}`, values: '0+6000x30' },
      { series: `http_request_duration_seconds_bucket{${stable},le="+Inf"}`, values: '0+6000x30' },
    ],
    promql_expr_test: [
      { expr: query('error-ratio'), eval_time: '20m', exp_samples: [{ labels: '{}', value: 0.1 }] },
      { expr: query('p95-latency'), eval_time: '20m', exp_samples: [{ labels: '{}', value: 0.975 }] },
      // Before any request (no series yet): no sample, so the measurement is inconclusive.
      { expr: query('error-ratio').split(HASH).join('ffffffff'), eval_time: '20m', exp_samples: [] },
    ],
  }],
};

promtoolTest('promtool: the analysis measures the canary pods only', (promtool) => {
  const result = runPromtool(promtool, ['test', 'rules', 'tests.yml'], { 'rules.yml': { groups: alertRules }, 'tests.yml': tests });
  expect(result.output).toContain('SUCCESS');
  expect(result.ok).toBe(true);
});

promtoolTest('promtool: on the canary\'s series, the analysis fails where the server\'s error-ratio alert fires', (promtool) => {
  const alerting = {
    ...tests,
    tests: [{
      ...tests.tests[0],
      // The alert looks at every pod of the server: give it the canary's alone.
      input_series: tests.tests[0].input_series.filter(s => s.series.includes(HASH)),
      promql_expr_test: [],
      alert_rule_test: [{
        eval_time: '20m',
        alertname: 'ModelServerHighErrorRatio',
        exp_alerts: [{
          exp_labels: { severity: 'critical', namespace: 'ml', deployment: 'bert' },
          exp_annotations: { summary: errorAlert.annotations.summary, description: errorAlert.annotations.description.replace('{{ $value | humanizePercentage }}', '10%') },
        }],
      }],
    }],
  };
  const result = runPromtool(promtool, ['test', 'rules', 'tests.yml'], { 'rules.yml': { groups: alertRules }, 'tests.yml': alerting });
  expect(result.output).toContain('SUCCESS');
  expect(result.ok).toBe(true);
  // 0.1 > the analysis bound 0.05: failed, like the alert.
  expect(template.spec.metrics[0].failureCondition).toBe('len(result) > 0 && result[0] > 0.05');
});

promtoolTest('promtool: the check can fail (a wrong expected ratio)', (promtool) => {
  const wrong = JSON.parse(JSON.stringify(tests));
  wrong.tests[0].promql_expr_test[0].exp_samples[0].value = 0.01;
  expect(runPromtool(promtool, ['test', 'rules', 'tests.yml'], { 'rules.yml': { groups: alertRules }, 'tests.yml': wrong }).ok).toBe(false);
});
