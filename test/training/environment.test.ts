import { Chart, Duration, Testing } from 'cdk8s';
import { DistributedTrainingJob, DistributedTrainingJobProps, HighSpeedNetwork, NcclDebugLevel, PodSecurity, PodSecurityLevel, Torchrun, TrainingBackend } from '../../src';
import { findObject, synthAndValidate } from '../util';

function make(props: Partial<DistributedTrainingJobProps>, validation: { skipPodSecurity?: boolean } = {}) {
  const chart = new Chart(Testing.app(), 'train', { namespace: 'ml' });
  const job = new DistributedTrainingJob(chart, 'llm', { image: 'training-worker:v1', ...props });
  const k8sJob = findObject(synthAndValidate(chart, validation), 'Job');
  const pod = k8sJob.spec.template.spec;
  return { job, pod, container: pod.containers[0], env: Object.fromEntries(pod.containers[0].env.map((e: any) => [e.name, e.value ?? e.valueFrom])) };
}

const INDEX = { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } };

describe('torchrun and Kubeflow environment conventions', () => {
  test('4 nodes x 8 processes: PET_* as the Kubeflow operators set them, WORLD_SIZE counts processes', () => {
    const { env } = make({ workers: 4, gpus: { count: 8 }, torchrun: Torchrun.script('train.py') });
    expect(env).toMatchObject({
      PET_NNODES: '4:4',
      PET_NPROC_PER_NODE: '8',
      PET_NODE_RANK: INDEX,
      PET_MASTER_ADDR: 'llm-0.llm',
      PET_MASTER_PORT: '29500',
      WORLD_SIZE: '32',
      NODE_RANK: INDEX,
      LOCAL_WORLD_SIZE: '8',
    });
    // RANK is a process rank: with 8 processes per pod the index is not one.
    expect(env.RANK).toBeUndefined();
  });

  test('one process per worker keeps the guide\'s RANK = completion index; a static launch has PET_NNODES = workers', () => {
    const { env } = make({ workers: 2, gpus: { count: 1 }, torchrun: Torchrun.script('t.py', { elastic: false }) });
    expect(env).toMatchObject({ RANK: INDEX, WORLD_SIZE: '2', PET_NNODES: '2' });
  });

  test('PET_* are reserved on the Indexed Job backend too', () => {
    const chart = new Chart(Testing.app(), 'train');
    expect(() => new DistributedTrainingJob(chart, 'a', { image: 'w:v1', env: { PET_NNODES: undefined as any } }))
      .toThrow("DistributedTrainingJob 'train/a': env.PET_NNODES is set by DistributedTrainingJob for the rendezvous; remove it (use workers, backend masterPort, processesPerWorker)");
    expect(() => new DistributedTrainingJob(chart, 'b', { image: 'w:v1', env: { TRAINING_EXIT_CODE_FILE: undefined as any } }))
      .toThrow("DistributedTrainingJob 'train/b': env.TRAINING_EXIT_CODE_FILE is set by DistributedTrainingJob for the exit-code contract of torchrun launches; remove it");
  });
});

describe('NCCL options', () => {
  test('typed settings become NCCL and PyTorch env variables', () => {
    const { env } = make({ nccl: { socketInterface: '=eth0', debug: NcclDebugLevel.WARN, heartbeatTimeout: Duration.minutes(2), ibTimeout: 22 } });
    expect(env).toMatchObject({
      NCCL_SOCKET_IFNAME: '=eth0', GLOO_SOCKET_IFNAME: 'eth0', NCCL_DEBUG: 'WARN', TORCH_NCCL_HEARTBEAT_TIMEOUT_SEC: '120', NCCL_IB_TIMEOUT: '22',
    });
    expect(make({ nccl: { socketInterface: '^lo,docker', disableInfiniBand: true } }).env).toMatchObject({ NCCL_SOCKET_IFNAME: '^lo,docker', NCCL_IB_DISABLE: '1' });
  });

  test('errors', () => {
    const chart = new Chart(Testing.app(), 'train');
    const job = (id: string, nccl: any) => new DistributedTrainingJob(chart, id, { image: 'w:v1', nccl });
    expect(() => job('a', { socketInterface: 'eth0 eth1' })).toThrow("DistributedTrainingJob 'train/a': nccl.socketInterface ('eth0 eth1') must be a comma-separated list of interface prefixes");
    expect(() => job('b', { heartbeatTimeout: Duration.millis(1500) })).toThrow("DistributedTrainingJob 'train/b': nccl.heartbeatTimeout (1.5s) must be a whole number of seconds >= 1");
    expect(() => job('c', { ibTimeout: 32 })).toThrow("DistributedTrainingJob 'train/c': nccl.ibTimeout (32) must be between 1 and 31");
    expect(() => job('d', { ibTimeout: 20, disableInfiniBand: true })).toThrow("DistributedTrainingJob 'train/d': nccl.ibTimeout has no effect with disableInfiniBand");
  });
});

