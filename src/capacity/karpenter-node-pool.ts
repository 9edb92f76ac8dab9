import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { makeClusterScoped } from './cluster-scoped';
import { CapacityType, CpuArchitecture, GpuNodeOptions, NodePoolOptions } from './karpenter-node-pool-options';
import { NodePoolBase, NodePoolScheduleOptions, NodeTaint, validateTaints } from './node-pool';
import { invalidProp } from '../core/errors';
import { applyObjectMetadata } from '../core/metadata-validation';
import { MlWorkload } from '../core/ml-workload';
import { NVIDIA_GPU, NVIDIA_GPU_PRODUCT_LABEL } from '../core/resources';
import { ISchedulable, NodeRequirement, NodeSelectorOperator } from '../core/scheduling';
import { requireDnsLabel, requireDnsSubdomain, requireInteger, requireLabelValue } from '../core/validation';
import { KARPENTER_API_VERSION, KarpenterNodePoolSpec, KarpenterTaint } from './crds/karpenter';
import { ConsolidationPolicy, renderDisruption, requireKarpenterDuration } from './node-pool-disruption';
import { NodePoolRequirement, renderRequirement, requireLabelKey, restrictedKarpenterKey, validateRequirement } from './node-pool-requirement';
import { requireResourceList } from './quantity';
import { formatSize, requirePositiveAmounts } from './resource-amounts';

/** Properties of {@link KarpenterNodePool}. */
export interface KarpenterNodePoolProps extends NodePoolOptions {
  /**
   * Purchase options Karpenter may launch. With spot and on-demand, Karpenter
   * launches spot and falls back to on-demand when spot capacity is unavailable.
   * @default [CapacityType.ON_DEMAND]
   */
  readonly capacityTypes?: CapacityType[];
  /**
   * GPU capacity: GPU instance requirements, the GPU taint and the GPU cap.
   * @default - no GPUs
   */
  readonly gpu?: GpuNodeOptions;
}

/** The Karpenter label of the purchase option. */
export const CAPACITY_TYPE_LABEL = 'karpenter.sh/capacity-type';
/** The label Karpenter puts on every node of a pool. */
export const NODE_POOL_LABEL = 'karpenter.sh/nodepool';
/** The taint our pools put on nodes that may be spot. */
export const SPOT_TAINT: NodeTaint = { key: CAPACITY_TYPE_LABEL, value: CapacityType.SPOT, effect: kplus.TaintEffect.NO_SCHEDULE };
const AWS_GROUP = 'karpenter.k8s.aws';

function renderTaint(t: NodeTaint): KarpenterTaint {
  return { key: t.key, ...(t.value !== undefined ? { value: t.value } : {}), effect: t.effect };
}

// The prop each requirement the pool derives comes from, for messages rooted at what the user wrote.
const PROP_OF_REQUIREMENT: { [key: string]: string } = {
  'kubernetes.io/arch': 'architectures',
  'karpenter.k8s.aws/instance-category': 'instanceCategories',
  'karpenter.k8s.aws/instance-family': 'instanceFamilies',
  'karpenter.k8s.aws/instance-size': 'instanceSizes',
  'node.kubernetes.io/instance-type': 'instanceTypes',
  'topology.kubernetes.io/zone': 'zones',
  'karpenter.k8s.aws/instance-gpu-name': 'gpu.gpuNames',
  'karpenter.k8s.aws/instance-gpu-count': 'gpu.minGpusPerNode',
  'karpenter.sh/capacity-type': 'capacityTypes',
};

/**
 * A Karpenter v1 NodePool (`karpenter.sh/v1`, cluster-scoped): what a platform team
 * applies so Karpenter launches nodes for pending pods. Nodes are never written as
 * manifests: they register themselves, with the pool's labels and taints.
 * `schedule(workload)` gives a workload the matching tolerations and node affinity.
 *
 * See {@link SpotNodePool} and {@link GpuNodePool} for the common variants.
 *
 * @example
 * import { CapacityType, ConsolidationPolicy, KarpenterNodePool } from 'cdk8s-ml';
 *
 * // CPU nodes for feature pipelines: consolidated when underused, replaced weekly.
 * new KarpenterNodePool(this, 'cpu', {
 *   capacityTypes: [CapacityType.ON_DEMAND],
 *   instanceCategories: ['c', 'm'],
 *   limits: { cpu: kplus.Cpu.units(256), memory: Size.gibibytes(1024) },
 *   expireAfter: Duration.days(7),
 *   disruption: { consolidationPolicy: ConsolidationPolicy.WHEN_EMPTY_OR_UNDERUTILIZED, consolidateAfter: Duration.minutes(5) },
 * });
 */
