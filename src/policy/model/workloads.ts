// The workload view of a set of manifests: each pod template with how many pods it
// runs at minimum and maximum scale, what each pod requests, its autoscaler and
// where it is placed. Shared by the rules, the capacity report and the diagram.
import { containersOf, isObject, namespaceOf, nameOf, podSpecs, PodSpecAt } from './manifest';
import { quantityValue } from './quantity';
import { CAPACITY_TYPE_LABEL, NODE_POOL_LABEL } from '../../capacity/karpenter-node-pool';
import { CapacityType } from '../../capacity/karpenter-node-pool-options';

/** Resource names summed by the report; GPUs are every `*\/gpu`-like extended resource. */
export interface ResourceTotals {
  cpu: number;
  memory: number;
  gpu: number;
  ephemeralStorage: number;
}

export function zeroTotals(): ResourceTotals {
  return { cpu: 0, memory: 0, gpu: 0, ephemeralStorage: 0 };
}

export function addTotals(a: ResourceTotals, b: ResourceTotals, times = 1): ResourceTotals {
  return {
    cpu: a.cpu + b.cpu * times,
    memory: a.memory + b.memory * times,
    gpu: a.gpu + b.gpu * times,
    ephemeralStorage: a.ephemeralStorage + b.ephemeralStorage * times,
  };
}

/** True for extended resources that are accelerators: `nvidia.com/gpu`, `amd.com/gpu`, MIG slices, `gpu.intel.com/i915`. */
export function isGpuResource(name: string): boolean {
  return /^(nvidia\.com\/(gpu|mig-.+)|amd\.com\/gpu|gpu\.intel\.com\/.+|habana\.ai\/gaudi|aws\.amazon\.com\/neuron(core)?|google\.com\/tpu)$/.test(name);
}

/** The GPU resources a container asks for, name -> count (limits, else requests). */
export function containerGpus(container: any): { [resource: string]: number } {
  const out: { [resource: string]: number } = {};
  const res = container?.resources ?? {};
  for (const source of [res.requests, res.limits]) {
    for (const [name, value] of Object.entries(isObject(source) ? source : {})) {
      if (isGpuResource(name)) out[name] = Math.max(out[name] ?? 0, quantityValue(value) ?? 0);
    }
  }
  return out;
}

function containerAmounts(container: any, field: 'requests' | 'limits'): ResourceTotals {
  const list = container?.resources?.[field] ?? {};
  // Kubernetes defaults a missing request to the limit.
  const fallback = field === 'requests' ? container?.resources?.limits ?? {} : {};
  const get = (name: string) => quantityValue(list[name] ?? fallback[name]) ?? 0;
  const gpus = Object.values(containerGpus(container)).reduce((a, b) => a + b, 0);
  return { cpu: get('cpu'), memory: get('memory'), gpu: gpus, ephemeralStorage: get('ephemeral-storage') };
}

/**
 * What one pod reserves: the larger of the biggest init container and the sum of
 * the app containers (the scheduler's effective request), per resource. Restartable
 * init containers (sidecars) run alongside and count with the app containers.
 */
export function podAmounts(spec: any, field: 'requests' | 'limits'): ResourceTotals {
  let app = zeroTotals();
  let init = zeroTotals();
  for (const { list, container } of containersOf(spec)) {
    const amounts = containerAmounts(container, field);
    if (list === 'containers' || (list === 'initContainers' && container.restartPolicy === 'Always')) {app = addTotals(app, amounts);} else if (list === 'initContainers') {
      init = {
        cpu: Math.max(init.cpu, amounts.cpu),
        memory: Math.max(init.memory, amounts.memory),
        gpu: Math.max(init.gpu, amounts.gpu),
        ephemeralStorage: Math.max(init.ephemeralStorage, amounts.ephemeralStorage),
      };
    }
  }
  return {
    cpu: Math.max(app.cpu, init.cpu),
    memory: Math.max(app.memory, init.memory),
    gpu: Math.max(app.gpu, init.gpu),
    ephemeralStorage: Math.max(app.ephemeralStorage, init.ephemeralStorage),
  };
}

/** One pod template of a workload with its scale bounds. */
export interface PodGroup {
  /** The manifest holding the template. */
  readonly object: any;
  readonly at: PodSpecAt;
  /** `Worker`, `head`, `workerGroupSpecs[0]`...; '' for single-template workloads. */
  readonly role: string;
  readonly minPods: number;
  readonly maxPods: number;
  /** The HPA or ScaledObject that drives it, if any. */
  readonly scaler?: any;
  /** Why the bounds are what they are, for the report. */
  readonly boundsFrom: string;
}

function num(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}

