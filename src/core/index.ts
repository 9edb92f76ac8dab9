// The public part of the core: the workload model's props and value classes. The
// helpers each construct uses are imported from their files directly and stay
// internal. Interfaces are re-exported with `export type` (the tests compile with
// isolatedModules).
export { AfterConversion } from './after-conversion';
// MlValidationError itself extends Error, which jsii cannot export: every language,
// TypeScript included, recognizes it with MlValidationErrors.
export { MlValidationErrors } from './errors';
export { LabelKeys, MlLabels } from './labels';
export type { MlLabelOptions } from './labels';
export { PreStop } from './lifecycle';
export { MlWorkload } from './ml-workload';
export { PriorityClassRef } from './priority';
export type { IPriorityClass } from './priority';
export { QosClass } from './resources';
export type { GpuOptions } from './resources';
export { TopologySpread, UnsatisfiableSpreadAction } from './placement';
export type { TopologySpreadOptions } from './placement';
export { PodSecurity, PodSecurityLevel } from './security';
export type { PodIdentityOptions, RelaxedPodSecurityOptions } from './security';
export { WorkloadServiceAccount } from './service-account';
export type { CreatedServiceAccountOptions } from './service-account';
export type { DisruptionBudgetOptions } from './disruption-budget';
export type { MetricsEndpoint, ServerMetricNames } from './prometheus-annotations';
export { NodeSelectorOperator, SchedulableWorkload } from './scheduling';
export type { ISchedulable, NodePreference, NodeRequirement, NodeToleration } from './scheduling';
export { TargetCluster } from './unique-objects';
export { WorkloadVolume } from './workload-volume';
export type { ClaimVolumeOptions, EmptyDirVolumeOptions, EphemeralVolumeOptions, ImageVolumeOptions, MemoryVolumeOptions, ProjectedKeysOptions, VolumeMount } from './workload-volume';
export type { ContainerSpec, MlWorkloadProps, WorkloadPodOptions } from './workload-props';
