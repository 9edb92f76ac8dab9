import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { CAPACITY_TYPE_LABEL, KarpenterNodePool, NODE_POOL_LABEL, SPOT_TAINT } from './karpenter-node-pool';
import { CapacityType, GpuNodeOptions, NodePoolOptions } from './karpenter-node-pool-options';
import { INodePool, NodePoolBase, NodeTaint, validateTaints } from './node-pool';
import { invalidProp, PUBLIC_TYPE_NAME } from '../core/errors';
import { NodeRequirement, NodeSelectorOperator } from '../core/scheduling';
import { requireDnsLabel, requireLabelValue } from '../core/validation';

/** Properties of {@link SpotNodePool}. */
export interface SpotNodePoolProps extends NodePoolOptions {
  /**
   * Let Karpenter launch on-demand nodes when no spot capacity is available
   * (`karpenter.sh/capacity-type In [spot, on-demand]`; Karpenter prefers spot).
   * @default false - spot only
   */
  readonly onDemandFallback?: boolean;
  /**
   * GPU capacity: GPU instance requirements, the GPU taint and the GPU cap.
   * @default - no GPUs
   */
  readonly gpu?: GpuNodeOptions;
}

/** Options of node pools made by a cloud's own tooling (GKE, AKS, EKS managed node groups). */
export interface ManagedSpotPoolOptions {
  /**
   * The name of one node pool (GKE, AKS) or node group (EKS) to pin workloads to.
   * @default - any spot node of the cluster
   */
  readonly poolName?: string;
  /**
   * The taints of the pool's nodes, replacing the provider's convention.
   * @default - the provider's: GKE and AKS `<spot label>=<value>:NoSchedule`, EKS none
   */
  readonly taints?: NodeTaint[];
}

/** Options of {@link SpotNodePool.fromNodePoolName}. */
export interface ExistingSpotNodePoolOptions {
  /**
   * The pool falls back to on-demand capacity.
   * @default false
   */
  readonly onDemandFallback?: boolean;
  /**
   * The taints of the pool's nodes.
   * @default - the spot taint of our pools, `karpenter.sh/capacity-type=spot:NoSchedule`
   */
  readonly taints?: NodeTaint[];
}

/**
 * Spot capacity for ML workloads. The constructor makes a Karpenter v1 NodePool of
 * spot nodes (optionally falling back to on-demand), tainted
 * `karpenter.sh/capacity-type=spot:NoSchedule` so nothing lands there by accident;
 * the static `gke`, `aks` and `eksManagedNodeGroup` describe spot pools made by the
 * cloud's own tooling (they emit nothing). Either way, `pool.schedule(workload)`
 * adds the tolerations and node affinity together.
 *
 * Spot nodes are reclaimed at short notice: schedule workloads that tolerate it
 * (replicated servers with a PodDisruptionBudget, checkpointing training jobs).
 *
 * @example
 * import { MlModelServing, NodePoolAffinity, ServingScaling, SpotNodePool } from 'cdk8s-ml';
 *
 * // Karpenter spot GPU nodes, tainted so only what is scheduled here lands here;
 * // many instance families, so more spot markets to draw from.
 * const spot = new SpotNodePool(this, 'gpu-spot', { gpu: { maxGpus: 16 }, instanceFamilies: ['g5', 'g6'] });
 * const llm = new MlModelServing(this, 'llm', {
 *   image: 'vllm/vllm-openai:v0.6.3',
 *   gpus: { count: 1 },
 *   scaling: ServingScaling.autoscale({ minReplicas: 3, maxReplicas: 12 }),
 * });
 * // Three or more replicas behind a PodDisruptionBudget: a reclaimed spot node costs
 * // one replica, not the service.
 * spot.schedule(llm, { affinity: NodePoolAffinity.preferred() });
 */
export class SpotNodePool extends KarpenterNodePool {
  /**
   * GKE Spot VMs: nodes labeled `cloud.google.com/gke-spot=true` and, by the
   * convention of the guide, tainted `cloud.google.com/gke-spot=true:NoSchedule`
   * (set the taint on the node pool with `--node-taints`). Emits nothing.
   */
  public static gke(scope: Construct, id: string, options: ManagedSpotPoolOptions = {}): INodePool {
    return new ManagedSpotPool(scope, id, options, {
      label: 'cloud.google.com/gke-spot', value: 'true', poolLabel: 'cloud.google.com/gke-nodepool', taintByDefault: true,
    });
  }

