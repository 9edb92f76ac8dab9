import { Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import {
  CanaryAnnotations, CanaryRelease, CanaryReleaseProps, CanaryTraffic, MlLabels, ServingScaling,
} from '../../src';
import { findObject, findObjects, synthAndValidate, validationProblems } from '../util';
import { diffManifests } from './manifest-diff';

function synth(props: Partial<CanaryReleaseProps> = {}) {
  const chart = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
  const release = new CanaryRelease(chart, 'ml-model', {
    stable: { name: 'ml-model-serving', image: 'ml-model:v1' },
    canary: { image: 'ml-model:v2' },
    weight: 25,
    traffic: CanaryTraffic.replicaRatio({ totalReplicas: 4 }),
    ...props,
  });
  return { release, manifests: synthAndValidate(chart) };
}

const podLabels = (manifests: any[], name: string) => findObject(manifests, 'Deployment', name).spec.template.metadata.labels;
const names = (manifests: any[], kind: string) => findObjects(manifests, kind).map(o => o.metadata.name).sort();

describe('CanaryRelease by replica ratio (the guide\'s way)', () => {
  const { release, manifests } = synth();
  const service = findObject(manifests, 'Service', 'ml-model');

  test('reproduces the guide\'s ml-model-canary: 1 replica of ml-model:v2, next to 3 stable replicas', () => {
    const canary = findObject(manifests, 'Deployment', 'ml-model-canary');
    expect(canary.spec.replicas).toBe(1);
    expect(canary.spec.template.spec.containers[0].image).toBe('ml-model:v2');
    const stable = findObject(manifests, 'Deployment', 'ml-model-serving');
    expect(stable.spec.replicas).toBe(3);
    expect(stable.spec.template.spec.containers[0].image).toBe('ml-model:v1');
    expect(release.stableReplicas).toBe(3);
    expect(release.canaryReplicas).toBe(1);
    expect(release.canaryShare).toBe(25);
  });

  test('one Service selects both tracks (app: ml-model) and neither track alone', () => {
    expect(service.spec.selector).toEqual({ app: 'ml-model' });
    expect(service.spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 8080 }]);
    for (const track of ['ml-model-serving', 'ml-model-canary']) {
      expect(MlLabels.matches(service.spec.selector, podLabels(manifests, track))).toBe(true);
    }
    expect(podLabels(manifests, 'ml-model-serving').track).toBe('stable');
    expect(podLabels(manifests, 'ml-model-canary').track).toBe('canary');
    expect(release.service!.name).toBe('ml-model');
  });

  test('the track Services select exactly their own track', () => {
    const stableSelector = findObject(manifests, 'Service', 'ml-model-serving').spec.selector;
    const canarySelector = findObject(manifests, 'Service', 'ml-model-canary').spec.selector;
    expect(MlLabels.matches(stableSelector, podLabels(manifests, 'ml-model-serving'))).toBe(true);
    expect(MlLabels.matches(stableSelector, podLabels(manifests, 'ml-model-canary'))).toBe(false);
    expect(MlLabels.matches(canarySelector, podLabels(manifests, 'ml-model-canary'))).toBe(true);
    expect(MlLabels.matches(canarySelector, podLabels(manifests, 'ml-model-serving'))).toBe(false);
  });

  test('reports the realized share on the Service', () => {
    expect(service.metadata.annotations).toEqual({
      [CanaryAnnotations.REQUESTED_WEIGHT]: '25',
      [CanaryAnnotations.REALIZED_SHARE]: '25',
      [CanaryAnnotations.SPLIT]: 'canary runs 1 of 4 replicas behind one Service: 25% of requests for a requested 25%',
    });
  });

  test('fixed replica counts: no HPA; a PDB only where more than one replica runs', () => {
    expect(findObjects(manifests, 'HorizontalPodAutoscaler')).toEqual([]);
    expect(names(manifests, 'PodDisruptionBudget')).toEqual(['ml-model-serving']);
  });

  test('an inexact weight gets the closest share, reported as such', () => {
    const { release: r, manifests: m } = synth({ weight: 10, traffic: CanaryTraffic.replicaRatio({ totalReplicas: 8 }) });
    expect([r.stableReplicas, r.canaryReplicas, r.canaryShare]).toEqual([7, 1, 12.5]);
    const annotations = findObject(m, 'Service', 'ml-model').metadata.annotations;
    expect(annotations[CanaryAnnotations.REALIZED_SHARE]).toBe('12.5');
    expect(annotations[CanaryAnnotations.REQUESTED_WEIGHT]).toBe('10');
    const third = synth({ weight: 33, traffic: CanaryTraffic.replicaRatio({ totalReplicas: 3 }) });
    expect(findObject(third.manifests, 'Service', 'ml-model').metadata.annotations[CanaryAnnotations.REALIZED_SHARE]).toBe('33.33');
  });

  test('abort is weight 0: the canary Deployment stays at 0 replicas, the stable track takes the total', () => {
    const { release: r, manifests: m } = synth({ weight: 0 });
    expect(findObject(m, 'Deployment', 'ml-model-canary').spec.replicas).toBe(0);
    expect(findObject(m, 'Deployment', 'ml-model-serving').spec.replicas).toBe(4);
    expect(r.canaryShare).toBe(0);
  });

  test('weight 100 moves every replica to the canary', () => {
    const { manifests: m } = synth({ weight: 100 });
    expect(findObject(m, 'Deployment', 'ml-model-canary').spec.replicas).toBe(4);
    expect(findObject(m, 'Deployment', 'ml-model-serving').spec.replicas).toBe(0);
  });

  test('promotion: the stable track takes the canary image, the canary goes; the Service is untouched but for its report', () => {
    const before = synth().manifests;
    const { release: r, manifests: after } = synth({ stable: { name: 'ml-model-serving', image: 'ml-model:v2' }, canary: undefined, weight: 0 });
    expect(findObject(after, 'Deployment', 'ml-model-serving').spec.template.spec.containers[0].image).toBe('ml-model:v2');
    expect(findObject(after, 'Deployment', 'ml-model-serving').spec.replicas).toBe(4);
    expect(names(after, 'Deployment')).toEqual(['ml-model-serving']);
    expect(r.canary).toBeUndefined();
    expect(r.canaryService).toBeUndefined();
    const serviceDiff = diffManifests(before, after).filter(p => p.startsWith('Service/ml-model/'));
    expect(serviceDiff).toContain('Service/ml-model/metadata/annotations/delivery.cdk8s-ml.io~1canary-split');
    expect(serviceDiff.every(p => p.startsWith('Service/ml-model/metadata/annotations/'))).toBe(true);
    expect(findObject(after, 'Service', 'ml-model').metadata.annotations[CanaryAnnotations.SPLIT]).toBe('no canary: every request goes to the stable track');
  });

  test('custom app labels, Service port and track names', () => {
    const { manifests: m } = synth({
      name: 'fraud',
      appLabels: { 'app.kubernetes.io/part-of': 'fraud' },
      servicePort: 8000,
      stable: { image: 'fraud:1.0' },
      canary: { image: 'fraud:1.1', port: 8080 },
    });
    const svc = findObject(m, 'Service', 'fraud');
    expect(svc.spec.selector).toEqual({ 'app.kubernetes.io/part-of': 'fraud' });
    expect(svc.spec.ports[0]).toEqual({ name: 'http', port: 8000, targetPort: 8080 });
    expect(names(m, 'Deployment')).toEqual(['fraud-canary', 'fraud-stable']);
  });
});

