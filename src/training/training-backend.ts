import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { IndexedJobBackendOptions, PyTorchJobBackendOptions, TrainJobBackendOptions } from './backend-options';
import { IndexedJobRenderer } from './backends/indexed-job';
import { PyTorchJobRenderer } from './backends/pytorch-job';
import { TrainJobRenderer } from './backends/train-job';
import type { DistributedTrainingJob } from './distributed-training-job';
import { ContainerModel } from '../core/container-model';
import { NodeRequirement } from '../core/scheduling';
import { WorkloadPodOptions } from '../core/workload-props';

/** What the front door has resolved, for a backend to render (internal). */
export interface TrainingContext {
  readonly job: DistributedTrainingJob;
  /** The training container of the job's pod model. */
  readonly worker: ContainerModel;
  /** Labels of the job object (the pods' plus the Kueue queue). */
  readonly jobLabels: { [key: string]: string };
  readonly suspend: boolean;
}

/** What a backend created (internal). */
export interface TrainingOutputs {
  readonly apiObject: ApiObject;
  readonly job?: kplus.Job;
  readonly container?: kplus.Container;
  readonly service?: kplus.Service;
  readonly masterAddress?: string;
}

/**
 * One backend of {@link DistributedTrainingJob}: it knows its own options,
 * validates them, and renders the job from the shared pod model (internal).
 */
export interface TrainingBackendRenderer {
  /** The backend's name in messages, e.g. 'IndexedJob'. */
  readonly kind: string;
  /** The options the factory was given. */
  readonly options: object;
  /** The training container's name (operators find it by name). */
  readonly containerName: string;
  /** Pod-level options, when the pod template is ours (not on TrainJob). */
  readonly podOptions?: WorkloadPodOptions;
  /** The rendezvous port(s) peers must reach. */
  readonly rendezvousPorts: number[];
  /** Whether the name must start with a letter (the operator names Services after it). */
  readonly needsDns1035Name: boolean;
  /** Env variables the backend (or its operator) owns, with the reason. */
  reservedEnv(name: string): string | undefined;
  /** The longest pod hostname for `workers`. */
  lastHostname(name: string, workers: number): string;
  /** Labels that select exactly the job's pods, when not the workload's own selector. */
  podSelector?(name: string): { [key: string]: string };
  /** Refuses placement the backend cannot express. */
  checkRequirement?(job: DistributedTrainingJob, requirements: NodeRequirement[]): void;
  checkPreference?(job: DistributedTrainingJob, requirements: NodeRequirement[]): void;
  /** Whether the job, as configured, survives losing a worker mid-run. */
  elastic(job: DistributedTrainingJob): boolean;
  /** Why it does not (for spot pools that refuse it). */
  notElastic(job: DistributedTrainingJob): string;
  /** Validates the backend's options; runs before anything is created. */
  validate(job: DistributedTrainingJob): void;
  /** The env the training container needs from the backend. */
  workerEnv(job: DistributedTrainingJob): { [name: string]: kplus.EnvValue };
  /** Extra props of the training container (ports, command). */
  workerProps(job: DistributedTrainingJob): { ports?: kplus.ContainerPort[]; command?: string[] };
  /** Creates the job's objects. */
  render(ctx: TrainingContext): TrainingOutputs;
}

/**
 * How a {@link DistributedTrainingJob} runs: an Indexed Job (the default, needs no
 * operator), a Kubeflow PyTorchJob, or a Kubeflow TrainJob. Each factory takes the
 * options its backend honours, and nothing else.
 *
 * @example
 * import { DistributedTrainingJob, Torchrun, TrainingBackend } from 'cdk8s-ml';
 *
 * new DistributedTrainingJob(this, 'bert-pretrain', {
 *   image: 'registry.example.com/bert-trainer:2.3.0',
 *   workers: 8,
 *   gpus: { count: 4 },
 *   torchrun: Torchrun.module('trainer.pretrain'),
 *   // A Kubeflow PyTorchJob, gang-scheduled, deleted a day after it finishes.
 *   backend: TrainingBackend.pytorchJob({ gangScheduling: true, ttlAfterFinished: Duration.days(1) }),
 * });
 */
export class TrainingBackend {
  /**
   * A `batch/v1` Indexed Job with a headless Service for rendezvous: no operator
   * needed.
   */
  public static indexedJob(options: IndexedJobBackendOptions = {}): TrainingBackend {
    return new TrainingBackend(new IndexedJobRenderer(options));
  }

  /** A Kubeflow Training Operator v1 PyTorchJob (Master + Workers, or elastic Workers). */
  public static pytorchJob(options: PyTorchJobBackendOptions = {}): TrainingBackend {
    return new TrainingBackend(new PyTorchJobRenderer(options));
  }

  /**
   * A Kubeflow Trainer v2 TrainJob referencing a (Cluster)TrainingRuntime. The
   * runtime owns the pod (security contexts, retries, deadlines, priority): use a
   * TrainingRuntime that meets the restricted profile.
   */
  public static trainJob(options: TrainJobBackendOptions = {}): TrainingBackend {
    return new TrainingBackend(new TrainJobRenderer(options));
  }

  private constructor(
    /** @internal */
    public readonly _renderer: TrainingBackendRenderer,
  ) {}
}
