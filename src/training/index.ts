// The training domain's public API, re-exported from src/index.ts. Internal helpers
// (backend renderers, CRD structs) are imported by file path.
export { DistributedTrainingJob } from './distributed-training-job';
export type { DistributedTrainingJobProps } from './distributed-training-job';
export { TrainingBackend } from './training-backend';
export { CleanPodPolicy, PyTorchRestartPolicy, RendezvousBackend, TrainingRuntimeKind } from './backend-options';
export type { IndexedJobBackendOptions, JobRunOptions, PyTorchElasticPolicy, PyTorchJobBackendOptions, TrainJobBackendOptions } from './backend-options';
export { Torchrun } from './torchrun';
export type { TorchrunOptions } from './torchrun';
export type { TrainingVolume } from './training-volume';
export { NcclDebugLevel } from './nccl-options';
export type { NcclOptions } from './nccl-options';
export { HighSpeedNetwork } from './high-speed-network';