export class KarpenterNodePool extends NodePoolBase {
  /** The NodePool's name. */
  public readonly name: string;
  /** The purchase options the pool may launch. */
  public readonly capacityTypes: CapacityType[];
  /** Whether the pool may launch spot nodes. */
  public readonly spot: boolean;
  /** Every taint of the pool's nodes. */
  public readonly taints: NodeTaint[];
  /** `karpenter.sh/nodepool In [name]` and the capacity types: selects exactly the pool's nodes. */
  public readonly nodeRequirements: NodeRequirement[];
  /** The NodePool's `spec.limits`, resource name to quantity. */
  public readonly limits: { [resource: string]: string };
  /** The NodePool object. */
  public readonly apiObject: ApiObject;
  /** Node labels Karpenter knows a launched node will carry (requirements and template labels). */
  private readonly declaredLabels: Set<string>;

  public constructor(scope: Construct, id: string, props: KarpenterNodePoolProps = {}) {
    super(scope, id);
    this.name = props.name ?? id;
    requireDnsLabel(this, 'name', this.name);

    this.capacityTypes = [...(props.capacityTypes ?? [CapacityType.ON_DEMAND])];
    this.validateCapacityTypes();
    this.spot = this.capacityTypes.includes(CapacityType.SPOT);

    const nodeClass = {
      group: props.nodeClass?.group ?? AWS_GROUP,
      kind: props.nodeClass?.kind ?? 'EC2NodeClass',
      name: props.nodeClass?.name ?? 'default',
    };
    for (const [field, value] of Object.entries(nodeClass)) {
      if (!value) throw invalidProp(this, `nodeClass.${field}`, 'must not be empty');
    }
    // A node class is an object (name: DNS subdomain) of a kind (CamelCase) in an API group (DNS subdomain).
    requireDnsSubdomain(this, 'nodeClass.name', nodeClass.name);
    requireDnsSubdomain(this, 'nodeClass.group', nodeClass.group);
    if (!/^[A-Z][A-Za-z0-9]*$/.test(nodeClass.kind)) throw invalidProp(this, 'nodeClass.kind', `('${nodeClass.kind}') must be a kind such as 'EC2NodeClass'`);

    const gpu = props.gpu;
    const gpuResource = gpu?.resourceName ?? NVIDIA_GPU;
    if (gpu) {
      if ((gpu.maxGpus === undefined) === !gpu.unlimitedGpus) {
        throw invalidProp(this, this.gpuProp('maxGpus'), `or ${this.gpuProp('unlimitedGpus')} must be given, not both: a GPU pool either has a budget or is unlimited on purpose`);
      }
      if (gpu.maxGpus !== undefined) requireInteger(this, this.gpuProp('maxGpus'), gpu.maxGpus, 1);
      if (gpu.gpuTaintValue !== undefined && gpu.gpuTaint === false) {
        throw invalidProp(this, this.gpuProp('gpuTaintValue'), `needs the GPU taint (${this.gpuProp('gpuTaint')} is false)`);
      }
      if (gpu.minGpusPerNode !== undefined) requireInteger(this, this.gpuProp('minGpusPerNode'), gpu.minGpusPerNode, 1);
    }

    const requirements = this.requirements(props, nodeClass.group);
    this.declaredLabels = new Set([...requirements.map(r => r.key), ...Object.keys(props.labels ?? {})]);
    const own: NodeTaint[] = [
      ...(this.spot && (props.spotTaint ?? true) ? [SPOT_TAINT] : []),
      ...(gpu && (gpu.gpuTaint ?? true)
        ? [{
          key: gpuResource,
          ...(gpu.gpuTaintValue !== undefined ? { value: gpu.gpuTaintValue } : {}),
          effect: kplus.TaintEffect.NO_SCHEDULE,
        }] : []),
    ];
    this.taints = [...own, ...(props.taints ?? [])];
    validateTaints(this, 'taints', this.taints, own.length);

    requirePositiveAmounts(this, 'limits', props.limits, true);
    const given = props.limits;
    const limits: { [resource: string]: string } = {
      ...(given?.cpu ? { cpu: given.cpu.amount } : {}),
      ...(given?.memory ? { memory: formatSize(given.memory) } : {}),
      ...(given?.ephemeralStorage ? { 'ephemeral-storage': formatSize(given.ephemeralStorage) } : {}),
      ...(gpu?.maxGpus !== undefined ? { [gpuResource]: String(gpu.maxGpus) } : {}),
    };
    requireResourceList(this, 'limits', limits);
    this.limits = limits;

    for (const [key, value] of Object.entries(props.labels ?? {})) {
      requireLabelKey(this, 'labels key', key);
      const restricted = restrictedKarpenterKey(key);
      if (restricted || key === CAPACITY_TYPE_LABEL) {
        throw invalidProp(this, `labels['${key}']`, restricted ?? 'is set by Karpenter from the capacity types');
      }
      requireLabelValue(this, `labels['${key}']`, value);
    }
    if (props.weight !== undefined) requireInteger(this, 'weight', props.weight, 1, 100);

    this.nodeRequirements = [
      { key: NODE_POOL_LABEL, operator: NodeSelectorOperator.IN, values: [this.name] },
      { key: CAPACITY_TYPE_LABEL, operator: NodeSelectorOperator.IN, values: [...this.capacityTypes] },
    ];

    if (props.neverExpire && props.expireAfter !== undefined) {
      throw invalidProp(this, 'neverExpire', 'cannot be combined with expireAfter: give one');
    }
    if (props.expireAfter !== undefined && !(props.expireAfter.toSeconds({ integral: false }) > 0)) {
      throw invalidProp(this, 'expireAfter', `(${props.expireAfter.toSeconds({ integral: false })}s) must be > 0: nodes would expire as soon as they start; use neverExpire: true to keep them`);
    }
    const expireAfter = props.neverExpire ? 'Never' : (props.expireAfter && requireKarpenterDuration(this, 'expireAfter', props.expireAfter, 'seconds'));
    const spec: KarpenterNodePoolSpec = {
      template: {
        ...(props.labels && Object.keys(props.labels).length > 0 ? { metadata: { labels: { ...props.labels } } } : {}),
        spec: {
          nodeClassRef: nodeClass,
          requirements: requirements.map(renderRequirement),
          ...(this.taints.length > 0 ? { taints: this.taints.map(renderTaint) } : {}),
          ...(expireAfter !== undefined ? { expireAfter } : {}),
        },
      },
      disruption: renderDisruption(this, props.disruption, gpu ? ConsolidationPolicy.WHEN_EMPTY : ConsolidationPolicy.WHEN_EMPTY_OR_UNDERUTILIZED),
      ...(Object.keys(limits).length > 0 ? { limits } : {}),
      ...(props.weight !== undefined ? { weight: props.weight } : {}),
    };

    this.apiObject = new ApiObject(this, 'Resource', {
      apiVersion: KARPENTER_API_VERSION,
      kind: 'NodePool',
      metadata: { name: this.name },
      spec,
    });
    makeClusterScoped(this.apiObject);
    applyObjectMetadata(this, 'metadata', props.metadata);
  }

