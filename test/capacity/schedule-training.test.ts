import { Chart, Testing } from 'cdk8s';
import { DistributedTrainingJob, GpuNodePool, NodePoolAffinity, SpotNodePool, TrainingBackend } from '../../src';
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
    const job = new DistributedTrainingJob(c, 'train', { image: 'train:v1', workers: 2 });
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
    pool.schedule(job);
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
