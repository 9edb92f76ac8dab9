import { Size, SizeRoundingBehavior } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { invalidProp } from './errors';

/** The NVIDIA device plugin's extended resource, the default GPU resource name. */
export const NVIDIA_GPU = 'nvidia.com/gpu';
/** The node label NVIDIA GPU feature discovery sets to the GPU model. */
export const NVIDIA_GPU_PRODUCT_LABEL = 'nvidia.com/gpu.product';

/** GPUs (or any other countable extended resource) for one container. */
export interface GpuOptions {
  /** Whole devices per container; extended resources cannot be fractional. */
  readonly count: number;
  /**
   * The extended resource name, e.g. `amd.com/gpu` or `nvidia.com/mig-1g.5gb`.
   * @default 'nvidia.com/gpu'
   */
  readonly resourceName?: string;
  /**
   * A GPU model to require via the `nvidia.com/gpu.product` node label, e.g. `NVIDIA-A100-SXM4-40GB`.
   * @default - any GPU model
   */
  readonly product?: string;
  /**
   * Tolerate the `<resourceName>` NoSchedule taint GPU node pools usually carry.
   * @default true
   */
  readonly tolerateGpuTaint?: boolean;
}

/** The Kubernetes QoS class a pod gets from its containers' requests and limits. */
export enum QosClass {
  /** Every container has requests equal to limits for cpu and memory. */
  GUARANTEED = 'Guaranteed',
  /** Some requests or limits are set, but not Guaranteed. */
  BURSTABLE = 'Burstable',
  /** No requests or limits at all. */
  BEST_EFFORT = 'BestEffort',
}

/** Millicores of a cdk8s-plus `Cpu` (which renders as `1500m` or `2`). */
export function cpuMillis(cpu: kplus.Cpu): number {
  const amount = cpu.amount;
  return amount.endsWith('m') ? Number(amount.slice(0, -1)) : Number(amount) * 1000;
}

/** Bytes-comparable size of a cdk8s `Size` (cdk8s-plus renders memory in MiB). */
function mebibytes(size: Size): number {
  return size.toMebibytes({ rounding: SizeRoundingBehavior.NONE });
}

/** Defaults for {@link completeResources}. */
export interface ResourceDefaults {
  readonly cpuRequest: kplus.Cpu;
  readonly cpuLimit: kplus.Cpu;
  readonly memoryRequest: Size;
  readonly memoryLimit: Size;
}

/**
 * Requests *and* limits for cpu and memory, always: user values where given, the
 * defaults elsewhere. A limit left out while its request is given defaults to the
 * larger of the default limit and the request, so a big request alone is not an
 * error. Limits below requests are refused. `guaranteed` sets limits to requests
 * (QoS class Guaranteed) and refuses explicit limits that differ.
 */