  private validateCapacityTypes(): void {
    const known = Object.values(CapacityType) as string[];
    if (this.capacityTypes.length === 0) {
      throw invalidProp(this, 'capacityTypes', 'is empty: give at least one of spot, on-demand');
    }
    for (const t of this.capacityTypes) {
      if (!known.includes(t)) throw invalidProp(this, 'capacityTypes', `('${t}') must be one of ${known.join(', ')}`);
    }
    if (new Set(this.capacityTypes).size !== this.capacityTypes.length) {
      throw invalidProp(this, 'capacityTypes', `has duplicates [${this.capacityTypes.join(', ')}]`);
    }
    if (!this.capacityTypes.includes(CapacityType.SPOT) && /(^|[-.])spot($|[-.])/.test(this.name)) {
      throw invalidProp(this, 'capacityTypes', `([${this.capacityTypes.join(', ')}]) make an on-demand-only pool, but its name ('${this.name}') says spot: allow CapacityType.SPOT (or use a SpotNodePool), or rename the pool`);
    }
  }

  private requirements(props: KarpenterNodePoolProps, nodeClassGroup: string): NodePoolRequirement[] {
    const list = (prop: string, key: string, values: string[] | undefined): NodePoolRequirement[] => {
      if (values === undefined) return [];
      if (values.length === 0) {
        throw invalidProp(this, prop, `is empty: leave it out to allow any ${key}, or give at least one value`);
      }
      return [{ key, operator: NodeSelectorOperator.IN, values: [...values] }];
    };
    const gpu = props.gpu;
    const requirements: NodePoolRequirement[] = [
      { key: CAPACITY_TYPE_LABEL, operator: NodeSelectorOperator.IN, values: [...this.capacityTypes] },
      ...list('architectures', 'kubernetes.io/arch', props.architectures ?? [CpuArchitecture.AMD64]),
      ...list('instanceCategories', 'karpenter.k8s.aws/instance-category', props.instanceCategories),
      ...list('instanceFamilies', 'karpenter.k8s.aws/instance-family', props.instanceFamilies),
      ...list('instanceSizes', 'karpenter.k8s.aws/instance-size', props.instanceSizes),
      ...list('instanceTypes', 'node.kubernetes.io/instance-type', props.instanceTypes),
      ...list('zones', 'topology.kubernetes.io/zone', props.zones),
      ...(gpu ? this.gpuRequirements(gpu, nodeClassGroup, props.instanceTypes !== undefined) : []),
    ];
    const generated = requirements.length;
    (props.requirements ?? []).forEach((r, i) => {
      if (r.key === CAPACITY_TYPE_LABEL) throw this.capacityTypeRequirementError(`requirements[${i}]`, r);
      requirements.push(r);
    });
    requirements.forEach((r, i) => {
      // The user's own requirements[i]; the ones derived from other props by their key.
      const derived = PROP_OF_REQUIREMENT[r.key];
      const prop = i >= generated ? `requirements[${i - generated}]`
        : derived ? derived.replace(/^gpu\./, this.gpuProp('')) : `the requirement on '${r.key}'`;
      validateRequirement(this, prop, r);
      const restricted = restrictedKarpenterKey(r.key);
      if (restricted) throw invalidProp(this, `${prop}.key`, `('${r.key}') ${restricted}`);
    });
    const keys = requirements.map(r => r.key);
    const duplicate = keys.find((k, i) => keys.indexOf(k) !== i);
    if (duplicate) {
      throw invalidProp(this, 'requirements', `constrain '${duplicate}' twice (from a prop and from requirements); give it once`);
    }
    return requirements;
  }

