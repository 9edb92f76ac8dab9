import { ApiObject, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { createIndexedJob, indexedJobServiceName } from './indexed-job';
import { createPyTorchJob, validatePyTorchJobOptions } from './pytorch-job';
import { JOBSET_NAME_LABEL, KUEUE_QUEUE_LABEL } from './rendezvous';
import { Torchrun } from './torchrun';
import { createTrainJob, DEFAULT_TRAINER_JOB, TrainJobPlacement, validateTrainJobOptions } from './train-job';
import { TrainingBackend, TrainingBackendKind } from './training-backend';
import { createTrainingNetworkPolicy } from './training-network-policy';
import { TrainingVolume } from './training-volume';
import { validateBackendFit, validateDurations, validateEnv, validateHostnames, validateSharedMemory, validateVolumes, validateWholeSizes } from './validate-training-props';
import { WorkerSpec } from './worker-spec';
import { invalidProp } from '../core/errors';
import { requirePinnedImage, versionFromImage } from '../core/image';
import { MlLabels } from '../core/labels';
import { completeResources, GpuOptions, NVIDIA_GPU, NVIDIA_GPU_PRODUCT_LABEL, QosClass, qosClassOf, validateGpus } from '../core/resources';
import { ISchedulable, NodeRequirement, NodeSelectorOperator, NodeToleration, PodPlacement, SchedulableWorkload } from '../core/scheduling';
import { PodIdentityOptions } from '../core/security';
import { requireDnsLabel, requireDnsSubdomain, requireInteger, requireLabelValue, requirePort } from '../core/validation';

/** Properties of {@link DistributedTrainingJob}. */
export interface DistributedTrainingJobProps {
  /**
   * The training image. `:latest` and untagged images are refused unless
   * `allowMutableImageTag` is set: every worker must run the same code.
   */
  readonly image: string;
  /**
   * Accept `:latest` or untagged images.
   * @default false
   */
  readonly allowMutableImageTag?: boolean;
  /**
   * Name of the job, its Service, NetworkPolicy and ServiceAccount, and the
   * `app.kubernetes.io/name` label. With the worker index appended it must stay a
   * 63-character DNS label: it is the workers' hostname.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * How the job runs.
   * @default TrainingBackend.indexedJob() - a batch/v1 Indexed Job, no operator needed
   */
  readonly backend?: TrainingBackend;
  /**
   * Number of workers (pods, nodes in torchrun's terms). Each gets `gpus` GPUs.
   * @default 4 - the guide's parallelism
   */
  readonly workers?: number;

  /**
   * The `app.kubernetes.io/version` label.
   * @default - the image tag (or digest prefix)
   */
  readonly version?: string;
  /**
   * The `app.kubernetes.io/part-of` label.
   * @default - none
   */
  readonly partOf?: string;
  /**
   * Extra labels on the job, its pods and every object. Not part of any selector.
   * @default - none
   */
  readonly labels?: { [key: string]: string };

  /**
   * Launch the training with torchrun, wired to the backend's rendezvous
   * (explicit `$(VAR)` flags on the Indexed Job, `PET_*` variables on Kubeflow).
   * Mutually exclusive with `command`.
   * @default - the image's entrypoint, or `command`
   */
  readonly torchrun?: Torchrun;
  /**
   * Entrypoint override. Mutually exclusive with `torchrun`.
   * @default - the image's entrypoint
   */
  readonly command?: string[];
  /**
   * Arguments (after the command or the torchrun launch).
   * @default - none
   */
  readonly args?: string[];
  /**
   * Environment variables. The rendezvous variables are the backend's to set.
   * @default - none
   */
  readonly env?: { [name: string]: kplus.EnvValue };
  /**
   * Environment from ConfigMaps or Secrets (`Env.fromConfigMap`, `Env.fromSecret`).
   * @default - none
   */
  readonly envFrom?: kplus.EnvFrom[];

  /**
   * CPU and memory of each worker. Requests and limits are always both set.
   * @default - requests = limits = cpu 4 / memory 8Gi (the guide's requests; limits equal for the Guaranteed QoS class)
   */
  readonly resources?: kplus.ContainerResources;
  /**
   * Set limits equal to requests (QoS class Guaranteed: a training step is not
   * throttled, and the pods are the last evicted under memory pressure). Set to
   * false to give limits above requests.
   * @default true
   */
  readonly guaranteedQos?: boolean;
  /**
   * GPUs per worker; `count: 0` trains on CPUs. Whole devices only.
   * @default - 1 `nvidia.com/gpu`, tolerating the GPU taint, any GPU model
   */
  readonly gpus?: GpuOptions;
  /**
   * The largest GPU count per worker accepted: a bigger one cannot fit one node and
   * would leave the pods pending forever.
   * @default 8
   */
  readonly maxGpusPerNode?: number;
  /**
   * Training processes per worker (torchrun's `--nproc-per-node`, `NPROC_PER_NODE`,
   * `LOCAL_WORLD_SIZE`).
   * @default - the GPU count, or 1 without GPUs
   */
  readonly processesPerWorker?: number;
  /**
   * Size of the in-memory `/dev/shm` (PyTorch data loaders pass batches through
   * it; the container runtime's 64Mi default crashes them). Counts against the
   * memory limit, so it must be smaller.
   * @default Size.gibibytes(2)
   */
  readonly sharedMemory?: Size;

  /**
   * Port of the c10d store on worker 0 (`MASTER_PORT`). On the PyTorchJob backend,
   * the port the operator announces.
   * @default 29500
   */
  readonly masterPort?: number;
  /**
   * Restrict traffic between the job's pods to the rendezvous port(s) plus these
   * ports. Only when collectives do not use TCP sockets (e.g. NCCL over
   * InfiniBand/RDMA) or use fixed ports: NCCL and Gloo over TCP open ephemeral ports.
   * An empty list admits the rendezvous port(s) only (`masterPort`, and the elastic
   * rendezvous port of an elastic PyTorchJob).
   * @default - the job's pods may reach each other on any port; nobody else may reach them
   */
  readonly peerPorts?: number[];

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
   * Create the job suspended: no pod starts until it is resumed (by you or Kueue).
   * @default - true with `queueName` (Kueue admits it), false otherwise
   */
  readonly suspend?: boolean;
  /**
   * Kueue LocalQueue to submit to (`kueue.x-k8s.io/queue-name`): Kueue admits the
   * whole job at once when quota for every worker is free (gang admission).
   * @default - not queued
   */
  readonly queueName?: string;
  /**
   * PriorityClass of the workers' pods.
   * @default - the cluster's default priority
   */
  readonly priorityClassName?: string;

  /**
   * An existing PVC mounted read-write in every worker for checkpoints
   * (ReadWriteMany when workers run on several nodes).
   * @default - no checkpoint volume
   */
  readonly checkpoint?: TrainingVolume;
  /**
   * An existing PVC with the dataset, mounted read-only in every worker.
   * @default - no dataset volume
   */
  readonly dataset?: TrainingVolume;

  /**
   * Time given to a worker after SIGTERM (preemption, spot reclaim) to write a checkpoint.
   * @default Duration.seconds(60)
   */
  readonly terminationGracePeriod?: Duration;
  /**
   * UID, GID and fsGroup of the workers.
   * @default - 1000 / 1000 / 1000
   */
  readonly podIdentity?: PodIdentityOptions;
  /**
   * Mount the ServiceAccount token into the workers.
   * @default false
   */
  readonly automountServiceAccountToken?: boolean;
}

const DEFAULT_WORKERS = 4;
const DEFAULT_MASTER_PORT = 29500;
const DEFAULT_BACKOFF_LIMIT = 3;
const DEFAULT_MAX_GPUS_PER_NODE = 8;
// The guide's requests; limits equal to them for the Guaranteed QoS class.
const DEFAULT_RESOURCES = {
  cpuRequest: kplus.Cpu.units(4),
  cpuLimit: kplus.Cpu.units(4),
  memoryRequest: Size.gibibytes(8),
  memoryLimit: Size.gibibytes(8),
};
const CONTAINER_NAMES: { [kind: string]: string } = {
  [TrainingBackendKind.INDEXED_JOB]: 'training-worker',
  // The Training Operator finds the training container by this name.
  [TrainingBackendKind.PYTORCH_JOB]: 'pytorch',
};

/**
 * Multi-node (GPU) training as one construct: the guide's `distributed-training`
 * Job with the rendezvous that makes its workers find each other.
 *
 * Default backend, an Indexed Job (no operator): `completions` = `parallelism` =
 * workers, a headless Service (`publishNotReadyAddresses`) as the pods'
 * `subdomain` so worker i is `<job>-<i>.<service>`, and the env torch.distributed
 * and torchrun read: `MASTER_ADDR` (worker 0), `MASTER_PORT`, `WORLD_SIZE` and
 * `NNODES` (workers), `RANK` (the completion index, via the downward API, as in the
 * guide; also in `JOB_COMPLETION_INDEX`), `NPROC_PER_NODE` and `LOCAL_WORLD_SIZE`.
 * `restartPolicy: Never`, a `podFailurePolicy` that ignores disruptions, GPUs with
 * their toleration, an in-memory `/dev/shm`, a token-less ServiceAccount, a
 * NetworkPolicy admitting only the job's own pods, and the restricted profile.
 *
 * Gang scheduling: all workers must run at once or the rendezvous waits. Use
 * `queueName` (Kueue admits the whole job or nothing; enable its
 * `waitForPodsReady` to requeue jobs that cannot start), or on the PyTorchJob
 * backend `gangScheduling` for Volcano / coscheduling.
 *
 * With `TrainingBackend.pytorchJob()` it is a Kubeflow PyTorchJob, with
 * `TrainingBackend.trainJob()` a Kubeflow Trainer v2 TrainJob; the operator then
 * provides the rendezvous. The TrainJob API leaves the pod to its runtime, so
 * `backoffLimit`, `activeDeadline`, `ttlAfterFinished`, `priorityClassName`,
 * `masterPort`, `terminationGracePeriod` and `podIdentity` are refused there, and
 * the pods' security contexts are the runtime's (its `podSpecOverrides` have no
 * field for them): use a TrainingRuntime that meets the restricted profile.
 * Implements {@link ISchedulable} for spot and GPU pools.
 */
export class DistributedTrainingJob extends Construct implements ISchedulable {
  /** The name of the job and of every object. */
  public readonly name: string;
  /** The backend the job runs on. */
  public readonly backend: TrainingBackend;
  /** The labels on every object and pod. */
  public readonly labels: { [key: string]: string };
  /**
   * The labels that select exactly this job's pods (Service, NetworkPolicy).
   * On the TrainJob backend, JobSet's name label (its pods carry the runtime's labels).
   */
  public readonly selector: { [key: string]: string };
  /** Number of workers. */
  public readonly workers: number;
  /** GPUs per worker (0 for CPU training). */
  public readonly gpusPerWorker: number;
  /** Training processes per worker. */
  public readonly processesPerWorker: number;
  /** The rendezvous port (MASTER_PORT). */
  public readonly masterPort: number;
  /** The workers' QoS class. */
  public readonly qosClass: QosClass;
  /** MASTER_ADDR, worker 0's DNS name (Indexed Job backend only). */
  public readonly masterAddress?: string;

  /** The workers' ServiceAccount (no token mounted). */
  public readonly serviceAccount: kplus.ServiceAccount;
  /** The NetworkPolicy admitting only the job's own pods. */
  public readonly networkPolicy: kplus.NetworkPolicy;
  /** The Indexed Job (Indexed Job backend). */
  public readonly job?: kplus.Job;
  /** The training container (Indexed Job backend). */
  public readonly container?: kplus.Container;
  /** The headless rendezvous Service (Indexed Job backend). */
  public readonly service?: kplus.Service;
  /** The PyTorchJob custom resource (PyTorchJob backend). */
  public readonly pytorchJob?: ApiObject;
  /** The TrainJob custom resource (TrainJob backend). */
  public readonly trainJob?: ApiObject;

  private readonly placement: ISchedulable;

  public constructor(scope: Construct, id: string, props: DistributedTrainingJobProps) {
    super(scope, id);
    this.backend = props.backend ?? TrainingBackend.indexedJob();
    const kind = this.backend.kind;
    this.name = props.name ?? id;
    requireDnsLabel(this, 'name', this.name);
    validateBackendFit(this, this.backend, props);
    requirePinnedImage(this, 'image', props.image, props.allowMutableImageTag ?? false);

    this.workers = props.workers ?? DEFAULT_WORKERS;
    requireInteger(this, 'workers', this.workers, 1, 100000);
    this.masterPort = props.masterPort ?? DEFAULT_MASTER_PORT;
    requirePort(this, 'masterPort', this.masterPort);
    const maxGpus = props.maxGpusPerNode ?? DEFAULT_MAX_GPUS_PER_NODE;
    requireInteger(this, 'maxGpusPerNode', maxGpus, 1);
    const gpus: GpuOptions = props.gpus ?? { count: 1 };
    this.gpusPerWorker = validateGpus(this, 'gpus', gpus, maxGpus);
    this.processesPerWorker = props.processesPerWorker ?? Math.max(this.gpusPerWorker, 1);
    requireInteger(this, 'processesPerWorker', this.processesPerWorker, 1, 1024);
    const backoffLimit = props.backoffLimit ?? DEFAULT_BACKOFF_LIMIT;
    requireInteger(this, 'backoffLimit', backoffLimit, 0);
    validateDurations(this, props);
    if (props.torchrun && props.command) {
      throw invalidProp(this, 'command', 'and torchrun are mutually exclusive: torchrun builds the command');
    }
    if (props.torchrun?._maxRestarts !== undefined) requireInteger(this, 'torchrun.maxRestarts', props.torchrun._maxRestarts, 0);
    (props.peerPorts ?? []).forEach((p, i) => requirePort(this, `peerPorts[${i}]`, p));
    if (props.priorityClassName !== undefined) requireDnsSubdomain(this, 'priorityClassName', props.priorityClassName);
    if (props.queueName !== undefined) requireLabelValue(this, 'queueName', props.queueName);
    validateEnv(this, kind, props.env ?? {});

    const version = props.version ?? versionFromImage(props.image);
    if (version) requireLabelValue(this, 'version', version);
    for (const [k, v] of Object.entries(props.labels ?? {})) requireLabelValue(this, `labels['${k}']`, v);
    const labelOptions = { name: this.name, version, component: 'training-worker', partOf: props.partOf };
    this.labels = { ...props.labels, ...MlLabels.of(labelOptions) };
    this.selector = kind === TrainingBackendKind.TRAIN_JOB ? { [JOBSET_NAME_LABEL]: this.name } : MlLabels.selector(labelOptions);
    const jobLabels = { ...this.labels, ...(props.queueName ? { [KUEUE_QUEUE_LABEL]: props.queueName } : {}) };
    const suspend = props.suspend ?? props.queueName !== undefined;

    const resources = completeResources(this, 'resources', props.resources, DEFAULT_RESOURCES, props.guaranteedQos ?? true);
    this.qosClass = qosClassOf(resources);
    const sharedMemory = props.sharedMemory ?? Size.gibibytes(2);
    validateWholeSizes(this, resources);
    validateSharedMemory(this, sharedMemory, resources.memory!.limit!);
    const spec: WorkerSpec = {
      containerName: CONTAINER_NAMES[kind] ?? this.backend._trainJob.trainerJobName ?? DEFAULT_TRAINER_JOB,
      image: props.image,
      imagePullPolicy: props.allowMutableImageTag ? kplus.ImagePullPolicy.ALWAYS : kplus.ImagePullPolicy.IF_NOT_PRESENT,
      command: props.command,
      torchrun: props.torchrun,
      args: props.args,
      env: { ...props.env },
      envFrom: props.envFrom ?? [],
      resources,
      gpus: { ...gpus, count: this.gpusPerWorker },
      sharedMemory,
      ...validateVolumes(this, props),
      podIdentity: props.podIdentity,
      terminationGracePeriod: props.terminationGracePeriod ?? Duration.seconds(60),
      priorityClassName: props.priorityClassName,
      automountServiceAccountToken: props.automountServiceAccountToken ?? false,
    };

    // Checked before anything is created, so a bad name fails with its own message.
    const serviceName = kind === TrainingBackendKind.INDEXED_JOB ? indexedJobServiceName(this, this.name, this.backend._indexedJob) : '';
    const rdzvPort = kind === TrainingBackendKind.PYTORCH_JOB ? validatePyTorchJobOptions(this, this.workers, this.backend._pytorchJob) : undefined;
    if (kind === TrainingBackendKind.TRAIN_JOB) validateTrainJobOptions(this, this.backend._trainJob);
    validateHostnames(this, this.name, this.workers, this.backend);

    this.serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', {
      metadata: { name: this.name, labels: this.labels },
      automountToken: false,
    });

    const common = {
      scope: this,
      name: this.name,
      labels: this.labels,
      jobLabels,
      workers: this.workers,
      processesPerWorker: this.processesPerWorker,
      spec,
      suspend,
    };
    const failure = { backoffLimit, activeDeadline: props.activeDeadline, ttlAfterFinished: props.ttlAfterFinished };
    if (kind === TrainingBackendKind.INDEXED_JOB) {
      const created = createIndexedJob({
        ...common,
        ...failure,
        selector: this.selector,
        masterPort: this.masterPort,
        serviceAccount: this.serviceAccount,
        options: this.backend._indexedJob,
        backoffLimitGiven: props.backoffLimit !== undefined,
      }, serviceName);
      this.job = created.job;
      this.container = created.container;
      this.service = created.service;
      this.masterAddress = created.masterAddress;
      this.placement = SchedulableWorkload.of(created.job);
    } else if (kind === TrainingBackendKind.PYTORCH_JOB) {
      const placement = new PodPlacement();
      this.placement = placement;
      this.pytorchJob = createPyTorchJob({
        ...common,
        ...failure,
        masterPort: this.masterPort,
        serviceAccountName: this.serviceAccount.name,
        placement,
        options: this.backend._pytorchJob,
      });
    } else {
      const placement = new TrainJobPlacement(this);
      this.placement = placement;
      this.trainJob = createTrainJob({
        ...common,
        serviceAccountName: this.serviceAccount.name,
        placement,
        options: this.backend._trainJob,
      });
    }

    this.applyGpuPlacement(gpus);

    // The elastic rendezvous (c10d store on a worker) is a rendezvous port too. On
    // the TrainJob backend masterPort keeps its default, 29500, which is also the
    // port Trainer v2's torch runtime announces (PET_MASTER_PORT).
    const peerPorts = props.peerPorts ? [this.masterPort, ...(rdzvPort !== undefined ? [rdzvPort] : []), ...props.peerPorts] : undefined;
    this.networkPolicy = createTrainingNetworkPolicy(this, this.name, this.labels, this.selector, peerPorts);
  }

  /** Tolerate a node taint (e.g. a spot or GPU pool's). */
  public tolerate(toleration: NodeToleration): void {
    this.placement.tolerate(toleration);
  }

  /**
   * Require nodes matching all `requirements`, and every other required one (the GPU
   * model, earlier calls): all are ANDed into one node selector term.
   */
  public requireNodes(requirements: NodeRequirement[]): void {
    this.placement.requireNodes(requirements);
  }

  /** Prefer nodes matching all `requirements`, with `weight` 1..100. */
  public preferNodes(weight: number, requirements: NodeRequirement[]): void {
    requireInteger(this, 'preferNodes weight', weight, 1, 100);
    this.placement.preferNodes(weight, requirements);
  }

  /** The GPU taint's toleration and the model's node requirement, through the backend's placement. */
  private applyGpuPlacement(gpus: GpuOptions): void {
    if (this.gpusPerWorker === 0) return;
    if (gpus.tolerateGpuTaint ?? true) {
      this.placement.tolerate({ key: gpus.resourceName ?? NVIDIA_GPU, effect: kplus.TaintEffect.NO_SCHEDULE });
    }
    if (gpus.product) {
      this.placement.requireNodes([{ key: NVIDIA_GPU_PRODUCT_LABEL, operator: NodeSelectorOperator.IN, values: [gpus.product] }]);
    }
  }
}