/** `namespace, kind, name` of what an HPA or KEDA ScaledObject scales; undefined for other objects. */
export function scalerKey(s: any): string | undefined {
  const isHpa = s?.kind === 'HorizontalPodAutoscaler';
  const isKeda = s?.kind === 'ScaledObject' && String(s?.apiVersion).startsWith('keda.sh/');
  if (!isHpa && !isKeda) return undefined;
  const ref = s.spec?.scaleTargetRef ?? {};
  // KEDA's scaleTargetRef.kind defaults to Deployment; an HPA's is required.
  return `${namespaceOf(s)}\u0000${ref.kind ?? (isKeda ? 'Deployment' : '')}\u0000${ref.name}`;
}

/** Finds the autoscaler of a workload. */
export type ScalerLookup = (workload: any) => any | undefined;

function scalerBounds(scaler: any): { min: number; max: number } {
  if (scaler.kind === 'ScaledObject') {
    return { min: num(scaler.spec?.minReplicaCount, 0), max: num(scaler.spec?.maxReplicaCount, 100) };
  }
  return { min: num(scaler.spec?.minReplicas, 1), max: num(scaler.spec?.maxReplicas, num(scaler.spec?.minReplicas, 1)) };
}

function roleOf(at: PodSpecAt): string {
  const m = /(?:ReplicaSpecs\.(\w+)|(workerGroupSpecs\[\d+\])|(headGroupSpec)|(leaderTemplate|workerTemplate))/.exec(at.path);
  if (!m) return '';
  return m[1] ?? m[2] ?? m[3] ?? m[4] ?? '';
}

/**
 * The pods a template runs at minimum and maximum scale:
 * - Deployment/StatefulSet/ReplicaSet/Rollout: `replicas`, or its HPA's or ScaledObject's bounds;
 * - Job (and a CronJob's job): the pods running at once, `parallelism` capped by
 *   `completions`, since only that many hold resources together;
 * - PyTorchJob-style `*ReplicaSpecs`: `replicas`, an elasticPolicy's bounds for workers;
 * - Ray worker groups: `minReplicas`..`maxReplicas` (× `numOfHosts`), heads 1;
 * - LeaderWorkerSet: `replicas` groups of one leader and `size - 1` workers;
 * - KServe predictors: `minReplicas`..`maxReplicas`; a Pod or anything else: 1.
 */
export function podGroups(obj: any, scalerOf: ScalerLookup): PodGroup[] {
  return podSpecs(obj).map((at) => {
    const role = roleOf(at);
    const owner = at.owner ?? {};
    const spec = obj.spec ?? {};
    let min = 1;
    let max = 1;
    let boundsFrom = '1 pod';
    let scaler: any;
    if (['Deployment', 'StatefulSet', 'ReplicaSet', 'Rollout', 'ReplicationController'].includes(obj.kind) && owner === spec) {
      scaler = scalerOf(obj);
      if (scaler) {
        ({ min, max } = scalerBounds(scaler));
        boundsFrom = `${scaler.kind} ${nameOf(scaler)}`;
      } else {
        min = max = num(spec.replicas, 1);
        boundsFrom = 'replicas';
      }
    } else if (obj.kind === 'Job' || obj.kind === 'CronJob') {
      const job = obj.kind === 'CronJob' ? spec.jobTemplate?.spec ?? {} : spec;
      const parallelism = num(job.parallelism, 1);
      min = max = Math.min(parallelism, num(job.completions, parallelism));
      boundsFrom = 'parallelism (capped by completions)';
    } else if (/ReplicaSpecs\./.test(at.path)) {
      const replicas = num(owner.replicas, 1);
      const elastic = spec.elasticPolicy;
      if (role === 'Worker' && isObject(elastic)) {
        min = num(elastic.minReplicas, replicas);
        max = num(elastic.maxReplicas, replicas);
        boundsFrom = 'elasticPolicy';
      } else {
        min = max = replicas;
        boundsFrom = `${role}.replicas`;
      }
    } else if (role.startsWith('workerGroupSpecs')) {
      const hosts = num(owner.numOfHosts, 1);
      const replicas = num(owner.replicas, num(owner.minReplicas, 0));
      min = num(owner.minReplicas, replicas) * hosts;
      max = num(owner.maxReplicas, replicas) * hosts;
      boundsFrom = 'worker group min/maxReplicas';
    } else if (role === 'leaderTemplate' || role === 'workerTemplate') {
      scaler = scalerOf(obj);
      const groups = scaler ? scalerBounds(scaler) : { min: num(spec.replicas, 1), max: num(spec.replicas, 1) };
      const size = num(spec.leaderWorkerTemplate?.size, 1);
      const hasLeader = isObject(spec.leaderWorkerTemplate?.leaderTemplate);
      const perGroup = role === 'leaderTemplate' ? 1 : (hasLeader ? size - 1 : size);
      min = groups.min * perGroup;
      max = groups.max * perGroup;
      boundsFrom = `${scaler ? `${scaler.kind} ${nameOf(scaler)}` : 'replicas'} × size ${size}`;
    } else if (obj.kind === 'DaemonSet') {
      // One pod per matching node: the node count is not in the manifests.
      boundsFrom = '1 per node';
    } else if (owner !== spec && (owner.minReplicas !== undefined || owner.maxReplicas !== undefined)) {
      min = num(owner.minReplicas, 1);
      max = num(owner.maxReplicas, min);
      boundsFrom = 'min/maxReplicas';
    }
    return { object: obj, at, role, minPods: min, maxPods: Math.max(min, max), scaler, boundsFrom };
  });
}

