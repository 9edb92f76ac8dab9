export { MlModelServing, MlModelServingProps } from './ml-model-serving';
export { ModelSource, ModelSourceKind, PvcModelOptions, StorageUriOptions } from './model-source';
export { AutoscalingOptions, ExternalScalingOptions, ServingScaling, ServingScalingMode } from './serving-scaling';
