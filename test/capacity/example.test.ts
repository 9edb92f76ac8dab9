import { App } from 'cdk8s';
import { build } from '../../examples/spot-capacity';
import { findObject, findObjects, synthAndValidate } from '../util';

describe('examples/spot-capacity', () => {
  const app = new App({ outdir: '/tmp/cdk8s-ml-spot-capacity-test' });
  build(app);
  const [eks, gke] = app.charts;
  const eksManifests = synthAndValidate(eks);
  const gkeManifests = synthAndValidate(gke);

  test('EKS: a spot GPU NodePool and an on-demand GPU NodePool, cluster-scoped', () => {
    const pools = findObjects(eksManifests, 'NodePool');
    expect(pools.map((p: any) => p.metadata)).toEqual([{ name: 'gpu-spot' }, { name: 'gpu-on-demand' }]);
    expect(findObject(eksManifests, 'NodePool', 'gpu-spot').spec.template.spec.requirements[0].values).toEqual(['spot']);
    expect(findObjects(eksManifests, 'PriorityClass').map((p: any) => p.metadata)).toEqual([{ name: 'ml-online-serving' }, { name: 'ml-training' }]);
  });

  test('the server prefers the spot GPU pool and tolerates its taints; the training job requires it', () => {
    const pool = findObject(eksManifests, 'NodePool', 'gpu-spot');
    const server = findObject(eksManifests, 'Deployment', 'llm').spec.template.spec;
    // exactly the pool's taints: the spot one by value, the GPU one (valueless) by Exists
    expect(pool.spec.template.spec.taints).toEqual([
      { key: 'karpenter.sh/capacity-type', value: 'spot', effect: 'NoSchedule' },
      { key: 'nvidia.com/gpu', effect: 'NoSchedule' },
    ]);
    expect(server.tolerations).toContainEqual({ key: 'karpenter.sh/capacity-type', operator: 'Equal', value: 'spot', effect: 'NoSchedule' });
    expect(server.tolerations).toContainEqual({ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' });
    expect(server.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution).toBeUndefined();
    expect(server.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].preference.matchExpressions[0])
      .toEqual({ key: 'karpenter.sh/nodepool', operator: 'In', values: ['gpu-spot'] });
    expect(server.priorityClassName).toBe('ml-online-serving');

    const worker = findObject(eksManifests, 'Job', 'bert-finetune').spec.template.spec;
    expect(worker.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions).toEqual([
      { key: 'karpenter.sh/nodepool', operator: 'In', values: ['gpu-spot'] },
      { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot'] },
    ]);
    expect(worker.tolerations).toContainEqual({ key: 'karpenter.sh/capacity-type', operator: 'Equal', value: 'spot', effect: 'NoSchedule' });
    expect(worker.priorityClassName).toBe('ml-training');
  });

  test('GKE: no node pool emitted, the guide\'s gke-spot label and taint on the same workloads', () => {
    expect(findObjects(gkeManifests, 'NodePool')).toEqual([]);
    const gkeToleration = { key: 'cloud.google.com/gke-spot', operator: 'Equal', value: 'true', effect: 'NoSchedule' };
    const server = findObject(gkeManifests, 'Deployment', 'llm').spec.template.spec;
    const worker = findObject(gkeManifests, 'Job', 'bert-finetune').spec.template.spec;
    expect(server.tolerations).toContainEqual(gkeToleration);
    expect(server.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].preference.matchExpressions).toEqual([
      { key: 'cloud.google.com/gke-spot', operator: 'In', values: ['true'] },
      { key: 'cloud.google.com/gke-nodepool', operator: 'In', values: ['l4-spot'] },
    ]);
    expect(worker.tolerations).toContainEqual(gkeToleration);
    expect(worker.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions).toEqual([
      { key: 'cloud.google.com/gke-spot', operator: 'In', values: ['true'] },
      { key: 'cloud.google.com/gke-nodepool', operator: 'In', values: ['l4-spot'] },
    ]);
  });

  test('governance objects in both charts', () => {
    for (const manifests of [eksManifests, gkeManifests]) {
      expect(findObject(manifests, 'ResourceQuota', 'ml-quota').spec.hard['requests.nvidia.com/gpu']).toBe('16');
      expect(findObject(manifests, 'LimitRange', 'ml-defaults')).toBeDefined();
      expect(findObject(manifests, 'VerticalPodAutoscaler', 'llm').spec.updatePolicy.updateMode).toBe('Off');
    }
  });
});
