import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import type { DistributedTrainingJob, DistributedTrainingJobProps } from './distributed-training-job';
import { ContainerModel } from '../core/container-model';
import { WorkloadVolume } from '../core/workload-volume';

// The data and state of a training job (internal): the checkpoint and dataset
// volumes, the writable home for caches, and the env of the checkpoint contract.

/** The writable home directory (an emptyDir). */
const HOME_DIR = '/home/training';
/** The env variable naming the checkpoint directory (the checkpoint contract). */
const CHECKPOINT_DIR_ENV = 'CHECKPOINT_DIR';

/**
 * The data contract: HOME and the caches on the writable home emptyDir (unless
 * the user sets them), and CHECKPOINT_DIR, where the script saves checkpoints
 * and, when one is there, resumes from the latest: after a reclaim the replaced
 * worker and the restarted group all read it.
 */
export function dataEnv(props: DistributedTrainingJobProps, checkpointPath: string): { [name: string]: kplus.EnvValue } {
  const user = props.env ?? {};
  const env: { [name: string]: string } = {};
  if (!('HOME' in user)) env.HOME = HOME_DIR;
  if (!('XDG_CACHE_HOME' in user)) env.XDG_CACHE_HOME = `${HOME_DIR}/.cache`;
  if (props.checkpoint && !(CHECKPOINT_DIR_ENV in user)) env[CHECKPOINT_DIR_ENV] = checkpointPath;
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, kplus.EnvValue.fromValue(v)]));
}

/**
 * Mounts the checkpoint (read-write), the dataset (read-only) and the home
 * emptyDir, and adds the volumes' group IDs to the pods' supplementalGroups for
 * storage that ignores fsGroup (NFS, EFS access points): group write access
 * without a root init container.
 */
export function mountData(job: DistributedTrainingJob, worker: ContainerModel, props: DistributedTrainingJobProps,
  paths: { checkpointPath: string; datasetPath: string }): void {
  if (props.checkpoint) {
    job._pod.mount('checkpoint', worker, { volume: WorkloadVolume.fromPersistentVolumeClaim('checkpoint', props.checkpoint.claimName), path: paths.checkpointPath });
  }
  const home = WorkloadVolume.emptyDir('home', { sizeLimit: props.homeSize ?? Size.gibibytes(20) });
  job._pod.mount('homeSize', worker, { volume: home, path: HOME_DIR });
  if (props.checkpoint?.groupId !== undefined || props.dataset?.groupId !== undefined) {
    // extraFields replace the rendered field: the whole pod context, plus the groups.
    const wanted = [...(job.podSecurity._identity.supplementalGroups ?? []), props.checkpoint?.groupId, props.dataset?.groupId];
    const groups = [...new Set(wanted.filter(g => g !== undefined))] as number[];
    job._pod.extraFields.securityContext = { ...job.podSecurity._podContext(), supplementalGroups: groups };
  }
  if (props.dataset) {
    const volume = WorkloadVolume.fromPersistentVolumeClaim('dataset', props.dataset.claimName, { readOnly: true });
    job._pod.mount('dataset', worker, { volume, path: paths.datasetPath, readOnly: true });
  }
}
