import { Chart, Testing } from 'cdk8s';
import {
  CanaryStep, MlModelServing, RolloutAnalysis, WorkloadBlueGreenRollout, WorkloadRollout, WorkloadTarget,
} from '../../src';
import { findObject, findObjects, synthAndValidate } from '../util';

const PROM = 'http://prometheus-operated.monitoring.svc:9090';

function server(chart: Chart): MlModelServing {
  return new MlModelServing(chart, 'bert', {
    image: 'ml-model:v2',
    metrics: { port: 9090, names: { requestsCounter: 'model_requests_total', latencyHistogram: 'model_latency_seconds' } },
  });
}

// Progressive delivery around a server that already exists: its model (pod template,
// probes, resources, identity) is declared once, by the server, and referenced.
describe('canaries and blue-green wrap an existing server', () => {
  test('blue-green: the Rollout references the server\'s Deployment; its Service is active, a preview beside it', () => {
    const chart = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
    const bert = server(chart);
    const bg = new WorkloadBlueGreenRollout(chart, 'bert-bg', {
      target: WorkloadTarget.fromServing(bert),
      prePromotionAnalysis: RolloutAnalysis.serverMetrics({ prometheusAddress: PROM, name: 'preview' }),
      autoPromotion: true,
    });
    const manifests = synthAndValidate(chart);
    const rollout = findObject(manifests, 'Rollout', 'bert');
    expect(rollout.spec.workloadRef).toMatchObject({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'bert' });
    expect(rollout.spec.template).toBeUndefined(); // the model stays the server's
    expect(rollout.spec.strategy.blueGreen).toMatchObject({ activeService: 'bert', previewService: 'bert-preview', autoPromotionEnabled: true });
    expect(findObject(manifests, 'Service', 'bert-preview').spec.selector).toEqual(bert.selector);
    expect(bg.previewService.name).toBe('bert-preview');
    // The pre-promotion analysis is built from the names the server declared.
    const template = findObjects(manifests, 'AnalysisTemplate')[0];
    const queries = template.spec.metrics.map((m: any) => m.provider.prometheus.query).join('\n');
    expect(queries).toContain('model_requests_total{');
    expect(queries).toContain('model_latency_seconds_bucket{');
  });

  test('canary: WorkloadRollout over the same server', () => {
    const chart = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
    const bert = server(chart);
    new WorkloadRollout(chart, 'bert-canary', { target: WorkloadTarget.fromServing(bert), steps: [CanaryStep.weight(20), CanaryStep.weight(50)] });
    const rollout = findObject(synthAndValidate(chart), 'Rollout', 'bert');
    expect(rollout.spec.workloadRef.name).toBe('bert');
    expect(rollout.spec.strategy.canary.steps).toEqual([{ setWeight: 20 }, { setWeight: 50 }]);
  });

  test('errors name the construct and the prop', () => {
    const chart = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
    const bert = server(chart);
    expect(() => new WorkloadBlueGreenRollout(chart, 'a', { target: WorkloadTarget.fromServing(bert), autoPromotionDelay: undefined, previewReplicas: 0 }))
      .toThrow("WorkloadBlueGreenRollout 'prod/a': rollout.previewReplicas (0) must be >= 1");
    expect(() => new WorkloadBlueGreenRollout(chart, 'b', { target: WorkloadTarget.fromReference({ name: 'x', selector: { app: 'x' } }) }))
      .toThrow("WorkloadBlueGreenRollout 'prod/b': target needs its Service and container port");
    expect(() => new WorkloadBlueGreenRollout(chart, 'c', undefined as any)).toThrow("WorkloadBlueGreenRollout 'prod/c': props are required (at least target)");
  });
});
