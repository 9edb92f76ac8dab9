export { MlModelServing } from './ml-model-serving';
export type { MlModelServingProps } from './ml-model-serving';
export { ModelSource, ModelSourceKind } from './model-source';
export type { PvcModelOptions, StorageUriOptions } from './model-source';
export { ServingScaling, ServingScalingMode } from './serving-scaling';
export type { AutoscalingOptions, ExternalScalingOptions } from './serving-scaling';
