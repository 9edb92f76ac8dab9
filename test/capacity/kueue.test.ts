import { App, Chart, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import * as fc from 'fast-check';
import {
  ClusterQueue, DistributedTrainingJob, GpuNodePool, LocalQueue, QueueingStrategy, ResourceFlavor, SpotNodePool, Torchrun, TrainingBackend,
  WorkloadPriorityClass,
} from '../../src';
import { findObject, synthAndValidate } from '../util';

function platform(app: App = Testing.app()) {
  const cluster = new Chart(app, 'cluster', { disableResourceNameHashes: true });
  const spotPool = new SpotNodePool(cluster, 'spot-gpu', { gpu: { maxGpus: 64 } });
  const onDemandPool = new GpuNodePool(cluster, 'gpu', { maxGpus: 32 });
  const spot = ResourceFlavor.fromNodePool(cluster, 'spot', spotPool);
  const onDemand = ResourceFlavor.fromNodePool(cluster, 'on-demand', onDemandPool);
  const queue = new ClusterQueue(cluster, 'training', {
    flavors: [
      { flavor: spot, cpu: kplus.Cpu.units(512), memory: Size.tebibytes(4), gpus: 64 },
      { flavor: onDemand, cpu: kplus.Cpu.units(256), memory: Size.tebibytes(2), gpus: 32 },
    ],
    queueingStrategy: QueueingStrategy.STRICT_FIFO,
  });
  const priority = new WorkloadPriorityClass(cluster, 'fine-tuning', { value: 1000, description: 'fine-tuning jobs' });
  const team = new Chart(app, 'team', { namespace: 'ml', disableResourceNameHashes: true });
  const local = new LocalQueue(team, 'team-a', { clusterQueue: queue });
  return { app, cluster, team, spotPool, spot, onDemand, queue, priority, local };
}

describe('Kueue constructs', () => {
  test('flavors match the node pools\' labels and taints; quotas per flavor in order; CRD and CEL valid', () => {
    const { cluster, team } = platform();
    const objects = synthAndValidate(cluster);
    expect(findObject(objects, 'ResourceFlavor', 'spot').spec).toEqual({
      nodeLabels: { 'karpenter.sh/nodepool': 'spot-gpu', 'karpenter.sh/capacity-type': 'spot' },
      nodeTaints: [{ key: 'karpenter.sh/capacity-type', value: 'spot', effect: 'NoSchedule' }, { key: 'nvidia.com/gpu', effect: 'NoSchedule' }],
      tolerations: [
        { key: 'karpenter.sh/capacity-type', operator: 'Equal', value: 'spot', effect: 'NoSchedule' },
        { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
      ],
    });
    expect(findObject(objects, 'ResourceFlavor', 'on-demand').spec.nodeLabels).toEqual({ 'karpenter.sh/nodepool': 'gpu', 'karpenter.sh/capacity-type': 'on-demand' });
    const cq = findObject(objects, 'ClusterQueue', 'training');
    expect(cq.metadata.namespace).toBeUndefined();
    expect(cq.spec).toEqual({
      namespaceSelector: {},
      queueingStrategy: 'StrictFIFO',
      resourceGroups: [{
        coveredResources: ['cpu', 'memory', 'nvidia.com/gpu'],
        flavors: [
          { name: 'spot', resources: [{ name: 'cpu', nominalQuota: '512' }, { name: 'memory', nominalQuota: '4Ti' }, { name: 'nvidia.com/gpu', nominalQuota: '64' }] },
          { name: 'on-demand', resources: [{ name: 'cpu', nominalQuota: '256' }, { name: 'memory', nominalQuota: '2Ti' }, { name: 'nvidia.com/gpu', nominalQuota: '32' }] },
        ],
      }],
      preemption: { withinClusterQueue: 'LowerPriority' },
    });
    const wpc = findObject(objects, 'WorkloadPriorityClass', 'fine-tuning');
    expect([wpc.value, wpc.description, wpc.spec]).toEqual([1000, 'fine-tuning jobs', undefined]);
    const lq = findObject(synthAndValidate(team), 'LocalQueue', 'team-a');
    expect([lq.metadata.namespace, lq.spec]).toEqual(['ml', { clusterQueue: 'training' }]);
  });

  test('a resource one flavor lacks is quota 0 there (Kueue requires the same resources in every flavor)', () => {
    const c = new Chart(Testing.app(), 'c');
    const a = new ResourceFlavor(c, 'a');
    const b = new ResourceFlavor(c, 'b', { nodeLabels: { pool: 'b' } });
    new ClusterQueue(c, 'q', { flavors: [{ flavor: a, gpus: 8 }, { flavor: b, cpu: kplus.Cpu.units(4) }], cohort: 'research', preemptLowerPriority: false });
    const spec = findObject(synthAndValidate(c), 'ClusterQueue').spec;
    expect(spec.resourceGroups[0].flavors[1]).toEqual({ name: 'b', resources: [{ name: 'cpu', nominalQuota: '4' }, { name: 'nvidia.com/gpu', nominalQuota: '0' }] });
    expect(spec.cohortName).toBe('research');
    expect(spec.preemption).toBeUndefined();
  });

  test('errors', () => {
    const c = new Chart(Testing.app(), 'c');
    const a = new ResourceFlavor(c, 'a');
    expect(() => new ClusterQueue(c, 'q1', { flavors: [] })).toThrow("ClusterQueue 'c/q1': flavors must give quota on at least one flavor");
    expect(() => new ClusterQueue(c, 'q2', { flavors: [{ flavor: a, gpus: 1 }, { flavor: a, gpus: 2 }] })).toThrow("ClusterQueue 'c/q2': flavors lists the flavor 'a' twice");
    expect(() => new ClusterQueue(c, 'q3', { flavors: [{ flavor: a }] })).toThrow("ClusterQueue 'c/q3': flavors[0] (a) gives no quota: set cpu, memory or gpus");
    expect(() => new WorkloadPriorityClass(c, 'p', { value: 2000000000 })).toThrow("WorkloadPriorityClass 'c/p': value (2000000000) must be between -2147483648 and 1000000000");
  });
});

describe('jobs submitted to Kueue', () => {
  test('queueName names a LocalQueue of the app: queue and priority labels, suspended, valid', () => {
    const { team, priority } = platform();
    new DistributedTrainingJob(team, 'llm', { image: 'w:v1', torchrun: Torchrun.script('train.py'), queueName: 'team-a', queuePriority: priority });
    const job = findObject(synthAndValidate(team), 'Job', 'llm');
    expect(job.metadata.labels).toMatchObject({ 'kueue.x-k8s.io/queue-name': 'team-a', 'kueue.x-k8s.io/priority-class': 'fine-tuning' });
    expect(job.spec.suspend).toBe(true);
  });

  test('a queueName no LocalQueue declares is refused at synth; an external queue is explicit', () => {
    const { team } = platform();
    new DistributedTrainingJob(team, 'llm', { image: 'w:v1', queueName: 'team-b' });
    expect(() => Testing.synth(team)).toThrow("DistributedTrainingJob 'team/llm': queueName ('team-b') names no LocalQueue declared in this app in namespace 'ml': the job would stay suspended. Declare it (new LocalQueue(chart, 'team-b', { clusterQueue })), or reference one made elsewhere explicitly with queue: LocalQueue.external(scope, id, 'team-b')");
    const other = new Chart(Testing.app(), 'other', { namespace: 'ml' });
    new DistributedTrainingJob(other, 'llm', { image: 'w:v1', queue: LocalQueue.external(other, 'queue', 'team-b') });
    expect(findObject(synthAndValidate(other), 'Job').metadata.labels['kueue.x-k8s.io/queue-name']).toBe('team-b');
  });

  test('a LocalQueue of another namespace is refused', () => {
    const { app, local } = platform();
    const elsewhere = new Chart(app, 'elsewhere', { namespace: 'research' });
    new DistributedTrainingJob(elsewhere, 'llm', { image: 'w:v1', torchrun: Torchrun.script('t.py'), queue: local });
    expect(() => Testing.synth(elsewhere)).toThrow("DistributedTrainingJob 'elsewhere/llm': queue ('team-a') is in namespace 'ml', but the job is in namespace 'research': a job can only use a LocalQueue of its own namespace");
  });

  test('a non-elastic job on a queue with a spot flavor is refused unless it says why', () => {
    const { team, local } = platform();
    new DistributedTrainingJob(team, 'fixed', { image: 'w:v1', backend: TrainingBackend.pytorchJob(), queue: local });
    expect(() => Testing.synth(team)).toThrow("DistributedTrainingJob 'team/fixed': queue ('team-a') may admit the job on the spot flavor 'spot' of ClusterQueue 'training', but a PyTorchJob without backend.elasticPolicy fails on the first lost worker. Make it elastic, or set nonElasticReason to accept the interruptions");
    const ok = platform();
    new DistributedTrainingJob(ok.team, 'fixed', { image: 'w:v1', backend: TrainingBackend.pytorchJob(), queue: ok.local, nonElasticReason: 'one-hour job, hourly checkpoints' });
    synthAndValidate(ok.team);
  });

  test('queue errors', () => {
    const { team, local, priority } = platform();
    expect(() => new DistributedTrainingJob(team, 'a', { image: 'w:v1', queue: local, queueName: 'team-a' })).toThrow("DistributedTrainingJob 'team/a': queueName and queue are mutually exclusive: queue names its LocalQueue");
    expect(() => new DistributedTrainingJob(team, 'b', { image: 'w:v1', queuePriority: priority })).toThrow("DistributedTrainingJob 'team/b': queuePriority requires queue or queueName: only Kueue reads it");
    expect(() => new DistributedTrainingJob(team, 'c', { image: 'w:v1', nonElasticReason: '' })).toThrow("DistributedTrainingJob 'team/c': nonElasticReason must say why the job may be interrupted");
  });
});

describe('ClusterQueue properties', () => {
  test('any mix of quotas per flavor renders what Kueue\'s CEL rule accepts: every flavor lists the covered resources, in order', () => {
    const quota = fc.record({
      cpu: fc.option(fc.integer({ min: 1, max: 1024 }), { nil: undefined }),
      memoryGi: fc.option(fc.integer({ min: 1, max: 8192 }), { nil: undefined }),
      gpus: fc.option(fc.integer({ min: 0, max: 128 }), { nil: undefined }),
    }).filter(q => q.cpu !== undefined || q.memoryGi !== undefined || (q.gpus ?? 0) > 0);
    fc.assert(fc.property(fc.array(quota, { minLength: 1, maxLength: 4 }), quotas => {
      const c = new Chart(Testing.app(), 'c');
      new ClusterQueue(c, 'q', {
        flavors: quotas.map((q, i) => ({
          flavor: new ResourceFlavor(c, `f${i}`),
          cpu: q.cpu !== undefined ? kplus.Cpu.units(q.cpu) : undefined,
          memory: q.memoryGi !== undefined ? Size.gibibytes(q.memoryGi) : undefined,
          gpus: q.gpus,
        })),
      });
      const group = findObject(synthAndValidate(c), 'ClusterQueue').spec.resourceGroups[0];
      for (const f of group.flavors) expect(f.resources.map((r: any) => r.name)).toEqual(group.coveredResources);
      expect(group.flavors.map((f: any) => f.name)).toEqual(quotas.map((_, i) => `f${i}`));
    }), { numRuns: 25 });
  });
});
