import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { WorkloadPodOptions } from '../core/workload-props';

/** How long a job may run and how it is retried and cleaned up (Job and PyTorchJob run policy). */
export interface JobRunOptions {
  /**
   * Retries (pod failures) before the whole job fails.
   * @default 3
   */
  readonly backoffLimit?: number;
  /**
   * Longest the job may run before it is terminated.
   * @default - no deadline
   */
  readonly activeDeadline?: Duration;
  /**
   * How long a finished job (and its pods' logs) is kept before it is deleted.
   * @default - kept until deleted
   */
  readonly ttlAfterFinished?: Duration;
  /**
   * Port of the c10d store on the first worker (`MASTER_PORT`); on the PyTorchJob
   * backend, the port the operator announces.
   * @default 29500
   */
  readonly masterPort?: number;
}

/** Options of the Indexed Job backend. */
export interface IndexedJobBackendOptions extends JobRunOptions, WorkloadPodOptions {
  /**
   * Name of the training container.
   * @default 'training-worker'
   */
  readonly containerName?: string;
  /**
   * Name of the headless Service that gives every worker a DNS name
   * (`<job>-<index>.<service>`). An RFC 1035 label.
   * @default - the job's name
   */
  readonly serviceName?: string;
  /**
   * Exit codes of the training container that mean "retrying will not help"
   * (bad config, a bug): the `podFailurePolicy` fails the whole Job at once
   * instead of burning through `backoffLimit`. Values 1..255.
   * @default - none: every failure counts against backoffLimit
   */
  readonly nonRetriableExitCodes?: number[];
  /**
   * Ignore pod failures caused by disruptions (preemption, node drain, spot
   * reclaim: pods with the `DisruptionTarget` condition), so they do not count
   * against `backoffLimit`.
   * @default true
   */
  readonly ignoreDisruptions?: boolean;
  /**
   * Retries per completion index instead of for the whole Job (`backoffLimitPerIndex`).
   * Needs Kubernetes 1.29+ (beta, on by default; GA in 1.33). When set, the Job-wide
   * `backoffLimit` is only rendered if you set it explicitly.
   * @default - not set: the Job-wide backoffLimit applies
   */
  readonly backoffLimitPerIndex?: number;
  /**
   * How many indexes may fail (after their per-index retries) before the whole Job
   * fails (`maxFailedIndexes`). Requires `backoffLimitPerIndex`; Kubernetes 1.29+.
   * @default - not set: the Job runs every index to its own limit
   */
  readonly maxFailedIndexes?: number;
}

/** What the Training Operator does with the pods once a PyTorchJob finishes. */
export enum CleanPodPolicy {
  /** Keep every pod (and its logs). */
  NONE = 'None',
  /** Delete pods still running (freeing their GPUs), keep finished ones for their logs. */
  RUNNING = 'Running',
  /** Delete every pod. */
  ALL = 'All',
}

/** How the Training Operator restarts the replicas of a PyTorchJob. */
export enum PyTorchRestartPolicy {
  /** Never restart: any failure fails the replica. */
  NEVER = 'Never',
  /** Restart the container in place on failure. */
  ON_FAILURE = 'OnFailure',
  /**
   * Exit codes 1-127 are permanent failures, 128-255 (signals: OOM kill, preemption)
   * are retried by recreating the pod.
   */
  EXIT_CODE = 'ExitCode',
}

/** torchrun rendezvous backends for elastic training. */
export enum RendezvousBackend {
  /** The c10d TCP store, hosted by one of the workers (no extra service). */
  C10D = 'c10d',
  /** An etcd v3 server. */
  ETCD = 'etcd',
  /** An etcd v2 server. */
  ETCD_V2 = 'etcd-v2',
}

/** Elastic training for a PyTorchJob (torchrun's elastic agent). */
export interface PyTorchElasticPolicy {
  /** Fewest workers the job can run with. */
  readonly minReplicas: number;
  /** Most workers the job can grow to. */
  readonly maxReplicas: number;
  /**
   * How often the elastic agent may restart the worker group.
   * @default - the operator's default
   */
  readonly maxRestarts?: number;
  /**
   * The rendezvous backend.
   * @default RendezvousBackend.C10D
   */
  readonly rdzvBackend?: RendezvousBackend;
  /**
   * The rendezvous port (c10d store on the first worker).
   * @default 29400
   */
  readonly rdzvPort?: number;
  /**
   * Metrics the operator scales the Workers on, between minReplicas and
   * maxReplicas (it creates a HorizontalPodAutoscaler for the job; the largest
   * replica count across metrics wins), as for a cdk8s-plus HorizontalPodAutoscaler.
   * @default - no autoscaling: the job runs `workers` Workers, fewer after losses
   */
  readonly metrics?: kplus.Metric[];
}

