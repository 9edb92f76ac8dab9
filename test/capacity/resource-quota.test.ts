import { Chart, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import * as fc from 'fast-check';
import { LimitRange, PriorityClass, ResourceQuota, ResourceQuotaProps } from '../../src';
import { findObject, synthAndValidate } from '../util';

function chart(namespace: string | undefined = 'ml'): Chart {
  return new Chart(Testing.app(), 'prod', { namespace });
}

describe('ResourceQuota', () => {
  test('requests, limits, GPUs, storage and object counts', () => {
    const c = chart();
    const quota = new ResourceQuota(c, 'team-quota', {
      requests: { cpu: kplus.Cpu.units(64), memory: Size.gibibytes(256) },
      limits: { cpu: kplus.Cpu.units(128), memory: Size.gibibytes(512), ephemeralStorage: Size.gibibytes(100) },
      gpus: 8,
      storage: Size.tebibytes(2),
      objectCounts: { pods: 200, services: 20, loadBalancers: 0, persistentVolumeClaims: 30, configMaps: 50, secrets: 50, jobs: 100 },
      hard: { 'count/rayclusters.ray.io': '5' },
    });
    const obj = findObject(synthAndValidate(c), 'ResourceQuota', 'team-quota');
    expect(obj.metadata.namespace).toBe('ml');
    expect(obj.spec).toEqual({
      hard: {
        'requests.cpu': '64',
        'requests.memory': '262144Mi',
        'limits.cpu': '128',
        'limits.memory': '524288Mi',
        'limits.ephemeral-storage': '102400Mi',
        'requests.nvidia.com/gpu': '8',
        'requests.storage': '2097152Mi',
        'pods': '200',
        'services': '20',
        'services.loadbalancers': '0',
        'persistentvolumeclaims': '30',
        'configmaps': '50',
        'secrets': '50',
        'count/jobs.batch': '100',
        'count/rayclusters.ray.io': '5',
      },
    });
    expect(quota.hard['requests.nvidia.com/gpu']).toBe('8');
  });

  test('scoped to priority classes; another namespace; another GPU resource', () => {
    const c = chart();
    const preemptible = PriorityClass.preemptible(c, 'preemptible');
    new ResourceQuota(c, 'experiments', { namespace: 'research', gpus: 2, gpuResourceName: 'amd.com/gpu', priorityClasses: [preemptible] });
    const obj = findObject(synthAndValidate(c), 'ResourceQuota', 'experiments');
    expect(obj.metadata.namespace).toBe('research');
    expect(obj.spec).toEqual({
      hard: { 'requests.amd.com/gpu': '2' },
      scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['ml-preemptible'] }] },
    });
  });

  test('errors', () => {
    expect(() => new ResourceQuota(chart(), 'q', {})).toThrow("ResourceQuota 'prod/q': props set no limit: give requests, limits, gpus, storage, objectCounts or hard");
    expect(() => new ResourceQuota(chart(), 'q', { gpus: 1.5 })).toThrow("ResourceQuota 'prod/q': gpus (1.5) must be an integer");
    expect(() => new ResourceQuota(chart(), 'q', { gpus: -1 })).toThrow("ResourceQuota 'prod/q': gpus (-1) must be >= 0");
    expect(() => new ResourceQuota(chart(), 'q', { objectCounts: { pods: -5 } })).toThrow("ResourceQuota 'prod/q': objectCounts.pods (-5) must be >= 0");
    expect(() => new ResourceQuota(chart(), 'q', { hard: { pods: 'many' } })).toThrow("ResourceQuota 'prod/q': hard['pods'] ('many') is not a Kubernetes quantity such as '100', '500m' or '64Gi'");
    expect(() => new ResourceQuota(chart(), 'q', { objectCounts: { pods: 5 }, hard: { pods: '6' } })).toThrow("ResourceQuota 'prod/q': hard['pods'] is already set by a typed prop; give it once");
    expect(() => new ResourceQuota(chart(), 'q', { requests: { cpu: kplus.Cpu.units(8) }, limits: { cpu: kplus.Cpu.units(4) } }))
      .toThrow("ResourceQuota 'prod/q': requests.cpu (8) must be <= limits.cpu (4)");
    expect(() => new ResourceQuota(chart(), 'q', { requests: { memory: Size.gibibytes(8) }, limits: { memory: Size.gibibytes(4) } }))
      .toThrow("ResourceQuota 'prod/q': requests.memory (8192Mi) must be <= limits.memory (4096Mi)");
    expect(() => new ResourceQuota(chart(), 'q', { gpus: 1, gpuResourceName: 'gpu please' }))
      .toThrow("ResourceQuota 'prod/q': gpuResourceName ('gpu please') must be a domain-prefixed extended resource name such as 'nvidia.com/gpu'");
    expect(() => new ResourceQuota(chart(), 'q', { gpus: 1, priorityClasses: [] }))
      .toThrow("ResourceQuota 'prod/q': priorityClasses is empty: leave it out to cover every pod, or give at least one class");
    expect(() => new ResourceQuota(chart(), 'q', { requests: { cpu: kplus.Cpu.millis(-100) } }))
      .toThrow("ResourceQuota 'prod/q': requests.cpu (-100m) must be a non-negative quantity");
    expect(() => new ResourceQuota(chart(), 'q', { name: 'Team Quota', gpus: 1 }))
      .toThrow("ResourceQuota 'prod/q': name ('Team Quota') must be a valid RFC 1123 DNS subdomain");
    expect(() => new ResourceQuota(chart(), 'q', { namespace: 'Research', gpus: 1 }))
      .toThrow("ResourceQuota 'prod/q': namespace ('Research') must be a valid RFC 1123 DNS label");
  });

  describe('a PriorityClass scope covers pods, cpu, memory and GPUs only', () => {
    const scoped = (c: Chart, props: Omit<ResourceQuotaProps, 'priorityClasses'>) =>
      new ResourceQuota(c, 'q', { ...props, priorityClasses: [PriorityClass.preemptible(c, 'preemptible')] });

    test.each<[string, Omit<ResourceQuotaProps, 'priorityClasses'>, string]>([
      ['object counts', { gpus: 4, objectCounts: { services: 5, jobs: 10 } }, 'services, count/jobs.batch'],
      ['storage', { storage: Size.tebibytes(1) }, 'requests.storage'],
      ['ephemeral storage', { limits: { ephemeralStorage: Size.gibibytes(100) } }, 'limits.ephemeral-storage'],
      ['a raw hard entry', { hard: { 'count/rayclusters.ray.io': '2' } }, 'count/rayclusters.ray.io'],
    ])('refused: %s (the API server rejects or ignores them in a scoped quota)', (_name, props, keys) => {
      expect(() => scoped(chart(), props)).toThrow(
        `ResourceQuota 'prod/q': priorityClasses cannot scope ${keys}: a PriorityClass scope covers pods and their cpu, memory and extended resources (GPUs) only; `
        + 'Kubernetes rejects or ignores other limits in a scoped quota. Put them in an unscoped ResourceQuota');
    });

    test('accepted: requests, limits, GPUs and pods', () => {
      const c = chart();
      scoped(c, {
        requests: { cpu: kplus.Cpu.units(16), memory: Size.gibibytes(64) },
        limits: { cpu: kplus.Cpu.units(32), memory: Size.gibibytes(128) },
        gpus: 4,
        objectCounts: { pods: 20 },
      });
      expect(Object.keys(findObject(synthAndValidate(c), 'ResourceQuota', 'q').spec.hard).sort()).toEqual([
        'limits.cpu', 'limits.memory', 'pods', 'requests.cpu', 'requests.memory', 'requests.nvidia.com/gpu',
      ]);
    });

    test('property: an extended resource quota of any domain can be scoped', () => {
      const name = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,10}[a-z0-9])?$/);
      fc.assert(fc.property(name, name, fc.nat({ max: 64 }), (domain, resource, gpus) => {
        const c = chart();
        scoped(c, { gpus, gpuResourceName: `${domain}.com/${resource}` });
        expect(findObject(Testing.synth(c), 'ResourceQuota', 'q').spec.hard).toEqual({ [`requests.${domain}.com/${resource}`]: String(gpus) });
      }), { numRuns: 30 });
    });
  });
});

