// Canaries for workloads this library did not make: a weighted HTTPRoute between
// two existing Services, and an Argo Rollout that takes over an existing Deployment.
import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { CanaryRoute, CanaryStep, MlModelServing, PodSecurity, RolloutAnalysis, WorkloadRollout, WorkloadTarget } from '../../src';
import { findObject, findObjects, synthAndValidate } from '../util';

const GATEWAY = { gateway: { name: 'public', namespace: 'gateways' } };
const helm = (name: string) => WorkloadTarget.fromReference({
  name, selector: { 'app.kubernetes.io/instance': name }, serviceName: name, servicePort: 80, containerPorts: [8080], minReplicas: 3,
});

describe('CanaryRoute: a weighted HTTPRoute between existing Services', () => {
  test('two workloads made elsewhere: a Helm release and a cdk8s-plus Deployment with its Service', () => {
    const chart = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
    const deployment = new kplus.Deployment(chart, 'v2', { metadata: { name: 'model-v2' }, containers: [{ image: 'model:v2', portNumber: 8080 }] });
    PodSecurity.restricted().applyTo(deployment);
    const service = deployment.exposeViaService({ name: 'model-v2', ports: [{ port: 80, targetPort: 8080 }] });
    const route = new CanaryRoute(chart, 'model', {
      ...GATEWAY, stable: helm('model-v1'), canary: WorkloadTarget.fromWorkload(deployment, { service }), weight: 20, metadata: { labels: { team: 'nlp' } },
    });
    const manifests = synthAndValidate(chart);
    const http = findObject(manifests, 'HTTPRoute', 'model');
    expect(route.weight).toBe(20);
    expect(http.metadata.labels.team).toBe('nlp');
    expect(http.spec.rules[0].backendRefs).toEqual([
      { group: '', kind: 'Service', name: 'model-v1', port: 80, weight: 80 },
      { group: '', kind: 'Service', name: 'model-v2', port: 80, weight: 20 },
    ]);
  });

  test('a MlModelServing works too', () => {
    const chart = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
    const serving = new MlModelServing(chart, 'bert', { image: 'bert:v1' });
    new CanaryRoute(chart, 'bert-route', { ...GATEWAY, stable: WorkloadTarget.fromServing(serving) });
    expect(findObject(synthAndValidate(chart), 'HTTPRoute', 'bert-route').spec.rules[0].backendRefs).toEqual([
      { group: '', kind: 'Service', name: 'bert', port: 80, weight: 100 },
    ]);
  });

  test.each([
    ['no Service', { stable: WorkloadTarget.fromReference({ name: 'x', selector: { app: 'x' } }) },
      "CanaryRoute 'prod/r': stable ('x') has no Service to route to: give WorkloadTarget.fromWorkload(workload, { service }) or fromReference({ serviceName })"],
    ['another namespace', { stable: WorkloadTarget.fromReference({ name: 'x', namespace: 'other', selector: { app: 'x' }, serviceName: 'x' }) },
      "CanaryRoute 'prod/r': stable ('x') is in namespace 'other', the route in 'ml': create the route in the workload's namespace"],
    ['a weight without canary', { stable: helm('a'), weight: 5 }, "CanaryRoute 'prod/r': weight (5) must be 0 when there is no canary"],
    ['one Service twice', { stable: helm('a'), canary: helm('a'), weight: 5 }, "CanaryRoute 'prod/r': canary ('a') has the stable track's Service: the split would send every request to the same pods"],
  ] as [string, any, string][])('refuses %s', (_n, props, message) => {
    const chart = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
    expect(() => new CanaryRoute(chart, 'r', { ...GATEWAY, ...props })).toThrow(message);
  });
});

describe('WorkloadRollout: Argo Rollouts takes over an existing Deployment', () => {
  const chart = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
  const rollout = new WorkloadRollout(chart, 'model', {
    target: helm('model'),
    gateway: GATEWAY,
    steps: [CanaryStep.weight(25), CanaryStep.analysis(RolloutAnalysis.serverMetrics({ prometheusAddress: 'http://prometheus:9090' })), CanaryStep.weight(75)],
  });
  const manifests = synthAndValidate(chart);
  const spec = findObject(manifests, 'Rollout', 'model').spec;

  test('references the Deployment instead of copying its template', () => {
    expect(spec.workloadRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'model', scaleDown: 'progressively' });
    expect(spec.template).toBeUndefined();
    expect(spec.replicas).toBe(3);
    expect(spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/instance': 'model' });
  });

  test('routes through the Gateway API plugin between its Service and a canary twin', () => {
    expect(spec.strategy.canary).toMatchObject({
      stableService: 'model',
      canaryService: 'model-canary',
      trafficRouting: { plugins: { 'argoproj-labs/gatewayAPI': { httpRoute: 'model' } } },
    });
    expect(findObject(manifests, 'Service', 'model-canary').spec).toMatchObject({ selector: { 'app.kubernetes.io/instance': 'model' }, ports: [{ port: 80, targetPort: 8080 }] });
    expect(rollout.httpRoute).toBeDefined();
    expect(findObjects(manifests, 'AnalysisTemplate').map(t => t.metadata.name)).toEqual(['model-server-metrics']);
  });

  test('refuses a StatefulSet and a route without a Service', () => {
    const c = new Chart(Testing.app(), 'prod');
    expect(() => new WorkloadRollout(c, 'a', { target: WorkloadTarget.fromReference({ name: 'x', kind: 'StatefulSet', selector: { app: 'x' } }), steps: [CanaryStep.weight(10)] }))
      .toThrow("WorkloadRollout 'prod/a': target ('StatefulSet' 'x') must be a Deployment (or ReplicaSet, PodTemplate): Argo Rollouts takes pod templates only from those");
    expect(() => new WorkloadRollout(c, 'b', { target: WorkloadTarget.fromReference({ name: 'y', selector: { app: 'y' } }), gateway: GATEWAY, steps: [CanaryStep.weight(10)] }))
      .toThrow("WorkloadRollout 'prod/b': gateway needs the target's Service and container port (serviceName, containerPorts): the canary Service copies them");
  });
});
