// The public part of the building blocks; the helper functions each construct uses
// are imported from their files directly and stay internal. Interfaces are
// re-exported with `export type` (the tests compile with isolatedModules).
export { LabelKeys, MlLabels } from './labels';
export type { MlLabelOptions } from './labels';
export { QosClass } from './resources';
export type { GpuOptions } from './resources';
export { TopologySpread, UnsatisfiableSpreadAction } from './placement';
export type { TopologySpreadOptions } from './placement';
export type { PodIdentityOptions } from './security';
export type { DisruptionBudgetOptions } from './disruption-budget';
export type { MetricsEndpoint } from './prometheus-annotations';
export { NodeSelectorOperator, PodPlacement, SchedulableWorkload } from './scheduling';
export type { ISchedulable, NodeRequirement, NodeToleration } from './scheduling';
