import { Size, SizeRoundingBehavior } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { BACKEND_ONLY_PROPS, BACKEND_OPTION_KEYS } from './backend-options';
import type { DistributedTrainingJobProps } from './distributed-training-job';
import { EXIT_CODE_FILE_ENV, NON_RETRIABLE_CODES_ENV, RDZV_HOST_RANK_ENV } from './exit-code-contract';
import { DNS_1035_LABEL } from './rendezvous';
import type { TrainingBackendRenderer } from './training-backend';
import { TrainingVolume } from './training-volume';
import { invalidProp } from '../core/errors';
import { requireDnsSubdomain } from '../core/validation';

// The exit-code contract's variables, on every backend.
const CONTRACT_ENV = [EXIT_CODE_FILE_ENV, NON_RETRIABLE_CODES_ENV, RDZV_HOST_RANK_ENV];

// The cross-prop checks of DistributedTrainingJob (internal). Each throws through
// invalidProp with the construct's path; single-value checks stay in the
// constructor, next to the default they check.

// Exact conversions: fractions are reported, not rounded away.
const EXACT = { rounding: SizeRoundingBehavior.NONE };

/**
 * Options given to the wrong backend, and backend options given at the top level:
 * TypeScript refuses both at compile time; JavaScript callers get this instead.
 */
export function validateBackendFit(scope: Construct, backend: TrainingBackendRenderer, props: DistributedTrainingJobProps): void {
  const own = BACKEND_OPTION_KEYS[backend.kind];
  for (const [option, value] of Object.entries(backend.options)) {
    if (value === undefined || own.includes(option)) continue;
    const owner = Object.keys(BACKEND_OPTION_KEYS).find(k => BACKEND_OPTION_KEYS[k].includes(option));
    const whose = owner ? `is an option of the ${owner} backend` : 'is not a known option';
    throw invalidProp(scope, `backend.${option}`, `${whose}; it does not apply to the ${backend.kind} backend`);
  }
  for (const prop of BACKEND_ONLY_PROPS) {
    if ((props as any)[prop] === undefined) continue;
    const where = backend.kind === 'TrainJob'
      ? 'the TrainJob backend has no such option: its TrainingRuntime owns the pod'
      : `set it on the backend: TrainingBackend.${backend.kind === 'IndexedJob' ? 'indexedJob' : 'pytorchJob'}({ ${prop} })`;
    throw invalidProp(scope, prop, `is an option of the backend, not of the job; ${where}`);
  }
}

export function validateEnv(scope: Construct, backend: TrainingBackendRenderer, env: { [name: string]: kplus.EnvValue }): void {
  for (const name of Object.keys(env)) {
    if (CONTRACT_ENV.includes(name)) throw invalidProp(scope, `env.${name}`, 'is set by DistributedTrainingJob for the exit-code contract of torchrun launches; remove it');
    const reason = backend.reservedEnv(name);
    if (reason) throw invalidProp(scope, `env.${name}`, reason);
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

/** The checkpoint and dataset mount paths, checked. */
export function validateVolumes(scope: Construct, props: DistributedTrainingJobProps): { checkpointPath: string; datasetPath: string } {
  const checkpointPath = props.checkpoint?.mountPath ?? '/checkpoints';
  const datasetPath = props.dataset?.mountPath ?? '/data';
  const check = (prop: string, volume: TrainingVolume | undefined, path: string) => {
    if (!volume) return;
    requireDnsSubdomain(scope, `${prop}.claimName`, volume.claimName);
    if (!path.startsWith('/') || path.length < 2) {
      throw invalidProp(scope, `${prop}.mountPath`, `('${path}') must be an absolute path other than '/'`);
    }
    if (['/tmp', '/dev/shm'].includes(path.replace(/\/+$/, ''))) {
      throw invalidProp(scope, `${prop}.mountPath`, `('${path}') is already used by ${path.startsWith('/tmp') ? 'the writable /tmp' : 'the shared memory volume'}`);
    }
  };
  check('checkpoint', props.checkpoint, checkpointPath);
  check('dataset', props.dataset, datasetPath);
  if (props.checkpoint && props.dataset && checkpointPath.replace(/\/+$/, '') === datasetPath.replace(/\/+$/, '')) {
    throw invalidProp(scope, 'dataset.mountPath', `('${datasetPath}') is already used by checkpoint`);
  }
  return { checkpointPath, datasetPath };
}

/**
 * Every worker's hostname must be an RFC 1123 label (63 characters): the name with
 * the largest index appended the way each backend names its pods. The PyTorchJob
 * and TrainJob operators also name Services after the job, which must start with
 * a letter.
 */
export function validateHostnames(scope: Construct, name: string, workers: number, backend: TrainingBackendRenderer): void {
  const last = backend.lastHostname(name, workers);
  if (backend.needsDns1035Name && !DNS_1035_LABEL.test(name)) {
    throw invalidProp(scope, 'name', `('${name}') must start with a letter on the ${backend.kind} backend: the operator names Services after it`);
  }
  if (last.length > 63) {
    throw invalidProp(scope, 'name', `('${name}') is too long for ${workers} workers: the last worker's hostname '${last}' has ${last.length} characters, more than the 63 of a DNS label`);
  }
}
