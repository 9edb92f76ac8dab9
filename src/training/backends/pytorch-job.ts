import { ApiObject, Lazy } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
// The HPA metric JSON, as cdk8s-plus renders it for its own HorizontalPodAutoscaler.
import { toJson_MetricSpecV2 } from 'cdk8s-plus-27/lib/imports/k8s';
import { invalidProp } from '../../core/errors';
import { requireInteger, requirePort, requireWholeSeconds } from '../../core/validation';
import { CleanPodPolicy, PyTorchJobBackendOptions, PyTorchRestartPolicy, RendezvousBackend } from '../backend-options';
import { PYTORCHJOB_API_VERSION, PYTORCHJOB_KIND, PyTorchJobSpec, PyTorchReplicaSpec } from '../crds/pytorch-job';
import type { DistributedTrainingJob } from '../distributed-training-job';
import { DEFAULT_ELASTIC_RDZV_PORT, PYTORCHJOB_ENV, PYTORCHJOB_PORT_NAME, RESERVED_ENV_PREFIX } from '../rendezvous';
import type { TrainingBackendRenderer, TrainingContext, TrainingOutputs } from '../training-backend';

const DEFAULT_MASTER_PORT = 29500;

/**
 * The Kubeflow PyTorchJob: Master (1) + Worker (n-1) replicas, or elastic Workers.
 * The operator creates a Service per replica and injects MASTER_ADDR, MASTER_PORT
 * (from the container port named `pytorchjob-port`), WORLD_SIZE, RANK and
 * torchrun's PET_* variables, so the pods carry none of those. The pod template is
 * the job's pod model, rendered lazily so placement added later (a spot node
 * pool's toleration) still reaches it.
 */
export class PyTorchJobRenderer implements TrainingBackendRenderer {
  public readonly kind = 'PyTorchJob';
  // The Training Operator finds the training container by this name.
  public readonly containerName = 'pytorch';
  public readonly needsDns1035Name = true;
  private readonly masterPort: number;

  public constructor(public readonly options: PyTorchJobBackendOptions) {
    this.masterPort = options.masterPort ?? DEFAULT_MASTER_PORT;
  }

  public get podOptions(): PyTorchJobBackendOptions {
    return this.options;
  }

  public get rendezvousPorts(): number[] {
    const elastic = this.options.elasticPolicy;
    return [this.masterPort, ...(elastic ? [elastic.rdzvPort ?? DEFAULT_ELASTIC_RDZV_PORT] : [])];
  }

  public reservedEnv(name: string): string | undefined {
    if (name.startsWith(RESERVED_ENV_PREFIX)) return `is reserved on the ${this.kind} backend: the operator sets torchrun's PET_* variables`;
    if (PYTORCHJOB_ENV.includes(name)) return 'is injected by the Training Operator; remove it';
    return undefined;
  }

  public lastHostname(name: string, workers: number): string {
    const elastic = this.options.elasticPolicy;
    return elastic ? `${name}-worker-${elastic.maxReplicas - 1}`
      : workers > 1 ? `${name}-worker-${workers - 2}` : `${name}-master-0`;
  }

  public elastic(): boolean {
    return this.options.elasticPolicy !== undefined;
  }

  public notElastic(): string {
    return 'a PyTorchJob without backend.elasticPolicy fails on the first lost worker';
  }

