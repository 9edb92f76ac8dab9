import { Chart, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import * as fc from 'fast-check';
import { MlModelServing, QosClass, QualityOfService } from '../../src';
import { classifyQos } from '../../src/capacity/quality-of-service';
import { PodSecurity } from '../../src/core/security';
import { findObject, synthAndValidate } from '../util';

function chart(): Chart {
  return new Chart(Testing.app(), 'prod', { namespace: 'ml' });
}

describe('QualityOfService', () => {
  test('guaranteed(): requests equal limits in the manifest, and of() reads Guaranteed', () => {
    const c = chart();
    const job = new kplus.Job(c, 'train', {
      metadata: { name: 'train' },
      containers: [{
        image: 'train:v1',
        resources: QualityOfService.guaranteed(kplus.Cpu.units(4), Size.gibibytes(16)),
      }],
    });
    PodSecurity.restricted().applyTo(job);
    const resources = findObject(synthAndValidate(c), 'Job', 'train').spec.template.spec.containers[0].resources;
    expect(resources).toEqual({ requests: { cpu: '4', memory: '16384Mi' }, limits: { cpu: '4', memory: '16384Mi' } });
    expect(QualityOfService.of(job)).toBe(QosClass.GUARANTEED);
  });

  test('of(): the cdk8s-plus default resources are Burstable; an init container can break Guaranteed', () => {
    const c = chart();
    const d = new kplus.Deployment(c, 'web', { containers: [{ image: 'web:v1' }] });
    expect(QualityOfService.of(d)).toBe(QosClass.BURSTABLE);

    const g = new kplus.Deployment(c, 'g', { containers: [{ image: 'web:v1', resources: QualityOfService.guaranteed(kplus.Cpu.units(1), Size.gibibytes(1)) }] });
    expect(QualityOfService.of(g)).toBe(QosClass.GUARANTEED);
    g.addInitContainer({ image: 'init:v1', resources: { cpu: { request: kplus.Cpu.millis(100) } } });
    expect(QualityOfService.of(g)).toBe(QosClass.BURSTABLE);
  });

  test('of() agrees with MlModelServing.qosClass', () => {
    const c = chart();
    const burstable = new MlModelServing(c, 'a', { image: 'ml-model:v1' });
    const guaranteed = new MlModelServing(c, 'b', { image: 'ml-model:v1', guaranteedQos: true });
    expect(QualityOfService.of(burstable.deployment)).toBe(burstable.qosClass);
    expect(QualityOfService.of(guaranteed.deployment)).toBe(QosClass.GUARANTEED);
    expect(guaranteed.qosClass).toBe(QosClass.GUARANTEED);
  });

  test('Kubernetes rules: limits alone mean requests equal limits; nothing set is BestEffort', () => {
    expect(classifyQos([{ cpu: { limit: kplus.Cpu.units(1) }, memory: { limit: Size.gibibytes(1) } }])).toBe(QosClass.GUARANTEED);
    expect(classifyQos([{}])).toBe(QosClass.BEST_EFFORT);
    expect(classifyQos([undefined, undefined])).toBe(QosClass.BEST_EFFORT);
    expect(classifyQos([{ memory: { request: Size.gibibytes(1) } }])).toBe(QosClass.BURSTABLE);
    expect(classifyQos([{ cpu: { limit: kplus.Cpu.units(1) } }])).toBe(QosClass.BURSTABLE);
  });

  test('property: Guaranteed exactly when every container has requests == limits for cpu and memory', () => {
    const container = fc.record({
      cpuRequest: fc.option(fc.integer({ min: 1, max: 8000 }), { nil: undefined }),
      cpuLimit: fc.option(fc.integer({ min: 1, max: 8000 }), { nil: undefined }),
      memRequest: fc.option(fc.integer({ min: 1, max: 65536 }), { nil: undefined }),
      memLimit: fc.option(fc.integer({ min: 1, max: 65536 }), { nil: undefined }),
    });
    fc.assert(fc.property(fc.array(container, { minLength: 1, maxLength: 4 }), containers => {
      const resources: kplus.ContainerResources[] = containers.map(x => ({
        cpu: x.cpuRequest === undefined && x.cpuLimit === undefined ? undefined : {
          request: x.cpuRequest === undefined ? undefined : kplus.Cpu.millis(x.cpuRequest),
          limit: x.cpuLimit === undefined ? undefined : kplus.Cpu.millis(x.cpuLimit),
        },
        memory: x.memRequest === undefined && x.memLimit === undefined ? undefined : {
          request: x.memRequest === undefined ? undefined : Size.mebibytes(x.memRequest),
          limit: x.memLimit === undefined ? undefined : Size.mebibytes(x.memLimit),
        },
      }));
      const none = containers.every(x => [x.cpuRequest, x.cpuLimit, x.memRequest, x.memLimit].every(v => v === undefined));
      const guaranteed = containers.every(x => x.cpuLimit !== undefined && x.memLimit !== undefined
        && (x.cpuRequest ?? x.cpuLimit) === x.cpuLimit && (x.memRequest ?? x.memLimit) === x.memLimit);
      const expected = none ? QosClass.BEST_EFFORT : guaranteed ? QosClass.GUARANTEED : QosClass.BURSTABLE;
      expect(classifyQos(resources)).toBe(expected);
    }));
  });
});
