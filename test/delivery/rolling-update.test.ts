import { Chart, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import * as fc from 'fast-check';
import {
  BlueGreenColor, BlueGreenService, CanaryRelease, CanaryTraffic, MlModelServing, MlModelServingProps, ServingScaling,
} from '../../src';
import { findObject, synthAndValidate } from '../util';
import { diffManifests } from './manifest-diff';

// The guide's rolling update is `kubectl set image deployment/ml-model-serving
// ml-model=ml-model:v2`. With cdk8s the same rollout is "change the image, synth,
// apply": that is only true if the image change alters nothing but the image and
// the version label derived from it. These tests diff two synths to prove it.

const VERSION_LABEL = /\/labels\/app\.kubernetes\.io~1version$/;
const IMAGE = /^Deployment\/[^/]+\/spec\/template\/spec\/containers\/0\/image$/;

function synthServing(props: MlModelServingProps): any[] {
  const chart = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
  new MlModelServing(chart, 'ml-model-serving', { labels: { app: 'ml-model' }, metrics: { port: 9090 }, ...props });
  return synthAndValidate(chart);
}

/** The diff paths, with a summary of what kind of change each is. */
function classify(paths: string[]): { image: string[]; version: string[]; other: string[] } {
  return {
    image: paths.filter(p => IMAGE.test(p)),
    version: paths.filter(p => VERSION_LABEL.test(p)),
    other: paths.filter(p => !IMAGE.test(p) && !VERSION_LABEL.test(p)),
  };
}

describe('rolling update: a new image is the only change', () => {
  const v1 = synthServing({ image: 'ml-model:v1' });
  const v2 = synthServing({ image: 'ml-model:v2' });

  test('the diff of two synths is the image and the version label, nothing else', () => {
    const diff = classify(diffManifests(v1, v2));
    expect(diff.other).toEqual([]);
    expect(diff.image).toEqual(['Deployment/ml-model-serving/spec/template/spec/containers/0/image']);
    // The version label moves on every object and on the pod template...
    expect(diff.version).toEqual(expect.arrayContaining([
      'Deployment/ml-model-serving/metadata/labels/app.kubernetes.io~1version',
      'Deployment/ml-model-serving/spec/template/metadata/labels/app.kubernetes.io~1version',
      'Service/ml-model-serving/metadata/labels/app.kubernetes.io~1version',
    ]));
    expect(diff.version).toHaveLength(v1.length + 1);
    // ...but never inside a selector, which is immutable on a Deployment.
    expect(diffManifests(v1, v2).filter(p => /selector/i.test(p))).toEqual([]);
    expect(findObject(v2, 'Deployment', 'ml-model-serving').spec.template.spec.containers[0].image).toBe('ml-model:v2');
    expect(findObject(v2, 'Deployment', 'ml-model-serving').spec.template.metadata.labels['app.kubernetes.io/version']).toBe('v2');
  });

  test('the same holds for any two tags and for digests (property)', () => {
    const tag = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,30}[a-z0-9]$/).filter(t => t !== 'latest');
    fc.assert(fc.property(tag, tag, (a, b) => {
      fc.pre(a !== b);
      const diff = classify(diffManifests(synthServing({ image: `ml-model:${a}` }), synthServing({ image: `ml-model:${b}` })));
      expect(diff.other).toEqual([]);
      expect(diff.image).toHaveLength(1);
    }), { numRuns: 15 });
    const d1 = 'ml-model@sha256:' + 'a'.repeat(64);
    const d2 = 'ml-model@sha256:' + 'b'.repeat(64);
    const diff = classify(diffManifests(synthServing({ image: d1 }), synthServing({ image: d2 })));
    expect(diff.other).toEqual([]);
    expect(diff.image).toHaveLength(1);
  });

  test('an explicit version keeps even the label still: only the image changes', () => {
    const a = synthServing({ image: 'ml-model:v1', version: 'model-2024-06' });
    const b = synthServing({ image: 'ml-model:v2', version: 'model-2024-06' });
    expect(diffManifests(a, b)).toEqual(['Deployment/ml-model-serving/spec/template/spec/containers/0/image']);
  });

  test('a blue-green pair: a new idle image touches only the idle color, never the active Service', () => {
    const synth = (greenImage: string) => {
      const chart = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
      new BlueGreenService(chart, 'ml-model', {
        activeColor: BlueGreenColor.BLUE, blue: { image: 'ml-model:v1' }, green: { image: greenImage },
      });
      return synthAndValidate(chart);
    };
    const paths = diffManifests(synth('ml-model:v2'), synth('ml-model:v3'));
    const diff = classify(paths);
    expect(diff.other).toEqual([]);
    expect(diff.image).toEqual(['Deployment/ml-model-green/spec/template/spec/containers/0/image']);
    expect(paths.every(p => p.split('/')[1] === 'ml-model-green')).toBe(true);
  });

  test('a canary: a new canary image touches only the canary track, never the shared Service', () => {
    const synth = (canaryImage: string) => {
      const chart = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
      new CanaryRelease(chart, 'ml-model', {
        stable: { image: 'ml-model:v1' },
        canary: { image: canaryImage },
        weight: 25,
        traffic: CanaryTraffic.replicaRatio({ totalReplicas: 4 }),
      });
      return synthAndValidate(chart);
    };
    const paths = diffManifests(synth('ml-model:v2'), synth('ml-model:v3'));
    expect(classify(paths).other).toEqual([]);
    expect(paths.length).toBeGreaterThan(1);
    expect(paths.every(p => p.split('/')[1] === 'ml-model-canary')).toBe(true);
  });
});

