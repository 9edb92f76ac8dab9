import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import * as fc from 'fast-check';
import {
  BlueGreenColor, BlueGreenService, BlueGreenServiceProps, IdleColorPolicy, MlLabels, ServingScaling,
} from '../../src';
import { findObject, findObjects, synthAndValidate } from '../util';
import { diffManifests } from './manifest-diff';

function synth(props: Partial<BlueGreenServiceProps> = {}) {
  const chart = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
  const bg = new BlueGreenService(chart, 'ml-model', {
    activeColor: BlueGreenColor.BLUE,
    activeServiceName: 'ml-model-service',
    blue: { image: 'ml-model:v1' },
    green: { image: 'ml-model:v2' },
    ...props,
  });
  return { bg, manifests: synthAndValidate(chart) };
}

const podLabels = (manifests: any[], deployment: string) => findObject(manifests, 'Deployment', deployment).spec.template.metadata.labels;
const kinds = (manifests: any[]) => manifests.map(m => `${m.kind}/${m.metadata.name}`).sort();

const COLOR_STACK = (name: string) => [
  `Deployment/${name}`, `HorizontalPodAutoscaler/${name}`, `NetworkPolicy/${name}`,
  `PodDisruptionBudget/${name}`, `Service/${name}`, `ServiceAccount/${name}`,
];

describe('BlueGreenService: the guide\'s blue-green Service', () => {
  const { bg, manifests } = synth();
  const active = findObject(manifests, 'Service', 'ml-model-service');
  const preview = findObject(manifests, 'Service', 'ml-model-preview');

  test('reproduces the guide\'s ml-model-service: selector app: ml-model, version: blue, port 80 -> 8080', () => {
    expect(active.apiVersion).toBe('v1');
    expect(active.metadata.namespace).toBe('ml');
    expect(active.spec.selector).toEqual({ app: 'ml-model', version: 'blue' });
    expect(active.spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 8080 }]);
    expect(active.spec.type).toBe('ClusterIP');
    expect(bg.activeSelector).toEqual({ app: 'ml-model', version: 'blue' });
  });

  test('two complete stacks, one per color, plus the active and preview Services; one HPA per color', () => {
    expect(kinds(manifests)).toEqual([
      ...COLOR_STACK('ml-model-blue'), ...COLOR_STACK('ml-model-green'), 'Service/ml-model-preview', 'Service/ml-model-service',
    ].sort());
    expect(findObjects(manifests, 'HorizontalPodAutoscaler').map(h => h.spec.scaleTargetRef.name).sort()).toEqual(['ml-model-blue', 'ml-model-green']);
  });

  test('pods are labelled version: blue|green and app: ml-model; the color is part of each Deployment selector', () => {
    for (const color of ['blue', 'green']) {
      const deployment = findObject(manifests, 'Deployment', `ml-model-${color}`);
      expect(deployment.spec.template.metadata.labels).toMatchObject({ app: 'ml-model', version: color });
      expect(deployment.spec.selector.matchLabels.version).toBe(color);
    }
    expect(podLabels(manifests, 'ml-model-blue')['app.kubernetes.io/version']).toBe('v1');
    expect(podLabels(manifests, 'ml-model-green')['app.kubernetes.io/version']).toBe('v2');
  });

  test('the active Service selects exactly the active color\'s pods, never the other\'s; the preview the reverse', () => {
    expect(MlLabels.matches(active.spec.selector, podLabels(manifests, 'ml-model-blue'))).toBe(true);
    expect(MlLabels.matches(active.spec.selector, podLabels(manifests, 'ml-model-green'))).toBe(false);
    expect(preview.spec.selector).toEqual({ app: 'ml-model', version: 'green' });
    expect(MlLabels.matches(preview.spec.selector, podLabels(manifests, 'ml-model-green'))).toBe(true);
    expect(MlLabels.matches(preview.spec.selector, podLabels(manifests, 'ml-model-blue'))).toBe(false);
    // No pod of either color matches both Services.
    for (const color of ['blue', 'green']) {
      const labels = podLabels(manifests, `ml-model-${color}`);
      expect([active, preview].filter(s => MlLabels.matches(s.spec.selector, labels))).toHaveLength(1);
    }
  });

  test('exposes the colors and Services as properties', () => {
    expect(bg.activeColor).toBe(BlueGreenColor.BLUE);
    expect(bg.idleColor).toBe(BlueGreenColor.GREEN);
    expect(bg.active).toBe(bg.blue);
    expect(bg.idle).toBe(bg.green);
    expect(bg.blue!.name).toBe('ml-model-blue');
    expect(bg.green!.name).toBe('ml-model-green');
    expect(bg.activeService.name).toBe('ml-model-service');
    expect(bg.previewService!.name).toBe('ml-model-preview');
    expect(bg.name).toBe('ml-model');
  });
});

