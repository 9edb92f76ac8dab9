import { Construct } from 'constructs';
import { invalidProp } from '../core/errors';
import { PodSecurity } from '../core/security';
import { requireInteger } from '../core/validation';

/** The AWS EFA device plugin's resource (aws-efa-k8s-device-plugin). */
const EFA_RESOURCE = 'vpc.amazonaws.com/efa';
/** The capability RDMA needs: registered (pinned) memory beyond RLIMIT_MEMLOCK. */
const IPC_LOCK = 'IPC_LOCK';
// An extended resource name: a domain-prefixed name (not kubernetes.io, which is reserved).
const EXTENDED_RESOURCE = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)*[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/**
 * RDMA networking between workers (GPUDirect RDMA over InfiniBand or RoCE, AWS
 * EFA): the device plugin's extended resource on every worker. NCCL then moves
 * data over verbs/libfabric instead of TCP.
 *
 * RDMA registers (pins) buffers in memory, beyond the container runtime's default
 * RLIMIT_MEMLOCK (often 64 KiB); the process needs the `IPC_LOCK` capability to
 * lift it, which the restricted Pod Security profile forbids. So a job with
 * RDMA must opt out explicitly, with a reason:
 * `podSecurity: PodSecurity.relaxed({ reason, addCapabilities: ['IPC_LOCK'] })`
 * on its backend; IPC_LOCK is not among baseline's capabilities either, so the
 * namespace needs the `privileged` Pod Security level (`job.podSecurity.level`).
 *
 * @example
 * import { DistributedTrainingJob, HighSpeedNetwork, PodSecurity, Torchrun, TrainingBackend } from 'cdk8s-ml';
 *
 * new DistributedTrainingJob(this, 'llama-pretrain', {
 *   image: 'registry.example.com/llama-trainer:3.1.0',
 *   workers: 16,
 *   gpus: { count: 8 },
 *   torchrun: Torchrun.script('/app/pretrain.py'),
 *   // The 32 EFA interfaces of a p5.48xlarge: NCCL over libfabric instead of TCP.
 *   highSpeedNetwork: HighSpeedNetwork.efa(32),
 *   // RDMA pins memory (IPC_LOCK): the namespace needs the privileged Pod Security level.
 *   backend: TrainingBackend.indexedJob({
 *     podSecurity: PodSecurity.relaxed({ reason: 'EFA registers pinned memory for RDMA', addCapabilities: ['IPC_LOCK'] }),
 *   }),
 * });
 */
export class HighSpeedNetwork {
  /** AWS Elastic Fabric Adapter interfaces (`vpc.amazonaws.com/efa`) per worker. */
  public static efa(interfaces: number): HighSpeedNetwork {
    return new HighSpeedNetwork(EFA_RESOURCE, interfaces);
  }

  /**
   * RDMA devices of an InfiniBand or RoCE device plugin per worker, by the
   * plugin's resource name, e.g. `rdma/rdma_shared_device_a` (Mellanox
   * k8s-rdma-shared-dev-plugin) or `nvidia.com/hostdev` (SR-IOV, NVIDIA Network Operator).
   */
  public static rdma(resourceName: string, devices: number = 1): HighSpeedNetwork {
    return new HighSpeedNetwork(resourceName, devices);
  }

  private constructor(
    /** The device plugin's extended resource. */
    public readonly resourceName: string,
    /** How many per worker. */
    public readonly count: number,
  ) {}

  /** Validates against the job's pod security (undefined when the backend's runtime owns it). @internal */
  public _validate(scope: Construct, security: PodSecurity | undefined): void {
    if (!EXTENDED_RESOURCE.test(this.resourceName) || this.resourceName.split('/')[0].endsWith('kubernetes.io')) {
      throw invalidProp(scope, 'highSpeedNetwork', `('${this.resourceName}') is not an extended resource name: '<domain>/<name>', outside kubernetes.io`);
    }
    requireInteger(scope, 'highSpeedNetwork count', this.count, 1, 64);
    if (security && !(security._relaxed?.addCapabilities ?? []).includes(IPC_LOCK)) {
      const level = PodSecurity.relaxed({ reason: 'RDMA', addCapabilities: [IPC_LOCK] }).level;
      throw invalidProp(scope, 'highSpeedNetwork', `(${this.resourceName}) needs the ${IPC_LOCK} capability to register memory for RDMA, which the restricted profile forbids: opt out explicitly on the backend with podSecurity: PodSecurity.relaxed({ reason: '...', addCapabilities: ['${IPC_LOCK}'] }); the namespace then needs the '${level}' Pod Security level`);
    }
  }
}
