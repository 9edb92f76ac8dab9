import { ApiObject, Lazy, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ClusterQueueSpec, KUEUE_API_VERSION } from './crds';
import { ResourceFlavor } from './resource-flavor';
import { invalidProp } from '../../core/errors';
import { applyObjectMetadata, ObjectMetadataOptions } from '../../core/metadata-validation';
import { requireDnsSubdomain, requireInteger, requireProps } from '../../core/validation';
import { makeClusterScoped } from '../cluster-scoped';
import { formatSize } from '../resource-amounts';

/** The quota a ClusterQueue has on one flavor. */
export interface FlavorQuota {
  /** The flavor. */
  readonly flavor: ResourceFlavor;
  /**
   * CPU quota.
   * @default - 0 on this flavor
   */
  readonly cpu?: kplus.Cpu;
  /**
   * Memory quota.
   * @default - 0 on this flavor
   */
  readonly memory?: Size;
  /**
   * GPU quota (`nvidia.com/gpu`, or the queue's `gpuResource`).
   * @default - 0 on this flavor
   */
  readonly gpus?: number;
}

/** How a ClusterQueue orders workloads. */
export enum QueueingStrategy {
  /** Strict order: a workload that does not fit blocks the ones behind it (gang jobs do not starve). */
  STRICT_FIFO = 'StrictFIFO',
  /** Order, but smaller workloads that fit may go ahead of a big one that does not. */
  BEST_EFFORT_FIFO = 'BestEffortFIFO',
}

/** Properties of {@link ClusterQueue}. */
export interface ClusterQueueProps {
  /**
   * The quota per flavor, tried in this order: list spot first and on-demand
   * second for "spot, falling back to on-demand". Every flavor covers cpu, memory
   * and GPUs (a resource it does not give is quota 0 there).
   */
  readonly flavors: FlavorQuota[];
  /**
   * The ClusterQueue's name, referenced by LocalQueues.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Only namespaces with these labels may submit through LocalQueues.
   * @default - every namespace
   */
  readonly namespaceLabels?: { [key: string]: string };
  /**
   * The cohort the queue borrows unused quota from and lends to.
   * @default - no cohort
   */
  readonly cohort?: string;
  /**
   * Ordering of the queue.
   * @default QueueingStrategy.BEST_EFFORT_FIFO - Kueue's default
   */
  readonly queueingStrategy?: QueueingStrategy;
  /**
   * Let higher-priority workloads (WorkloadPriorityClass) preempt lower ones in
   * this queue (`preemption.withinClusterQueue: LowerPriority`).
   * @default true
   */
  readonly preemptLowerPriority?: boolean;
  /**
   * The extended resource counted as GPUs.
   * @default 'nvidia.com/gpu'
   */
  readonly gpuResource?: string;
  /**
   * Labels and annotations of the ClusterQueue.
   * @default - none
   */
  readonly metadata?: ObjectMetadataOptions;
}

/**
 * A Kueue ClusterQueue (cluster-scoped): quota per ResourceFlavor, handed to the
 * LocalQueues that point at it. Kueue admits a job (all its pods at once) on the
 * first flavor, in order, with quota for the whole job.
 *
 * @example
 * import { ClusterQueue, GpuNodePool, QueueingStrategy, ResourceFlavor, SpotNodePool } from 'cdk8s-ml';
 *
 * // Spot first, on-demand when spot quota is used up; jobs admitted in order.
 * const spot = ResourceFlavor.fromNodePool(this, 'spot', new SpotNodePool(this, 'spot-gpus', { gpu: { maxGpus: 64 } }));
 * const onDemand = ResourceFlavor.fromNodePool(this, 'on-demand', new GpuNodePool(this, 'gpus', { maxGpus: 32 }));
 * new ClusterQueue(this, 'llm-training', {
 *   flavors: [
 *     { flavor: spot, cpu: kplus.Cpu.units(512), memory: Size.tebibytes(4), gpus: 64 },
 *     { flavor: onDemand, cpu: kplus.Cpu.units(256), memory: Size.tebibytes(2), gpus: 32 },
 *   ],
 *   queueingStrategy: QueueingStrategy.STRICT_FIFO,
 * });
 */
export class ClusterQueue extends Construct {
  /** The ClusterQueue's name. */
  public readonly name: string;
  /** The flavors, in the order they are tried. */
  public readonly flavors: ResourceFlavor[];
  /** The ClusterQueue object. */
  public readonly apiObject: ApiObject;

  public constructor(scope: Construct, id: string, props: ClusterQueueProps) {
    super(scope, id);
    requireProps(this, props, ['flavors']);
    this.name = props.name ?? id;
    requireDnsSubdomain(this, 'name', this.name);
    if (props.flavors.length === 0) throw invalidProp(this, 'flavors', 'must give quota on at least one flavor');
    if (props.flavors.length > 16) throw invalidProp(this, 'flavors', `(${props.flavors.length}) has more than the 16 flavors of a resource group that Kueue accepts`);
    const names = props.flavors.map(f => f.flavor.name);
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup) throw invalidProp(this, 'flavors', `lists the flavor '${dup}' twice`);
    props.flavors.forEach((f, i) => {
      if (f.gpus !== undefined) requireInteger(this, `flavors[${i}].gpus`, f.gpus, 0);
      if (f.cpu === undefined && f.memory === undefined && !f.gpus) throw invalidProp(this, `flavors[${i}]`, `(${f.flavor.name}) gives no quota: set cpu, memory or gpus`);
    });
    if (props.cohort !== undefined) requireDnsSubdomain(this, 'cohort', props.cohort);
    this.flavors = props.flavors.map(f => f.flavor);
    const gpu = props.gpuResource ?? 'nvidia.com/gpu';

    const render = (): ClusterQueueSpec => {
      // Kueue's CEL rule: every flavor lists exactly the covered resources, in order.
      const covered = ['cpu', 'memory', gpu].filter(r => props.flavors.some(f =>
        r === 'cpu' ? f.cpu !== undefined : r === 'memory' ? f.memory !== undefined : (f.gpus ?? 0) > 0));
      const quota = (f: FlavorQuota, r: string): string =>
        r === 'cpu' ? f.cpu?.amount ?? '0' : r === 'memory' ? (f.memory ? formatSize(f.memory) : '0') : String(f.gpus ?? 0);
      return {
        namespaceSelector: props.namespaceLabels ? { matchLabels: { ...props.namespaceLabels } } : {},
        ...(props.cohort ? { cohortName: props.cohort } : {}),
        queueingStrategy: props.queueingStrategy ?? QueueingStrategy.BEST_EFFORT_FIFO,
        resourceGroups: [{
          coveredResources: covered,
          flavors: props.flavors.map(f => ({ name: f.flavor.name, resources: covered.map(r => ({ name: r, nominalQuota: quota(f, r) })) })),
        }],
        ...((props.preemptLowerPriority ?? true) ? { preemption: { withinClusterQueue: 'LowerPriority' } } : {}),
      };
    };
    this.apiObject = new ApiObject(this, 'Resource', {
      apiVersion: KUEUE_API_VERSION,
      kind: 'ClusterQueue',
      metadata: { name: this.name },
      spec: Lazy.any({ produce: render }),
    });
    makeClusterScoped(this.apiObject);
    applyObjectMetadata(this, 'metadata', props.metadata);
  }
}