  /**
   * AKS spot node pools: nodes labeled and tainted (by AKS itself)
   * `kubernetes.azure.com/scalesetpriority=spot:NoSchedule`. Emits nothing.
   */
  public static aks(scope: Construct, id: string, options: ManagedSpotPoolOptions = {}): INodePool {
    return new ManagedSpotPool(scope, id, options, {
      label: 'kubernetes.azure.com/scalesetpriority', value: 'spot', poolLabel: 'kubernetes.azure.com/agentpool', taintByDefault: true,
    });
  }

  /**
   * EKS managed node groups of capacity type SPOT: nodes labeled
   * `eks.amazonaws.com/capacityType=SPOT`, untainted unless the node group sets
   * taints (give them in `taints`). Emits nothing.
   */
  public static eksManagedNodeGroup(scope: Construct, id: string, options: ManagedSpotPoolOptions = {}): INodePool {
    return new ManagedSpotPool(scope, id, options, {
      label: 'eks.amazonaws.com/capacityType', value: 'SPOT', poolLabel: 'eks.amazonaws.com/nodegroup', taintByDefault: false,
    });
  }

  /** A Karpenter spot NodePool made elsewhere (another chart, Helm, the console). Emits nothing. */
  public static fromNodePoolName(scope: Construct, id: string, name: string, options: ExistingSpotNodePoolOptions = {}): INodePool {
    return new ExistingKarpenterSpotPool(scope, id, name, options);
  }

  /** Whether Karpenter may fall back to on-demand nodes. */
  public readonly onDemandFallback: boolean;

  public constructor(scope: Construct, id: string, props: SpotNodePoolProps = {}) {
    super(scope, id, {
      ...props,
      capacityTypes: props.onDemandFallback ? [CapacityType.SPOT, CapacityType.ON_DEMAND] : [CapacityType.SPOT],
    });
    this.onDemandFallback = props.onDemandFallback ?? false;
  }
}

interface ProviderConvention {
  readonly label: string;
  readonly value: string;
  readonly poolLabel: string;
  readonly taintByDefault: boolean;
}

/** Spot nodes made by a cloud's tooling: known labels and taints, nothing emitted. */
class ManagedSpotPool extends NodePoolBase {
  public readonly [PUBLIC_TYPE_NAME] = 'SpotNodePool';
  public readonly taints: NodeTaint[];
  public readonly nodeRequirements: NodeRequirement[];
  public readonly spot: boolean = true;

  public constructor(scope: Construct, id: string, options: ManagedSpotPoolOptions, convention: ProviderConvention) {
    super(scope, id);
    this.taints = options.taints
      ? [...options.taints]
      : (convention.taintByDefault ? [{ key: convention.label, value: convention.value, effect: kplus.TaintEffect.NO_SCHEDULE }] : []);
    validateTaints(this, 'taints', this.taints);
    this.nodeRequirements = [{ key: convention.label, operator: NodeSelectorOperator.IN, values: [convention.value] }];
    if (options.poolName !== undefined) {
      if (options.poolName === '') throw invalidProp(this, 'poolName', 'must not be empty');
      requireLabelValue(this, 'poolName', options.poolName);
      this.nodeRequirements.push({ key: convention.poolLabel, operator: NodeSelectorOperator.IN, values: [options.poolName] });
    }
  }
}

/** A Karpenter spot NodePool defined outside this app. */
class ExistingKarpenterSpotPool extends NodePoolBase {
  public readonly [PUBLIC_TYPE_NAME] = 'SpotNodePool';
  public readonly taints: NodeTaint[];
  public readonly nodeRequirements: NodeRequirement[];
  public readonly spot: boolean = true;

  public constructor(scope: Construct, id: string, name: string, options: ExistingSpotNodePoolOptions) {
    super(scope, id);
    if (name === '') throw invalidProp(this, 'name', 'must not be empty');
    // A NodePool name, as KarpenterNodePool requires it.
    requireDnsLabel(this, 'name', name);
    this.taints = [...(options.taints ?? [SPOT_TAINT])];
    validateTaints(this, 'taints', this.taints);
    const capacityTypes = options.onDemandFallback ? [CapacityType.SPOT, CapacityType.ON_DEMAND] : [CapacityType.SPOT];
    this.nodeRequirements = [
      { key: NODE_POOL_LABEL, operator: NodeSelectorOperator.IN, values: [name] },
      { key: CAPACITY_TYPE_LABEL, operator: NodeSelectorOperator.IN, values: capacityTypes },
    ];
  }
}
