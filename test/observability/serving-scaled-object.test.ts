import { Chart, Duration, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { MlModelServing, MlModelServingProps, ModelServerAlerts, ServingScaledObject, ServingScaledObjectProps, ServingScaling } from '../../src';
import { findObject, findObjects, synthAndValidate } from '../util';
import { syntaxErrors } from './util/promql-grammar';
import { exprsAsRuleFile, promtoolTest, runPromtool } from './util/promtool';

const EXTERNAL = ServingScaling.external({ minReplicas: 2, maxReplicas: 12 });

function setup(props: Partial<ServingScaledObjectProps> = {}, servingProps: Partial<MlModelServingProps> = {}) {
  const chart = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
  const serving = new MlModelServing(chart, 'bert', { image: 'ml-model:v1', scaling: EXTERNAL, ...servingProps });
  const make = () => new ServingScaledObject(chart, 'keda', { serving, threshold: 20, ...props });
  return { chart, serving, make };
}

describe('ServingScaledObject', () => {
  const { chart, serving, make } = setup();
  const scaled = make();
  new ModelServerAlerts(chart, 'alerts', { serving });
  expect(serving.hpaName).toBe(scaled.hpaName);
  const manifests = synthAndValidate(chart);
  const so = findObject(manifests, 'ScaledObject', 'bert');

  test('targets the server Deployment by name, with the server\'s min/max', () => {
    expect(so.apiVersion).toBe('keda.sh/v1alpha1');
    expect(so.metadata.namespace).toBe('ml');
    expect(so.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'bert' });
    expect(findObject(manifests, 'Deployment', 'bert').metadata.name).toBe(so.spec.scaleTargetRef.name);
    expect([so.spec.minReplicaCount, so.spec.maxReplicaCount]).toEqual([2, 12]);
  });

  test('never alongside an HPA of ours; the Deployment leaves replicas to KEDA', () => {
    expect(findObjects(manifests, 'HorizontalPodAutoscaler')).toHaveLength(0);
    expect(findObject(manifests, 'Deployment', 'bert').spec.replicas).toBeUndefined();
  });

  test('scales on the server\'s request rate per replica by default', () => {
    expect(so.spec.triggers).toEqual([{
      type: 'prometheus',
      metricType: 'AverageValue',
      metadata: {
        serverAddress: 'http://prometheus-operated.monitoring.svc:9090',
        query: 'sum(rate(http_requests_total{namespace="ml",pod=~"bert-[a-z0-9]+-[a-z0-9]+"}[2m]))',
        threshold: '20',
      },
    }]);
    expect([so.spec.pollingInterval, so.spec.cooldownPeriod]).toEqual([30, 300]);
    expect(so.spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown.stabilizationWindowSeconds).toBe(300);
    expect(so.spec.fallback).toBeUndefined();
  });

  test('exposes KEDA\'s HPA name, which the replicas-at-max alert watches', () => {
    expect(scaled.hpaName).toBe('keda-hpa-bert');
    const rule = findObject(manifests, 'PrometheusRule', 'bert');
    const atMax = rule.spec.groups[0].rules.find((r: any) => r.alert === 'ModelServerReplicasAtMax');
    expect(atMax.expr).toContain('horizontalpodautoscaler="keda-hpa-bert"');
  });

  test('query, thresholds, intervals, bounds and fallback are props', () => {
    const { chart: c, make: m } = setup({
      query: 'sum(vllm:num_requests_waiting{namespace="ml"})',
      threshold: 5,
      activationThreshold: 1,
      serverAddress: 'http://prometheus.monitoring:9090',
      minReplicas: 3,
      maxReplicas: 8,
      pollingInterval: Duration.seconds(15),
      cooldownPeriod: Duration.minutes(10),
      scaleDownStabilization: Duration.minutes(2),
      fallback: { failureThreshold: 3, replicas: 6 },
      name: 'bert-queue',
    });
    m();
    const s = findObject(synthAndValidate(c), 'ScaledObject', 'bert-queue');
    expect(s.spec).toMatchObject({
      minReplicaCount: 3,
      maxReplicaCount: 8,
      pollingInterval: 15,
      cooldownPeriod: 600,
      fallback: { failureThreshold: 3, replicas: 6 },
      advanced: { horizontalPodAutoscalerConfig: { behavior: { scaleDown: { stabilizationWindowSeconds: 120 } } } },
    });
    expect(s.spec.triggers[0].metadata).toEqual({
      serverAddress: 'http://prometheus.monitoring:9090',
      query: 'sum(vllm:num_requests_waiting{namespace="ml"})',
      threshold: '5',
      activationThreshold: '1',
    });
  });

  test('scale to zero: minReplicas 0 with an activation threshold', () => {
    const { chart: c, make: m } = setup({ minReplicas: 0, activationThreshold: 0.5 });
    m();
    const s = findObject(synthAndValidate(c), 'ScaledObject', 'bert');
    expect(s.spec.minReplicaCount).toBe(0);
    expect(s.spec.triggers[0].metadata.activationThreshold).toBe('0.5');
  });

  test('the default query parses with the Prometheus grammar', () => {
    expect(syntaxErrors(scaled.query)).toEqual([]);
  });

  promtoolTest('the default query parses (promtool)', (promtool) => {
    const result = runPromtool(promtool, ['check', 'rules', 'rules.yml'], { 'rules.yml': exprsAsRuleFile([scaled.query]) });
    expect(result.output).toContain('SUCCESS');
  });
});

