import { ApiObject, Duration, Size, SizeRoundingBehavior } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { EXIT_CODE_FILE, EXIT_CODE_FILE_ENV } from './exit-code-contract';
import { HighSpeedNetwork } from './high-speed-network';
import { checkQueue, kueueLabels, queueNameOf } from './kueue-submission';
import { ncclEnv, NcclOptions } from './nccl-options';
import { Torchrun } from './torchrun';
import { TrainingBackend } from './training-backend';
import { dataEnv, mountData } from './training-data';
import { createTrainingNetworkPolicy } from './training-network-policy';
import { TrainingVolume } from './training-volume';
import { validateBackendFit, validateEnv, validateHostnames, validateSharedMemory, validateVolumes, validateWholeSizes } from './validate-training-props';
import { ILocalQueue } from '../capacity/kueue/local-queue';
import { WorkloadPriorityClass } from '../capacity/kueue/workload-priority-class';
import { AfterConversion } from '../core/after-conversion';
import { invalidProp } from '../core/errors';
import { registerInterruptionCheck } from '../core/interruption';
import { MlWorkload, WorkloadTraits } from '../core/ml-workload';
import { NodeRequirement } from '../core/scheduling';
import { requireInteger, requirePort } from '../core/validation';
import { MlWorkloadProps } from '../core/workload-props';
import { WorkloadVolume } from '../core/workload-volume';

/** Properties of {@link DistributedTrainingJob}. */
export interface DistributedTrainingJobProps extends MlWorkloadProps {
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
   * Launch the training with torchrun, wired to the backend's rendezvous
   * (explicit `$(VAR)` flags on the Indexed Job, `PET_*` variables on Kubeflow).
   * Mutually exclusive with `command`.
   * @default - the image's entrypoint, or `command`
   */
  readonly torchrun?: Torchrun;
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
   * @default - a quarter of the memory limit (2Gi with the default 8Gi), at most 16Gi
   */
  readonly sharedMemory?: Size;

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
   * The Kueue LocalQueue to submit to, as a construct: a `LocalQueue` of this app
   * or `LocalQueue.external(scope, id, name)` for one made elsewhere. Mutually
   * exclusive with `queueName`, which must name a LocalQueue declared in the app.
   * @default - not queued
   */
  readonly queue?: ILocalQueue;
  /**
   * The Kueue WorkloadPriorityClass of the job (`kueue.x-k8s.io/priority-class`):
   * the order of admission and preemption in its ClusterQueue.
   * @default - Kueue's default priority
   */
  readonly queuePriority?: WorkloadPriorityClass;
  /**
   * Why this non-elastic job may run on spot capacity anyway: accepted by a Kueue
   * queue with a spot flavor and by `SpotNodePool.schedule` (which also takes it
   * as a schedule option).
   * @default - refused on spot pools and on queues with a spot flavor unless the job is elastic
   */
  readonly nonElasticReason?: string;
  /**
   * An existing PVC mounted read-write in every worker for checkpoints
   * (ReadWriteMany when workers run on several nodes). The checkpoint contract:
   * `CHECKPOINT_DIR` names the mount path; the script saves there and, at start,
   * resumes from the latest checkpoint it finds, which is what makes an elastic
   * restart (a replaced worker, a restarted group) lose only the steps since.
   * For NFS/EFS volumes that ignore fsGroup, give the owning `groupId`.
   * @default - no checkpoint volume
   */
  readonly checkpoint?: TrainingVolume;
  /**
   * An existing PVC with the dataset, mounted read-only in every worker.
   * @default - no dataset volume
   */
  readonly dataset?: TrainingVolume;
  /**
   * NCCL and torch.distributed settings (socket interface, watchdog and IB
   * timeouts, debug level), rendered as their env variables.
   * @default - NCCL's and PyTorch's defaults
   */
  readonly nccl?: NcclOptions;
  /**
   * Size limit of the writable home directory: an emptyDir at `/home/training`
   * (HOME, and XDG_CACHE_HOME `/home/training/.cache`, where Hugging Face, torch
   * hub and pip keep their caches) under the read-only root filesystem.
   * @default Size.gibibytes(20)
   */
  readonly homeSize?: Size;
  /**
   * RDMA networking (InfiniBand, RoCE, AWS EFA): the device plugin's resource on
   * every worker. Needs an explicit, reasoned opt-out of the restricted profile
   * for the IPC_LOCK capability (see {@link HighSpeedNetwork}).
   * @default - TCP sockets only
   */
  readonly highSpeedNetwork?: HighSpeedNetwork;

}