/** Options of the Kubeflow PyTorchJob backend. */
export interface PyTorchJobBackendOptions extends JobRunOptions, WorkloadPodOptions {
  /**
   * Elastic training: with it the job is Worker replicas only (no Master) that
   * rendezvous through torchrun's elastic agent and may run with between
   * `minReplicas` and `maxReplicas` workers.
   * @default - a fixed-size job: Master (1) + Worker (workers - 1)
   */
  readonly elasticPolicy?: PyTorchElasticPolicy;
  /**
   * What happens to the pods when the job finishes.
   * @default CleanPodPolicy.RUNNING - stragglers are deleted so their GPUs are freed; finished pods keep their logs
   */
  readonly cleanPodPolicy?: CleanPodPolicy;
  /**
   * Restart policy of every replica.
   * @default PyTorchRestartPolicy.EXIT_CODE - retry signals (preemption, OOM kill), fail on errors
   */
  readonly restartPolicy?: PyTorchRestartPolicy;
  /**
   * Gang scheduling for Volcano or the scheduler-plugins coscheduler: renders
   * `runPolicy.schedulingPolicy` with `minAvailable` = all workers (or the elastic
   * minimum), so no pod starts until every pod can. Not needed with Kueue, which
   * admits the whole job at once.
   * @default false
   */
  readonly gangScheduling?: boolean;
  /**
   * The gang scheduler's queue (`runPolicy.schedulingPolicy.queue`, e.g. a Volcano
   * queue). Only with `gangScheduling`.
   * @default - the scheduler's default queue
   */
  readonly schedulingQueue?: string;
}

/** Kinds of Trainer v2 runtimes a TrainJob can reference. */
export enum TrainingRuntimeKind {
  /** A cluster-scoped runtime, such as the built-in `torch-distributed`. */
  CLUSTER_TRAINING_RUNTIME = 'ClusterTrainingRuntime',
  /** A runtime in the TrainJob's namespace. */
  TRAINING_RUNTIME = 'TrainingRuntime',
}

/** Options of the Kubeflow TrainJob (Trainer v2) backend. */
export interface TrainJobBackendOptions {
  /**
   * The runtime the TrainJob instantiates.
   * @default 'torch-distributed'
   */
  readonly runtimeName?: string;
  /**
   * The kind of the runtime.
   * @default TrainingRuntimeKind.CLUSTER_TRAINING_RUNTIME
   */
  readonly runtimeKind?: TrainingRuntimeKind;
  /**
   * The replicated job of the runtime that runs the trainer, which the pod
   * overrides (ServiceAccount, volumes, tolerations) target; also its container's name.
   * @default 'node' - the name in the built-in torch runtimes
   */
  readonly trainerJobName?: string;
}


const RUN_OPTIONS = ['backoffLimit', 'activeDeadline', 'ttlAfterFinished', 'masterPort'];
const POD_OPTIONS = ['podSecurity', 'automountServiceAccountToken', 'priorityClass', 'terminationGracePeriod', 'preStop', 'initContainers', 'sidecars'];

/**
 * Option names of each backend: compile-time types keep them apart in TypeScript;
 * this catches JavaScript callers and casts (internal).
 */
export const BACKEND_OPTION_KEYS: { [backend: string]: string[] } = {
  IndexedJob: [...RUN_OPTIONS, ...POD_OPTIONS, 'containerName', 'serviceName', 'nonRetriableExitCodes', 'ignoreDisruptions', 'backoffLimitPerIndex', 'maxFailedIndexes'],
  PyTorchJob: [...RUN_OPTIONS, ...POD_OPTIONS, 'elasticPolicy', 'cleanPodPolicy', 'restartPolicy', 'gangScheduling', 'schedulingQueue'],
  TrainJob: ['runtimeName', 'runtimeKind', 'trainerJobName'],
};

/** Props that are backend options, for a JavaScript caller who passes them at the top. */
export const BACKEND_ONLY_PROPS = [...RUN_OPTIONS, ...POD_OPTIONS, 'priorityClassName', 'podIdentity'];