describe('data and state', () => {
  test('writable HOME and caches on an emptyDir; the user may point them elsewhere', () => {
    const { pod, env } = make({});
    expect(env).toMatchObject({ HOME: '/home/training', XDG_CACHE_HOME: '/home/training/.cache' });
    expect(pod.volumes).toContainEqual({ name: 'home', emptyDir: { sizeLimit: '20480Mi' } });
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'home', mountPath: '/home/training' });
    expect(pod.containers[0].securityContext.readOnlyRootFilesystem).toBe(true);
  });

  test('the checkpoint contract: CHECKPOINT_DIR is the mount path; groupId joins supplementalGroups for RWX volumes that ignore fsGroup', () => {
    const { pod, env } = make({ checkpoint: { claimName: 'ckpt', mountPath: '/ckpt', groupId: 5000 } });
    expect(env.CHECKPOINT_DIR).toBe('/ckpt');
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, fsGroup: 1000, supplementalGroups: [5000] });
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'checkpoint', mountPath: '/ckpt' });
  });

  test('groupId errors: range, and the TrainJob backend', () => {
    const chart = new Chart(Testing.app(), 'train');
    expect(() => new DistributedTrainingJob(chart, 'a', { image: 'w:v1', checkpoint: { claimName: 'c', groupId: 0 } }))
      .toThrow("DistributedTrainingJob 'train/a': checkpoint.groupId (0) must be between 1 and 2147483647");
    expect(() => new DistributedTrainingJob(chart, 'b', { image: 'w:v1', backend: TrainingBackend.trainJob(), dataset: { claimName: 'd', groupId: 7 } }))
      .toThrow("DistributedTrainingJob 'train/b': dataset.groupId cannot be set on the TrainJob backend: its podSpecOverrides carry no security context; set supplementalGroups in the TrainingRuntime");
  });
});

describe('high-speed networking', () => {
  const relaxed = PodSecurity.relaxed({ reason: 'EFA registers memory for GPUDirect RDMA', addCapabilities: ['IPC_LOCK'] });

  test('EFA: the device plugin resource, IPC_LOCK through a reasoned opt-out, and the namespace level it needs', () => {
    const backend = TrainingBackend.indexedJob({ podSecurity: relaxed });
    const { job, container } = make({ gpus: { count: 8 }, highSpeedNetwork: HighSpeedNetwork.efa(4), backend },
      // Deliberately not restricted: the privileged level the namespace needs, asserted below.
      { skipPodSecurity: true });
    expect(container.resources.requests['vpc.amazonaws.com/efa']).toBe('4');
    expect(container.resources.limits['vpc.amazonaws.com/efa']).toBe('4');
    expect(container.securityContext.capabilities).toEqual({ drop: ['ALL'], add: ['IPC_LOCK'] });
    expect(job.podSecurity.level).toBe(PodSecurityLevel.PRIVILEGED);
  });

  test('RDMA without the opt-out is refused, naming the fix and the level', () => {
    const chart = new Chart(Testing.app(), 'train');
    expect(() => new DistributedTrainingJob(chart, 'a', { image: 'w:v1', highSpeedNetwork: HighSpeedNetwork.rdma('rdma/rdma_shared_device_a') }))
      .toThrow("DistributedTrainingJob 'train/a': highSpeedNetwork (rdma/rdma_shared_device_a) needs the IPC_LOCK capability to register memory for RDMA, which the restricted profile forbids: opt out explicitly on the backend with podSecurity: PodSecurity.relaxed({ reason: '...', addCapabilities: ['IPC_LOCK'] }); the namespace then needs the 'privileged' Pod Security level");
    const backend = TrainingBackend.indexedJob({ podSecurity: relaxed });
    expect(() => new DistributedTrainingJob(chart, 'b', { image: 'w:v1', highSpeedNetwork: HighSpeedNetwork.rdma('kubernetes.io/rdma'), backend }))
      .toThrow("DistributedTrainingJob 'train/b': highSpeedNetwork ('kubernetes.io/rdma') is not an extended resource name");
    expect(() => new DistributedTrainingJob(chart, 'c', { image: 'w:v1', highSpeedNetwork: HighSpeedNetwork.efa(0), backend: TrainingBackend.indexedJob({ podSecurity: relaxed }) }))
      .toThrow("DistributedTrainingJob 'train/c': highSpeedNetwork count (0) must be between 1 and 64");
  });
});