const DEFAULT_WORKERS = 4;
const DEFAULT_MAX_GPUS_PER_NODE = 8;
// The guide's requests; limits equal to them for the Guaranteed QoS class.
const DEFAULT_RESOURCES = {
  cpuRequest: kplus.Cpu.units(4),
  cpuLimit: kplus.Cpu.units(4),
  memoryRequest: Size.gibibytes(8),
  memoryLimit: Size.gibibytes(8),
};

/**
 * Multi-node (GPU) training as one construct: the guide's `distributed-training`
 * Job with the rendezvous that makes its workers find each other.
 *
 * Default backend, an Indexed Job (no operator): `completions` = `parallelism` =
 * workers, a headless Service (`publishNotReadyAddresses`) as the pods'
 * `subdomain` so worker i is `<job>-<i>.<service>`, and the env torchrun and
 * torch.distributed read: torchrun's `PET_NNODES`, `PET_NPROC_PER_NODE`,
 * `PET_NODE_RANK` (the completion index, via the downward API), `PET_MASTER_ADDR`
 * (worker 0) and `PET_MASTER_PORT`, as the Kubeflow operators set them; and
 * `MASTER_ADDR`, `MASTER_PORT`, `WORLD_SIZE` (workers × processes per worker),
 * `NODE_RANK`, `RANK` (the index, when each worker runs one process, as in the
 * guide), `NNODES`, `NPROC_PER_NODE` and `LOCAL_WORLD_SIZE`.
 * `restartPolicy: Never`, a `podFailurePolicy` that ignores disruptions, GPUs with
 * their toleration, an in-memory `/dev/shm`, a writable home for caches, a
 * token-less ServiceAccount, a NetworkPolicy admitting only the job's own pods,
 * and the restricted profile.
 *
 * Surviving real clusters: a `torchrun` launch is elastic (c10d rendezvous
 * through the headless Service; a replaced worker rejoins and the group restarts
 * from the last checkpoint, see `checkpoint`), each index retries on its own
 * (`backoffLimitPerIndex`, Kubernetes 1.29+), and the exit-code contract lets
 * `nonRetriableExitCodes` see the training process's code. Spot pools and Kueue
 * queues with spot flavors refuse jobs that are not elastic unless given a
 * `nonElasticReason`.
 *
 * Gang scheduling: all workers must run at once or the rendezvous waits. Use
 * `queueName` (Kueue admits the whole job or nothing; enable its
 * `waitForPodsReady` to requeue jobs that cannot start), or on the PyTorchJob
 * backend `gangScheduling` for Volcano / coscheduling.
 *
 * With `TrainingBackend.pytorchJob()` it is a Kubeflow PyTorchJob, with
 * `TrainingBackend.trainJob()` a Kubeflow Trainer v2 TrainJob; the operator then
 * provides the rendezvous. Options only some backends honour (retries, deadlines,
 * the rendezvous port, pod security, priority, grace period, init containers and
 * sidecars) are options of those backends' factories: the TrainJob API leaves the
 * pod to its runtime, so its factory has none of them.
 * Implements {@link ISchedulable} for spot and GPU pools.
 *
 * @example
 * import { DistributedTrainingJob, Torchrun } from 'cdk8s-ml';
 *
 * // Four 8-GPU workers: an Indexed Job with a headless Service, torchrun's rendezvous
 * // wired through it, /dev/shm sized, restricted pods and a checkpoint volume.
 * new DistributedTrainingJob(this, 'llama-finetune', {
 *   image: 'pytorch/pytorch:2.4.0-cuda12.1-cudnn9-runtime',
 *   workers: 4,
 *   gpus: { count: 8 },
 *   resources: {
 *     cpu: { request: kplus.Cpu.units(64), limit: kplus.Cpu.units(64) },
 *     memory: { request: Size.gibibytes(512), limit: Size.gibibytes(512) },
 *   },
 *   torchrun: Torchrun.script('/app/finetune.py', { args: ['--epochs', '3'] }),
 *   checkpoint: { claimName: 'llm-checkpoints' },
 * });
 */