describe('CanaryRelease selectors and split, for any weight, total and app labels (property)', () => {
  test('the shared Service spans both tracks, each track Service only its own; replicas realize the reported share', () => {
    const labelValue = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/);
    const appLabels = fc.dictionary(fc.constantFrom('app', 'team', 'app.kubernetes.io/part-of'), labelValue, { minKeys: 1 });
    let synthesized = 0;
    fc.assert(fc.property(fc.integer({ min: 2, max: 12 }), fc.integer({ min: 0, max: 100 }), appLabels, (total, weight, labels) => {
      let result: ReturnType<typeof synth>;
      try {
        result = synth({ weight, appLabels: labels, traffic: CanaryTraffic.replicaRatio({ totalReplicas: total }) });
      } catch (e) {
        // Only the documented refusal: a weight this total cannot give both tracks.
        expect((e as Error).message).toMatch(/weight \(\d+\) with totalReplicas \(\d+\) gives the (canary|stable track) 0 replicas/);
        return;
      }
      const { release: r, manifests: m } = result;
      const shared = findObject(m, 'Service', 'ml-model').spec.selector;
      expect(shared).toEqual(labels);
      for (const track of ['ml-model-serving', 'ml-model-canary']) {
        expect(MlLabels.matches(shared, podLabels(m, track))).toBe(true);
        const own = findObject(m, 'Service', track).spec.selector;
        for (const other of ['ml-model-serving', 'ml-model-canary']) {
          expect(MlLabels.matches(own, podLabels(m, other))).toBe(track === other);
        }
      }
      const canary = findObject(m, 'Deployment', 'ml-model-canary').spec.replicas;
      const stable = findObject(m, 'Deployment', 'ml-model-serving').spec.replicas;
      expect(canary + stable).toBe(total);
      expect(r.canaryShare).toBeCloseTo((100 * canary) / total, 10);
      if (weight > 0 && weight < 100) expect(Math.min(canary, stable)).toBeGreaterThanOrEqual(1);
      synthesized++;
    }), { numRuns: 40 });
    expect(synthesized).toBeGreaterThanOrEqual(5); // the refusals must not hollow the property out
  });
});

