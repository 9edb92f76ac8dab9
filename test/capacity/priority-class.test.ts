import { App, Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { DistributedTrainingJob, MlModelServing, PreemptionPolicy, PriorityClass, PriorityClassRef, TargetCluster, TrainingBackend } from '../../src';
import { findObject, findObjects, synthAndValidate } from '../util';

function chart(): Chart {
  return new Chart(Testing.app(), 'prod', { namespace: 'ml' });
}

describe('PriorityClass', () => {
  test('presets order serving > training > preemptible; cluster-scoped, no namespace', () => {
    const c = chart();
    const serving = PriorityClass.onlineServing(c, 'serving');
    const training = PriorityClass.training(c, 'training');
    const preemptible = PriorityClass.preemptible(c, 'preemptible');
    const manifests = synthAndValidate(c);
    expect(findObjects(manifests, 'PriorityClass').map((p: any) => ({ ...p, description: undefined }))).toEqual([
      { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'ml-online-serving' }, value: 1000000, preemptionPolicy: 'PreemptLowerPriority', globalDefault: false, description: undefined },
      { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'ml-training' }, value: 1000, preemptionPolicy: 'Never', globalDefault: false, description: undefined },
      { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'ml-preemptible' }, value: -100, preemptionPolicy: 'Never', globalDefault: false, description: undefined },
    ]);
    for (const p of findObjects(manifests, 'PriorityClass')) {
      expect(p.metadata.namespace).toBeUndefined();
      expect(p.description).toEqual(expect.any(String));
    }
    expect(serving.value).toBeGreaterThan(training.value);
    expect(training.value).toBeGreaterThan(0); // above pods without a class
    expect(preemptible.value).toBeLessThan(0); // below them
  });

  test('presets are overridable', () => {
    const c = chart();
    const p = PriorityClass.training(c, 'training', { name: 'research-training', value: 5000, preemptionPolicy: PreemptionPolicy.PREEMPT_LOWER_PRIORITY, description: 'x' });
    const obj = findObject(synthAndValidate(c), 'PriorityClass', 'research-training');
    expect(obj).toMatchObject({ value: 5000, preemptionPolicy: 'PreemptLowerPriority', description: 'x' });
    expect(p.name).toBe('research-training');
  });

  test('a custom class, global default', () => {
    const c = chart();
    new PriorityClass(c, 'standard', { value: 100, globalDefault: true });
    expect(findObject(synthAndValidate(c), 'PriorityClass', 'standard')).toMatchObject({ value: 100, globalDefault: true, preemptionPolicy: 'PreemptLowerPriority' });
  });

  test('workloads take the class itself (or PriorityClassRef.fromName) as priorityClass', () => {
    const c = chart();
    const high = PriorityClass.onlineServing(c, 'serving');
    const low = PriorityClass.training(c, 'training');
    new MlModelServing(c, 'bert', { image: 'ml-model:v1', priorityClass: high });
    new DistributedTrainingJob(c, 'train', { image: 'train:v1', backend: TrainingBackend.indexedJob({ priorityClass: low }) });
    new MlModelServing(c, 'critical', { image: 'ml-model:v1', priorityClass: PriorityClassRef.fromName('system-cluster-critical') });
    const manifests = synthAndValidate(c);
    expect(findObject(manifests, 'Deployment', 'bert').spec.template.spec.priorityClassName).toBe('ml-online-serving');
    expect(findObject(manifests, 'Job', 'train').spec.template.spec.priorityClassName).toBe('ml-training');
    expect(findObject(manifests, 'Deployment', 'critical').spec.template.spec.priorityClassName).toBe('system-cluster-critical');
  });

  describe('errors', () => {
    test('value out of range or fractional', () => {
      expect(() => new PriorityClass(chart(), 'p', { value: 1_000_000_001 }))
        .toThrow("PriorityClass 'prod/p': value (1000000001) must be between -2147483648 and 1000000000");
      expect(() => new PriorityClass(chart(), 'p', { value: 1.5 })).toThrow("PriorityClass 'prod/p': value (1.5) must be an integer");
      expect(() => new PriorityClass(chart(), 'p', { value: -2_147_483_649 }))
        .toThrow("PriorityClass 'prod/p': value (-2147483649) must be between -2147483648 and 1000000000");
    });

    test('reserved or invalid names', () => {
      expect(() => new PriorityClass(chart(), 'p', { name: 'system-ml', value: 1 }))
        .toThrow("PriorityClass 'prod/p': name ('system-ml') must not start with 'system-', which Kubernetes reserves");
      expect(() => new PriorityClass(chart(), 'p', { name: 'ML', value: 1 }))
        .toThrow("PriorityClass 'prod/p': name ('ML') must be a valid RFC 1123 DNS subdomain");
    });

    test('unknown preemption policy', () => {
      expect(() => new PriorityClass(chart(), 'p', { value: 1, preemptionPolicy: 'Sometimes' as PreemptionPolicy }))
        .toThrow("PriorityClass 'prod/p': preemptionPolicy ('Sometimes') must be one of PreemptLowerPriority, Never");
    });

    test('duplicate values in a chart (one cluster): they would order nothing', () => {
      const c = chart();
      PriorityClass.onlineServing(c, 'serving');
      expect(() => new PriorityClass(c, 'vip', { value: 1_000_000 }))
        .toThrow("PriorityClass 'prod/vip': value (1000000) is also the value of PriorityClass 'ml-online-serving': classes with one value do not order anything; reuse that class, pick another value, or set allowSharedValue");
      expect(() => new PriorityClass(c, 'vip2', { value: 1_000_000, allowSharedValue: true })).not.toThrow();
    });

    test('duplicate names in a chart', () => {
      const c = chart();
      PriorityClass.training(c, 'training');
      expect(() => PriorityClass.training(c, 'training2', { value: 2000 }))
        .toThrow("PriorityClass 'prod/training2': name ('ml-training') is already the name of PriorityClass 'prod/training'");
    });

    test('charts of one app may target different clusters: each can define the same classes', () => {
      const app = new App();
      const a = new Chart(app, 'gke');
      const b = new Chart(app, 'eks');
      TargetCluster.mark(a, 'gke');
      TargetCluster.mark(b, 'eks');
      PriorityClass.onlineServing(a, 'serving');
      PriorityClass.onlineServing(b, 'serving');
      expect(findObject(synthAndValidate(b), 'PriorityClass', 'ml-online-serving').value).toBe(1000000);
    });

    test('two global defaults', () => {
      const c = chart();
      new PriorityClass(c, 'one', { value: 1, globalDefault: true });
      expect(() => new PriorityClass(c, 'two', { value: 2, globalDefault: true }))
        .toThrow("PriorityClass 'prod/two': globalDefault is also set on PriorityClass 'prod/one' ('one'): a cluster has one default priority");
    });
  });

  test('property: any integer in the user range is accepted and rendered as is', () => {
    fc.assert(fc.property(fc.integer({ min: -2_147_483_648, max: 1_000_000_000 }), value => {
      const c = chart();
      new PriorityClass(c, 'p', { value });
      expect(findObject(synthAndValidate(c), 'PriorityClass', 'p').value).toBe(value);
    }), { numRuns: 50 });
  });
});
