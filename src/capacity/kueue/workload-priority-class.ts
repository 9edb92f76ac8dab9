import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { KUEUE_API_VERSION } from './crds';
import { applyObjectMetadata, ObjectMetadataOptions } from '../../core/metadata-validation';
import { requireDnsSubdomain, requireInteger, requireProps } from '../../core/validation';
import { makeClusterScoped } from '../cluster-scoped';

/** The label a job names its WorkloadPriorityClass with. */
export const KUEUE_PRIORITY_CLASS_LABEL = 'kueue.x-k8s.io/priority-class';

/** Properties of {@link WorkloadPriorityClass}. */
export interface WorkloadPriorityClassProps {
  /** The priority: higher is admitted first and may preempt lower in the ClusterQueue. */
  readonly value: number;
  /**
   * The class name.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * What the class is for.
   * @default - none
   */
  readonly description?: string;
  /**
   * Labels and annotations of the WorkloadPriorityClass.
   * @default - none
   */
  readonly metadata?: ObjectMetadataOptions;
}

/**
 * A Kueue WorkloadPriorityClass (cluster-scoped): the order of admission and
 * preemption between queued jobs, independent of the pods' PriorityClass
 * (which orders scheduling once admitted). Jobs use it through `queuePriority`.
 *
 * @example
 * import { DistributedTrainingJob, LocalQueue, Torchrun, WorkloadPriorityClass } from 'cdk8s-ml';
 *
 * // Kueue admits (and preempts) queued jobs by this, apart from pod priority.
 * const urgent = new WorkloadPriorityClass(this, 'urgent-finetune', { value: 1000, description: 'customer-facing fine-tunes' });
 * new DistributedTrainingJob(this, 'llama-finetune', {
 *   image: 'registry.example.com/llama-trainer:3.1.0',
 *   gpus: { count: 8 },
 *   torchrun: Torchrun.script('/app/finetune.py'),
 *   // The namespace's LocalQueue, made by the platform team.
 *   queue: LocalQueue.external(this, 'llm-team', 'llm-team'),
 *   queuePriority: urgent,
 * });
 */
export class WorkloadPriorityClass extends Construct {
  /** The class name. */
  public readonly name: string;
  /** The priority value. */
  public readonly value: number;
  /** The WorkloadPriorityClass object. */
  public readonly apiObject: ApiObject;

  public constructor(scope: Construct, id: string, props: WorkloadPriorityClassProps) {
    super(scope, id);
    requireProps(this, props, ['value']);
    this.name = props.name ?? id;
    requireDnsSubdomain(this, 'name', this.name);
    requireInteger(this, 'value', props.value, -2147483648, 1000000000);
    this.value = props.value;
    // value and description are top-level fields of this kind (no spec).
    this.apiObject = new ApiObject(this, 'Resource', {
      apiVersion: KUEUE_API_VERSION,
      kind: 'WorkloadPriorityClass',
      metadata: { name: this.name },
      value: props.value,
      ...(props.description ? { description: props.description } : {}),
    } as any);
    makeClusterScoped(this.apiObject);
    applyObjectMetadata(this, 'metadata', props.metadata);
  }
}
