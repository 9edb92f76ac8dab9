export { MlModelServing } from './ml-model-serving';
export type { MlModelServingProps } from './ml-model-serving';
export { ModelSource } from './model-source';
export type { DownloadOptions, HuggingFaceModelOptions, ModelDownloadOptions, PvcModelOptions, S3ModelOptions, StorageUriOptions } from './model-source';
export { ServingScaling } from './serving-scaling';
export type { AutoscalingOptions, ExternalScalingOptions } from './serving-scaling';
export * from './runtimes';
export type { ServingHttpRouteOptions, ServingIngressOptions } from './serving-exposure';
