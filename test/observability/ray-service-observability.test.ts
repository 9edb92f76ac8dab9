import { Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import {
  ModelServerAlerts, ModelServingDashboard, RayService, RayServiceProps, ServeConfig, ServingScaledObject, VpaTarget, WorkloadTarget,
} from '../../src';
import { rayServicePodRegex } from '../../src/integrations/ray/ray-serve-metrics';
import { findObjects, synthAndValidate } from '../util';
import { exprsAsRuleFile, promtoolTest, runPromtool } from './util/promtool';

const IMAGE = 'rayproject/ray:2.52.0-py311-gpu';
const CLUSTER = { image: IMAGE, workerGroups: [{ groupName: 'gpu', minReplicas: 1, maxReplicas: 4, gpus: { count: 1 } }] };
const SERVE = ServeConfig.of([{
  name: 'llm',
  importPath: 'llm.app:deployment',
  deployments: [{ name: 'VLLMDeployment', numGpus: 1, autoscaling: { minReplicas: 1, maxReplicas: 4, targetOngoingRequests: 16 } }],
}]);

function service(props: Partial<RayServiceProps> = {}, name = 'chat') {
  const chart = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
  return { chart, service: new RayService(chart, name, { cluster: CLUSTER, serveConfig: SERVE, ...props }) };
}

function alerts(props: Partial<RayServiceProps> = {}) {
  const { chart, service: svc } = service(props);
  const construct = new ModelServerAlerts(chart, 'alerts', { target: WorkloadTarget.fromRayService(svc) });
  const [rule] = findObjects(synthAndValidate(chart), 'PrometheusRule');
  const groups = rule.spec.groups;
  return { construct, groups, byName: Object.fromEntries(groups[0].rules.map((r: any) => [r.alert, r])) };
}

// KubeRay's pod names for RayService `chat`: cluster `chat-raycluster-<5>`, head
// `<cluster>-head-<5>`, workers `<cluster>-<group>-worker-<5>`.
const HEAD = 'namespace="ml",pod="chat-raycluster-x2x7k-head-b7q4m"';
const WORKER = 'namespace="ml",pod="chat-raycluster-x2x7k-gpu-worker-9kz5d"';
const OTHER = 'namespace="ml",pod="chat-v2-raycluster-m4n5p-head-zz9xq"';

describe('ModelServerAlerts for a RayService', () => {
  const { construct, groups, byName } = alerts();

  test('Ray Serve\'s metric names, the pods KubeRay names, milliseconds converted; no HPA rule', () => {
    expect(construct.alertNames).toEqual([
      'ModelServerHighP99Latency', 'ModelServerHighErrorRatio', 'ModelServerPodsNotReady', 'ModelServerReplicasUnhealthy',
      'ModelServerGpuSaturated', 'ModelServerGpuIdle', 'ModelServerQueueSaturated',
    ]);
    const pods = 'pod=~"(chat-raycluster-[a-z0-9]{5}-head-[a-z0-9]{5}|chat-raycluster-[a-z0-9]{5}-gpu-worker-[a-z0-9]{5})"';
    expect(byName.ModelServerHighP99Latency.expr).toContain('ray_serve_http_request_latency_ms_bucket{namespace="ml",' + pods);
    expect(byName.ModelServerHighP99Latency.expr).toMatch(/ \/ \(1000\)\) > \(1\)$/);
    expect(byName.ModelServerHighErrorRatio.expr).toContain('ray_serve_num_http_requests_total{namespace="ml",' + pods + ',status_code=~"5.."}');
    expect(byName.ModelServerPodsNotReady.expr).toContain('kube_pod_status_ready{namespace="ml",' + pods + ',condition="false"}');
    expect(byName.ModelServerReplicasUnhealthy.expr).toContain('ray_serve_deployment_replica_healthy{namespace="ml",' + pods + '}) == (0)');
    expect(byName.ModelServerQueueSaturated.expr).toContain('ray_serve_deployment_queued_queries');
    expect(byName.ModelServerHighErrorRatio.labels).toEqual({ namespace: 'ml', deployment: 'chat', severity: 'critical' });
  });

  promtoolTest('promtool: the rules load; latency, errors, unhealthy replicas and not-ready pods fire, another RayService\'s series do not count', (promtool) => {
    expect(runPromtool(promtool, ['check', 'rules', 'rules.yml'], { 'rules.yml': { groups } }).output).toContain('SUCCESS');
    const labels = { deployment: 'chat', namespace: 'ml' };
    const bare = groups.map((g: any) => ({ ...g, rules: g.rules.map(({ annotations, ...r }: any) => r) }));
    const proxy = (pod: string, code: string, perMin: number) =>
      ({ series: `ray_serve_num_http_requests_total{${pod},route="/",method="POST",application="llm",status_code="${code}"}`, values: `0+${perMin}x30` });
    const bucket = (pod: string, le: string, perMin: number) =>
      ({ series: `ray_serve_http_request_latency_ms_bucket{${pod},route="/",method="POST",application="llm",status_code="200",le="${le}"}`, values: `0+${perMin}x30` });
    const tests = {
      rule_files: ['rules.yml'],
      evaluation_interval: '1m',
      tests: [{
        interval: '1m',
        input_series: [
          proxy(HEAD, '200', 900), proxy(WORKER, '503', 100),
          // 2.5 s latencies (above the 1 s threshold) on this service, none on the other.
          bucket(HEAD, '1000', 0), bucket(HEAD, '5000', 100), bucket(HEAD, '+Inf', 100),
          // Counted, this other service's traffic would dilute the error ratio below 5%.
          proxy(OTHER, '200', 100000),
          { series: `ray_serve_deployment_replica_healthy{${WORKER},deployment="VLLMDeployment",replica="VLLMDeployment#a",application="llm"}`, values: '0x30' },
          { series: `ray_serve_deployment_replica_healthy{${OTHER},deployment="VLLMDeployment",replica="VLLMDeployment#b",application="llm"}`, values: '0x30' },
          { series: `kube_pod_status_ready{${WORKER},condition="false"}`, values: '1x30' },
        ],
        alert_rule_test: [
          { eval_time: '15m', alertname: 'ModelServerHighErrorRatio', exp_alerts: [{ exp_labels: { ...labels, severity: 'critical' } }] },
          { eval_time: '15m', alertname: 'ModelServerHighP99Latency', exp_alerts: [{ exp_labels: { ...labels, severity: 'warning' } }] },
          { eval_time: '15m', alertname: 'ModelServerReplicasUnhealthy', exp_alerts: [{ exp_labels: { ...labels, severity: 'critical' } }] },
          { eval_time: '15m', alertname: 'ModelServerPodsNotReady', exp_alerts: [{ exp_labels: { ...labels, severity: 'warning' } }] },
        ],
      }],
    };
    const result = runPromtool(promtool, ['test', 'rules', 'tests.yml'], { 'rules.yml': { groups: bare }, 'tests.yml': tests });
    expect(result.output).toContain('SUCCESS');
    expect(result.ok).toBe(true);
  });

  test('metricNames declared on the RayService reach the alerts (older Ray without _total)', () => {
    const { byName: named } = alerts({ metricNames: { requestsCounter: 'ray_serve_num_http_requests' } });
    expect(named.ModelServerHighErrorRatio.expr).toContain('ray_serve_num_http_requests{');
    expect(named.ModelServerHighP99Latency.expr).toContain('ray_serve_http_request_latency_ms_bucket');
  });
});