export class DistributedTrainingJob extends MlWorkload {
  /** Number of workers. */
  public readonly workers: number;
  /** GPUs per worker (0 for CPU training). */
  public readonly gpusPerWorker: number;
  /** Training processes per worker. */
  public readonly processesPerWorker: number;
  /** The rendezvous port(s) the workers reach each other on. */
  public readonly rendezvousPorts: number[];
  /** The launch, when torchrun builds the command. */
  public readonly torchrun?: Torchrun;
  /** The Kueue LocalQueue the job is submitted to. */
  public readonly queueName?: string;
  /**
   * Whether the job survives losing a worker mid-run (a spot reclaim): an elastic
   * torchrun launch on the Indexed Job backend, `elasticPolicy` on the PyTorchJob
   * backend. Spot pools refuse other jobs unless given a `nonElasticReason`.
   */
  public readonly elastic: boolean;
  /** Size of the in-memory /dev/shm. */
  public readonly sharedMemory: Size;

  /** The NetworkPolicy admitting only the job's own pods. */
  public readonly networkPolicy: kplus.NetworkPolicy;
  /**
   * The job's own object: the Job (Indexed Job backend), the PyTorchJob or the
   * TrainJob custom resource.
   */
  public readonly apiObject: ApiObject;
  /** The Indexed Job (Indexed Job backend). */
  public readonly job?: kplus.Job;
  /** The training container as cdk8s-plus renders it (Indexed Job backend). */
  public readonly container?: kplus.Container;
  /** The headless rendezvous Service (Indexed Job backend). */
  public readonly service?: kplus.Service;
  /** MASTER_ADDR, worker 0's DNS name (Indexed Job backend). */
  public readonly masterAddress?: string;

  /** @internal */
  public readonly _backend: TrainingBackend;

