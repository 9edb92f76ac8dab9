// Capacity and cost: node pools (Karpenter, and the spot conventions of GKE, AKS and
// EKS), scheduling of workloads onto them, priorities, quotas and right-sizing.
export { KarpenterNodePool } from './karpenter-node-pool';
export type { KarpenterNodePoolProps } from './karpenter-node-pool';
export { CapacityType, CpuArchitecture } from './karpenter-node-pool-options';
export type { GpuNodeOptions, NodeClassReference, NodePoolOptions } from './karpenter-node-pool-options';
export { ConsolidationPolicy, DisruptionReason } from './node-pool-disruption';
export type { NodeDisruptionBudget, NodePoolDisruption } from './node-pool-disruption';
export { NodePoolAffinity, NodePoolBase } from './node-pool';
export type { INodePool, NodePoolScheduleOptions, NodeTaint } from './node-pool';
export type { NodePoolRequirement } from './node-pool-requirement';
export { SpotNodePool } from './spot-node-pool';
export type { ExistingSpotNodePoolOptions, ManagedSpotPoolOptions, SpotNodePoolProps } from './spot-node-pool';
export { Ec2Ami, Ec2NodeClass, Ec2NodeIdentity } from './ec2-node-class';
export type { Ec2AmiSelectorOptions, Ec2NodeClassProps, Ec2RootVolumeOptions, Ec2SelectorTerms } from './ec2-node-class';
export { GpuNodePool } from './gpu-node-pool';
export type { GpuNodePoolProps } from './gpu-node-pool';
export { PreemptionPolicy, PriorityClass } from './priority-class';
export type { PriorityClassPresetOptions, PriorityClassProps } from './priority-class';
export type { ResourceAmounts } from './resource-amounts';
export { ResourceQuota } from './resource-quota';
export type { QuotaObjectCounts, ResourceQuotaProps } from './resource-quota';
export { LimitRange } from './limit-range';
export type { LimitRangeProps } from './limit-range';
export { VerticalPodAutoscaler, VpaContainerMode, VpaControlledValues, VpaResource, VpaTarget, VpaUpdateMode } from './vertical-pod-autoscaler';
export type { VerticalPodAutoscalerProps, VpaContainerPolicy, VpaResourceBounds, VpaResourcePolicyOptions, VpaTargetReference } from './vertical-pod-autoscaler';
export { QualityOfService } from './quality-of-service';
// Shared by every construct of delivery, observability and capacity; exported here until core does.
export type { ObjectMetadataOptions } from '../core/metadata-validation';
export * from './kueue';
