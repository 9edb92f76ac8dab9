import { Chart, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import * as fc from 'fast-check';
import {
  CanaryRelease, CanaryReleaseProps, CanaryStep, CanaryTraffic, RolloutAnalysis, ServingScaling,
} from '../../src';
import { syntaxErrors } from '../observability/util/promql-grammar';
import { findObject, findObjects, synthAndValidate } from '../util';

const PROM = 'http://prometheus-operated.monitoring.svc:9090';

function synth(props: Partial<CanaryReleaseProps> = {}) {
  const chart = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
  const analysis = RolloutAnalysis.serverMetrics({ prometheusAddress: PROM });
  const release = new CanaryRelease(chart, 'ml-model', {
    stable: { image: 'ml-model:v2', metrics: { port: 9090 } },
    traffic: CanaryTraffic.gatewayApi({ gateway: { name: 'public', namespace: 'gateways' } }),
    rollout: {
      steps: [
        CanaryStep.weight(10), CanaryStep.analysis(analysis), CanaryStep.weight(50),
        CanaryStep.pause(Duration.minutes(10)), CanaryStep.pauseUntilPromoted(),
      ],
    },
    ...props,
  });
  return { release, chart, manifests: synthAndValidate(chart) };
}

describe('CanaryRelease with Argo Rollouts through the Gateway API', () => {
  const { release, manifests } = synth();
  const rollout = findObject(manifests, 'Rollout', 'ml-model');

  test('the Rollout takes the Deployment\'s place, with the server\'s pod template', () => {
    expect(findObjects(manifests, 'Deployment')).toEqual([]);
    expect(rollout.spec.selector.matchLabels).toEqual(release.stable.selector);
    const container = rollout.spec.template.spec.containers[0];
    expect(container.image).toBe('ml-model:v2');
    expect(container.securityContext.allowPrivilegeEscalation).toBe(false);
    expect(container.startupProbe).toBeDefined();
    expect(rollout.spec.template.metadata.labels).toMatchObject(release.stable.podLabels);
    expect(rollout.spec.progressDeadlineAbort).toBe(true);
    expect(rollout.spec.replicas).toBeUndefined();
  });

  test('the HPA scales the Rollout', () => {
    const hpa = findObject(manifests, 'HorizontalPodAutoscaler', 'ml-model');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'ml-model' });
  });

  test('steps, stable and canary Services, and the Gateway API plugin on the HTTPRoute', () => {
    const canary = rollout.spec.strategy.canary;
    expect(canary.steps).toEqual([
      { setWeight: 10 },
      { analysis: { templates: [{ templateName: 'ml-model-server-metrics' }], args: [{ name: 'pod-template-hash', valueFrom: { podTemplateHashValue: 'Latest' } }] } },
      { setWeight: 50 },
      { pause: { duration: '10m' } },
      { pause: {} },
    ]);
    expect(canary.stableService).toBe('ml-model');
    expect(canary.canaryService).toBe('ml-model-canary');
    expect(canary.trafficRouting).toEqual({ plugins: { 'argoproj-labs/gatewayAPI': { httpRoute: 'ml-model', namespace: 'ml' } } });
    const route = findObject(manifests, 'HTTPRoute', 'ml-model');
    expect(route.spec.rules[0].backendRefs.map((b: any) => [b.name, b.weight])).toEqual([['ml-model', 100], ['ml-model-canary', 0]]);
    const canaryService = findObject(manifests, 'Service', 'ml-model-canary');
    expect(canaryService.spec.selector).toEqual(findObject(manifests, 'Service', 'ml-model').spec.selector);
  });

  test('the AnalysisTemplate bounds the canary pods\' error ratio and p95 latency, with valid PromQL', () => {
    const [template] = findObjects(manifests, 'AnalysisTemplate');
    expect(template.metadata.name).toBe('ml-model-server-metrics');
    expect(template.spec.args).toEqual([{ name: 'pod-template-hash' }]);
    const byName = Object.fromEntries(template.spec.metrics.map((m: any) => [m.name, m]));
    expect(Object.keys(byName)).toEqual(['error-ratio', 'p95-latency']);
    expect(byName['error-ratio'].provider.prometheus.query).toBe(
      '((sum(rate(http_requests_total{namespace="ml",pod=~"ml-model-{{args.pod-template-hash}}-[a-z0-9]+",code=~"5.."}[2m]))) or (vector(0))) / (sum(rate(http_requests_total{namespace="ml",pod=~"ml-model-{{args.pod-template-hash}}-[a-z0-9]+"}[2m])))');
    expect(byName['error-ratio'].successCondition).toBe('len(result) > 0 && result[0] <= 0.05');
    expect(byName['error-ratio'].failureCondition).toBe('len(result) > 0 && result[0] > 0.05');
    expect(byName['p95-latency'].successCondition).toBe('len(result) > 0 && result[0] <= 1');
    for (const m of template.spec.metrics) {
      expect(syntaxErrors(m.provider.prometheus.query)).toEqual([]);
      expect(m.provider.prometheus.address).toBe(PROM);
      expect(m).toMatchObject({ interval: '1m', count: 5, failureLimit: 1, inconclusiveLimit: 2 });
    }
  });
});