describe('BlueGreenService selectors, for any color, idle policy and app labels (property)', () => {
  const labelValue = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/);
  const appLabels = fc.dictionary(fc.constantFrom('app', 'team', 'app.kubernetes.io/part-of'), labelValue, { minKeys: 1 });
  const idle = fc.oneof(
    fc.constant({ policy: IdleColorPolicy.keepWarm(), removed: false }),
    fc.integer({ min: 0, max: 3 }).map(n => ({ policy: IdleColorPolicy.scaleTo(n), removed: false })),
    fc.constant({ policy: IdleColorPolicy.remove(), removed: true }),
  );

  test('the active Service selects exactly the active color\'s pods, the preview exactly the idle color\'s', () => {
    fc.assert(fc.property(fc.constantFrom(BlueGreenColor.BLUE, BlueGreenColor.GREEN), idle, appLabels, (activeColor, { policy, removed }, labels) => {
      const { bg, manifests } = synth({ activeColor, idle: policy, appLabels: labels });
      const idleColor = activeColor === BlueGreenColor.BLUE ? 'green' : 'blue';
      const pods = (color: string) => findObjects(manifests, 'Deployment')
        .filter(d => d.metadata.name === `ml-model-${color}`).map(d => d.spec.template.metadata.labels);
      const selects = (service: string, color: string) => pods(color).some(l => MlLabels.matches(findObject(manifests, 'Service', service).spec.selector, l));
      expect(findObject(manifests, 'Service', 'ml-model-service').spec.selector).toEqual({ ...labels, version: activeColor });
      expect(selects('ml-model-service', activeColor)).toBe(true);
      expect(selects('ml-model-service', idleColor)).toBe(false);
      if (removed) {
        expect(pods(idleColor)).toEqual([]);
        expect(bg.previewService).toBeUndefined();
      } else {
        expect(selects('ml-model-preview', idleColor)).toBe(true);
        expect(selects('ml-model-preview', activeColor)).toBe(false);
      }
      // Every Deployment's selector matches its own pods, and only them.
      for (const d of findObjects(manifests, 'Deployment')) {
        for (const other of findObjects(manifests, 'Deployment')) {
          expect(MlLabels.matches(d.spec.selector.matchLabels, other.spec.template.metadata.labels)).toBe(d === other);
        }
      }
      expect(bg.active.minReplicas).toBeGreaterThanOrEqual(1);
    }), { numRuns: 20 });
  });
});

describe('BlueGreenService promotion and rollback', () => {
  const blueLive = synth().manifests;
  const green = synth({ activeColor: BlueGreenColor.GREEN });

  test('promotion switches only the two Services\' selectors: the colors\' stacks are untouched', () => {
    expect(diffManifests(blueLive, green.manifests)).toEqual([
      'Service/ml-model-preview/spec/selector/version',
      'Service/ml-model-service/spec/selector/version',
    ]);
    expect(findObject(green.manifests, 'Service', 'ml-model-service').spec.selector).toEqual({ app: 'ml-model', version: 'green' });
    expect(findObject(green.manifests, 'Service', 'ml-model-preview').spec.selector).toEqual({ app: 'ml-model', version: 'blue' });
    expect(green.bg.active).toBe(green.bg.green);
    expect(green.bg.idle).toBe(green.bg.blue);
  });

  test('rollback (switching back) restores the original manifests exactly', () => {
    const rolledBack = synth({ activeColor: BlueGreenColor.BLUE }).manifests;
    expect(diffManifests(green.manifests, rolledBack)).toEqual(diffManifests(blueLive, green.manifests));
    expect(diffManifests(blueLive, rolledBack)).toEqual([]);
  });

  test('the color a promotion switches to always has ready-to-serve replicas under its HPA', () => {
    const hpa = findObject(green.manifests, 'HorizontalPodAutoscaler', 'ml-model-green');
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(1);
    expect(green.bg.active.minReplicas).toBeGreaterThanOrEqual(1);
  });
});

