// Adopting what already exists: a cdk8s-plus Deployment made without this library, or
// a workload known by name, scaled by KEDA, alerted on, shown in a dashboard and
// right-sized by a VPA, like a MlModelServing.
import { Chart, Duration, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  CanaryRelease, CanaryStep, PodSecurity, CanaryTraffic, MlModelServing, ModelServerAlerts, ModelServingDashboard,
  ServingScaledObject, ServingScaling,
  VerticalPodAutoscaler, VpaTarget, WorkloadTarget,
} from '../../src';
import { findObject, findObjects, synthAndValidate } from '../util';

function adopted() {
  const chart = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
  const deployment = new kplus.Deployment(chart, 'legacy', {
    metadata: { name: 'legacy-model' },
    replicas: 3,
    podMetadata: { labels: { app: 'legacy-model' } },
    select: false,
    containers: [{
      name: 'server',
      image: 'legacy:v1',
      portNumber: 8080,
      resources: {
        cpu: { request: kplus.Cpu.units(1), limit: kplus.Cpu.units(1) },
        memory: { request: Size.gibibytes(1), limit: Size.gibibytes(1) },
      },
    }],
  });
  PodSecurity.restricted().applyTo(deployment);
  deployment.select(kplus.LabelSelector.of({ labels: { app: 'legacy-model' } }));
  return { chart, deployment, target: WorkloadTarget.fromWorkload(deployment, { minReplicas: 2, maxReplicas: 8, metricNames: { requestsCounter: 'legacy_requests_total' } }) };
}

describe('WorkloadTarget.fromWorkload: a cdk8s-plus Deployment made elsewhere', () => {
  const { chart, deployment, target } = adopted();
  const keda = new ServingScaledObject(chart, 'keda', { target, threshold: 20, minReplicas: 0, activationThreshold: 1 });
  new ModelServerAlerts(chart, 'alerts', { target });
  new ModelServingDashboard(chart, 'dashboard', { target });
  new VerticalPodAutoscaler(chart, 'vpa', { target: VpaTarget.of(target) });
  const manifests = synthAndValidate(chart);

  test('the target reads the workload', () => {
    expect(target.name).toBe('legacy-model');
    expect(target.namespace).toBe('ml');
    expect(target.selector).toEqual({ app: 'legacy-model' });
    expect(target.containerPorts).toEqual([8080]);
    expect(target.workloadRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'legacy-model' });
  });

  test('KEDA scales it (to zero, with an activation threshold) and its replicas stop being rendered', () => {
    const so = findObject(manifests, 'ScaledObject', 'legacy-model');
    expect(so.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'legacy-model' });
    expect(so.spec.minReplicaCount).toBe(0);
    expect(so.spec.triggers[0].metadata.activationThreshold).toBe('1');
    expect(so.spec.triggers[0].metadata.query).toContain('legacy_requests_total');
    expect(findObject(manifests, 'Deployment', 'legacy-model').spec.replicas).toBeUndefined();
    expect(deployment.hasAutoscaler).toBe(true);
  });

  test('alerts use its names and follow KEDA\'s HPA', () => {
    const rules = findObject(manifests, 'PrometheusRule', 'legacy-model').spec.groups[0].rules;
    const byName = Object.fromEntries(rules.map((r: any) => [r.alert, r]));
    expect(byName.ModelServerHighErrorRatio.expr).toContain('legacy_requests_total');
    expect(byName.ModelServerReplicasAtMax.expr).toContain(`horizontalpodautoscaler="${keda.hpaName}"`);
    expect(byName.ModelServerGpuIdle).toBeUndefined();
  });

  test('a dashboard and a VPA for it', () => {
    expect(findObjects(manifests, 'ConfigMap').map(c => c.metadata.name)).toContain('legacy-model-dashboard');
    expect(findObject(manifests, 'VerticalPodAutoscaler', 'vpa').spec.targetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'legacy-model' });
  });
});

