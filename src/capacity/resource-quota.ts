import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { PriorityClass } from './priority-class';
import { requireResourceList } from './quantity';
import { renderAmounts, requireOrdered, requirePositiveAmounts, ResourceAmounts, toQuantities } from './resource-amounts';
import { invalidProp } from '../core/errors';
import { applyObjectMetadata, ObjectMetadataOptions } from '../core/metadata-validation';
import { NVIDIA_GPU, requireExtendedResourceName } from '../core/resources';
import { requireDnsLabel, requireDnsSubdomain, requireInteger, requireProps } from '../core/validation';

/** Caps on the number of objects in a namespace. */
export interface QuotaObjectCounts {
  /**
   * Pods (not terminated).
   * @default - not limited
   */
  readonly pods?: number;
  /**
   * Services.
   * @default - not limited
   */
  readonly services?: number;
  /**
   * Services of type LoadBalancer (each is a cloud load balancer that costs money).
   * @default - not limited
   */
  readonly loadBalancers?: number;
  /**
   * PersistentVolumeClaims.
   * @default - not limited
   */
  readonly persistentVolumeClaims?: number;
  /**
   * ConfigMaps.
   * @default - not limited
   */
  readonly configMaps?: number;
  /**
   * Secrets.
   * @default - not limited
   */
  readonly secrets?: number;
  /**
   * Jobs (`count/jobs.batch`).
   * @default - not limited
   */
  readonly jobs?: number;
}

/** Properties of {@link ResourceQuota}. */
export interface ResourceQuotaProps {
  /**
   * The ResourceQuota's name.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * The namespace the quota applies to.
   * @default - the chart's namespace
   */
  readonly namespace?: string;
  /**
   * Total requests of all pods (`requests.cpu`, `requests.memory`, ...). Once set,
   * every pod must declare these requests (add a LimitRange for defaults).
   * @default - not limited
   */
  readonly requests?: ResourceAmounts;
  /**
   * Total limits of all pods (`limits.cpu`, `limits.memory`, ...).
   * @default - not limited
   */
  readonly limits?: ResourceAmounts;
  /**
   * Total GPUs requested by all pods (`requests.<gpuResourceName>`; Kubernetes
   * quotas extended resources by requests only).
   * @default - not limited
   */
  readonly gpus?: number;
  /**
   * The GPUs' extended resource name.
   * @default 'nvidia.com/gpu'
   */
  readonly gpuResourceName?: string;
  /**
   * Total storage requested by PersistentVolumeClaims (`requests.storage`).
   * @default - not limited
   */
  readonly storage?: Size;
  /**
   * Object counts.
   * @default - not limited
   */
  readonly objectCounts?: QuotaObjectCounts;
  /**
   * Any other `hard` entries, resource name to quantity, e.g.
   * `{ 'count/rayclusters.ray.io': '5' }`.
   * @default - none
   */
  readonly hard?: { [resource: string]: string };
  /**
   * Apply the quota only to pods of these priority classes (a `PriorityClass`
   * scope), e.g. cap the GPUs of preemptible experiments. A scoped quota may
   * limit pods, cpu, memory and GPUs only (no storage, object counts or
   * ephemeral storage): Kubernetes rejects or ignores the others.
   * @default - every pod of the namespace
   */
  readonly priorityClasses?: PriorityClass[];
  /**
   * Labels and annotations of every object this construct emits.
   * @default - none
   */
  readonly metadata?: ObjectMetadataOptions;
}

// What a PriorityClass-scoped quota can cover: pods and their compute resources,
// including extended resources (`requests.nvidia.com/gpu`). Kubernetes rejects a
// scoped quota on other standard resources (services, requests.storage,
// ephemeral-storage: "unsupported scope applied to resource") and never matches
// other objects (count/jobs.batch, storage classes) against the scope, so those
// limits would silently not apply.
const POD_SCOPED_QUOTA_RESOURCES = ['pods', 'count/pods', 'cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory'];

function scopable(resource: string): boolean {
  // Extended resources are domain-prefixed: requests.<domain>/<name>.
  return POD_SCOPED_QUOTA_RESOURCES.includes(resource) || /^requests\.[^/]+\/[^/]+$/.test(resource);
}

// The names ResourceQuota enforces without a domain.
// @see https://kubernetes.io/docs/concepts/policy/resource-quotas/
const STANDARD_QUOTA = new Set([
  'pods', 'services', 'replicationcontrollers', 'resourcequotas', 'secrets', 'configmaps', 'persistentvolumeclaims',
  'services.nodeports', 'services.loadbalancers', 'cpu', 'memory', 'ephemeral-storage', 'storage',
  'requests.cpu', 'requests.memory', 'requests.ephemeral-storage', 'requests.storage',
  'limits.cpu', 'limits.memory', 'limits.ephemeral-storage',
]);
const COUNTED = new Set(['pods', 'services', 'replicationcontrollers', 'resourcequotas', 'secrets', 'configmaps', 'persistentvolumeclaims', 'services.nodeports', 'services.loadbalancers']);

/**
 * Refuses `hard` keys that the API server rejects or quota never enforces: a bare
 * name that is not a standard quota resource (`gpus`), and extended resources other
 * than as `requests.<name>` ("quota only supports the requests prefix for extended
 * resources": `limits.nvidia.com/gpu` and bare `nvidia.com/gpu` are never counted).
 * Object counts and extended resources are whole numbers.
 */