describe('BlueGreenService idle color', () => {
  test('keepWarm is the default: the idle color keeps its full scaling and HPA', () => {
    const { manifests } = synth({ green: { image: 'ml-model:v2', scaling: ServingScaling.autoscale({ minReplicas: 3, maxReplicas: 6 }) } });
    expect(findObject(manifests, 'HorizontalPodAutoscaler', 'ml-model-green').spec).toMatchObject({ minReplicas: 3, maxReplicas: 6 });
    // The default is keepWarm: asking for it changes nothing.
    expect(synth({ idle: IdleColorPolicy.keepWarm(), green: { image: 'ml-model:v2', scaling: ServingScaling.autoscale({ minReplicas: 3, maxReplicas: 6 }) } }).manifests)
      .toEqual(manifests);
  });

  test('scaleTo(n): fixed replicas, no HPA, the default PDB; the active color keeps its HPA', () => {
    const { bg, manifests } = synth({
      idle: IdleColorPolicy.scaleTo(2),
      green: { image: 'ml-model:v2', disruptionBudget: { minAvailable: 3 }, scaling: ServingScaling.autoscale({ minReplicas: 4 }) },
    });
    const idle = findObject(manifests, 'Deployment', 'ml-model-green');
    expect(idle.spec.replicas).toBe(2);
    expect(findObjects(manifests, 'HorizontalPodAutoscaler').map(h => h.metadata.name)).toEqual(['ml-model-blue']);
    expect(findObject(manifests, 'PodDisruptionBudget', 'ml-model-green').spec).toMatchObject({ maxUnavailable: 1 });
    expect(findObject(manifests, 'Deployment', 'ml-model-blue').spec.replicas).toBeUndefined();
    expect(bg.idle!.maxReplicas).toBe(2);
    expect(bg.previewService).toBeDefined();
  });

  test('scaleTo(0): the idle Deployment stays with 0 replicas and no PDB', () => {
    const { manifests } = synth({ idle: IdleColorPolicy.scaleTo(0) });
    expect(findObject(manifests, 'Deployment', 'ml-model-green').spec.replicas).toBe(0);
    expect(findObjects(manifests, 'PodDisruptionBudget').map(p => p.metadata.name)).toEqual(['ml-model-blue']);
  });

  test('remove(): no objects of the idle color and no preview Service', () => {
    const { bg, manifests } = synth({ idle: IdleColorPolicy.remove() });
    expect(kinds(manifests)).toEqual([...COLOR_STACK('ml-model-blue'), 'Service/ml-model-service'].sort());
    expect(bg.idle).toBeUndefined();
    expect(bg.green).toBeUndefined();
    expect(bg.previewService).toBeUndefined();
  });

  test('an undefined idle color is allowed: the first release has only the active color', () => {
    const { bg, manifests } = synth({ green: undefined });
    expect(kinds(manifests)).toEqual([...COLOR_STACK('ml-model-blue'), 'Service/ml-model-service'].sort());
    expect(bg.idle).toBeUndefined();
  });
});

describe('BlueGreenService options', () => {
  test('custom app labels, Service names, port and type; the preview Service stays internal', () => {
    const { manifests } = synth({
      name: 'fraud',
      appLabels: { 'app.kubernetes.io/part-of': 'fraud-detection' },
      activeServiceName: 'fraud-live',
      previewServiceName: 'fraud-next',
      servicePort: 8000,
      serviceType: kplus.ServiceType.LOAD_BALANCER,
      blue: { image: 'fraud:1.0', port: 9000 },
      green: { image: 'fraud:1.1', port: 9000 },
    });
    const live = findObject(manifests, 'Service', 'fraud-live');
    expect(live.spec).toMatchObject({
      type: 'LoadBalancer',
      selector: { 'app.kubernetes.io/part-of': 'fraud-detection', 'version': 'blue' },
      ports: [{ name: 'http', port: 8000, targetPort: 9000 }],
    });
    const next = findObject(manifests, 'Service', 'fraud-next');
    expect(next.spec.type).toBe('ClusterIP');
    expect(next.spec.selector).toEqual({ 'app.kubernetes.io/part-of': 'fraud-detection', 'version': 'green' });
    expect(podLabels(manifests, 'fraud-green')['app.kubernetes.io/part-of']).toBe('fraud-detection');
  });

  test('default names: the active Service is named after the construct; named colors are respected', () => {
    const chart = new Chart(Testing.app(), 'prod');
    const bg = new BlueGreenService(chart, 'llm', {
      activeColor: BlueGreenColor.GREEN,
      blue: { image: 'vllm:v1', name: 'llm-a' },
      green: { image: 'vllm:v2', name: 'llm-b' },
    });
    const manifests = synthAndValidate(chart);
    expect(findObject(manifests, 'Service', 'llm').spec.selector).toEqual({ app: 'llm', version: 'green' });
    expect(findObject(manifests, 'Service', 'llm-preview').spec.selector).toEqual({ app: 'llm', version: 'blue' });
    expect(bg.active.name).toBe('llm-b');
    expect(findObject(manifests, 'Deployment', 'llm-a').spec.template.metadata.labels.version).toBe('blue');
  });

  test('one server image with two model versions is a valid pair when told apart by version', () => {
    const { manifests } = synth({
      blue: { image: 'vllm/vllm-openai:v0.6.3', version: 'llama-3-8b' },
      green: { image: 'vllm/vllm-openai:v0.6.3', version: 'llama-3.1-8b' },
    });
    expect(podLabels(manifests, 'ml-model-green')['app.kubernetes.io/version']).toBe('llama-3.1-8b');
  });

  test('identical images are not checked against a removed idle color', () => {
    expect(() => synth({ idle: IdleColorPolicy.remove(), green: { image: 'ml-model:v1' } })).not.toThrow();
  });
});