describe('rolling update settings', () => {
  const deployment = (props: Partial<MlModelServingProps>) =>
    findObject(synthServing({ image: 'ml-model:v1', ...props }), 'Deployment', 'ml-model-serving').spec;

  test('defaults: zero downtime (maxUnavailable 0, surge 25%), deadline past the 10-minute startup budget, 10 revisions', () => {
    const spec = deployment({});
    expect(spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } });
    expect(spec.minReadySeconds).toBe(0);
    // startupTimeout (600s) + 2 minutes for scheduling and the pull: 600s never let a slow load finish.
    expect(spec.progressDeadlineSeconds).toBe(720);
    expect(spec.revisionHistoryLimit).toBe(10);
  });

  test('absolute and percent surge/unavailability, minReady, progressDeadline, revisionHistoryLimit', () => {
    const spec = deployment({
      maxSurge: kplus.PercentOrAbsolute.absolute(1),
      maxUnavailable: kplus.PercentOrAbsolute.percent(10),
      minReady: Duration.seconds(30),
      progressDeadline: Duration.minutes(15),
      revisionHistoryLimit: 3,
    });
    expect(spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: '10%' } });
    expect(spec.minReadySeconds).toBe(30);
    expect(spec.progressDeadlineSeconds).toBe(900);
    expect(spec.revisionHistoryLimit).toBe(3);
    expect(deployment({ maxSurge: kplus.PercentOrAbsolute.percent(100), maxUnavailable: kplus.PercentOrAbsolute.absolute(2) }).strategy)
      .toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: '100%', maxUnavailable: 2 } });
  });

  test('blue-green colors and canary tracks inherit the same rolling-update settings', () => {
    const chart = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
    const rollout = { maxSurge: kplus.PercentOrAbsolute.absolute(1), minReady: Duration.seconds(20), revisionHistoryLimit: 5 };
    new BlueGreenService(chart, 'bg', { activeColor: BlueGreenColor.GREEN, blue: { image: 'm:v1', ...rollout }, green: { image: 'm:v2', ...rollout } });
    new CanaryRelease(chart, 'c', {
      stable: { image: 'm:v1', ...rollout },
      canary: { image: 'm:v2', ...rollout, scaling: ServingScaling.fixed(1) },
      weight: 5,
      traffic: CanaryTraffic.gatewayApi({ gateway: { name: 'gw' } }),
    });
    const manifests = synthAndValidate(chart);
    for (const name of ['bg-blue', 'bg-green', 'c-stable', 'c-canary']) {
      const spec = findObject(manifests, 'Deployment', name).spec;
      expect(spec.strategy.rollingUpdate).toEqual({ maxSurge: 1, maxUnavailable: 0 });
      expect(spec.minReadySeconds).toBe(20);
      expect(spec.revisionHistoryLimit).toBe(5);
    }
  });

  test.each<[string, Partial<MlModelServingProps>, string]>([
    ['no surge and no unavailability (the rollout could never start)',
      { maxSurge: kplus.PercentOrAbsolute.absolute(0), maxUnavailable: kplus.PercentOrAbsolute.percent(0) },
      "MlModelServing 'prod/ml-model-serving': maxSurge and maxUnavailable cannot both be 0: the rollout could never replace a pod"],
    ['a progress deadline not above minReady', { minReady: Duration.minutes(15) },
      "MlModelServing 'prod/ml-model-serving': progressDeadline (720s) must be greater than minReady (900s)"],
    ['a negative absolute surge', { maxSurge: kplus.PercentOrAbsolute.absolute(-1) },
      "MlModelServing 'prod/ml-model-serving': maxSurge (-1) must be a whole number >= 0 or a percentage from 0% to 100%"],
    ['more than 100% unavailable', { maxUnavailable: kplus.PercentOrAbsolute.percent(150) },
      "MlModelServing 'prod/ml-model-serving': maxUnavailable (150%) must be a whole number >= 0 or a percentage from 0% to 100%"],
    ['a negative revision history', { revisionHistoryLimit: -1 },
      "MlModelServing 'prod/ml-model-serving': revisionHistoryLimit (-1) must be >= 0"],
    ['a fractional revision history', { revisionHistoryLimit: 1.5 },
      "MlModelServing 'prod/ml-model-serving': revisionHistoryLimit (1.5) must be an integer"],
  ])('refuses %s', (_what, props, message) => {
    expect(() => synthServing({ image: 'ml-model:v1', ...props })).toThrow(message);
  });
});