describe('ModelServingDashboard for a RayService', () => {
  const { chart, service: svc } = service();
  new ModelServingDashboard(chart, 'dashboard', { target: WorkloadTarget.fromRayService(svc) });
  const [cm] = findObjects(synthAndValidate(chart), 'ConfigMap').filter((c: any) => c.metadata.labels?.grafana_dashboard === '1');
  const json = JSON.parse(Object.values(cm.data)[0] as string);
  const exprs: string[] = json.panels.flatMap((p: any) => p.targets.map((t: any) => t.expr)).filter((e: string) => !/^[0-9]+$/.test(e));

  test('panels on Ray Serve\'s metrics and the Ray pods\' readiness, latency in seconds', () => {
    const titles = json.panels.map((p: any) => p.title);
    expect(titles).toEqual(expect.arrayContaining(['Pods ready', 'Request latency', 'Inference latency', 'Healthy serving replicas', 'Queue', 'Pods']));
    expect(titles).not.toContain('Replicas available');
    const all = exprs.join('\n');
    expect(all).toContain('ray_serve_http_request_latency_ms_bucket{namespace="$namespace",pod=~"(chat-raycluster-');
    expect(all).toContain('ray_serve_deployment_processing_latency_ms_bucket');
    expect(all).not.toContain('kube_deployment_');
    const latency = json.panels.find((p: any) => p.title === 'Request latency');
    expect(latency.fieldConfig.defaults.unit).toBe('s');
    for (const t of latency.targets) expect(t.expr).toMatch(/ \/ \(1000\)$/);
    expect(json.title).toBe('Model server: chat');
  });

  promtoolTest('every query parses (promtool)', (promtool) => {
    const all = exprs.map(e => e.replace(/\$__rate_interval/g, '5m').replace(/\$namespace/g, 'ml'));
    expect(runPromtool(promtool, ['check', 'rules', 'rules.yml'], { 'rules.yml': exprsAsRuleFile(all) }).output).toContain(`SUCCESS: ${all.length} rules found`);
  });
});

