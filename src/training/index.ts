// The training domain's public API, re-exported from src/index.ts. Internal helpers
// (backend renderers, raw pod templates, CRD structs) are imported by file path.
export { DistributedTrainingJob } from './distributed-training-job';
export type { DistributedTrainingJobProps } from './distributed-training-job';
export { CleanPodPolicy, PyTorchRestartPolicy, RendezvousBackend, TrainingBackend, TrainingBackendKind, TrainingRuntimeKind } from './training-backend';
export type { IndexedJobBackendOptions, PyTorchElasticPolicy, PyTorchJobBackendOptions, TrainJobBackendOptions } from './training-backend';
export { Torchrun } from './torchrun';
export type { TorchrunOptions } from './torchrun';
export type { TrainingVolume } from './training-volume';
