import { Size, SizeRoundingBehavior } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { DistributedTrainingJobProps } from './distributed-training-job';
import { DNS_1035_LABEL, INDEXED_JOB_ENV, PYTORCHJOB_ENV, RESERVED_ENV_PREFIX } from './rendezvous';
import { DEFAULT_TRAINER_JOB } from './train-job';
import { TrainingBackend, TrainingBackendKind } from './training-backend';
import { TrainingVolume } from './training-volume';
import { WorkerSpec } from './worker-spec';
import { invalidProp } from '../core/errors';
import { requireDnsSubdomain } from '../core/validation';

// The cross-prop checks of DistributedTrainingJob (internal). Each throws through
// invalidProp with the construct's path; single-value checks stay in the
// constructor, next to the default they check.

/** Props the TrainJob API has no field for (its runtime owns them). */
const NOT_ON_TRAINJOB: (keyof DistributedTrainingJobProps)[] = [
  'backoffLimit', 'activeDeadline', 'ttlAfterFinished', 'priorityClassName', 'masterPort',
  'terminationGracePeriod', 'podIdentity', 'automountServiceAccountToken',
];
// Exact conversions: fractions are reported, not rounded away.
const EXACT = { rounding: SizeRoundingBehavior.NONE };

/** Options given to the wrong backend, and props the backend has no field for. */
export function validateBackendFit(scope: Construct, backend: TrainingBackend, props: DistributedTrainingJobProps): void {
  const kind = backend.kind;
  for (const { option, owner } of backend._foreignOptions()) {
    const whose = owner ? `is an option of the ${owner} backend` : 'is not a known option';
    throw invalidProp(scope, `backend.${option}`, `${whose}; it does not apply to the ${kind} backend`);
  }
  if (kind === TrainingBackendKind.TRAIN_JOB) {
    for (const prop of NOT_ON_TRAINJOB) {
      // A token-less pod is what the ServiceAccount gives anyway; only asking for the token is refused.
      const given = prop === 'automountServiceAccountToken' ? props[prop] === true : props[prop] !== undefined;
      if (given) {
        throw invalidProp(scope, prop, 'does not apply to the TrainJob backend: the TrainJob API has no such field (set it in the TrainingRuntime)');
      }
    }
  }
}

export function validateEnv(scope: Construct, kind: TrainingBackendKind, env: { [name: string]: kplus.EnvValue }): void {
  for (const name of Object.keys(env)) {
    if (name.startsWith(RESERVED_ENV_PREFIX) && kind !== TrainingBackendKind.INDEXED_JOB) {
      throw invalidProp(scope, `env.${name}`, `is reserved on the ${kind} backend: the operator sets torchrun's PET_* variables`);
    }
    if (kind === TrainingBackendKind.INDEXED_JOB && INDEXED_JOB_ENV.includes(name)) {
      throw invalidProp(scope, `env.${name}`, 'is set by DistributedTrainingJob for the rendezvous; remove it (use workers, masterPort, processesPerWorker)');
    }
    if (kind === TrainingBackendKind.PYTORCH_JOB && PYTORCHJOB_ENV.includes(name)) {
      throw invalidProp(scope, `env.${name}`, 'is injected by the Training Operator; remove it');
    }
  }
}

export function validateDurations(scope: Construct, props: DistributedTrainingJobProps): void {
  if (props.activeDeadline !== undefined) {
    const s = props.activeDeadline.toSeconds({ integral: false });
    if (!Number.isInteger(s) || s < 1) throw invalidProp(scope, 'activeDeadline', `(${s}s) must be a whole number of seconds >= 1`);
  }
  if (props.ttlAfterFinished !== undefined) {
    const s = props.ttlAfterFinished.toSeconds({ integral: false });
    if (!Number.isInteger(s) || s < 0) throw invalidProp(scope, 'ttlAfterFinished', `(${s}s) must be a whole number of seconds >= 0`);
  }
  if (props.terminationGracePeriod !== undefined) {
    const s = props.terminationGracePeriod.toSeconds({ integral: false });
    if (!Number.isInteger(s) || s < 0) throw invalidProp(scope, 'terminationGracePeriod', `(${s}s) must be a whole number of seconds >= 0`);
  }
}