describe('CanaryRelease by Gateway API HTTPRoute', () => {
  const gatewayApi = CanaryTraffic.gatewayApi({
    gateway: { name: 'ml-gateway', namespace: 'gateway-system', sectionName: 'https' },
    hostnames: ['models.example.com', '*.models.example.com'],
    pathPrefix: '/v1/models/ml-model',
  });
  const { release, manifests } = synth({ weight: 10, traffic: gatewayApi });
  const route = findObject(manifests, 'HTTPRoute', 'ml-model');

  test('an HTTPRoute v1 attached to the given Gateway, with weighted backendRefs summing to 100', () => {
    expect(route.apiVersion).toBe('gateway.networking.k8s.io/v1');
    expect(route.metadata.namespace).toBe('ml');
    expect(route.spec.parentRefs).toEqual([{
      group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'ml-gateway', namespace: 'gateway-system', sectionName: 'https',
    }]);
    expect(route.spec.hostnames).toEqual(['models.example.com', '*.models.example.com']);
    expect(route.spec.rules).toEqual([{
      matches: [{ path: { type: 'PathPrefix', value: '/v1/models/ml-model' } }],
      backendRefs: [
        { group: '', kind: 'Service', name: 'ml-model-serving', port: 80, weight: 90 },
        { group: '', kind: 'Service', name: 'ml-model-canary', port: 80, weight: 10 },
      ],
    }]);
    expect(release.httpRoute).toBeDefined();
    expect(release.canaryShare).toBe(10);
  });

  test('each backend Service selects exactly its own track; there is no Service over both', () => {
    for (const [svc, own, other] of [['ml-model-serving', 'ml-model-serving', 'ml-model-canary'], ['ml-model-canary', 'ml-model-canary', 'ml-model-serving']]) {
      const selector = findObject(manifests, 'Service', svc).spec.selector;
      expect(MlLabels.matches(selector, podLabels(manifests, own))).toBe(true);
      expect(MlLabels.matches(selector, podLabels(manifests, other))).toBe(false);
    }
    expect(names(manifests, 'Service')).toEqual(['ml-model-canary', 'ml-model-serving']);
    expect(release.service).toBeUndefined();
    expect(release.stableService.name).toBe('ml-model-serving');
    expect(release.canaryService!.name).toBe('ml-model-canary');
  });

  test('the route is really checked against the official CRD: a broken copy is refused', () => {
    expect(validationProblems([route])).toEqual([]);
    const broken = JSON.parse(JSON.stringify(route));
    broken.spec.rules[0].backendRefs[1].weight = -1;
    broken.spec.parentRefs[0].sectionName = 'HTTPS';
    const problems = validationProblems([broken]).join('\n');
    expect(problems).toMatch(/weight/);
    expect(problems).toMatch(/sectionName/);
  });

  test('CRD rules the schema validator does not evaluate (CEL): every Service backend has a port', () => {
    for (const ref of route.spec.rules[0].backendRefs) expect(ref.port).toEqual(expect.any(Number));
  });

  test('each track keeps its own scaling (HPA), since the route, not replica counts, splits traffic', () => {
    expect(names(manifests, 'HorizontalPodAutoscaler')).toEqual(['ml-model-canary', 'ml-model-serving']);
    expect(release.stableReplicas).toBeUndefined();
  });

  test('reports the weight on the HTTPRoute', () => {
    expect(route.metadata.annotations).toMatchObject({ [CanaryAnnotations.REQUESTED_WEIGHT]: '10', [CanaryAnnotations.REALIZED_SHARE]: '10' });
  });

  test('weights always sum to 100 and the canary gets exactly the given weight (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 100 }), w => {
      const refs = findObject(synth({ weight: w, traffic: gatewayApi, canary: { image: 'ml-model:v2', scaling: ServingScaling.fixed(1) } }).manifests,
        'HTTPRoute', 'ml-model').spec.rules[0].backendRefs;
      expect(refs.map((r: any) => r.weight)).toEqual([100 - w, w]);
    }), { numRuns: 12 });
  });

  test('defaults: path prefix /, the listener\'s hostnames, route named after the release; no canary means one backend', () => {
    const { manifests: m } = synth({ canary: undefined, weight: 0, traffic: CanaryTraffic.gatewayApi({ gateway: { name: 'gw' } }) });
    const r = findObject(m, 'HTTPRoute', 'ml-model');
    expect(r.spec.hostnames).toBeUndefined();
    expect(r.spec.parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'gw' }]);
    expect(r.spec.rules[0].matches).toEqual([{ path: { type: 'PathPrefix', value: '/' } }]);
    expect(r.spec.rules[0].backendRefs).toEqual([{ group: '', kind: 'Service', name: 'ml-model-serving', port: 80, weight: 100 }]);
  });

  test('a route name of its own', () => {
    const { manifests: m } = synth({ traffic: CanaryTraffic.gatewayApi({ gateway: { name: 'gw' }, routeName: 'ml-model-route' }) });
    expect(findObject(m, 'HTTPRoute', 'ml-model-route').spec.parentRefs[0].name).toBe('gw');
  });
});