  public constructor(scope: Construct, id: string, props: DistributedTrainingJobProps) {
    super(scope, id, props);
    const backend = props.backend ?? TrainingBackend.indexedJob();
    const renderer = backend._renderer;
    this._backend = backend;
    validateBackendFit(this, renderer, props);
    this.workers = props.workers ?? DEFAULT_WORKERS;
    requireInteger(this, 'workers', this.workers, 1, 100000);
    this.gpusPerWorker = this.gpuCount;
    this.processesPerWorker = props.processesPerWorker ?? Math.max(this.gpusPerWorker, 1);
    requireInteger(this, 'processesPerWorker', this.processesPerWorker, 1, 1024);
    if (props.torchrun && props.command) {
      throw invalidProp(this, 'command', 'and torchrun are mutually exclusive: torchrun builds the command');
    }
    if (props.torchrun?._maxRestarts !== undefined) requireInteger(this, 'torchrun.maxRestarts', props.torchrun._maxRestarts, 0);
    if (props.torchrun?._minWorkers !== undefined) requireInteger(this, 'torchrun.minWorkers', props.torchrun._minWorkers, 1, this.workers);
    this.torchrun = props.torchrun;
    (props.peerPorts ?? []).forEach((p, i) => requirePort(this, `peerPorts[${i}]`, p));
    this.queueName = queueNameOf(this, props);
    validateEnv(this, renderer, props.env ?? {});
    this.elastic = renderer.elastic(this);
    // The job's own nonElasticReason also answers spot pools' schedule().
    registerInterruptionCheck(this, () => this.elastic || props.nonElasticReason !== undefined ? undefined : renderer.notElastic(this));
    // A quarter of the memory limit (2Gi at the default 8Gi), at most 16Gi: a fixed
    // size would overflow a small job's limit, and /dev/shm counts against it.
    const memoryLimitMi = this.resources.memory!.limit!.toMebibytes({ rounding: SizeRoundingBehavior.FLOOR });
    this.sharedMemory = props.sharedMemory ?? Size.mebibytes(Math.min(16 * 1024, Math.floor(memoryLimitMi / 4)));
    validateWholeSizes(this, this.resources);
    validateSharedMemory(this, this.sharedMemory, this.resources.memory!.limit!);
    const volumes = validateVolumes(this, props);
    for (const prop of ['checkpoint', 'dataset'] as const) {
      const gid = props[prop]?.groupId;
      if (gid === undefined) continue;
      requireInteger(this, `${prop}.groupId`, gid, 1, 2147483647);
      if (renderer.kind === 'TrainJob') {
        throw invalidProp(this, `${prop}.groupId`, 'cannot be set on the TrainJob backend: its podSpecOverrides carry no security context; set supplementalGroups in the TrainingRuntime');
      }
    }
    renderer.validate(this);
    this.rendezvousPorts = renderer.rendezvousPorts;
    validateHostnames(this, this.name, this.workers, renderer);

    const worker = this._createMainContainer(renderer.containerName, {
      ...renderer.workerProps(this),
      env: {
        ...renderer.workerEnv(this),
        ...ncclEnv(this, props.nccl),
        ...dataEnv(props, volumes.checkpointPath),
        ...(this.torchrun?.propagatesExitCodes ? { [EXIT_CODE_FILE_ENV]: kplus.EnvValue.fromValue(EXIT_CODE_FILE) } : {}),
      },
    }, renderer.podOptions);
    this._pod.mount('sharedMemory', worker, { volume: WorkloadVolume.memory('dshm', { sizeLimit: this.sharedMemory }), path: '/dev/shm' });
    if (props.highSpeedNetwork) {
      props.highSpeedNetwork._validate(this, renderer.podOptions ? this.podSecurity : undefined);
      worker.setExtendedResource(props.highSpeedNetwork.resourceName, props.highSpeedNetwork.count);
    }
    mountData(this, worker, props, volumes);

    const jobLabels = { ...this.labels, ...kueueLabels(props, this.queueName) };
    const outputs = renderer.render({ job: this, worker, jobLabels, suspend: props.suspend ?? this.queueName !== undefined });
    this.apiObject = outputs.apiObject;
    if (props.nonElasticReason !== undefined && props.nonElasticReason.trim() === '') {
      throw invalidProp(this, 'nonElasticReason', 'must say why the job may be interrupted');
    }
    AfterConversion.of(this.apiObject)._addStage(() => checkQueue(this, props, () => renderer.notElastic(this)));
    this.job = outputs.job;
    this.container = outputs.container;
    this.service = outputs.service;
    this.masterAddress = outputs.masterAddress;

    // With peerPorts, only the rendezvous port(s) and those; without, any port between peers.
    const peerPorts = props.peerPorts ? [...this.rendezvousPorts, ...props.peerPorts] : undefined;
    this.networkPolicy = createTrainingNetworkPolicy(this, peerPorts);
  }

  /** @internal */
  protected _traits(id: string, props: DistributedTrainingJobProps): WorkloadTraits {
    const renderer = (props.backend ?? TrainingBackend.indexedJob())._renderer;
    return {
      // A TrainJob without an image runs its TrainingRuntime's.
      imageFromRuntime: renderer.kind === 'TrainJob',
      component: 'training-worker',
      defaultResources: DEFAULT_RESOURCES,
      guaranteedQosByDefault: true,
      maxGpusPerNode: props.maxGpusPerNode ?? DEFAULT_MAX_GPUS_PER_NODE,
      maxGpusPerNodeProp: 'maxGpusPerNode',
      pod: renderer.podOptions,
      podPropPrefix: 'backend.',
      defaultTerminationGrace: renderer.podOptions ? Duration.seconds(60) : undefined,
      selector: renderer.podSelector?.(props.name ?? id),
    };
  }

  /** Require nodes matching all `requirements`, ANDed with every other required one. */
  public requireNodes(requirements: NodeRequirement[]): void {
    this._backend._renderer.checkRequirement?.(this, requirements);
    super.requireNodes(requirements);
  }

  /** Prefer nodes matching all `requirements`, with `weight` 1..100. */
  public preferNodes(weight: number, requirements: NodeRequirement[]): void {
    this._backend._renderer.checkPreference?.(this, requirements);
    super.preferNodes(weight, requirements);
  }
}
