import { Chart, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import * as fc from 'fast-check';
import { MlModelServing, ServingScaling } from '../../src';
import { findObject, findObjects, synthAndValidate } from '../util';

const dnsLabel = fc.stringMatching(/^[a-z]([-a-z0-9]{0,20}[a-z0-9])?$/);
const tag = fc.stringMatching(/^v[0-9]{1,3}(\.[0-9]{1,3}){0,2}$/);

const scaling = fc.oneof(
  fc.record({
    min: fc.integer({ min: 1, max: 10 }),
    extra: fc.integer({ min: 0, max: 20 }),
    cpu: fc.integer({ min: 1, max: 100 }),
    mem: fc.integer({ min: 1, max: 100 }),
  })
    .map(s => ServingScaling.autoscale({ minReplicas: s.min, maxReplicas: s.min + s.extra, cpuUtilization: s.cpu, memoryUtilization: s.mem })),
  fc.integer({ min: 0, max: 10 }).map(n => ServingScaling.fixed(n)),
  fc.integer({ min: 1, max: 5 }).map(n => ServingScaling.external({ minReplicas: n, maxReplicas: n * 2 })),
);

const servingProps = fc.record({
  name: dnsLabel,
  tag,
  port: fc.integer({ min: 1, max: 65535 }),
  servicePort: fc.integer({ min: 1, max: 65535 }),
  cpuMillis: fc.integer({ min: 1, max: 64000 }),
  cpuHeadroom: fc.integer({ min: 0, max: 4000 }),
  memMi: fc.integer({ min: 1, max: 256 * 1024 }),
  memHeadroom: fc.integer({ min: 0, max: 4096 }),
  gpus: fc.integer({ min: 0, max: 8 }),
  guaranteed: fc.boolean(),
  scaling,
  metricsPort: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
}).filter(p => p.metricsPort === undefined || p.metricsPort === p.port || p.metricsPort !== p.servicePort); // one Service port each

describe('MlModelServing properties', () => {
  test('random valid props always synthesize schema-valid, restricted-compliant, self-consistent manifests', () => {
    fc.assert(fc.property(servingProps, (p) => {
      // A Service port equal to a separate metrics port is a duplicate Service port (refused elsewhere).
      fc.pre(!(p.metricsPort !== undefined && p.metricsPort !== p.port && p.metricsPort === p.servicePort));
      const chart = new Chart(Testing.app(), 'prop', { namespace: 'ml' });
      const serving = new MlModelServing(chart, 'server', {
        name: p.name,
        image: `registry.example.com/models/${p.name}:${p.tag}`,
        port: p.port,
        servicePort: p.servicePort,
        guaranteedQos: p.guaranteed,
        resources: {
          cpu: { request: kplus.Cpu.millis(p.cpuMillis), limit: p.guaranteed ? undefined : kplus.Cpu.millis(p.cpuMillis + p.cpuHeadroom) },
          memory: { request: Size.mebibytes(p.memMi), limit: p.guaranteed ? undefined : Size.mebibytes(p.memMi + p.memHeadroom) },
        },
        gpus: { count: p.gpus },
        scaling: p.scaling,
        metrics: p.metricsPort ? { port: p.metricsPort } : undefined,
      });
      const manifests = synthAndValidate(chart);
      const deployment = findObject(manifests, 'Deployment', p.name);
      const podLabels = deployment.spec.template.metadata.labels;
      const container = deployment.spec.template.spec.containers[0];
      // Every selector matches the pods.
      for (const [k, v] of Object.entries(findObject(manifests, 'Service', p.name).spec.selector)) expect(podLabels[k]).toBe(v);
      // Requests and limits always, limits never below requests.
      expect(container.resources.requests.cpu).toBeDefined();
      expect(container.resources.limits.memory).toBeDefined();
      if (p.gpus > 0) expect(container.resources.limits['nvidia.com/gpu']).toBe(String(p.gpus));
      // A PDB exactly when more than one replica can run, never one that blocks all evictions.
      expect(findObjects(manifests, 'PodDisruptionBudget').length).toBe(serving.maxReplicas > 1 ? 1 : 0);
      // One autoscaler at most, and never alongside a fixed replica count.
      const hpas = findObjects(manifests, 'HorizontalPodAutoscaler');
      expect(hpas.length === 1 ? deployment.spec.replicas : undefined).toBeUndefined();
    }), { numRuns: 40 });
  });

  test('the replica range is accepted exactly when 1 <= min <= max', () => {
    fc.assert(fc.property(fc.integer({ min: -3, max: 30 }), fc.integer({ min: -3, max: 30 }), (min, max) => {
      const chart = new Chart(Testing.app(), 'prop');
      const make = () => new MlModelServing(chart, 'server', { image: 'm:v1', scaling: ServingScaling.autoscale({ minReplicas: min, maxReplicas: max }) });
      if (min >= 1 && max >= min) {
        expect(make).not.toThrow();
      } else {
        expect(make).toThrow(/MlModelServing 'prop\/server': scaling\.(minReplicas|maxReplicas) \(-?\d+\) must be/);
      }
    }));
  });

  test('GPU counts are accepted exactly when they are whole numbers from 0 to 16', () => {
    fc.assert(fc.property(fc.oneof(fc.integer({ min: -5, max: 40 }), fc.double({ min: -5, max: 40, noNaN: true })), (count) => {
      const chart = new Chart(Testing.app(), 'prop');
      const make = () => new MlModelServing(chart, 'server', { image: 'm:v1', gpus: { count } });
      if (Number.isInteger(count) && count >= 0 && count <= 16) expect(make).not.toThrow();
      else expect(make).toThrow(/gpus\.count/);
    }));
  });
});