describe('ServingScaledObject takes over a server with its own HPA', () => {
  test('the HPA is removed, the bounds are the server\'s, the Deployment renders no replicas', () => {
    const { chart, serving, make } = setup({}, { scaling: ServingScaling.autoscale({ minReplicas: 3, maxReplicas: 9 }) });
    expect(serving.hpaName).toBe('bert');
    make();
    const manifests = synthAndValidate(chart);
    expect(findObjects(manifests, 'HorizontalPodAutoscaler')).toEqual([]);
    const so = findObject(manifests, 'ScaledObject', 'bert');
    expect([so.spec.minReplicaCount, so.spec.maxReplicaCount]).toEqual([3, 9]);
    expect(findObject(manifests, 'Deployment', 'bert').spec.replicas).toBeUndefined();
    expect(serving.hpaName).toBe('keda-hpa-bert');
  });

  test('the default query uses the counter the server declared', () => {
    const { make } = setup({}, { metrics: { port: 8080, names: { requestsCounter: 'vllm:request_success_total' } } });
    expect(make().query).toContain('vllm:request_success_total{');
  });
});

describe('ServingScaledObject rejects bad input at synth time', () => {

  test('a server with a fixed replica count', () => {
    const { make } = setup({}, { scaling: ServingScaling.fixed(3) });
    expect(make).toThrow("ServingScaledObject 'prod/keda': serving ('bert') has a fixed replica count, which every apply would reset under KEDA.");
  });

  test.each<[string, Partial<ServingScaledObjectProps>, string]>([
    ['max below min', { minReplicas: 5, maxReplicas: 3 }, "ServingScaledObject 'prod/keda': maxReplicas (3) must be >= minReplicas (5)"],
    ['negative min', { minReplicas: -1 }, "ServingScaledObject 'prod/keda': minReplicas (-1) must be >= 0"],
    ['zero max', { maxReplicas: 0, minReplicas: 0 }, "ServingScaledObject 'prod/keda': maxReplicas (0) must be >= 1"],
    ['zero threshold', { threshold: 0 }, "ServingScaledObject 'prod/keda': threshold (0) must be a positive number"],
    ['negative activation', { activationThreshold: -1 }, "ServingScaledObject 'prod/keda': activationThreshold (-1) must not be negative"],
    ['sub-second polling', { pollingInterval: Duration.millis(500) }, "ServingScaledObject 'prod/keda': pollingInterval (0.5) must be an integer"],
    ['zero polling', { pollingInterval: Duration.seconds(0) }, "ServingScaledObject 'prod/keda': pollingInterval (0) must be >= 1"],
    ['max above the server\'s', { maxReplicas: 20 },
      "ServingScaledObject 'prod/keda': maxReplicas (20) must not exceed the server's maxReplicas (12); raise it in the server's scaling"],
    ['min below the server\'s', { minReplicas: 1 },
      "ServingScaledObject 'prod/keda': minReplicas (1) must be 0 (scale to zero) or at least the server's minReplicas (2); lower it in the server's scaling"],
    ['fallback above max', { fallback: { failureThreshold: 3, replicas: 50 } }, "ServingScaledObject 'prod/keda': fallback.replicas (50) must be between 2 and 12"],
    ['fallback threshold 0', { fallback: { failureThreshold: 0, replicas: 4 } }, "ServingScaledObject 'prod/keda': fallback.failureThreshold (0) must be >= 1"],
    ['server address without scheme', { serverAddress: 'prometheus:9090' }, "ServingScaledObject 'prod/keda': serverAddress ('prometheus:9090') must be an http(s) URL"],
    ['empty query', { query: ' ' }, "ServingScaledObject 'prod/keda': query must not be empty"],
    ['bad name', { name: 'Bert' }, "ServingScaledObject 'prod/keda': name ('Bert') must be a valid RFC 1123 DNS subdomain"],
  ])('%s', (_name, props, message) => {
    expect(setup(props).make).toThrow(message);
  });

  test('a second ScaledObject for the same server', () => {
    const { chart, serving, make } = setup();
    make();
    expect(() => new ServingScaledObject(chart, 'keda-2', { serving, threshold: 5 }))
      .toThrow("ServingScaledObject 'prod/keda-2': serving ('bert') is already scaled by 'prod/keda'; KEDA allows one ScaledObject per Deployment: put both queries in one");
  });

  test('a ScaledObject in another namespace than its server', () => {
    const app = Testing.app();
    const serving = new MlModelServing(new Chart(app, 'prod', { namespace: 'ml' }), 'bert', { image: 'ml-model:v1', scaling: EXTERNAL });
    const other = new Chart(app, 'autoscaling', { namespace: 'keda' });
    expect(() => new ServingScaledObject(other, 'keda', { serving, threshold: 20 }))
      .toThrow("ServingScaledObject 'autoscaling/keda': serving ('bert') is in namespace 'ml' but the ScaledObject would be in 'keda'; create it in the server's chart");
  });

  test('bounds are accepted exactly when KEDA and the server\'s PodDisruptionBudget agree (property)', () => {
    fc.assert(fc.property(fc.integer({ min: -1, max: 15 }), fc.integer({ min: 0, max: 15 }), (min, max) => {
      const valid = (min === 0 || min >= 2) && max >= 1 && max <= 12 && min <= max;
      const make = setup({ minReplicas: min, maxReplicas: max, activationThreshold: 1 }).make;
      if (valid) {
        expect(make().minReplicas).toBe(min);
      } else {
        expect(make).toThrow(/ServingScaledObject 'prod\/keda': (min|max)Replicas \(-?\d+\) must/);
      }
    }), { numRuns: 60 });
  });
});
