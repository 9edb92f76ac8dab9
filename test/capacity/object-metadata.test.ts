// User labels and annotations (`metadata`) on every construct of delivery,
// observability and capacity: they reach every object the construct emits, they are
// checked as the API server checks them, and they never change the construct's own.
import { ApiObject, Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import {
  BlueGreenColor, BlueGreenService, CanaryRelease, CanaryTraffic, GpuNodePool, GrafanaDashboard, DashboardPanel, KarpenterNodePool, LimitRange,
  MlDashboards, MlModelServing, ModelServerAlerts, ModelServingDashboard, ObjectMetadataOptions, PriorityClass, PrometheusScrape,
  PrometheusServerConfig, ResourceQuota, ScrapeMode, ScrapeTarget, ServingScaledObject, ServingScaling, SpotNodePool, VerticalPodAutoscaler,
  VpaTarget,
} from '../../src';
import { isQualifiedName } from '../../src/core/metadata-validation';
import { synthAndValidate } from '../util';

const META: ObjectMetadataOptions = {
  labels: { 'team': 'nlp', 'example.com/cost-center': 'ml-42' },
  annotations: { 'example.com/owner': 'nlp@example.com', 'note': 'made by cdk8s-ml' },
};

/** Each construct, made with `metadata` in its own chart; only its own objects are returned. */
const CONSTRUCTS: Array<[string, (c: Chart, metadata?: ObjectMetadataOptions) => unknown]> = [
  ['BlueGreenService', (c, metadata) => new BlueGreenService(c, 'x', {
    blue: { image: 'm:v1' }, green: { image: 'm:v2' }, activeColor: BlueGreenColor.BLUE, metadata,
  })],
  ['CanaryRelease (replica ratio)', (c, metadata) => new CanaryRelease(c, 'x', {
    stable: { image: 'm:v1' }, canary: { image: 'm:v2' }, weight: 25, traffic: CanaryTraffic.replicaRatio({ totalReplicas: 4 }), metadata,
  })],
  ['CanaryRelease (Gateway API)', (c, metadata) => new CanaryRelease(c, 'x', {
    stable: { image: 'm:v1' }, canary: { image: 'm:v2' }, weight: 10, traffic: CanaryTraffic.gatewayApi({ gateway: { name: 'gw' } }), metadata,
  })],
  ['PrometheusScrape (ServiceMonitor)', (c, metadata) => new PrometheusScrape(c, 'x', {
    target: ScrapeTarget.modelServing(serving(c)), mode: ScrapeMode.serviceMonitor(), metadata,
  })],
  ['PrometheusServerConfig', (c, metadata) => new PrometheusServerConfig(c, 'x', { metadata })],
  ['ModelServerAlerts', (c, metadata) => new ModelServerAlerts(c, 'x', { serving: serving(c), metadata })],
  ['ServingScaledObject', (c, metadata) => new ServingScaledObject(c, 'x', {
    serving: serving(c, { scaling: ServingScaling.external({ minReplicas: 1, maxReplicas: 4 }) }), threshold: 10, metadata,
  })],
  ['GrafanaDashboard', (c, metadata) => new GrafanaDashboard(c, 'x', {
    title: 'X', panels: [DashboardPanel.stat({ title: 'up', queries: [{ expr: 'up' }] })], metadata,
  })],
  ['MlDashboards', (c, metadata) => new MlDashboards(c, 'x', { metadata })],
  ['ModelServingDashboard', (c, metadata) => new ModelServingDashboard(c, 'x', { serving: serving(c), metadata })],
  ['KarpenterNodePool', (c, metadata) => new KarpenterNodePool(c, 'x', { metadata })],
  ['SpotNodePool', (c, metadata) => new SpotNodePool(c, 'x', { metadata })],
  ['GpuNodePool', (c, metadata) => new GpuNodePool(c, 'x', { maxGpus: 4, metadata })],
  ['PriorityClass', (c, metadata) => new PriorityClass(c, 'x', { value: 100, metadata })],
  ['PriorityClass preset', (c, metadata) => PriorityClass.training(c, 'x', { metadata })],
  ['ResourceQuota', (c, metadata) => new ResourceQuota(c, 'x', { gpus: 4, metadata })],
  ['LimitRange', (c, metadata) => new LimitRange(c, 'x', { metadata })],
  ['VerticalPodAutoscaler', (c, metadata) => new VerticalPodAutoscaler(c, 'x', { target: VpaTarget.modelServing(serving(c)), metadata })],
];

/** A model server in its own scope, so its objects are not the construct's. */
function serving(c: Chart, props: Partial<ConstructorParameters<typeof MlModelServing>[2]> = {}): MlModelServing {
  return new MlModelServing(c, 'server', { name: 'bert', image: 'bert:v1', ...props });
}

/** The manifests (schema-, CRD- and profile-checked) of the objects under the construct with id 'x'. */
function emitted(make: (c: Chart, m?: ObjectMetadataOptions) => unknown, metadata?: ObjectMetadataOptions): any[] {
  const chart = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
  make(chart, metadata);
  const manifests = synthAndValidate(chart);
  const own = new Set(chart.node.findChild('x').node.findAll()
    .filter((c): c is ApiObject => c instanceof ApiObject).map(o => `${o.kind}/${o.name}`));
  return manifests.filter(m => own.has(`${m.kind}/${m.metadata.name}`));
}

describe('metadata reaches every object a construct emits', () => {
  test.each(CONSTRUCTS)('%s', (_name, make) => {
    const without = emitted(make);
    const objects = emitted(make, META);
    expect(objects.length).toBeGreaterThan(0);
    expect(objects.length).toBe(without.length);
    objects.forEach((obj, i) => {
      expect(obj.metadata.labels).toMatchObject(META.labels!);
      expect(obj.metadata.annotations).toMatchObject(META.annotations!);
      // Only added: every label and annotation the construct set keeps its value, specs are untouched.
      expect(obj.metadata.labels).toMatchObject(without[i].metadata.labels ?? {});
      expect(obj.metadata.annotations).toMatchObject(without[i].metadata.annotations ?? {});
      expect(obj.spec).toEqual(without[i].spec);
    });
  });
});

describe('metadata is checked at synth time', () => {
  const pool = (metadata: ObjectMetadataOptions) => () => new KarpenterNodePool(new Chart(Testing.app(), 'prod'), 'pool', { metadata });

  test.each<[string, ObjectMetadataOptions, string]>([
    ['a label key with a space', { labels: { 'cost center': 'a' } },
      "KarpenterNodePool 'prod/pool': metadata.labels key ('cost center') is not a valid label key: an optional DNS subdomain prefix and '/', then a name of at most 63 alphanumerics, '-', '_' or '.'"],
    ['a label key with an uppercase prefix', { labels: { 'Example.com/team': 'a' } },
      "KarpenterNodePool 'prod/pool': metadata.labels key ('Example.com/team') is not a valid label key"],
    ['a label value too long', { labels: { team: 'a'.repeat(64) } },
      `KarpenterNodePool 'prod/pool': metadata.labels['team'] ('${'a'.repeat(64)}') must be a valid label value`],
    ['a label value with a slash', { labels: { team: 'nlp/core' } },
      "KarpenterNodePool 'prod/pool': metadata.labels['team'] ('nlp/core') must be a valid label value"],
    ['an annotation key with two slashes', { annotations: { 'a/b/c': 'x' } },
      "KarpenterNodePool 'prod/pool': metadata.annotations key ('a/b/c') is not a valid annotation key"],
    ['annotations above 256 KiB', { annotations: { big: 'x'.repeat(256 * 1024) } },
      "KarpenterNodePool 'prod/pool': metadata.annotations (262147 bytes) exceed the 256 KiB the API server allows per object"],
  ])('refuses %s', (_what, metadata, message) => {
    expect(pool(metadata)).toThrow(message);
  });

  test('a label or annotation of the construct\'s own, changed, is refused; the same value is accepted', () => {
    const chart = () => new Chart(Testing.app(), 'prod');
    expect(() => new GrafanaDashboard(chart(), 'd', { title: 'D', metadata: { labels: { grafana_dashboard: '0' } } }))
      .toThrow("GrafanaDashboard 'prod/d': metadata.labels['grafana_dashboard'] ('0') would replace the '1' that ConfigMap 'd' carries (its selectors or tools rely on it); drop it or pick another key");
    expect(() => new GrafanaDashboard(chart(), 'd', { title: 'D', metadata: { annotations: { grafana_folder: 'Other' } } }))
      .toThrow("GrafanaDashboard 'prod/d': metadata.annotations['grafana_folder'] ('Other') would replace the 'ML' that ConfigMap 'd' carries; drop it or pick another key");
    expect(() => new GrafanaDashboard(chart(), 'd', { title: 'D', metadata: { labels: { grafana_dashboard: '1' } } })).not.toThrow();
    expect(() => new BlueGreenService(chart(), 'bg', {
      blue: { image: 'm:v1' }, green: { image: 'm:v2' }, activeColor: BlueGreenColor.BLUE, metadata: { labels: { 'app.kubernetes.io/name': 'other' } },
    })).toThrow("BlueGreenService 'prod/bg': metadata.labels['app.kubernetes.io/name'] ('other') would replace the 'bg-blue' that");
  });

  test('metadata on a scrape that emits no object (annotations, scrape-config) is refused rather than dropped', () => {
    const c = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
    const s = new MlModelServing(c, 'bert', { image: 'bert:v1', metrics: { port: 9090 } });
    expect(() => new PrometheusScrape(c, 'scrape', { target: ScrapeTarget.modelServing(s), mode: ScrapeMode.annotations(), metadata: { labels: { team: 'nlp' } } }))
      .toThrow("PrometheusScrape 'prod/scrape': metadata has nothing to go on: this construct emits no object here");
  });
});

describe('label and annotation keys (property-based)', () => {
  const label = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,8}[a-z0-9])?$/);
  const prefix = fc.array(label, { minLength: 1, maxLength: 3 }).map(parts => parts.join('.'));
  const name = fc.stringMatching(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,20}[A-Za-z0-9])?$/);
  const key = fc.tuple(fc.option(prefix, { nil: undefined }), name).map(([p, n]) => (p ? `${p}/${n}` : n));

  test('prefixed and plain qualified names are accepted', () => {
    fc.assert(fc.property(key, k => {
      expect(isQualifiedName(k)).toBe(true);
      expect(() => new KarpenterNodePool(new Chart(Testing.app(), 'prod'), 'pool', { metadata: { labels: { [k]: 'v' }, annotations: { [k]: 'any text: allowed' } } }))
        .not.toThrow();
    }), { numRuns: 40 });
  });

  test('a bad character, an empty name, a second slash or a name over 63 characters is refused', () => {
    const bad = fc.oneof(
      fc.tuple(key, fc.constantFrom(' ', '*', ':', '@', '=')).map(([k, c]) => `${k}${c}x`),
      prefix.map(p => `${p}/`),
      fc.tuple(key, name).map(([k, n]) => `${k}/${n}/x`),
      fc.tuple(fc.option(prefix, { nil: undefined }), fc.integer({ min: 64, max: 80 })).map(([p, n]) => `${p ? `${p}/` : ''}${'a'.repeat(n)}`),
      name.map(n => `-${n}`),
    );
    fc.assert(fc.property(bad, k => {
      expect(isQualifiedName(k)).toBe(false);
      expect(() => new KarpenterNodePool(new Chart(Testing.app(), 'prod'), 'pool', { metadata: { labels: { [k]: 'v' } } }))
        .toThrow(`metadata.labels key ('${k}') is not a valid label key`);
    }), { numRuns: 60 });
  });
});
