import { Testing } from 'cdk8s';
import { launchOf } from './launch';
import { build } from '../../examples/llm-finetune';
import { findObject, synthAndValidate } from '../util';
import { evaluatePodFailurePolicy } from '../util/pod-failure-policy';

describe('examples/llm-finetune.ts', () => {
  const app = Testing.app();
  build(app);
  const [cluster, team] = ['llm-finetune-cluster', 'llm-finetune'].map(id => synthAndValidate(app.node.findChild(id) as any));

  test('4 x 8 GPUs, elastic torchrun through the headless Service', () => {
    const job = findObject(team, 'Job', 'llama-finetune');
    const c = job.spec.template.spec.containers[0];
    expect([job.spec.completions, c.resources.limits['nvidia.com/gpu']]).toEqual([4, '8']);
    expect(launchOf(c.command).torchrun).toEqual(expect.arrayContaining([
      '--nnodes=4:4', '--nproc-per-node=8', '--rdzv-backend=c10d', '--rdzv-endpoint=llama-finetune-0.llama-finetune:29500', '--max-restarts=10',
    ]));
    expect(c.env).toContainEqual({ name: 'WORLD_SIZE', value: '32' });
    expect(evaluatePodFailurePolicy(job.spec.podFailurePolicy, { containers: [{ name: c.name, exitCode: 143 }], conditions: [{ type: 'DisruptionTarget', status: 'True' }] })).toBe('Ignore');
    expect(evaluatePodFailurePolicy(job.spec.podFailurePolicy, { containers: [{ name: c.name, exitCode: 2 }] })).toBe('FailJob');
  });

  test('checkpoints on the RWX claim, writable by the access point\'s group', () => {
    const job = findObject(team, 'Job', 'llama-finetune');
    const pvc = findObject(team, 'PersistentVolumeClaim');
    expect(job.spec.template.spec.volumes).toContainEqual({ name: 'checkpoint', persistentVolumeClaim: { claimName: pvc.metadata.name } });
    expect(pvc.spec.accessModes).toEqual(['ReadWriteMany']);
    expect(job.spec.template.spec.securityContext.supplementalGroups).toEqual([50000]);
  });

  test('queued to a LocalQueue of the app, whose ClusterQueue tries spot then on-demand', () => {
    const job = findObject(team, 'Job', 'llama-finetune');
    const lq = findObject(team, 'LocalQueue');
    expect(job.metadata.labels['kueue.x-k8s.io/queue-name']).toBe(lq.metadata.name);
    expect(job.metadata.labels['kueue.x-k8s.io/priority-class']).toBe(findObject(cluster, 'WorkloadPriorityClass').metadata.name);
    const cq = findObject(cluster, 'ClusterQueue');
    expect(lq.spec.clusterQueue).toBe(cq.metadata.name);
    expect(cq.spec.resourceGroups[0].flavors.map((f: any) => f.name)).toEqual(['llm-spot', 'llm-on-demand']);
    expect(findObject(cluster, 'ResourceFlavor', 'llm-spot').spec.nodeLabels['karpenter.sh/capacity-type']).toBe('spot');
    expect(findObject(cluster, 'ResourceFlavor', 'llm-on-demand').spec.nodeLabels['karpenter.sh/capacity-type']).toBe('on-demand');
  });
});