/**
 * Memory in whole MiB and ephemeral storage in whole GiB: the units cdk8s-plus
 * renders them in (it fails on fractions at synth, without naming the prop), and
 * what every backend renders.
 */
export function validateWholeSizes(scope: Construct, resources: kplus.ContainerResources): void {
  for (const field of ['request', 'limit'] as const) {
    const memory = resources.memory?.[field]?.toMebibytes(EXACT);
    if (memory !== undefined && !Number.isInteger(memory)) {
      throw invalidProp(scope, `resources.memory.${field}`, `(${memory}Mi) must be a whole number of MiB`);
    }
    const storage = resources.ephemeralStorage?.[field]?.toGibibytes(EXACT);
    if (storage !== undefined && !Number.isInteger(storage)) {
      throw invalidProp(scope, `resources.ephemeralStorage.${field}`, `(${storage}Gi) must be a whole number of GiB`);
    }
  }
}

export function validateSharedMemory(scope: Construct, size: Size, memoryLimit: Size): void {
  const shm = size.toMebibytes(EXACT);
  const limit = memoryLimit.toMebibytes(EXACT);
  if (!Number.isInteger(shm) || shm < 1) {
    throw invalidProp(scope, 'sharedMemory', `(${shm}Mi) must be a whole number of MiB >= 1`);
  }
  if (shm >= limit) {
    throw invalidProp(scope, 'sharedMemory', `(${shm}Mi) must be smaller than the memory limit (${limit}Mi): an in-memory volume counts against it`);
  }
}

export function validateVolumes(scope: Construct, props: DistributedTrainingJobProps): Pick<WorkerSpec, 'checkpoint' | 'checkpointPath' | 'dataset' | 'datasetPath'> {
  const checkpointPath = props.checkpoint?.mountPath ?? '/checkpoints';
  const datasetPath = props.dataset?.mountPath ?? '/data';
  const taken = new Map<string, string>([['/tmp', 'the writable /tmp'], ['/dev/shm', 'the shared memory volume']]);
  const check = (prop: string, volume: TrainingVolume | undefined, path: string) => {
    if (!volume) return;
    requireDnsSubdomain(scope, `${prop}.claimName`, volume.claimName);
    if (!path.startsWith('/') || path.length < 2) {
      throw invalidProp(scope, `${prop}.mountPath`, `('${path}') must be an absolute path other than '/'`);
    }
    const normalized = path.replace(/\/+$/, '');
    if (taken.has(normalized)) {
      throw invalidProp(scope, `${prop}.mountPath`, `('${path}') is already used by ${taken.get(normalized)}`);
    }
    taken.set(normalized, prop);
  };
  check('checkpoint', props.checkpoint, checkpointPath);
  check('dataset', props.dataset, datasetPath);
  return { checkpoint: props.checkpoint, checkpointPath, dataset: props.dataset, datasetPath };
}

/**
 * Every worker's hostname must be an RFC 1123 label (63 characters): the name with
 * the largest index appended the way each backend names its pods. The PyTorchJob
 * and TrainJob operators also name Services after the job, which must start with
 * a letter.
 */
export function validateHostnames(scope: Construct, name: string, workers: number, backend: TrainingBackend): void {
  const kind = backend.kind;
  let last: string;
  if (kind === TrainingBackendKind.INDEXED_JOB) {
    last = `${name}-${workers - 1}`;
  } else if (kind === TrainingBackendKind.PYTORCH_JOB) {
    const elastic = backend._pytorchJob.elasticPolicy;
    last = elastic ? `${name}-worker-${elastic.maxReplicas - 1}`
      : workers > 1 ? `${name}-worker-${workers - 2}` : `${name}-master-0`;
  } else {
    last = `${name}-${backend._trainJob.trainerJobName ?? DEFAULT_TRAINER_JOB}-0-${workers - 1}`;
  }
  if (kind !== TrainingBackendKind.INDEXED_JOB && !DNS_1035_LABEL.test(name)) {
    throw invalidProp(scope, 'name', `('${name}') must start with a letter on the ${kind} backend: the operator names Services after it`);
  }
  if (last.length > 63) {
    throw invalidProp(scope, 'name', `('${name}') is too long for ${workers} workers: the last worker's hostname '${last}' has ${last.length} characters, more than the 63 of a DNS label`);
  }
}