  /**
   * Also refuses a workload that requires a GPU model by `nvidia.com/gpu.product`
   * (`gpus.product`) when the pool does not declare that label: GPU feature discovery
   * sets it only after a node has started, so Karpenter, which launches nodes for the
   * labels it knows, never launches one for these pods, which would stay pending.
   * @see https://karpenter.sh/docs/concepts/scheduling/#labels
   */
  public schedule(workload: ISchedulable, options: NodePoolScheduleOptions = {}): void {
    const required = workload instanceof MlWorkload ? workload._pod.placement._required : [];
    const product = required.find(r => r.key === NVIDIA_GPU_PRODUCT_LABEL);
    if (product && !this.declaredLabels.has(NVIDIA_GPU_PRODUCT_LABEL)) {
      throw invalidProp(this, 'schedule()', `cannot place ${workload.constructor.name} '${(workload as MlWorkload).node.path}' (gpus.product ${JSON.stringify(product.values ?? [])}): Karpenter launches nodes only for labels it knows, and ${NVIDIA_GPU_PRODUCT_LABEL} appears after a node starts, so its pods would stay pending. Declare the label on the pool (requirements: [{ key: '${NVIDIA_GPU_PRODUCT_LABEL}', operator: NodeSelectorOperator.IN, values: [...] }]) together with the matching GPU names, or drop gpus.product`);
    }
    super.schedule(workload, options);
  }

