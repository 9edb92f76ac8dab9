import { Chart, Testing } from 'cdk8s';
import { DistributedTrainingJob, GpuNodePool, NodePoolAffinity, SpotNodePool, Torchrun, TrainingBackend } from '../../src';
import { findObject, synthAndValidate } from '../util';

const SPOT_TOLERATION = { key: 'karpenter.sh/capacity-type', operator: 'Equal', value: 'spot', effect: 'NoSchedule' };
const POOL_TERM = [
  { key: 'karpenter.sh/nodepool', operator: 'In', values: ['spot'] },
  { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot'] },
];

describe('scheduling a DistributedTrainingJob onto node pools', () => {
  test('Indexed Job backend: the workers\' pod template gets the tolerations and the required affinity', () => {
    const c = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
    const pool = new SpotNodePool(c, 'spot', { gpu: { maxGpus: 8 } });
    const job = new DistributedTrainingJob(c, 'train', { image: 'train:v1', workers: 2, torchrun: Torchrun.script('train.py') });
    pool.schedule(job);
    const pod = findObject(synthAndValidate(c), 'Job', 'train').spec.template.spec;
    expect(pod.tolerations).toContainEqual(SPOT_TOLERATION);
    expect(pod.tolerations).toContainEqual({ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' });
    expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions).toEqual(POOL_TERM);
  });

  test('PyTorchJob backend: every replica type of the custom resource gets them (schema-valid)', () => {
    const c = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
    const pool = new SpotNodePool(c, 'spot');
    const gpu = new GpuNodePool(c, 'gpu', { maxGpus: 8 });
    const job = new DistributedTrainingJob(c, 'train', { image: 'train:v1', workers: 2, backend: TrainingBackend.pytorchJob() });
    pool.schedule(job, { nonElasticReason: 'test: placement only' });
    gpu.schedule(job, { affinity: NodePoolAffinity.preferred(10) });
    const pytorchJob = findObject(synthAndValidate(c), 'PyTorchJob', 'train');
    const specs = Object.values(pytorchJob.spec.pytorchReplicaSpecs) as any[];
    expect(specs.length).toBeGreaterThan(0);
    for (const replica of specs) {
      const pod = replica.template.spec;
      expect(pod.tolerations).toContainEqual(SPOT_TOLERATION);
      expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions).toEqual(POOL_TERM);
      expect(pod.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution).toEqual([{
        weight: 10,
        preference: {
          matchExpressions: [
            { key: 'karpenter.sh/nodepool', operator: 'In', values: ['gpu'] },
            { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] },
          ],
        },
      }]);
    }
  });
});

describe('spot pools refuse jobs that cannot survive a reclaim', () => {
  const setup = () => {
    const c = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
    return { c, pool: new SpotNodePool(c, 'spot') };
  };

  test('Indexed Job without torchrun: refused, with what to do', () => {
    const { c, pool } = setup();
    const job = new DistributedTrainingJob(c, 'train', { image: 'train:v1', command: ['python', 'train.py'] });
    expect(job.elastic).toBe(false);
    expect(() => pool.schedule(job)).toThrow("SpotNodePool 'prod/spot': schedule() refuses the workload 'prod/train' on spot capacity: it is not launched by torchrun (Torchrun.script(...), elastic by default), so one lost worker leaves the others blocked until the NCCL timeout. Make it elastic, or pass nonElasticReason to accept the interruptions");
  });

  test('a static torchrun launch, a fixed-size PyTorchJob and a TrainJob are refused', () => {
    const { c, pool } = setup();
    const stat = new DistributedTrainingJob(c, 'static', { image: 'train:v1', torchrun: Torchrun.script('train.py', { elastic: false }) });
    expect(() => pool.schedule(stat)).toThrow(/its torchrun launch is static \(elastic: false\)/);
    const pt = new DistributedTrainingJob(c, 'pt', { image: 'train:v1', backend: TrainingBackend.pytorchJob() });
    expect(() => pool.schedule(pt)).toThrow(/a PyTorchJob without backend.elasticPolicy fails on the first lost worker/);
    const tj = new DistributedTrainingJob(c, 'tj', { image: 'train:v1', backend: TrainingBackend.trainJob() });
    expect(() => pool.schedule(tj)).toThrow(/the TrainJob API \(trainer.kubeflow.org\/v1alpha1\) has no elastic training/);
  });

  test('elastic jobs are accepted; so is a non-elastic one with a reason, and any job on an on-demand pool', () => {
    const { c, pool } = setup();
    pool.schedule(new DistributedTrainingJob(c, 'elastic', { image: 'train:v1', torchrun: Torchrun.script('train.py') }));
    pool.schedule(new DistributedTrainingJob(c, 'pt', {
      image: 'train:v1', backend: TrainingBackend.pytorchJob({ elasticPolicy: { minReplicas: 2, maxReplicas: 4 } }),
    }));
    pool.schedule(new DistributedTrainingJob(c, 'short', { image: 'train:v1' }), { nonElasticReason: '10-minute smoke test' });
    pool.schedule(new DistributedTrainingJob(c, 'own-reason', { image: 'train:v1', nonElasticReason: 'restarts from hourly checkpoints' }));
    new GpuNodePool(c, 'gpu', { maxGpus: 8 }).schedule(new DistributedTrainingJob(c, 'on-demand', { image: 'train:v1' }));
    synthAndValidate(c);
  });

  test('an empty reason is refused', () => {
    const { c, pool } = setup();
    const job = new DistributedTrainingJob(c, 'train', { image: 'train:v1' });
    expect(() => pool.schedule(job, { nonElasticReason: ' ' })).toThrow("SpotNodePool 'prod/spot': schedule() nonElasticReason must say why the workload may be interrupted");
  });
});
