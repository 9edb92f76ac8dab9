import { Chart, Duration, Size, Testing } from 'cdk8s';
import {
  MlModelServing, MlModelServingProps, ModelServerAlerts, ModelServerAlertsProps, ModelSource, PrometheusServerConfig, ServingRuntime,
} from '../../src';
import { findObject, findObjects, synthAndValidate } from '../util';
import { promtoolTest, runPromtool } from './util/promtool';

const GPU = { gpus: { count: 1 }, resources: { memory: { request: Size.gibibytes(32), limit: Size.gibibytes(32) } } };

function render(props: Partial<ModelServerAlertsProps> = {}, servingProps: Partial<MlModelServingProps> = {}) {
  const chart = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
  const serving = new MlModelServing(chart, 'llm', {
    runtime: ServingRuntime.vllm(), model: ModelSource.fromPersistentVolumeClaim('weights'), ...GPU, ...servingProps,
  });
  const config = new PrometheusServerConfig(chart, 'prom');
  const alerts = new ModelServerAlerts(chart, 'alerts', { serving, prometheusConfig: config, ...props });
  const manifests = synthAndValidate(chart);
  const rule = findObjects(manifests, 'PrometheusRule')[0];
  const groups = rule?.spec.groups;
  const byName = groups ? Object.fromEntries(groups[0].rules.map((r: any) => [r.alert, r])) : {};
  return { alerts, manifests, rule, groups, byName, config };
}

const POD = 'namespace="ml",pod="llm-5d8f9c7b6-x2x7k"';

/** promtool unit tests of the LLM alerts of a vLLM server `llm` in `ml`. */
function llmTests(): unknown {
  const labels = { deployment: 'llm', namespace: 'ml' };
  return {
    rule_files: ['rules.yml'],
    evaluation_interval: '1m',
    tests: [{
      interval: '1m',
      input_series: [
        { series: `vllm:num_requests_waiting{${POD},model_name="m"}`, values: '40x40' },
        { series: `vllm:kv_cache_usage_perc{${POD},model_name="m"}`, values: '0.97x40' },
        { series: `vllm:time_to_first_token_seconds_bucket{${POD},le="1"}`, values: '0+0x40' },
        { series: `vllm:time_to_first_token_seconds_bucket{${POD},le="5"}`, values: '0+100x40' },
        { series: `vllm:time_to_first_token_seconds_bucket{${POD},le="+Inf"}`, values: '0+100x40' },
        { series: `http_requests_total{${POD},status="2xx"}`, values: '0+600x40' },
        { series: `http_requests_total{${POD},status="5xx"}`, values: '0+120x40' },
        { series: 'kube_deployment_status_replicas_unavailable{namespace="ml",deployment="llm"}', values: '1x40' },
        // A healthy server alongside must not fire.
        { series: 'vllm:num_requests_waiting{namespace="ml",pod="other-7c9d8b6f5-abcde"}', values: '0x40' },
      ],
      alert_rule_test: [
        // Pending 10m: firing at 15m, the not-ready alert waits the 20-minute startup budget.
        { eval_time: '15m', alertname: 'ModelServerQueueSaturated', exp_alerts: [{ exp_labels: { ...labels, severity: 'warning' } }] },
        { eval_time: '15m', alertname: 'ModelServerKvCachePressure', exp_alerts: [{ exp_labels: { ...labels, severity: 'warning' } }] },
        { eval_time: '15m', alertname: 'ModelServerHighTimeToFirstToken', exp_alerts: [{ exp_labels: { ...labels, severity: 'warning' } }] },
        { eval_time: '5m', alertname: 'ModelServerHighErrorRatio', exp_alerts: [{ exp_labels: { ...labels, severity: 'critical' } }] },
        { eval_time: '15m', alertname: 'ModelServerPodsNotReady', exp_alerts: [] },
        { eval_time: '25m', alertname: 'ModelServerPodsNotReady', exp_alerts: [{ exp_labels: { ...labels, severity: 'warning' } }] },
        { eval_time: '15m', alertname: 'LlmCustomQueue', exp_alerts: [{ exp_labels: { ...labels, severity: 'info' } }] },
      ],
    }],
  };
}

const CUSTOM = { alert: 'LlmCustomQueue', expr: 'sum(vllm:num_requests_waiting{namespace="ml"}) > 30', severity: 'info', summary: 'queue' };