describe('WorkloadTarget.fromReference: a workload known by name', () => {
  const chart = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
  const target = WorkloadTarget.fromReference({ name: 'helm-model', selector: { 'app.kubernetes.io/name': 'helm-model' }, maxReplicas: 6 });
  new ServingScaledObject(chart, 'keda', { target, threshold: 5 });
  new ModelServerAlerts(chart, 'alerts', { target });
  const manifests = synthAndValidate(chart);

  test('KEDA and alerts reach it by name, in the chart\'s namespace', () => {
    expect(findObject(manifests, 'ScaledObject', 'helm-model').spec).toMatchObject({ scaleTargetRef: { kind: 'Deployment', name: 'helm-model' }, minReplicaCount: 1, maxReplicaCount: 6 });
    const rule = findObject(manifests, 'PrometheusRule', 'helm-model');
    expect(rule.metadata.labels).toEqual({ 'app.kubernetes.io/name': 'helm-model' });
    expect(rule.spec.groups[0].rules[0].labels).toMatchObject({ namespace: 'ml', deployment: 'helm-model' });
  });

  test.each([
    ['an empty selector', { name: 'x', selector: {} }, "ModelServerAlerts 'prod/a': target.selector must hold at least one label: an empty selector selects every pod in the namespace"],
    ['a bad name', { name: 'Bad_Name', selector: { app: 'x' } }, "ModelServerAlerts 'prod/a': target.name ('Bad_Name')"],
    ['a bad metric name', { name: 'x', selector: { app: 'x' }, metricNames: { requestsCounter: 'bad-name' } }, "ModelServerAlerts 'prod/a': target.metricNames.requestsCounter ('bad-name') must be a valid Prometheus metric name"],
  ] as [string, any, string][])('refuses %s', (_n, options, message) => {
    const c = new Chart(Testing.app(), 'prod');
    expect(() => new ModelServerAlerts(c, 'a', { target: WorkloadTarget.fromReference(options) })).toThrow(message);
  });

  test('KEDA refuses a reference that already has an HPA, and serving with target', () => {
    const c = new Chart(Testing.app(), 'prod');
    expect(() => new ServingScaledObject(c, 'k', { target: WorkloadTarget.fromReference({ name: 'x', selector: { app: 'x' }, hpaName: 'x' }), threshold: 1 }))
      .toThrow("ServingScaledObject 'prod/k': target ('x') is already scaled by HPA 'x'; KEDA makes its own HPA and the two would fight: remove that one");
    const serving = new MlModelServing(c, 's', { image: 'm:v1' });
    expect(() => new ModelServerAlerts(c, 'a', { serving, target: WorkloadTarget.fromServing(serving) }))
      .toThrow("ModelServerAlerts 'prod/a': serving or target must be given, not both or neither");
  });
});

describe('scale to zero', () => {
  test('needs an activation threshold', () => {
    const c = new Chart(Testing.app(), 'prod');
    const serving = new MlModelServing(c, 's', { image: 'm:v1', scaling: ServingScaling.external({ minReplicas: 2, maxReplicas: 4 }) });
    expect(() => new ServingScaledObject(c, 'k', { serving, threshold: 1, minReplicas: 0 }))
      .toThrow("ServingScaledObject 'prod/k': activationThreshold must be set with minReplicas 0: KEDA wakes the workload when the query exceeds it (0 would wake it on a single request)");
  });

  test('is refused below a minAvailable disruption budget', () => {
    const c = new Chart(Testing.app(), 'prod');
    const serving = new MlModelServing(c, 's', { image: 'm:v1', scaling: ServingScaling.external({ minReplicas: 2, maxReplicas: 4 }), disruptionBudget: { minAvailable: 1 } });
    expect(() => new ServingScaledObject(c, 'k', { serving, threshold: 1, minReplicas: 0, activationThreshold: 1 }))
      .toThrow("ServingScaledObject 'prod/k': minReplicas (0) scales 's' below its disruption budget's minAvailable: with fewer pods no node could be drained; give the server disruptionBudget: { maxUnavailable: 1 }");
  });
});

describe('a Rollout takes the Deployment\'s place for KEDA, alerts and VPA', () => {
  const chart = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
  const release = new CanaryRelease(chart, 'bert', {
    stable: { image: 'ml-model:v2', scaling: ServingScaling.external({ minReplicas: 2, maxReplicas: 6 }) },
    traffic: CanaryTraffic.gatewayApi({ gateway: { name: 'public' } }),
    rollout: { steps: [CanaryStep.weight(20), CanaryStep.pause(Duration.minutes(5))] },
  });
  new ServingScaledObject(chart, 'keda', { serving: release.stable, threshold: 10 });
  new VerticalPodAutoscaler(chart, 'vpa', { target: VpaTarget.modelServing(release.stable) });
  const manifests = synthAndValidate(chart);
  test('scaleTargetRef and targetRef are the Rollout', () => {
    const ref = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'bert' };
    expect(findObject(manifests, 'ScaledObject', 'bert').spec.scaleTargetRef).toEqual(ref);
    expect(findObject(manifests, 'VerticalPodAutoscaler', 'vpa').spec.targetRef).toEqual(ref);
  });
});