function requireQuotaKey(scope: Construct, prop: string, key: string, value: string): void {
  const whole = /^\d+$/.test(value);
  if (!key.includes('/')) {
    if (!STANDARD_QUOTA.has(key) && !/^(requests\.|limits\.)?hugepages-/.test(key)) {
      throw invalidProp(scope, prop, 'is not a resource quota enforces: use a standard name (pods, requests.cpu, limits.memory, ...), requests.<domain>/<name> for extended resources, or count/<resource>.<group> for object counts');
    }
    if (COUNTED.has(key) && !whole) throw invalidProp(scope, `${prop.replace(/ key$/, '')}['${key}']`, `('${value}') must be a whole number of objects`);
    return;
  }
  if (key.startsWith('count/') || /\.storageclass\.storage\.k8s\.io\/(requests\.storage|persistentvolumeclaims)$/.test(key)) {
    if (key.startsWith('count/') && !whole) throw invalidProp(scope, `hard['${key}']`, `('${value}') must be a whole number of objects`);
    return;
  }
  if (key.startsWith('limits.')) {
    throw invalidProp(scope, prop, `('${key}') is never enforced: quota counts extended resources by requests only; use 'requests.${key.slice('limits.'.length)}'`);
  }
  if (!key.startsWith('requests.')) {
    throw invalidProp(scope, prop, `('${key}') is never enforced: quota counts extended resources as 'requests.${key}'`);
  }
  if (!whole) throw invalidProp(scope, `hard['${key}']`, `('${value}') must be a whole number: extended resources are not fractional`);
}

const COUNT_KEYS: { [field: string]: string } = {
  pods: 'pods',
  services: 'services',
  loadBalancers: 'services.loadbalancers',
  persistentVolumeClaims: 'persistentvolumeclaims',
  configMaps: 'configmaps',
  secrets: 'secrets',
  jobs: 'count/jobs.batch',
};

/**
 * A ResourceQuota (`v1`) for a namespace: totals of cpu, memory, GPUs, storage and
 * object counts its pods may claim, so one team or one runaway sweep cannot take
 * the cluster's GPUs.
 *
 * @example
 * import { ResourceQuota } from 'cdk8s-ml';
 *
 * // What the team's namespace may claim in all: cpu, memory, GPUs, objects.
 * new ResourceQuota(this, 'ml-quota', {
 *   requests: { cpu: kplus.Cpu.units(64), memory: Size.gibibytes(512) },
 *   limits: { cpu: kplus.Cpu.units(128), memory: Size.gibibytes(1024) },
 *   gpus: 16,
 *   objectCounts: { pods: 200, loadBalancers: 0 },
 * });
 */
export class ResourceQuota extends Construct {
  /** The quota's `spec.hard`, resource name to quantity. */
  public readonly hard: { [resource: string]: string };
  /** The ResourceQuota object. */
  public readonly apiObject: kplus.k8s.KubeResourceQuota;

  public constructor(scope: Construct, id: string, props: ResourceQuotaProps) {
    super(scope, id);
    requireProps(this, props);
    const name = props.name ?? id;
    requireDnsSubdomain(this, 'name', name);
    if (props.namespace !== undefined) requireDnsLabel(this, 'namespace', props.namespace);
    requirePositiveAmounts(this, 'requests', props.requests, true);
    requirePositiveAmounts(this, 'limits', props.limits, true);
    requireOrdered(this, 'requests', props.requests, 'limits', props.limits);

    const hard: { [resource: string]: string } = {
      ...renderAmounts(props.requests, 'requests.'),
      ...renderAmounts(props.limits, 'limits.'),
    };
    if (props.gpus !== undefined) {
      requireInteger(this, 'gpus', props.gpus, 0);
      const gpuResource = props.gpuResourceName ?? NVIDIA_GPU;
      requireExtendedResourceName(this, 'gpuResourceName', gpuResource);
      hard[`requests.${gpuResource}`] = String(props.gpus);
    }
    if (props.storage) {
      requirePositiveAmounts(this, 'storage', { memory: props.storage }, true);
      hard['requests.storage'] = renderAmounts({ memory: props.storage }).memory;
    }
    for (const [field, key] of Object.entries(COUNT_KEYS)) {
      const count = (props.objectCounts as { [k: string]: number | undefined } | undefined)?.[field];
      if (count === undefined) continue;
      requireInteger(this, `objectCounts.${field}`, count, 0);
      hard[key] = String(count);
    }
    requireResourceList(this, 'hard', props.hard ?? {});
    for (const [key, value] of Object.entries(props.hard ?? {})) {
      requireQuotaKey(this, 'hard key', key, value);
      if (hard[key] !== undefined) {
        throw invalidProp(this, `hard['${key}']`, 'is already set by a typed prop; give it once');
      }
      hard[key] = value;
    }
    if (Object.keys(hard).length === 0) {
      throw invalidProp(this, 'props', 'set no limit: give requests, limits, gpus, storage, objectCounts or hard');
    }
    this.hard = hard;

    const classes = props.priorityClasses;
    if (classes !== undefined && classes.length === 0) {
      throw invalidProp(this, 'priorityClasses', 'is empty: leave it out to cover every pod, or give at least one class');
    }
    const outOfScope = classes ? Object.keys(hard).filter(r => !scopable(r)) : [];
    if (outOfScope.length > 0) {
      throw invalidProp(this, 'priorityClasses', `cannot scope ${outOfScope.join(', ')}: a PriorityClass scope covers pods and their cpu, memory and extended resources (GPUs) only; Kubernetes rejects or ignores other limits in a scoped quota. Put them in an unscoped ResourceQuota`);
    }
    this.apiObject = new kplus.k8s.KubeResourceQuota(this, 'Resource', {
      metadata: { name, namespace: props.namespace },
      spec: {
        hard: toQuantities(hard),
        ...(classes ? {
          scopeSelector: {
            matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: classes.map(c => c.name) }],
          },
        } : {}),
      },
    });
    applyObjectMetadata(this, 'metadata', props.metadata);
  }
}