describe('CanaryRelease with Argo Rollouts, other routers', () => {
  test('replica ratio: no router, no canary Service, fixed total replicas', () => {
    const { manifests } = synth({ traffic: CanaryTraffic.replicaRatio({ totalReplicas: 10 }) });
    const rollout = findObject(manifests, 'Rollout', 'ml-model');
    expect(rollout.spec.replicas).toBe(10);
    expect(rollout.spec.strategy.canary.trafficRouting).toBeUndefined();
    expect(rollout.spec.strategy.canary.canaryService).toBeUndefined();
    expect(findObjects(manifests, 'HorizontalPodAutoscaler')).toEqual([]);
  });

  test('ingress-nginx: Argo Rollouts gets the stable Ingress and makes the canary one', () => {
    const { manifests } = synth({ traffic: CanaryTraffic.ingressNginx({ host: 'ml.example.com' }) });
    const rollout = findObject(manifests, 'Rollout', 'ml-model');
    expect(rollout.spec.strategy.canary.trafficRouting).toEqual({ nginx: { stableIngress: 'ml-model' } });
    expect(findObjects(manifests, 'Ingress').map(i => i.metadata.name)).toEqual(['ml-model']);
  });

  test('background analysis with TTFT and queue for an LLM server', () => {
    const analysis = RolloutAnalysis.serverMetrics({
      prometheusAddress: PROM,
      name: 'llm',
      maxP95TimeToFirstToken: Duration.millis(500),
      timeToFirstTokenHistogram: 'vllm:time_to_first_token_seconds',
      maxQueueLength: 20,
      queueLengthGauge: 'vllm:num_requests_waiting',
    });
    const { manifests } = synth({ rollout: { steps: [CanaryStep.weight(20)], backgroundAnalysis: analysis, backgroundAnalysisStartingStep: 0 } });
    const rollout = findObject(manifests, 'Rollout', 'ml-model');
    expect(rollout.spec.strategy.canary.analysis).toMatchObject({ templates: [{ templateName: 'ml-model-llm' }], startingStep: 0 });
    const template = findObject(manifests, 'AnalysisTemplate', 'ml-model-llm');
    const byName = Object.fromEntries(template.spec.metrics.map((m: any) => [m.name, m]));
    expect(byName['p95-time-to-first-token'].provider.prometheus.query).toContain('vllm:time_to_first_token_seconds_bucket');
    expect(byName['p95-time-to-first-token'].successCondition).toBe('len(result) > 0 && result[0] <= 0.5');
    expect(byName['queue-length'].provider.prometheus.query).toBe('max(vllm:num_requests_waiting{namespace="ml",pod=~"ml-model-{{args.pod-template-hash}}-[a-z0-9]+"})');
    for (const m of template.spec.metrics) expect(syntaxErrors(m.provider.prometheus.query)).toEqual([]);
  });

  test('a template that already exists is referenced, not created', () => {
    const { manifests } = synth({ rollout: { steps: [CanaryStep.analysis(RolloutAnalysis.fromTemplate('success-rate', { clusterScope: true, args: { service: 'ml-model' } }))] } });
    expect(findObjects(manifests, 'AnalysisTemplate')).toEqual([]);
    expect(findObject(manifests, 'Rollout', 'ml-model').spec.strategy.canary.steps[0].analysis).toEqual({
      templates: [{ templateName: 'success-rate', clusterScope: true }],
      args: [{ name: 'pod-template-hash', valueFrom: { podTemplateHashValue: 'Latest' } }, { name: 'service', value: 'ml-model' }],
    });
  });
});