// ---------------------------------------------------------------- placement

/**
 * Node label key -> values meaning spot capacity: Karpenter's (the capacity area's
 * constants) and the provider conventions SpotNodePool.gke/aks/eksManagedNodeGroup
 * schedule onto, plus GKE's older preemptible and provisioning labels.
 */
export const SPOT_LABELS: { [key: string]: string[] } = {
  [CAPACITY_TYPE_LABEL]: [CapacityType.SPOT],
  'cloud.google.com/gke-spot': ['true'],
  'cloud.google.com/gke-preemptible': ['true'],
  'cloud.google.com/gke-provisioning': ['spot'],
  'kubernetes.azure.com/scalesetpriority': ['spot'],
  'eks.amazonaws.com/capacityType': ['SPOT'],
};

/** How a pod relates to spot capacity. */
export enum SpotPlacement {
  /** Every node it may run on is spot. */
  REQUIRED = 'spot',
  /** It tolerates or prefers spot and may run there. */
  ALLOWED = 'spot-allowed',
  /** It never lands on spot. */
  NONE = 'on-demand',
}

function isSpotRequirement(e: any, spotPools: Set<string>): boolean {
  if (e?.operator !== 'In' || !Array.isArray(e.values) || e.values.length === 0) return false;
  if (e.key === NODE_POOL_LABEL) return e.values.every((v: string) => spotPools.has(v));
  const spot = SPOT_LABELS[e.key];
  return !!spot && e.values.every((v: string) => spot.includes(String(v)));
}

function mentionsSpot(e: any, spotPools: Set<string>): boolean {
  if (e?.key === NODE_POOL_LABEL) return (e.values ?? []).some((v: string) => spotPools.has(v));
  const spot = SPOT_LABELS[e?.key];
  return !!spot && (e.operator === 'Exists' || (e.operator === 'In' && (e.values ?? []).some((v: string) => spot.includes(String(v)))));
}

/** Karpenter NodePools in the manifests that only launch spot nodes. */
export function spotOnlyPools(all: any[]): Set<string> {
  const out = new Set<string>();
  for (const o of all) {
    if (o?.kind !== 'NodePool' || !String(o.apiVersion).startsWith('karpenter.sh/')) continue;
    const req = (o.spec?.template?.spec?.requirements ?? []).find((r: any) => r?.key === CAPACITY_TYPE_LABEL);
    if (req?.operator === 'In' && Array.isArray(req.values) && req.values.length > 0 && req.values.every((v: string) => v === CapacityType.SPOT)) out.add(nameOf(o));
  }
  return out;
}

/** Where a pod spec may run with respect to spot capacity. */
export function spotPlacement(spec: any, spotPools: Set<string>): SpotPlacement {
  const selector = isObject(spec?.nodeSelector) ? spec.nodeSelector : {};
  for (const [k, v] of Object.entries(selector)) {
    if (SPOT_LABELS[k]?.includes(String(v)) || (k === NODE_POOL_LABEL && spotPools.has(String(v)))) return SpotPlacement.REQUIRED;
  }
  const na = spec?.affinity?.nodeAffinity;
  const terms: any[] = na?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  const spotOnly = (t: any) => (t?.matchExpressions ?? []).some((e: any) => isSpotRequirement(e, spotPools));
  if (terms.length > 0 && terms.every(spotOnly)) return SpotPlacement.REQUIRED;
  if (terms.some((t) => (t?.matchExpressions ?? []).some((e: any) => mentionsSpot(e, spotPools)))) return SpotPlacement.ALLOWED;
  const preferred: any[] = na?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
  const prefersSpot = preferred.some((p) => (p?.preference?.matchExpressions ?? []).some((e: any) => mentionsSpot(e, spotPools)));
  if (prefersSpot) return SpotPlacement.ALLOWED;
  const tolerations: any[] = Array.isArray(spec?.tolerations) ? spec.tolerations : [];
  if (tolerations.some((t) => (t?.key in SPOT_LABELS) || (t?.operator === 'Exists' && !t?.key))) return SpotPlacement.ALLOWED;
  return SpotPlacement.NONE;
}

/** True when the pod tolerates a taint (`key[=value]:effect`). */
export function tolerates(spec: any, taint: { key: string; value?: string; effect?: string }): boolean {
  const tolerations: any[] = Array.isArray(spec?.tolerations) ? spec.tolerations : [];
  return tolerations.some((t) => {
    if (!isObject(t)) return false;
    if (t.effect && taint.effect && t.effect !== taint.effect) return false;
    if (t.operator === 'Exists') return !t.key || t.key === taint.key;
    return t.key === taint.key && (t.value ?? '') === (taint.value ?? '');
  });
}
