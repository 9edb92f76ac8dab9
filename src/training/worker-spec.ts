import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Torchrun } from './torchrun';
import { TrainingVolume } from './training-volume';
import { GpuOptions } from '../core/resources';
import { PodIdentityOptions } from '../core/security';

/**
 * Everything one worker is made of, resolved and validated once by the construct
 * and rendered by each backend (internal).
 */
export interface WorkerSpec {
  readonly containerName: string;
  readonly image: string;
  readonly imagePullPolicy: kplus.ImagePullPolicy;
  /** The user's command, when given instead of torchrun. */
  readonly command?: string[];
  /** The torchrun launch, rendered per backend. */
  readonly torchrun?: Torchrun;
  readonly args?: string[];
  readonly env: { [name: string]: kplus.EnvValue };
  readonly envFrom: kplus.EnvFrom[];
  readonly resources: kplus.ContainerResources;
  /** GPUs per worker; count 0 means none. */
  readonly gpus: GpuOptions;
  readonly sharedMemory: Size;
  readonly checkpoint?: TrainingVolume;
  readonly checkpointPath: string;
  readonly dataset?: TrainingVolume;
  readonly datasetPath: string;
  readonly podIdentity?: PodIdentityOptions;
  readonly terminationGracePeriod: Duration;
  readonly priorityClassName?: string;
  readonly automountServiceAccountToken: boolean;
}

/** Names of the volumes every backend renders. */
export const VOLUME_NAMES = {
  tmp: 'tmp',
  sharedMemory: 'dshm',
  checkpoint: 'checkpoint',
  dataset: 'dataset',
};