describe('WorkloadTarget.fromRayService', () => {
  test('facts: the RayService, its Serve Service, its pods\' bounds and GPUs', () => {
    const { service: svc } = service();
    const t = WorkloadTarget.fromRayService(svc);
    expect(t.workloadRef).toEqual({ apiVersion: 'ray.io/v1', kind: 'RayService', name: 'chat' });
    expect([t.serviceName, t.servicePort, t.namespace, t.minReplicas, t.maxReplicas, t.gpuCount]).toEqual(['chat-serve-svc', 8000, 'ml', 2, 5, 1]);
    expect(t.selector).toEqual({ 'ray.cdk8s-ml.io/cluster': 'chat' });
    expect(t.metricNames.requestsCounter).toBe('ray_serve_num_http_requests_total');
  });

  test('KEDA and the VPA refuse it: a RayService has no scale subresource', () => {
    const { chart, service: svc } = service();
    const target = WorkloadTarget.fromRayService(svc);
    expect(() => new ServingScaledObject(chart, 'keda', { target, query: 'sum(ray_serve_deployment_queued_queries)', threshold: 10 }))
      .toThrow("ServingScaledObject 'prod/keda': target ('chat') is a RayService, which has no scale subresource: Ray Serve scales its replicas (serveConfig autoscaling) and the Ray autoscaler its pods");
    expect(() => VpaTarget.of(target))
      .toThrow("RayService 'prod/chat': VpaTarget.of(target) ('chat') is a RayService, which has no scale subresource: Ray Serve scales its replicas (serveConfig autoscaling) and the Ray autoscaler its pods");
  });

  test.each<[any, string]>([
    [{ requestsCounter: 'ray-serve' }, "RayService 'prod/chat': metricNames.requestsCounter ('ray-serve') must be a valid Prometheus metric name"],
    [{ replicaHealthyGauge: 'healthy gauge' }, "RayService 'prod/chat': metricNames.replicaHealthyGauge ('healthy gauge') must be a valid Prometheus metric name"],
    [{ histogramsInMilliseconds: 'yes' }, "RayService 'prod/chat': metricNames.histogramsInMilliseconds (\"yes\") must be true or false"],
  ])('error %#', (metricNames, message) => {
    expect(() => service({ metricNames })).toThrow(message);
  });
});

describe('rayServicePodRegex', () => {
  const matches = (regex: string, pod: string) => new RegExp(`^(?:${regex})$`).test(pod);

  test('head and worker pods of each cluster; not another RayService\'s', () => {
    const r = rayServicePodRegex('chat', ['gpu', 'cpu']);
    expect(matches(r, 'chat-raycluster-x2x7k-head-b7q4m')).toBe(true);
    expect(matches(r, 'chat-raycluster-x2x7k-gpu-worker-9kz5d')).toBe(true);
    expect(matches(r, 'chat-raycluster-m4n5p-cpu-worker-9kz5d')).toBe(true);
    expect(matches(r, 'chat-v2-raycluster-m4n5p-head-zz9xq')).toBe(false);
    expect(matches(r, 'chat-raycluster-x2x7k-tpu-worker-9kz5d')).toBe(false);
    expect(matches(r, 'chat-5d8f9c7b6-x2x7k')).toBe(false);
  });

  test('property: KubeRay\'s generateName (prefix cut to 50 characters) always matches', () => {
    const alnum = fc.constantFrom(...'bcdfghjklmnpqrstvwxz2456789'.split(''));
    const random = fc.array(alnum, { minLength: 5, maxLength: 5 }).map(a => a.join(''));
    const label = fc.stringMatching(/^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/);
    fc.assert(fc.property(label, fc.stringMatching(/^[a-z]([-a-z0-9]{0,20}[a-z0-9])?$/), random, random, (name, group, r1, r2) => {
      fc.pre(name.length <= 47);
      const cluster = `${name}-raycluster-${r1}`;
      const head = `${cluster.slice(0, 50)}-head-${r2}`;
      const worker = `${`${cluster}-${group}`.slice(0, 50)}-worker-${r2}`;
      const r = rayServicePodRegex(name, [group]);
      expect(matches(r, head)).toBe(true);
      expect(matches(r, worker)).toBe(true);
    }), { numRuns: 200 });
  });
});
