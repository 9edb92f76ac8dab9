export { ServingRuntime } from './serving-runtime';
export type { CustomRuntimeOptions, RuntimeHomeOptions } from './serving-runtime';
export type { VllmRuntimeOptions } from './vllm';
export type { TritonRuntimeOptions } from './triton';
export type { MlServerRuntimeOptions } from './mlserver';
export type { TgiRuntimeOptions } from './tgi';
export type { TorchServeRuntimeOptions } from './torchserve';
export type { MlflowRuntimeOptions } from './mlflow';