describe('CanaryRelease with Argo Rollouts: errors', () => {
  const cases: [string, Partial<CanaryReleaseProps>, string][] = [
    ['a canary', { canary: { image: 'ml-model:v3' } }, "CanaryRelease 'prod/ml-model': canary must not be set with rollout: Argo Rollouts makes the canary from each change of stable and sets the weight by its steps"],
    ['no steps', { rollout: { steps: [] } }, "CanaryRelease 'prod/ml-model': rollout.steps must hold at least one step: without one Argo Rollouts promotes every change at once"],
    ['shrinking weights', { rollout: { steps: [CanaryStep.weight(30), CanaryStep.weight(10)] } }, "CanaryRelease 'prod/ml-model': rollout.steps[1].setWeight (10) must be above the previous weight (30): a canary only grows"],
    ['weight above 100', { rollout: { steps: [CanaryStep.weight(120)] } }, "CanaryRelease 'prod/ml-model': rollout.steps[0].setWeight (120) must be between 1 and 100"],
    ['replica ratio with scaling', { stable: { image: 'ml-model:v2', scaling: ServingScaling.fixed(3) }, traffic: CanaryTraffic.replicaRatio({ totalReplicas: 4 }) },
      "CanaryRelease 'prod/ml-model': stable.scaling must not be set with CanaryTraffic.replicaRatio: the rollout runs totalReplicas replicas, which Argo Rollouts splits by weight"],
    ['a bad Prometheus address', { rollout: { steps: [CanaryStep.analysis(RolloutAnalysis.serverMetrics({ prometheusAddress: 'prometheus:9090' }))] } },
      "CanaryRelease 'prod/ml-model': rollout.steps[0].analysis.prometheusAddress ('prometheus:9090') must be an http:// or https:// URL"],
    ['TTFT without a histogram', { rollout: { steps: [CanaryStep.analysis(RolloutAnalysis.serverMetrics({ prometheusAddress: PROM, maxP95TimeToFirstToken: Duration.seconds(1) }))] } },
      "CanaryRelease 'prod/ml-model': rollout.steps[0].analysis.timeToFirstTokenHistogram must be set with maxP95TimeToFirstToken: the server declares no such metric"],
    ['two analyses with one name', { rollout: { steps: [CanaryStep.analysis(RolloutAnalysis.serverMetrics({ prometheusAddress: PROM })), CanaryStep.analysis(RolloutAnalysis.serverMetrics({ prometheusAddress: PROM }))] } },
      "CanaryRelease 'prod/ml-model': rollout.steps[1].analysis.name ('server-metrics') is already the name of another analysis of this rollout: name each RolloutAnalysis.serverMetrics differently"],
  ];
  test.each(cases)('%s', (_name, props, message) => {
    expect(() => synth(props)).toThrow(message);
  });

  test('a service type of kplus is still refused for routed traffic', () => {
    expect(() => synth({ serviceType: kplus.ServiceType.NODE_PORT })).toThrow(/serviceType only applies to CanaryTraffic.replicaRatio/);
  });
});

describe('CanaryRelease with Argo Rollouts: metadata and properties', () => {
  test('labels and annotations reach the Rollout, the AnalysisTemplate, the canary Service and the HTTPRoute', () => {
    const { manifests } = synth({ metadata: { labels: { team: 'nlp' }, annotations: { owner: 'ml-platform' } } });
    for (const [kind, name] of [['Rollout', 'ml-model'], ['AnalysisTemplate', 'ml-model-server-metrics'], ['Service', 'ml-model-canary'], ['HTTPRoute', 'ml-model']]) {
      const obj = findObject(manifests, kind, name);
      expect(obj.metadata.labels.team).toBe('nlp');
      expect(obj.metadata.annotations.owner).toBe('ml-platform');
    }
  });

  test('weights are accepted exactly when each lies in 1..100 and they grow (property)', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: -5, max: 110 }), { minLength: 1, maxLength: 5 }), (weights) => {
      const valid = weights.every((w, i) => w >= 1 && w <= 100 && (i === 0 || w > weights[i - 1]));
      const make = () => synth({ rollout: { steps: weights.map(w => CanaryStep.weight(w)) } });
      if (valid) {
        expect(findObject(make().manifests, 'Rollout', 'ml-model').spec.strategy.canary.steps).toEqual(weights.map(w => ({ setWeight: w })));
      } else {
        expect(make).toThrow(/rollout\.steps\[\d\]\.setWeight \(-?\d+\) must be/);
      }
    }), { numRuns: 40 });
  });

  test('pause durations render as Go durations that add up to the given time (property)', () => {
    const unit: { [u: string]: number } = { h: 3600_000, m: 60_000, s: 1000, ms: 1 };
    fc.assert(fc.property(fc.integer({ min: 1, max: 48 * 3600_000 }), (ms) => {
      const { manifests } = synth({ rollout: { steps: [CanaryStep.pause(Duration.millis(ms))] } });
      const text: string = findObject(manifests, 'Rollout', 'ml-model').spec.strategy.canary.steps[0].pause.duration;
      expect(text).toMatch(/^(\d+h)?(\d+m)?(\d+s)?(\d+ms)?$/);
      let total = 0;
      for (const m of text.matchAll(/(\d+)(ms|h|m|s)/g)) total += Number(m[1]) * unit[m[2]];
      expect(total).toBe(ms);
    }), { numRuns: 30 });
  });
});