describe('ModelServerAlerts for LLM servers', () => {
  const { byName, manifests, config, groups } = render({
    pendingPeriods: { ModelServerHighErrorRatio: Duration.minutes(2) }, customRules: [CUSTOM],
  });

  test('runtime-specific alerts from the declared names, per-alert pending periods, custom rules', () => {
    expect(Object.keys(byName)).toEqual([
      'ModelServerHighP99Latency', 'ModelServerHighErrorRatio', 'ModelServerReplicasAtMax', 'ModelServerPodsNotReady', 'ModelServerGpuSaturated', 'ModelServerGpuIdle',
      'ModelServerQueueSaturated', 'ModelServerHighTimeToFirstToken', 'ModelServerKvCachePressure', 'LlmCustomQueue',
    ]);
    expect(byName.ModelServerHighErrorRatio.for).toBe('2m');
    expect(byName.ModelServerPodsNotReady.for).toBe('20m');
    expect(byName.ModelServerQueueSaturated.expr).toBe('(avg(vllm:num_requests_waiting{namespace="ml",pod=~"llm-[a-z0-9]+-[a-z0-9]+"})) > (10)');
    expect(byName.ModelServerHighErrorRatio.expr).toContain('status=~"5.."');
  });

  test('the same rules as a plain Prometheus rule file, wired into rule_files', () => {
    const cm = findObject(manifests, 'ConfigMap', 'llm-rules');
    expect(Object.keys(cm.data)).toEqual(['llm.rules.yml']);
    expect(config.toConfig().rule_files).toEqual(['/etc/prometheus/rules/llm.rules.yml']);
    const prom = findObject(manifests, 'ConfigMap', 'prometheus-config');
    expect(prom.data['prometheus.yml']).toContain('/etc/prometheus/rules/llm.rules.yml');
    expect(cm.data['llm.rules.yml']).toContain('ModelServerKvCachePressure');
  });

  test('Triton: failure counter ratio, no latency alert without a histogram', () => {
    const triton = render({}, { runtime: ServingRuntime.triton() });
    expect(triton.byName.ModelServerHighP99Latency).toBeUndefined();
    expect(triton.byName.ModelServerHighErrorRatio.expr).toContain('nv_inference_request_failure');
    expect(triton.byName.ModelServerQueueSaturated.expr).toContain('nv_inference_pending_request_count');
  });

  test('errors', () => {
    expect(() => render({ pendingPeriods: { Nope: Duration.minutes(1) } })).toThrow(/pendingPeriods\['Nope'\] names no alert of this group/);
    expect(() => render({ kvCacheThreshold: 1.2 })).toThrow("ModelServerAlerts 'prod/alerts': kvCacheThreshold (1.2) must be between 0 and 1, exclusive");
    expect(() => render({ customRules: [{ ...CUSTOM, alert: 'ModelServerQueueSaturated' }] })).toThrow(
      "ModelServerAlerts 'prod/alerts': customRules alert 'ModelServerQueueSaturated' is defined twice");
    expect(() => render({ prometheusRule: false, prometheusConfig: undefined })).toThrow(/the alerts would go nowhere/);
  });

  test('only the rule file, without the operator', () => {
    const { rule, manifests: m } = render({ prometheusRule: false });
    expect(rule).toBeUndefined();
    expect(findObject(m, 'ConfigMap', 'llm-rules')).toBeDefined();
  });

  promtoolTest('promtool check rules and test rules', (promtool) => {
    const check = runPromtool(promtool, ['check', 'rules', 'rules.yml'], { 'rules.yml': { groups } });
    expect(check.output).toContain('SUCCESS');
    // Firing is what is tested here; the annotations (templated) were checked above.
    const bare = groups.map((g: any) => ({ ...g, rules: g.rules.map(({ annotations, ...r }: any) => r) }));
    const result = runPromtool(promtool, ['test', 'rules', 'tests.yml'], { 'rules.yml': { groups: bare }, 'tests.yml': llmTests() });
    expect(result.output).toContain('SUCCESS');
    expect(result.ok).toBe(true);
  });
});

describe('ModelServerAlerts for Triton (failure counters)', () => {
  const { groups } = render({}, { runtime: ServingRuntime.triton() });

  promtoolTest('promtool: the failure-counter error ratio and the pending-request queue fire', (promtool) => {
    expect(runPromtool(promtool, ['check', 'rules', 'rules.yml'], { 'rules.yml': { groups } }).ok).toBe(true);
    const labels = { deployment: 'llm', namespace: 'ml' };
    const bare = groups.map((g: any) => ({ ...g, rules: g.rules.map(({ annotations, ...r }: any) => r) }));
    const tests = {
      rule_files: ['rules.yml'],
      evaluation_interval: '1m',
      tests: [{
        interval: '1m',
        input_series: [
          { series: `nv_inference_request_success{${POD},model="m",version="1"}`, values: '0+900x30' },
          { series: `nv_inference_request_failure{${POD},model="m",version="1",reason="BACKEND"}`, values: '0+100x30' },
          { series: `nv_inference_pending_request_count{${POD},model="m",version="1"}`, values: '25x30' },
        ],
        alert_rule_test: [
          { eval_time: '15m', alertname: 'ModelServerHighErrorRatio', exp_alerts: [{ exp_labels: { ...labels, severity: 'critical' } }] },
          { eval_time: '15m', alertname: 'ModelServerQueueSaturated', exp_alerts: [{ exp_labels: { ...labels, severity: 'warning' } }] },
        ],
      }],
    };
    const result = runPromtool(promtool, ['test', 'rules', 'tests.yml'], { 'rules.yml': { groups: bare }, 'tests.yml': tests });
    expect(result.output).toContain('SUCCESS');
    expect(result.ok).toBe(true);
  });
});