export function completeResources(
  scope: IConstruct,
  prop: string,
  given: kplus.ContainerResources | undefined,
  defaults: ResourceDefaults,
  guaranteed = false,
): kplus.ContainerResources {
  const cpuRequest = given?.cpu?.request ?? defaults.cpuRequest;
  const memoryRequest = given?.memory?.request ?? defaults.memoryRequest;
  const guaranteedOrDefault = <T>(request: T, defaultLimit: T, larger: (a: T, b: T) => T) =>
    guaranteed ? request : larger(defaultLimit, request);
  const cpuLimit = given?.cpu?.limit
    ?? guaranteedOrDefault(cpuRequest, defaults.cpuLimit, (a, b) => cpuMillis(a) >= cpuMillis(b) ? a : b);
  const memoryLimit = given?.memory?.limit
    ?? guaranteedOrDefault(memoryRequest, defaults.memoryLimit, (a, b) => mebibytes(a) >= mebibytes(b) ? a : b);

  if (cpuMillis(cpuRequest) <= 0 || !Number.isFinite(cpuMillis(cpuRequest))) {
    throw invalidProp(scope, `${prop}.cpu.request`, `(${cpuRequest.amount}) must be a positive quantity`);
  }
  if (mebibytes(memoryRequest) <= 0) {
    throw invalidProp(scope, `${prop}.memory.request`, `(${mebibytes(memoryRequest)}Mi) must be a positive quantity`);
  }
  if (!(cpuMillis(cpuLimit) >= cpuMillis(cpuRequest))) {
    throw invalidProp(scope, `${prop}.cpu.limit`, `(${cpuLimit.amount}) must be >= cpu.request (${cpuRequest.amount})`);
  }
  if (!(mebibytes(memoryLimit) >= mebibytes(memoryRequest))) {
    throw invalidProp(scope, `${prop}.memory.limit`, `(${mebibytes(memoryLimit)}Mi) must be >= memory.request (${mebibytes(memoryRequest)}Mi)`);
  }
  if (guaranteed && (cpuMillis(cpuLimit) !== cpuMillis(cpuRequest) || mebibytes(memoryLimit) !== mebibytes(memoryRequest))) {
    throw invalidProp(scope, prop, 'must have limits equal to requests for the Guaranteed QoS class');
  }
  const storage = given?.ephemeralStorage;
  for (const side of ['request', 'limit'] as const) {
    const v = storage?.[side];
    if (v !== undefined && !(mebibytes(v) > 0)) {
      throw invalidProp(scope, `${prop}.ephemeralStorage.${side}`, `(${mebibytes(v)}Mi) must be a positive quantity`);
    }
  }
  if (storage?.request && storage.limit && mebibytes(storage.limit) < mebibytes(storage.request)) {
    throw invalidProp(scope, `${prop}.ephemeralStorage.limit`, `(${mebibytes(storage.limit)}Mi) must be >= ephemeralStorage.request (${mebibytes(storage.request)}Mi)`);
  }
  // cdk8s-plus renders memory in whole MiB and ephemeral storage in whole GiB, and
  // fails on a fraction at synth without naming the prop: checked here, by its name.
  for (const [field, size] of [['request', memoryRequest], ['limit', memoryLimit]] as const) {
    if (!Number.isInteger(mebibytes(size))) throw invalidProp(scope, `${prop}.memory.${field}`, `(${mebibytes(size)}Mi) must be a whole number of MiB`);
  }
  for (const field of ['request', 'limit'] as const) {
    const gib = storage?.[field]?.toGibibytes({ rounding: SizeRoundingBehavior.NONE });
    if (gib !== undefined && !Number.isInteger(gib)) throw invalidProp(scope, `${prop}.ephemeralStorage.${field}`, `(${gib}Gi) must be a whole number of GiB`);
  }
  return {
    cpu: { request: cpuRequest, limit: cpuLimit },
    memory: { request: memoryRequest, limit: memoryLimit },
    ephemeralStorage: given?.ephemeralStorage,
  };
}

/** The QoS class of a container whose resources came from {@link completeResources}. */
export function qosClassOf(resources: kplus.ContainerResources): QosClass {
  const cpu = resources.cpu;
  const mem = resources.memory;
  if (!cpu?.request && !cpu?.limit && !mem?.request && !mem?.limit) return QosClass.BEST_EFFORT;
  const same = cpu?.request && cpu.limit && mem?.request && mem.limit
    && cpuMillis(cpu.request) === cpuMillis(cpu.limit)
    && mebibytes(mem.request) === mebibytes(mem.limit);
  return same ? QosClass.GUARANTEED : QosClass.BURSTABLE;
}

/** Validates GPU options; returns the count, 0 when none. */
export function validateGpus(scope: IConstruct, prop: string, gpus: GpuOptions | undefined, maxPerNode = 16, maxPerNodeProp?: string): number {
  if (!gpus) return 0;
  const { count } = gpus;
  if (!Number.isInteger(count)) {
    throw invalidProp(scope, `${prop}.count`, `(${count}) must be a whole number: extended resources such as GPUs cannot be fractional`);
  }
  if (count < 0) {
    throw invalidProp(scope, `${prop}.count`, `(${count}) must not be negative`);
  }
  if (count > maxPerNode) {
    const remedy = maxPerNodeProp ? `raise ${maxPerNodeProp} if your nodes have more` : 'no node offers more to one pod';
    throw invalidProp(scope, `${prop}.count`, `(${count}) exceeds the per-node maximum (${maxPerNode}); ${remedy}`);
  }
  requireExtendedResourceName(scope, `${prop}.resourceName`, gpus.resourceName ?? NVIDIA_GPU);
  return count;
}

/** True when `name` is a domain-prefixed extended resource name such as `nvidia.com/gpu` (not `kubernetes.io/...`). */
export function isExtendedResourceName(name: string): boolean {
  if (typeof name !== 'string' || name.length > 253) return false;
  if (!/^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)\/[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(name)) return false;
  const [domain, rest] = name.split('/');
  // kubernetes.io is reserved for native resources; requests.* is a quota prefix, not a name.
  return !(domain === 'kubernetes.io' || domain.endsWith('.kubernetes.io')) && rest.length <= 63;
}

/** Throws unless `name` is a domain-prefixed extended resource name. */
export function requireExtendedResourceName(scope: IConstruct, prop: string, name: string): void {
  if (!isExtendedResourceName(name)) {
    throw invalidProp(scope, prop, `('${name}') must be a domain-prefixed extended resource name such as 'nvidia.com/gpu'`);
  }
}
