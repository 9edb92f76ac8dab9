import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import type { DistributedTrainingJobProps } from './distributed-training-job';
import { KUEUE_QUEUE_LABEL } from './rendezvous';
import { ILocalQueue, LocalQueue } from '../capacity/kueue/local-queue';
import { KUEUE_PRIORITY_CLASS_LABEL } from '../capacity/kueue/workload-priority-class';
import { invalidProp } from '../core/errors';
import { requireLabelValue } from '../core/validation';

// How a DistributedTrainingJob is submitted to Kueue (internal): the queue and
// priority labels, and the check that the queue it names exists.

/** The queue's name, validated; undefined when not queued. */
export function queueNameOf(scope: Construct, props: DistributedTrainingJobProps): string | undefined {
  if (props.queue && props.queueName !== undefined) {
    throw invalidProp(scope, 'queueName', 'and queue are mutually exclusive: queue names its LocalQueue');
  }
  if (props.queuePriority && !props.queue && props.queueName === undefined) {
    throw invalidProp(scope, 'queuePriority', 'requires queue or queueName: only Kueue reads it');
  }
  const name = props.queue?.queueName ?? props.queueName;
  if (name !== undefined) requireLabelValue(scope, props.queue ? 'queue' : 'queueName', name);
  return name;
}

/** The labels Kueue reads on the job object. */
export function kueueLabels(props: DistributedTrainingJobProps, queueName: string | undefined): { [key: string]: string } {
  return {
    ...(queueName !== undefined ? { [KUEUE_QUEUE_LABEL]: queueName } : {}),
    ...(props.queuePriority ? { [KUEUE_PRIORITY_CLASS_LABEL]: props.queuePriority.name } : {}),
  };
}

/**
 * Runs at synth, when the whole app exists: `queueName` must name a LocalQueue
 * declared in the app, in the job's namespace (or the job uses
 * `queue: LocalQueue.external(...)`), since a job queued to a LocalQueue nobody
 * creates stays suspended forever. A non-elastic job is refused on a queue whose
 * ClusterQueue offers a spot flavor, unless `nonElasticReason` accepts it.
 */
export function checkQueue(job: Construct & { readonly elastic: boolean }, props: DistributedTrainingJobProps, notElastic: () => string): void {
  let queue: ILocalQueue | undefined = props.queue;
  const namespace = Chart.of(job).namespace;
  const where = namespace !== undefined ? `namespace '${namespace}'` : 'the default namespace';
  if (!queue && props.queueName !== undefined) {
    queue = job.node.root.node.findAll().find((c): c is LocalQueue =>
      c instanceof LocalQueue && c.queueName === props.queueName && c.namespace === namespace);
    if (!queue) {
      throw invalidProp(job, 'queueName', `('${props.queueName}') names no LocalQueue declared in this app in ${where}: the job would stay suspended. Declare it (new LocalQueue(chart, '${props.queueName}', { clusterQueue })), or reference one made elsewhere explicitly with queue: LocalQueue.external(scope, id, '${props.queueName}')`);
    }
  }
  if (!queue) return;
  if (queue instanceof LocalQueue && queue.namespace !== namespace) {
    throw invalidProp(job, 'queue', `('${queue.queueName}') is in namespace '${queue.namespace ?? 'default'}', but the job is in ${where}: a job can only use a LocalQueue of its own namespace`);
  }
  const spot = queue.clusterQueue?.flavors.find(f => f.spot);
  if (spot && !job.elastic && props.nonElasticReason === undefined) {
    throw invalidProp(job, props.queue ? 'queue' : 'queueName', `('${queue.queueName}') may admit the job on the spot flavor '${spot.name}' of ClusterQueue '${queue.clusterQueue!.name}', but ${notElastic()}. Make it elastic, or set nonElasticReason to accept the interruptions`);
  }
}