  /** A GPU option as the user wrote it: `gpu.maxGpus` here, `maxGpus` on GpuNodePool (flat props). */
  private gpuProp(name: string): string {
    return `${(this.constructor as { _gpuPropPrefix?: string })._gpuPropPrefix ?? 'gpu.'}${name}`;
  }

  private gpuRequirements(gpu: GpuNodeOptions, nodeClassGroup: string, hasInstanceTypes: boolean): NodePoolRequirement[] {
    // gpuNames and minGpusPerNode shape the AWS default requirements only; dropping
    // them silently would launch other GPU models or smaller nodes than asked for.
    const awsOnly = (reason: string) => {
      for (const [prop, value] of [['gpuNames', gpu.gpuNames], ['minGpusPerNode', gpu.minGpusPerNode]] as const) {
        if (value !== undefined) {
          throw invalidProp(this, this.gpuProp(prop), `applies to the default AWS GPU requirements only, which are not used ${reason}; select GPU models and sizes in ${this.gpuProp('instanceRequirements')} instead`);
        }
      }
    };
    if (gpu.instanceRequirements !== undefined) {
      if (gpu.instanceRequirements.length === 0) {
        throw invalidProp(this, this.gpuProp('instanceRequirements'), 'is empty: give the requirements that select GPU instances, or leave it out for the AWS defaults');
      }
      awsOnly(`when ${this.gpuProp('instanceRequirements')} is given`);
      return [...gpu.instanceRequirements];
    }
    if (nodeClassGroup !== AWS_GROUP) {
      if (!hasInstanceTypes) {
        throw invalidProp(this, this.gpuProp('instanceRequirements'), `must be given for node class group '${nodeClassGroup}': the defaults use AWS instance labels (or list GPU instanceTypes)`);
      }
      awsOnly(`for node class group '${nodeClassGroup}' (the pool selects GPU instances by instanceTypes)`);
      return [];
    }
    if (gpu.gpuNames !== undefined && gpu.gpuNames.length === 0) {
      throw invalidProp(this, this.gpuProp('gpuNames'), 'is empty: leave it out to allow any GPU model, or give at least one');
    }
    const min = gpu.minGpusPerNode ?? 1;
    return [
      { key: 'karpenter.k8s.aws/instance-gpu-count', operator: NodeSelectorOperator.GT, values: [String(min - 1)] },
      ...((gpu.resourceName ?? NVIDIA_GPU) === NVIDIA_GPU
        ? [{ key: 'karpenter.k8s.aws/instance-gpu-manufacturer', operator: NodeSelectorOperator.IN, values: ['nvidia'] }]
        : []),
      ...(gpu.gpuNames !== undefined
        ? [{ key: 'karpenter.k8s.aws/instance-gpu-name', operator: NodeSelectorOperator.IN, values: [...gpu.gpuNames] }]
        : []),
    ];
  }

  private capacityTypeRequirementError(prop: string, r: NodeRequirement): Error {
    const values = r.values ?? [];
    const spotExcluded = (r.operator === NodeSelectorOperator.IN && !values.includes(CapacityType.SPOT))
      || (r.operator === NodeSelectorOperator.NOT_IN && values.includes(CapacityType.SPOT));
    if (this.spot && spotExcluded) {
      return invalidProp(this, prop, `(${r.key} ${r.operator} [${values.join(', ')}]) would make this spot pool on-demand only: a pool named spot must allow spot (set onDemandFallback for spot with on-demand fallback, or use a KarpenterNodePool for on-demand capacity)`);
    }
    return invalidProp(this, prop, `(${r.key}) is set by the pool from its capacity types; do not repeat it in requirements`);
  }
}
