import { Construct } from 'constructs';
import { KarpenterNodePool } from './karpenter-node-pool';
import { CapacityType, GpuNodeOptions, NodePoolOptions } from './karpenter-node-pool-options';

/** Properties of {@link GpuNodePool}. */
export interface GpuNodePoolProps extends NodePoolOptions, GpuNodeOptions {
  /**
   * Purchase options. Add CapacityType.SPOT for cheap, interruptible GPU capacity
   * (the nodes then carry the spot taint too).
   * @default [CapacityType.ON_DEMAND]
   */
  readonly capacityTypes?: CapacityType[];
}

/**
 * A Karpenter v1 NodePool of GPU nodes: GPU instance requirements (AWS
 * `instance-gpu-count` and NVIDIA by default), the `nvidia.com/gpu:NoSchedule`
 * taint, a cap on the pool's GPUs (`spec.limits`), and consolidation only of empty
 * nodes, so long GPU jobs are not evicted to save a node.
 *
 * @example
 * import { CapacityType, GpuNodePool, MlModelServing } from 'cdk8s-ml';
 *
 * // On-demand A100 and H100 nodes, at most 32 GPUs in all, tainted nvidia.com/gpu.
 * const gpus = new GpuNodePool(this, 'gpu-on-demand', {
 *   capacityTypes: [CapacityType.ON_DEMAND],
 *   gpuNames: ['a100', 'h100'],
 *   maxGpus: 32,
 * });
 * // The server tolerates the taint and requires the pool's nodes.
 * const llm = new MlModelServing(this, 'llm', { image: 'vllm/vllm-openai:v0.6.3', gpus: { count: 1 } });
 * gpus.schedule(llm);
 */
export class GpuNodePool extends KarpenterNodePool {
  /** GpuNodePool takes the GPU options flat (`maxGpus`), so errors name them so. @internal */
  public static readonly _gpuPropPrefix = '';

  /** The GPUs' extended resource name (the taint key and the limited resource). */
  public readonly gpuResourceName: string;

  public constructor(scope: Construct, id: string, props: GpuNodePoolProps) {
    // `props?.`: a JavaScript caller without props gets the base class's clear error.
    super(scope, id, {
      ...props,
      gpu: {
        maxGpus: props?.maxGpus,
        unlimitedGpus: props?.unlimitedGpus,
        gpuTaintValue: props?.gpuTaintValue,
        resourceName: props?.resourceName,
        gpuNames: props?.gpuNames,
        minGpusPerNode: props?.minGpusPerNode,
        gpuTaint: props?.gpuTaint,
        instanceRequirements: props?.instanceRequirements,
      },
    });
    this.gpuResourceName = props.resourceName ?? 'nvidia.com/gpu';
  }
}
