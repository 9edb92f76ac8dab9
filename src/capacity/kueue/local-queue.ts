import { ApiObject, Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { ClusterQueue } from './cluster-queue';
import { KUEUE_API_VERSION, LocalQueueSpec } from './crds';
import { applyObjectMetadata, ObjectMetadataOptions } from '../../core/metadata-validation';
import { requireDnsSubdomain, requireProps } from '../../core/validation';

/** A Kueue LocalQueue a job can be submitted to (`queue` of a DistributedTrainingJob). */
export interface ILocalQueue extends IConstruct {
  /** The LocalQueue's name (the `kueue.x-k8s.io/queue-name` label value). */
  readonly queueName: string;
  /** The ClusterQueue it submits to, when declared in this app. */
  readonly clusterQueue?: ClusterQueue;
}

/** Properties of {@link LocalQueue}. */
export interface LocalQueueProps {
  /** The ClusterQueue the LocalQueue submits to. */
  readonly clusterQueue: ClusterQueue;
  /**
   * The LocalQueue's name, what jobs name in `queueName`.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Labels and annotations of the LocalQueue.
   * @default - none
   */
  readonly metadata?: ObjectMetadataOptions;
}

/**
 * A Kueue LocalQueue, in the chart's namespace: jobs of that namespace name it
 * (`queueName`, or `queue`) to be admitted by its ClusterQueue. A queue made
 * elsewhere is referenced with `LocalQueue.external(scope, id, name)`, explicitly.
 *
 * @example
 * import { ClusterQueue, DistributedTrainingJob, GpuNodePool, LocalQueue, ResourceFlavor, Torchrun } from 'cdk8s-ml';
 *
 * const flavor = ResourceFlavor.fromNodePool(this, 'a100', new GpuNodePool(this, 'a100-pool', { maxGpus: 32 }));
 * const cluster = new ClusterQueue(this, 'training', { flavors: [{ flavor, cpu: kplus.Cpu.units(256), memory: Size.tebibytes(2), gpus: 32 }] });
 * // The namespace's queue: the job waits, suspended, until Kueue admits it.
 * const queue = new LocalQueue(this, 'team-nlp', { clusterQueue: cluster });
 * new DistributedTrainingJob(this, 'bert-finetune', {
 *   image: 'registry.example.com/bert-trainer:2.3.0',
 *   gpus: { count: 8 },
 *   torchrun: Torchrun.script('/app/train.py'),
 *   queue,
 * });
 */
export class LocalQueue extends Construct implements ILocalQueue {
  /**
   * A LocalQueue that exists outside this app (made by the platform team, Helm):
   * nothing is emitted, and the job trusts it exists in its namespace.
   */
  public static external(scope: Construct, id: string, name: string): ILocalQueue {
    return new ExternalLocalQueue(scope, id, name);
  }

  /** The LocalQueue's name. */
  public readonly queueName: string;
  /** The ClusterQueue it submits to. */
  public readonly clusterQueue?: ClusterQueue;
  /** The namespace it lives in (the chart's). */
  public readonly namespace?: string;
  /** The LocalQueue object. */
  public readonly apiObject: ApiObject;

  public constructor(scope: Construct, id: string, props: LocalQueueProps) {
    super(scope, id);
    requireProps(this, props, ['clusterQueue']);
    this.queueName = props.name ?? id;
    requireDnsSubdomain(this, 'name', this.queueName);
    this.clusterQueue = props.clusterQueue;
    this.namespace = Chart.of(this).namespace;
    const spec: LocalQueueSpec = { clusterQueue: props.clusterQueue.name };
    this.apiObject = new ApiObject(this, 'Resource', {
      apiVersion: KUEUE_API_VERSION,
      kind: 'LocalQueue',
      metadata: { name: this.queueName },
      spec,
    });
    applyObjectMetadata(this, 'metadata', props.metadata);
  }
}

class ExternalLocalQueue extends Construct implements ILocalQueue {
  public readonly clusterQueue = undefined;
  public constructor(scope: Construct, id: string, public readonly queueName: string) {
    super(scope, id);
    requireDnsSubdomain(this, 'name', queueName);
  }
}
