import { Chart, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  CapacityType, ConsolidationPolicy, GpuNodePool, MlModelServing, NodePoolAffinity, NodeSelectorOperator, SpotNodePool,
} from '../../src';
import { findObject, synthAndValidate } from '../util';

function chart(): Chart {
  return new Chart(Testing.app(), 'prod', { namespace: 'ml' });
}

describe('GpuNodePool', () => {
  test('defaults: on-demand NVIDIA GPU instances, GPU taint, GPU cap, consolidation of empty nodes only', () => {
    const c = chart();
    const pool = new GpuNodePool(c, 'gpu', { maxGpus: 16 });
    const np = findObject(synthAndValidate(c), 'NodePool', 'gpu');
    expect(np.metadata).toEqual({ name: 'gpu' });
    expect(np.spec.template.spec.requirements).toEqual([
      { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] },
      { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] },
      { key: 'karpenter.k8s.aws/instance-gpu-count', operator: 'Gt', values: ['0'] },
      { key: 'karpenter.k8s.aws/instance-gpu-manufacturer', operator: 'In', values: ['nvidia'] },
    ]);
    expect(np.spec.template.spec.taints).toEqual([{ key: 'nvidia.com/gpu', effect: 'NoSchedule' }]);
    expect(np.spec.limits).toEqual({ 'nvidia.com/gpu': '16' });
    expect(np.spec.disruption.consolidationPolicy).toBe(ConsolidationPolicy.WHEN_EMPTY);
    expect(pool.spot).toBe(false);
    expect(pool.gpuResourceName).toBe('nvidia.com/gpu');
  });

  test('a spot GPU pool: GPU models, at least 4 GPUs a node, both taints, cpu/memory caps next to the GPU cap', () => {
    const c = chart();
    const pool = new GpuNodePool(c, 'gpu-spot', {
      capacityTypes: [CapacityType.SPOT, CapacityType.ON_DEMAND],
      maxGpus: 32,
      gpuNames: ['a100', 'h100'],
      minGpusPerNode: 4,
      limits: { cpu: kplus.Cpu.units(512), memory: Size.tebibytes(4) },
    });
    const np = findObject(synthAndValidate(c), 'NodePool', 'gpu-spot');
    expect(np.spec.template.spec.requirements).toEqual(expect.arrayContaining([
      { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot', 'on-demand'] },
      { key: 'karpenter.k8s.aws/instance-gpu-count', operator: 'Gt', values: ['3'] },
      { key: 'karpenter.k8s.aws/instance-gpu-name', operator: 'In', values: ['a100', 'h100'] },
    ]));
    expect(np.spec.template.spec.taints).toEqual([
      { key: 'karpenter.sh/capacity-type', value: 'spot', effect: 'NoSchedule' },
      { key: 'nvidia.com/gpu', effect: 'NoSchedule' },
    ]);
    expect(np.spec.limits).toEqual({ 'cpu': '512', 'memory': '4Ti', 'nvidia.com/gpu': '32' });
    expect(pool.spot).toBe(true);
  });

  test('a SpotNodePool with GPUs is the same thing from the spot side', () => {
    const c = chart();
    new SpotNodePool(c, 'spot-gpu', { gpu: { maxGpus: 8 } });
    const np = findObject(synthAndValidate(c), 'NodePool', 'spot-gpu');
    expect(np.spec.template.spec.taints.map((t: any) => t.key)).toEqual(['karpenter.sh/capacity-type', 'nvidia.com/gpu']);
    expect(np.spec.limits).toEqual({ 'nvidia.com/gpu': '8' });
    expect(np.spec.disruption.consolidationPolicy).toBe('WhenEmpty');
  });

  test('other node classes give their own GPU requirements; other GPU vendors get no NVIDIA requirement', () => {
    const c = chart();
    new GpuNodePool(c, 'azure-gpu', {
      maxGpus: 8,
      nodeClass: { group: 'karpenter.azure.com', kind: 'AKSNodeClass', name: 'default' },
      instanceRequirements: [{ key: 'karpenter.azure.com/sku-gpu-count', operator: NodeSelectorOperator.GT, values: ['0'] }],
    });
    new GpuNodePool(c, 'amd', { maxGpus: 8, resourceName: 'amd.com/gpu' });
    new GpuNodePool(c, 'typed', { maxGpus: 8, nodeClass: { group: 'example.com', kind: 'NodeClass', name: 'x' }, instanceTypes: ['gpu-large'] });
    const manifests = synthAndValidate(c);
    const azure = findObject(manifests, 'NodePool', 'azure-gpu').spec;
    expect(azure.template.spec.nodeClassRef).toEqual({ group: 'karpenter.azure.com', kind: 'AKSNodeClass', name: 'default' });
    expect(azure.template.spec.requirements).toContainEqual({ key: 'karpenter.azure.com/sku-gpu-count', operator: 'Gt', values: ['0'] });
    expect(azure.template.spec.requirements.map((r: any) => r.key)).not.toContain('karpenter.k8s.aws/instance-gpu-count');
    const amd = findObject(manifests, 'NodePool', 'amd').spec;
    expect(amd.template.spec.requirements.map((r: any) => r.key)).not.toContain('karpenter.k8s.aws/instance-gpu-manufacturer');
    expect(amd.template.spec.taints).toEqual([{ key: 'amd.com/gpu', effect: 'NoSchedule' }]);
    expect(amd.limits).toEqual({ 'amd.com/gpu': '8' });
    expect(findObject(manifests, 'NodePool', 'typed').spec.template.spec.requirements).toContainEqual(
      { key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['gpu-large'] });
  });

  test('gpuTaint false: no GPU taint', () => {
    const c = chart();
    const pool = new GpuNodePool(c, 'gpu', { maxGpus: 4, gpuTaint: false });
    expect(findObject(synthAndValidate(c), 'NodePool', 'gpu').spec.template.spec.taints).toBeUndefined();
    expect(pool.taints).toEqual([]);
  });

  test('a GPU model server scheduled onto a spot GPU pool tolerates both taints and requires the pool', () => {
    const c = chart();
    const pool = new GpuNodePool(c, 'gpu-spot', { capacityTypes: [CapacityType.SPOT], maxGpus: 8 });
    const serving = new MlModelServing(c, 'llm', { image: 'vllm/vllm-openai:v0.6.3', gpus: { count: 1 } });
    pool.schedule(serving);
    const manifests = synthAndValidate(c);
    const np = findObject(manifests, 'NodePool', 'gpu-spot');
    const pod = findObject(manifests, 'Deployment', 'llm').spec.template.spec;
    expect(pod.containers[0].resources.limits['nvidia.com/gpu']).toBe('1');
    // every taint of the pool is tolerated with its exact key, value and effect
    for (const taint of np.spec.template.spec.taints) {
      expect(pod.tolerations).toContainEqual(taint.value !== undefined
        ? { key: taint.key, operator: 'Equal', value: taint.value, effect: taint.effect }
        : { key: taint.key, operator: 'Exists', effect: taint.effect });
    }
    expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions).toEqual([
      { key: 'karpenter.sh/nodepool', operator: 'In', values: ['gpu-spot'] },
      { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot'] },
    ]);
  });

  test('a GPU pool as a preference only: no required term', () => {
    const c = chart();
    const gpu = new GpuNodePool(c, 'gpu', { maxGpus: 8, capacityTypes: [CapacityType.SPOT, CapacityType.ON_DEMAND] });
    const serving = new MlModelServing(c, 'llm', { image: 'vllm/vllm-openai:v0.6.3', gpus: { count: 1 } });
    gpu.schedule(serving, { affinity: NodePoolAffinity.preferred(100) });
    const pod = findObject(synthAndValidate(c), 'Deployment', 'llm').spec.template.spec;
    expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution).toBeUndefined();
    expect(pod.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].preference.matchExpressions[0])
      .toEqual({ key: 'karpenter.sh/nodepool', operator: 'In', values: ['gpu'] });
  });
});
