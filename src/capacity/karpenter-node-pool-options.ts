// The options of Karpenter node pools, shared by KarpenterNodePool, SpotNodePool and
// GpuNodePool (kept apart from the construct, which is long enough as its rendering).
import { Duration } from 'cdk8s';
import { NodeTaint } from './node-pool';
import { NodePoolDisruption } from './node-pool-disruption';
import { NodePoolRequirement } from './node-pool-requirement';
import { ResourceAmounts } from './resource-amounts';
import { ObjectMetadataOptions } from '../core/metadata-validation';

/** The purchase option of Karpenter nodes (`karpenter.sh/capacity-type`). */
export enum CapacityType {
  /** Spot (preemptible) capacity: cheap, reclaimed at short notice. */
  SPOT = 'spot',
  /** On-demand capacity. */
  ON_DEMAND = 'on-demand',
}

/** CPU architectures (`kubernetes.io/arch`). */
export enum CpuArchitecture {
  /** x86-64. */
  AMD64 = 'amd64',
  /** 64-bit ARM (e.g. AWS Graviton). */
  ARM64 = 'arm64',
}

/** The provider-specific node class a Karpenter NodePool launches nodes with. */
export interface NodeClassReference {
  /** The node class object's name. */
  readonly name: string;
  /**
   * The node class API group.
   * @default 'karpenter.k8s.aws'
   */
  readonly group?: string;
  /**
   * The node class kind.
   * @default 'EC2NodeClass'
   */
  readonly kind?: string;
}

/** GPU capacity of a Karpenter node pool. */
export interface GpuNodeOptions {
  /**
   * The most GPUs the pool may run in total (`spec.limits`): the pool's budget.
   * Give this or `unlimitedGpus`.
   * @default - none: `unlimitedGpus` must then be true
   */
  readonly maxGpus?: number;
  /**
   * Leave the pool's GPUs unlimited (no `spec.limits` entry for them): the pool
   * grows as long as pods ask and AWS has capacity. An explicit choice, since GPU
   * nodes are the most expensive a cluster runs.
   * @default false
   */
  readonly unlimitedGpus?: boolean;
  /**
   * Value of the GPU taint, for clusters whose GPU pods tolerate `nvidia.com/gpu=<value>`
   * (e.g. `true` or `present`, as some EKS setups use) rather than the key alone.
   * @default - no value (pods tolerate the key with operator Exists)
   */
  readonly gpuTaintValue?: string;
  /**
   * The GPUs' extended resource name, which is also the taint key.
   * @default 'nvidia.com/gpu'
   */
  readonly resourceName?: string;
  /**
   * GPU models to launch (AWS `karpenter.k8s.aws/instance-gpu-name`), e.g. `a10g`, `l4`, `h100`.
   * Part of the AWS default requirements: not accepted with `instanceRequirements`.
   * @default - any GPU model
   */
  readonly gpuNames?: string[];
  /**
   * The fewest GPUs per node (AWS `karpenter.k8s.aws/instance-gpu-count`).
   * Part of the AWS default requirements: not accepted with `instanceRequirements`.
   * @default 1
   */
  readonly minGpusPerNode?: number;
  /**
   * Taint the nodes with `<resourceName>:NoSchedule`, so only pods that asked for the
   * pool (or for GPUs) land on expensive GPU nodes.
   * @default true
   */
  readonly gpuTaint?: boolean;
  /**
   * The requirements that select GPU instances, replacing the AWS defaults; needed
   * for node classes other than AWS's (e.g. `karpenter.azure.com/sku-gpu-count Gt 0`).
   * @default - for EC2NodeClass: instance-gpu-count above minGpusPerNode - 1, and NVIDIA instances for nvidia.com/gpu
   */
  readonly instanceRequirements?: NodePoolRequirement[];
}

/** Options common to every Karpenter node pool. */
export interface NodePoolOptions {
  /**
   * The NodePool's name (also the `karpenter.sh/nodepool` label of its nodes).
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * The node class nodes are launched with.
   * @default - the EC2NodeClass 'default' (group karpenter.k8s.aws)
   */
  readonly nodeClass?: NodeClassReference;
  /**
   * CPU architectures (`kubernetes.io/arch`).
   * @default [CpuArchitecture.AMD64]
   */
  readonly architectures?: CpuArchitecture[];
  /**
   * Instance categories (AWS `karpenter.k8s.aws/instance-category`), e.g. `c`, `m`, `r`, `g`, `p`.
   * @default - any
   */
  readonly instanceCategories?: string[];
  /**
   * Instance families (AWS `karpenter.k8s.aws/instance-family`), e.g. `g5`, `p4d`.
   * @default - any
   */
  readonly instanceFamilies?: string[];
  /**
   * Instance sizes (AWS `karpenter.k8s.aws/instance-size`), e.g. `xlarge`, `2xlarge`.
   * @default - any
   */
  readonly instanceSizes?: string[];
  /**
   * Instance types (`node.kubernetes.io/instance-type`), e.g. `g5.xlarge`. Spot pools
   * should allow many: each extra type is another spot market to draw from.
   * @default - any
   */
  readonly instanceTypes?: string[];
  /**
   * Zones (`topology.kubernetes.io/zone`).
   * @default - any zone of the node class's subnets
   */
  readonly zones?: string[];
  /**
   * More requirements on the launched nodes. `karpenter.sh/capacity-type` is set by
   * the pool and may not be repeated here.
   * @default - none
   */
  readonly requirements?: NodePoolRequirement[];
  /**
   * Taints of the nodes, besides the spot and GPU taints the pool adds itself.
   * Scheduled workloads tolerate them all.
   * @default - none
   */
  readonly taints?: NodeTaint[];
  /**
   * Taint nodes that may be spot with `karpenter.sh/capacity-type=spot:NoSchedule`,
   * so nothing lands on reclaimable capacity without opting in via `schedule()`.
   * @default true
   */
  readonly spotTaint?: boolean;
  /**
   * Labels of the launched nodes (the NodePool object's own labels are `metadata`).
   * @default - none
   */
  readonly labels?: { [key: string]: string };
  /**
   * Labels and annotations of every object this construct emits (the NodePool; not its nodes, whose labels are `labels`).
   * @default - none
   */
  readonly metadata?: ObjectMetadataOptions;
  /**
   * Caps on the pool's total capacity, e.g. `{ cpu: Cpu.units(1000), memory:
   * Size.gibibytes(4000) }`; the GPU cap comes from the GPU options.
   * @default - no limit besides the GPU cap
   */
  readonly limits?: ResourceAmounts;
  /**
   * Consolidation and disruption budgets.
   * @default - consolidate when empty or underutilized (GPU pools: when empty) after 5 minutes
   */
  readonly disruption?: NodePoolDisruption;
  /**
   * Replace nodes this long after launch (patches, leaks). Whole seconds.
   * @default - Karpenter's default, 720h
   */
  readonly expireAfter?: Duration;
  /**
   * Nodes never expire (`expireAfter: Never`): they are replaced only by drift or
   * disruption. Not with `expireAfter`.
   * @default false
   */
  readonly neverExpire?: boolean;
  /**
   * Priority among NodePools that could launch a node for a pod; higher first. 1..100.
   * @default - none (Karpenter treats it as 0)
   */
  readonly weight?: number;
}
