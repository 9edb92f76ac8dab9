import { Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { DistributedTrainingJob, MlLabels, TrainingBackend } from '../../src';
import { findObject, synthAndValidate } from '../util';

const name = fc.stringMatching(/^[a-z]([-a-z0-9]{0,30}[a-z0-9])?$/);
const workers = fc.integer({ min: 1, max: 64 });
const gpus = fc.integer({ min: 0, max: 8 });

function envOf(container: any): { [k: string]: any } {
  return Object.fromEntries(container.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
}

describe('DistributedTrainingJob properties over worker and GPU counts', () => {
  test('Indexed Job: schema-valid, restricted, and the rendezvous wiring always holds', () => {
    fc.assert(fc.property(name, workers, gpus, fc.option(fc.integer({ min: 1, max: 16 }), { nil: undefined }), (n, w, g, procs) => {
      const chart = new Chart(Testing.app(), 'prop', { namespace: 'ml' });
      const job = new DistributedTrainingJob(chart, 'job', { name: n, image: 'training-worker:v1', workers: w, gpus: { count: g }, processesPerWorker: procs });
      const manifests = synthAndValidate(chart);
      const k8sJob = findObject(manifests, 'Job', n);
      const service = findObject(manifests, 'Service', n);
      const pod = k8sJob.spec.template;
      const container = pod.spec.containers[0];
      const env = envOf(container);
      const expectedProcs = procs ?? Math.max(g, 1);

      expect(k8sJob.spec.completionMode).toBe('Indexed');
      expect(k8sJob.spec.completions).toBe(w);
      expect(k8sJob.spec.parallelism).toBe(w);
      expect(env.WORLD_SIZE).toBe(String(w * expectedProcs));
      expect(env.PET_NNODES).toBe(String(w));
      expect(env.PET_NPROC_PER_NODE).toBe(String(expectedProcs));
      if (expectedProcs === 1) expect(env.RANK).toEqual(env.PET_NODE_RANK);
      else expect(env.RANK).toBeUndefined();
      expect(env.NNODES).toBe(String(w));
      expect(env.NPROC_PER_NODE).toBe(String(expectedProcs));
      expect(env.MASTER_ADDR).toBe(`${n}-0.${pod.spec.subdomain}`);
      expect(pod.spec.subdomain).toBe(service.metadata.name);
      expect(MlLabels.matches(service.spec.selector, pod.metadata.labels)).toBe(true);
      if (g > 0) {
        expect(container.resources.requests['nvidia.com/gpu']).toBe(String(g));
        expect(container.resources.limits['nvidia.com/gpu']).toBe(String(g));
      } else {
        expect(container.resources.requests['nvidia.com/gpu']).toBeUndefined();
      }
      expect(job.processesPerWorker).toBe(expectedProcs);
    }), { numRuns: 30 });
  });

  test('PyTorchJob: Master + Worker replicas add up to the workers; TrainJob: numNodes is the workers', () => {
    fc.assert(fc.property(name, workers, gpus, (n, w, g) => {
      const chart = new Chart(Testing.app(), 'prop', { namespace: 'ml' });
      new DistributedTrainingJob(chart, 'pt', { name: n, image: 'training-worker:v1', workers: w, gpus: { count: g }, backend: TrainingBackend.pytorchJob() });
      new DistributedTrainingJob(chart, 'tj', { name: `${n}-tj`, image: 'training-worker:v1', workers: w, gpus: { count: g }, backend: TrainingBackend.trainJob() });
      const manifests = synthAndValidate(chart);
      const specs = findObject(manifests, 'PyTorchJob', n).spec.pytorchReplicaSpecs;
      expect(specs.Master.replicas + (specs.Worker?.replicas ?? 0)).toBe(w);
      expect(findObject(manifests, 'PyTorchJob', n).spec.nprocPerNode).toBe(String(Math.max(g, 1)));
      const trainer = findObject(manifests, 'TrainJob', `${n}-tj`).spec.trainer;
      expect(trainer.numNodes).toBe(w);
      expect(trainer.numProcPerNode).toBe(Math.max(g, 1));
      expect(trainer.resourcesPerNode.limits['nvidia.com/gpu']).toBe(g > 0 ? String(g) : undefined);
    }), { numRuns: 20 });
  });

  test('a name is accepted exactly when the last worker\'s hostname fits a DNS label', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 63 }), fc.integer({ min: 1, max: 100000 }), (len, w) => {
      const n = 'a'.repeat(len);
      const build = () => new DistributedTrainingJob(new Chart(Testing.app(), 'prop'), 'job', { name: n, image: 'training-worker:v1', workers: w });
      if (`${n}-${w - 1}`.length <= 63) {
        expect(build).not.toThrow();
      } else {
        expect(build).toThrow(/the last worker's hostname .* more than the 63 of a DNS label/);
      }
    }), { numRuns: 200 });
  });

  test('masterPort is accepted exactly when it is a port number, and reaches MASTER_PORT and the Service', () => {
    fc.assert(fc.property(fc.oneof(fc.integer({ min: -100000, max: 200000 }), fc.double({ noNaN: true })), (port) => {
      const chart = new Chart(Testing.app(), 'prop');
      const build = () => new DistributedTrainingJob(chart, 'job', { image: 'training-worker:v1', backend: TrainingBackend.indexedJob({ masterPort: port }) });
      if (Number.isInteger(port) && port >= 1 && port <= 65535) {
        build();
        const manifests = synthAndValidate(chart);
        expect(envOf(findObject(manifests, 'Job').spec.template.spec.containers[0]).MASTER_PORT).toBe(String(port));
        expect(findObject(manifests, 'Service').spec.ports[0].port).toBe(port);
      } else {
        expect(build).toThrow(`DistributedTrainingJob 'prop/job': backend.masterPort (${port}) must be`);
      }
    }), { numRuns: 40 });
  });

  test('worker counts below 1 or fractional, and GPU counts fractional or above the maximum, are always refused', () => {
    const build = (w: number, g: number, max?: number) => () =>
      new DistributedTrainingJob(new Chart(Testing.app(), 'prop'), 'job', { image: 'training-worker:v1', workers: w, gpus: { count: g }, maxGpusPerNode: max });
    fc.assert(fc.property(fc.integer({ min: -1000, max: 0 }), (w) => {
      expect(build(w, 1)).toThrow(`workers (${w}) must be between 1 and 100000`);
    }));
    fc.assert(fc.property(fc.double({ min: 0.01, max: 64, noNaN: true }).filter(x => !Number.isInteger(x)), (g) => {
      expect(build(2, g)).toThrow('must be a whole number: extended resources such as GPUs cannot be fractional');
      expect(build(g, 1)).toThrow(`workers (${g}) must be an integer`);
    }));
    fc.assert(fc.property(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 64 }), (max, g) => {
      if (g > max) expect(build(2, g, max)).toThrow(`gpus.count (${g}) exceeds the per-node maximum (${max})`);
      else expect(build(2, g, max)).not.toThrow();
    }));
  });
});
