import { Chart, Duration, Testing } from 'cdk8s';
import { BlueGreenColor, BlueGreenService, BlueGreenServiceProps, IdleColorPolicy, RolloutAnalysis } from '../../src';
import { findObject, findObjects, synthAndValidate } from '../util';

const PROM = 'http://prometheus-operated.monitoring.svc:9090';

function synth(props: Partial<BlueGreenServiceProps> = {}) {
  const chart = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
  const bg = new BlueGreenService(chart, 'ml-model', {
    activeColor: BlueGreenColor.BLUE,
    blue: { image: 'ml-model:v2' },
    rollout: {
      prePromotionAnalysis: RolloutAnalysis.serverMetrics({ prometheusAddress: PROM, name: 'preview' }),
      postPromotionAnalysis: RolloutAnalysis.serverMetrics({ prometheusAddress: PROM, name: 'live', maxErrorRatio: 0.01 }),
      autoPromotion: true,
      autoPromotionDelay: Duration.minutes(5),
    },
    ...props,
  });
  return { bg, manifests: synthAndValidate(chart) };
}

describe('BlueGreenService with Argo Rollouts', () => {
  const { bg, manifests } = synth();
  const rollout = findObject(manifests, 'Rollout', 'ml-model-server');

  test('one server, its Deployment replaced by a blueGreen Rollout', () => {
    expect(findObjects(manifests, 'Deployment')).toEqual([]);
    expect(bg.rollout).toBeDefined();
    expect(rollout.spec.template.spec.containers[0].image).toBe('ml-model:v2');
    expect(rollout.spec.strategy.blueGreen).toEqual({
      activeService: 'ml-model',
      previewService: 'ml-model-preview',
      autoPromotionEnabled: true,
      autoPromotionSeconds: 300,
      prePromotionAnalysis: { templates: [{ templateName: 'ml-model-server-preview' }], args: [{ name: 'pod-template-hash', valueFrom: { podTemplateHashValue: 'Latest' } }] },
      postPromotionAnalysis: { templates: [{ templateName: 'ml-model-server-live' }], args: [{ name: 'pod-template-hash', valueFrom: { podTemplateHashValue: 'Latest' } }] },
      scaleDownDelaySeconds: 30,
    });
  });

  test('active and preview Services select the app labels (Argo Rollouts adds the hash)', () => {
    expect(findObject(manifests, 'Service', 'ml-model').spec.selector).toEqual({ app: 'ml-model' });
    expect(findObject(manifests, 'Service', 'ml-model-preview').spec.selector).toEqual({ app: 'ml-model' });
  });

  test('two AnalysisTemplates, with their own bounds', () => {
    expect(findObjects(manifests, 'AnalysisTemplate').map(t => t.metadata.name).sort()).toEqual(['ml-model-server-live', 'ml-model-server-preview']);
    const live = findObject(manifests, 'AnalysisTemplate', 'ml-model-server-live');
    expect(live.spec.metrics[0].successCondition).toBe('len(result) > 0 && result[0] <= 0.01');
  });

  test('manual promotion by default', () => {
    const { manifests: m } = synth({ rollout: {} });
    expect(findObject(m, 'Rollout', 'ml-model-server').spec.strategy.blueGreen).toEqual({
      activeService: 'ml-model', previewService: 'ml-model-preview', autoPromotionEnabled: false, scaleDownDelaySeconds: 30,
    });
  });

  test.each([
    ['the other color', { green: { image: 'ml-model:v3' } }, "BlueGreenService 'prod/ml-model': green must not be set with rollout: Argo Rollouts runs the new version as the preview of blue's server"],
    ['an idle policy', { idle: IdleColorPolicy.remove() }, "BlueGreenService 'prod/ml-model': idle must not be set with rollout: Argo Rollouts scales the old version down after scaleDownDelay"],
    ['a delay without auto-promotion', { rollout: { autoPromotionDelay: Duration.minutes(1) } }, "BlueGreenService 'prod/ml-model': rollout.autoPromotionDelay needs autoPromotion: true"],
    ['no preview replicas', { rollout: { previewReplicas: 0 } }, "BlueGreenService 'prod/ml-model': rollout.previewReplicas (0) must be >= 1"],
  ] as [string, Partial<BlueGreenServiceProps>, string][])('refuses %s', (_n, props, message) => {
    expect(() => synth(props)).toThrow(message);
  });
});