describe('LimitRange', () => {
  test('defaults: containers that set nothing get requests 100m/256Mi and limits 1/1Gi', () => {
    const c = chart();
    new LimitRange(c, 'defaults');
    const obj = findObject(synthAndValidate(c), 'LimitRange', 'defaults');
    expect(obj.metadata.namespace).toBe('ml');
    expect(obj.spec).toEqual({
      limits: [{ type: 'Container', defaultRequest: { cpu: '100m', memory: '256Mi' }, default: { cpu: '1', memory: '1024Mi' } }],
    });
  });

  test('given values, min and max', () => {
    const c = chart();
    new LimitRange(c, 'bounds', {
      namespace: 'research',
      defaultRequest: { cpu: kplus.Cpu.millis(500), memory: Size.gibibytes(1) },
      defaultLimit: { cpu: kplus.Cpu.units(2), memory: Size.gibibytes(4) },
      min: { cpu: kplus.Cpu.millis(50), memory: Size.mebibytes(64) },
      max: { cpu: kplus.Cpu.units(32), memory: Size.gibibytes(256) },
    });
    const obj = findObject(synthAndValidate(c), 'LimitRange', 'bounds');
    expect(obj.metadata.namespace).toBe('research');
    expect(obj.spec.limits[0]).toEqual({
      type: 'Container',
      defaultRequest: { cpu: '500m', memory: '1024Mi' },
      default: { cpu: '2', memory: '4096Mi' },
      min: { cpu: '50m', memory: '64Mi' },
      max: { cpu: '32', memory: '262144Mi' },
    });
  });

  test('defaults adapt to what is given: a big request raises the default limit, a max caps it', () => {
    const c = chart();
    new LimitRange(c, 'big', { defaultRequest: { cpu: kplus.Cpu.units(4), memory: Size.gibibytes(8) } });
    new LimitRange(c, 'small', { max: { cpu: kplus.Cpu.millis(500), memory: Size.mebibytes(512) } });
    new LimitRange(c, 'tiny-limit', { defaultLimit: { cpu: kplus.Cpu.millis(50), memory: Size.mebibytes(128) } });
    const manifests = synthAndValidate(c);
    expect(findObject(manifests, 'LimitRange', 'big').spec.limits[0].default).toEqual({ cpu: '4', memory: '8192Mi' });
    expect(findObject(manifests, 'LimitRange', 'small').spec.limits[0].default).toEqual({ cpu: '500m', memory: '512Mi' });
    expect(findObject(manifests, 'LimitRange', 'tiny-limit').spec.limits[0].defaultRequest).toEqual({ cpu: '50m', memory: '128Mi' });
  });

  test('errors', () => {
    expect(() => new LimitRange(chart(), 'l', { defaultRequest: { cpu: kplus.Cpu.units(2) }, defaultLimit: { cpu: kplus.Cpu.units(1) } }))
      .toThrow("LimitRange 'prod/l': defaultRequest.cpu (2) must be <= defaultLimit.cpu (1)");
    expect(() => new LimitRange(chart(), 'l', { min: { memory: Size.gibibytes(2) }, max: { memory: Size.gibibytes(1) } }))
      .toThrow("LimitRange 'prod/l': min.memory (2048Mi) must be <= max.memory (1024Mi)");
    expect(() => new LimitRange(chart(), 'l', { min: { cpu: kplus.Cpu.millis(200) } }))
      .toThrow("LimitRange 'prod/l': min.cpu (200m) must be <= defaultRequest.cpu (100m)");
    expect(() => new LimitRange(chart(), 'l', { defaultLimit: { cpu: kplus.Cpu.units(4) }, max: { cpu: kplus.Cpu.units(2) } }))
      .toThrow("LimitRange 'prod/l': defaultLimit.cpu (4) must be <= max.cpu (2)");
    expect(() => new LimitRange(chart(), 'l', { defaultRequest: { cpu: kplus.Cpu.millis(0) } }))
      .toThrow("LimitRange 'prod/l': defaultRequest.cpu (0m) must be a positive quantity");
    expect(() => new LimitRange(chart(), 'l', { max: { memory: Size.mebibytes(0) } }))
      .toThrow("LimitRange 'prod/l': max.memory (0Mi) must be a positive quantity");
    expect(() => new LimitRange(chart(), 'l', { name: 'Defaults' }))
      .toThrow("LimitRange 'prod/l': name ('Defaults') must be a valid RFC 1123 DNS subdomain");
    expect(() => new LimitRange(chart(), 'l', { namespace: 'ml_team' }))
      .toThrow("LimitRange 'prod/l': namespace ('ml_team') must be a valid RFC 1123 DNS label");
  });

  test('property: any consistent request <= limit pair is accepted and rendered', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 64_000 }), fc.integer({ min: 0, max: 64_000 }), (request, extra) => {
      const c = chart();
      new LimitRange(c, 'l', { defaultRequest: { cpu: kplus.Cpu.millis(request) }, defaultLimit: { cpu: kplus.Cpu.millis(request + extra) } });
      const item = findObject(synthAndValidate(c), 'LimitRange', 'l').spec.limits[0];
      expect(item.defaultRequest.cpu).toBe(`${request}m`);
      expect(item.default.cpu).toBe(`${request + extra}m`);
    }), { numRuns: 40 });
    fc.assert(fc.property(fc.integer({ min: 2, max: 64_000 }), fc.integer({ min: 1, max: 64_000 }), (limit, excess) => {
      expect(() => new LimitRange(chart(), 'l', { defaultRequest: { cpu: kplus.Cpu.millis(limit + excess) }, defaultLimit: { cpu: kplus.Cpu.millis(limit) } }))
        .toThrow(/defaultRequest.cpu .* must be <= defaultLimit.cpu/);
    }), { numRuns: 40 });
  });
});