  public validate(job: DistributedTrainingJob): void {
    const o = this.options;
    requirePort(job, 'backend.masterPort', this.masterPort);
    if (o.backoffLimit !== undefined) requireInteger(job, 'backend.backoffLimit', o.backoffLimit, 0);
    requireWholeSeconds(job, 'backend.activeDeadline', o.activeDeadline, 1);
    requireWholeSeconds(job, 'backend.ttlAfterFinished', o.ttlAfterFinished, 0);
    if (o.schedulingQueue !== undefined && !o.gangScheduling) {
      throw invalidProp(job, 'backend.schedulingQueue', 'requires backend.gangScheduling: true');
    }
    if (job.torchrun && !job.torchrun.elastic) {
      throw invalidProp(job, 'torchrun.elastic', 'applies to the IndexedJob backend; on the PyTorchJob backend the operator configures the rendezvous (backend.elasticPolicy)');
    }
    if (job.torchrun?._minWorkers !== undefined) {
      throw invalidProp(job, 'torchrun.minWorkers', 'applies to the IndexedJob backend; on the PyTorchJob backend use backend.elasticPolicy.minReplicas');
    }
    const e = o.elasticPolicy;
    if (!e) return;
    requireInteger(job, 'backend.elasticPolicy.minReplicas', e.minReplicas, 1);
    requireInteger(job, 'backend.elasticPolicy.maxReplicas', e.maxReplicas, 1);
    if (e.maxReplicas < e.minReplicas) {
      throw invalidProp(job, 'backend.elasticPolicy.maxReplicas', `(${e.maxReplicas}) must be >= minReplicas (${e.minReplicas})`);
    }
    if (job.workers < e.minReplicas || job.workers > e.maxReplicas) {
      throw invalidProp(job, 'workers', `(${job.workers}) must be between elasticPolicy.minReplicas (${e.minReplicas}) and maxReplicas (${e.maxReplicas})`);
    }
    if (e.maxRestarts !== undefined) requireInteger(job, 'backend.elasticPolicy.maxRestarts', e.maxRestarts, 0);
    requirePort(job, 'backend.elasticPolicy.rdzvPort', e.rdzvPort ?? DEFAULT_ELASTIC_RDZV_PORT);
  }

  public workerEnv(): { [name: string]: kplus.EnvValue } {
    return {};
  }

  public workerProps(job: DistributedTrainingJob): { ports: kplus.ContainerPort[]; command?: string[] } {
    return {
      ports: [{ name: PYTORCHJOB_PORT_NAME, number: this.masterPort, protocol: kplus.Protocol.TCP }],
      ...(job.torchrun ? { command: job.torchrun._command({ flags: [] }) } : {}),
    };
  }

  public render(ctx: TrainingContext): TrainingOutputs {
    const { job } = ctx;
    const o = this.options;
    const elastic = o.elasticPolicy;
    const restartPolicy = o.restartPolicy ?? PyTorchRestartPolicy.EXIT_CODE;
    const replica = (replicas: number): PyTorchReplicaSpec => ({
      replicas,
      restartPolicy,
      template: job._pod.renderTemplate({ labels: job.podLabels, ...job._podAnnotationsField() }),
    });

    const render = (): PyTorchJobSpec => ({
      nprocPerNode: String(job.processesPerWorker),
      ...(elastic ? {
        elasticPolicy: {
          minReplicas: elastic.minReplicas,
          maxReplicas: elastic.maxReplicas,
          ...(elastic.maxRestarts !== undefined ? { maxRestarts: elastic.maxRestarts } : {}),
          rdzvBackend: elastic.rdzvBackend ?? RendezvousBackend.C10D,
          rdzvPort: elastic.rdzvPort ?? DEFAULT_ELASTIC_RDZV_PORT,
          ...(elastic.metrics?.length ? { metrics: elastic.metrics.map(m => toJson_MetricSpecV2(m._toKube())) } : {}),
        },
      } : {}),
      runPolicy: {
        cleanPodPolicy: o.cleanPodPolicy ?? CleanPodPolicy.RUNNING,
        backoffLimit: o.backoffLimit ?? 3,
        ...(o.activeDeadline ? { activeDeadlineSeconds: o.activeDeadline.toSeconds() } : {}),
        ...(o.ttlAfterFinished ? { ttlSecondsAfterFinished: o.ttlAfterFinished.toSeconds() } : {}),
        ...(ctx.suspend ? { suspend: true } : {}),
        ...(o.gangScheduling ? {
          schedulingPolicy: {
            minAvailable: elastic ? elastic.minReplicas : job.workers,
            ...(o.schedulingQueue ? { queue: o.schedulingQueue } : {}),
            ...(o.priorityClass ? { priorityClass: o.priorityClass.priorityClassName } : {}),
          },
        } : {}),
      },
      // Elastic jobs are Workers only (they rendezvous through torchrun's c10d store);
      // fixed-size jobs have a Master, whose hostname is MASTER_ADDR.
      pytorchReplicaSpecs: elastic
        ? { Worker: replica(job.workers) }
        : { Master: replica(1), ...(job.workers > 1 ? { Worker: replica(job.workers - 1) } : {}) },
    });

    const apiObject = new ApiObject(job, 'PyTorchJob', {
      apiVersion: PYTORCHJOB_API_VERSION,
      kind: PYTORCHJOB_KIND,
      metadata: { ...job._metadata(), labels: ctx.jobLabels },
      spec: Lazy.any({ produce: render }),
    });
    return { apiObject };
  }
}