describe('CanaryRelease by ingress-nginx canary annotations', () => {
  const traffic = CanaryTraffic.ingressNginx({ host: 'models.example.com', path: '/predict' });
  const { release, manifests } = synth({ weight: 20, traffic });

  test('a main Ingress to the stable Service and a canary Ingress, same host and path, with canary-weight', () => {
    const main = findObject(manifests, 'Ingress', 'ml-model');
    const canary = findObject(manifests, 'Ingress', 'ml-model-canary');
    for (const [ingress, backend] of [[main, 'ml-model-serving'], [canary, 'ml-model-canary']]) {
      expect(ingress.spec.ingressClassName).toBe('nginx');
      expect(ingress.spec.rules).toEqual([{
        host: 'models.example.com',
        http: { paths: [{ path: '/predict', pathType: 'Prefix', backend: { service: { name: backend, port: { number: 80 } } } }] },
      }]);
    }
    expect(main.metadata.annotations ?? {}).toEqual({});
    expect(canary.metadata.annotations).toMatchObject({
      'nginx.ingress.kubernetes.io/canary': 'true',
      'nginx.ingress.kubernetes.io/canary-weight': '20',
      [CanaryAnnotations.REALIZED_SHARE]: '20',
    });
    expect(release.ingress).toBeDefined();
    expect(release.canaryIngress).toBeDefined();
    expect(release.httpRoute).toBeUndefined();
  });

  test('no canary: only the main Ingress; another IngressClass', () => {
    const { manifests: m } = synth({
      canary: undefined, weight: 0, traffic: CanaryTraffic.ingressNginx({ host: 'models.example.com', ingressClassName: 'nginx-internal' }),
    });
    expect(names(m, 'Ingress')).toEqual(['ml-model']);
    expect(findObject(m, 'Ingress', 'ml-model').spec.ingressClassName).toBe('nginx-internal');
    expect(findObject(m, 'Ingress', 'ml-model').spec.rules[0].http.paths[0].path).toBe('/');
  });

  test('tracks with a separate metrics port (two-port Services): the Ingresses use the serving port', () => {
    const { manifests: m } = synth({
      weight: 20,
      traffic,
      stable: { name: 'ml-model-serving', image: 'ml-model:v1', metrics: { port: 9090 } },
      canary: { image: 'ml-model:v2', metrics: { port: 9090 }, servicePort: 8000 },
    });
    expect(findObject(m, 'Service', 'ml-model-canary').spec.ports.map((p: any) => p.port)).toEqual([8000, 9090]);
    const backend = (name: string) => findObject(m, 'Ingress', name).spec.rules[0].http.paths[0].backend.service;
    expect(backend('ml-model')).toEqual({ name: 'ml-model-serving', port: { number: 80 } });
    expect(backend('ml-model-canary')).toEqual({ name: 'ml-model-canary', port: { number: 8000 } });
  });

  test('the traffic modes are told apart by what they create', () => {
    const made = (t: CanaryTraffic) => {
      const { release: r } = synth({ traffic: t });
      return [r.service, r.httpRoute, r.ingress].map(o => o !== undefined);
    };
    expect(made(traffic)).toEqual([false, false, true]);
    expect(made(CanaryTraffic.replicaRatio({ totalReplicas: 4 }))).toEqual([true, false, false]);
    expect(made(CanaryTraffic.gatewayApi({ gateway: { name: 'gw' } }))).toEqual([false, true, false]);
  });
});

describe('CanaryRelease release identity', () => {
  test('one server image with two model versions is a valid canary when told apart by version', () => {
    const { manifests } = synth({
      stable: { name: 'ml-model-serving', image: 'vllm:v0.6.3', version: 'llama-3-8b' },
      canary: { image: 'vllm:v0.6.3', version: 'llama-3.1-8b' },
    });
    expect(podLabels(manifests, 'ml-model-canary')['app.kubernetes.io/version']).toBe('llama-3.1-8b');
  });
});
