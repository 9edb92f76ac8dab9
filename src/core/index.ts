// The public part of the building blocks; the helper functions each construct uses
// are imported from their files directly and stay internal (jsii exports types only).
export { LabelKeys, MlLabels, MlLabelOptions } from './labels';
export { GpuOptions, QosClass } from './resources';
export { TopologySpread, TopologySpreadOptions, UnsatisfiableSpreadAction } from './placement';
export { PodIdentityOptions } from './security';
export { DisruptionBudgetOptions } from './disruption-budget';
export { MetricsEndpoint } from './prometheus-annotations';
export { ISchedulable, NodeRequirement, NodeSelectorOperator, NodeToleration, PodPlacement, SchedulableWorkload } from './scheduling';
