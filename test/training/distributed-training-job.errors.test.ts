import { Chart, Duration, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { CleanPodPolicy, DistributedTrainingJob, DistributedTrainingJobProps, PodSecurity, PriorityClassRef, TrainingBackend, Torchrun } from '../../src';

const P = "DistributedTrainingJob 'train/job': ";

function make(props: Partial<DistributedTrainingJobProps>) {
  const chart = new Chart(Testing.app(), 'train');
  return () => new DistributedTrainingJob(chart, 'job', { image: 'training-worker:v1', ...props });
}

const pytorch = TrainingBackend.pytorchJob;
const trainJob = TrainingBackend.trainJob;
const indexed = TrainingBackend.indexedJob;

describe('DistributedTrainingJob rejects bad input at synth time, naming path and prop', () => {
  test.each<[string, Partial<DistributedTrainingJobProps>, string]>([
    // workers
    ['zero workers', { workers: 0 }, 'workers (0) must be between 1 and 100000'],
    ['negative workers', { workers: -3 }, 'workers (-3) must be between 1 and 100000'],
    ['fractional workers', { workers: 2.5 }, 'workers (2.5) must be an integer'],
    // GPUs
    ['fractional GPUs', { gpus: { count: 0.5 } },
      'gpus.count (0.5) must be a whole number: extended resources such as GPUs cannot be fractional'],
    ['negative GPUs', { gpus: { count: -1 } }, 'gpus.count (-1) must not be negative'],
    ['more GPUs than a node has', { gpus: { count: 9 } },
      'gpus.count (9) exceeds the per-node maximum (8); raise maxGpusPerNode if your nodes have more'],
    ['more GPUs than the raised maximum', { gpus: { count: 17 }, maxGpusPerNode: 16 },
      'gpus.count (17) exceeds the per-node maximum (16); raise maxGpusPerNode if your nodes have more'],
    ['zero maxGpusPerNode', { maxGpusPerNode: 0 }, 'maxGpusPerNode (0) must be >= 1'],
    ['bad GPU resource name', { gpus: { count: 1, resourceName: 'gpu' } },
      "gpus.resourceName ('gpu') must be a domain-prefixed extended resource name such as 'nvidia.com/gpu'"],
    ['zero processes per worker', { processesPerWorker: 0 }, 'processesPerWorker (0) must be between 1 and 1024'],
    // ports
    ['MASTER_PORT 0', { backend: indexed({ masterPort: 0 }) }, 'backend.masterPort (0) must be between 1 and 65535'],
    ['MASTER_PORT above 65535', { backend: pytorch({ masterPort: 65536 }) }, 'backend.masterPort (65536) must be between 1 and 65535'],
    ['bad peer port', { peerPorts: [29501, 70000] }, 'peerPorts[1] (70000) must be between 1 and 65535'],
    // images
    [':latest image', { image: 'training-worker:latest' },
      "image ('training-worker:latest') uses the mutable ':latest' tag; pin a version tag or digest, or set allowMutableImageTag: true"],
    ['untagged image', { image: 'training-worker' },
      "image ('training-worker') has no tag, which means ':latest'; pin a version tag or digest, or set allowMutableImageTag: true"],
    // names and hostnames
    ['invalid name', { name: 'Distributed_Training' },
      "name ('Distributed_Training') must be a valid RFC 1123 DNS label: lowercase alphanumerics and '-', starting and ending with an alphanumeric, at most 63 characters"],
    ['name too long for 100 workers', { name: 'a'.repeat(61), workers: 100 },
      `name ('${'a'.repeat(61)}') is too long for 100 workers: the last worker's hostname '${'a'.repeat(61)}-99' has 64 characters, more than the 63 of a DNS label`],
    ['name too long for PyTorchJob worker hostnames', { name: 'a'.repeat(55), workers: 4, backend: pytorch() },
      `name ('${'a'.repeat(55)}') is too long for 4 workers: the last worker's hostname '${'a'.repeat(55)}-worker-2' has 64 characters, more than the 63 of a DNS label`],
    ['name too long for elastic PyTorchJob worker hostnames', { name: 'a'.repeat(55), workers: 2, backend: pytorch({ elasticPolicy: { minReplicas: 1, maxReplicas: 10 } }) },
      `name ('${'a'.repeat(55)}') is too long for 2 workers: the last worker's hostname '${'a'.repeat(55)}-worker-9' has 64 characters, more than the 63 of a DNS label`],
    ['name too long for TrainJob hostnames', { name: 'a'.repeat(55), workers: 2, backend: trainJob() },
      `name ('${'a'.repeat(55)}') is too long for 2 workers: the last worker's hostname '${'a'.repeat(55)}-node-0-1' has 64 characters, more than the 63 of a DNS label`],
    ['a Service name starting with a digit', { name: '4gpu-run' },
      "name ('4gpu-run') must be a valid RFC 1035 label to name the headless Service: lowercase alphanumerics and '-', starting with a letter, ending with an alphanumeric, at most 63 characters"],
    ['a bad serviceName', { backend: indexed({ serviceName: 'Workers' }) },
      "backend.serviceName ('Workers') must be a valid RFC 1035 label to name the headless Service: lowercase alphanumerics and '-', starting with a letter, ending with an alphanumeric, at most 63 characters"],
    ['a PyTorchJob name starting with a digit', { name: '4gpu-run', backend: pytorch() },
      "name ('4gpu-run') must start with a letter on the PyTorchJob backend: the operator names Services after it"],
    ['a TrainJob name starting with a digit', { name: '4gpu-run', backend: trainJob() },
      "name ('4gpu-run') must start with a letter on the TrainJob backend: the operator names Services after it"],
    // backend-specific fields on the wrong backend
    ['a PyTorchJob option on the Indexed Job', { backend: indexed({ cleanPodPolicy: CleanPodPolicy.ALL } as any) },
      'backend.cleanPodPolicy is an option of the PyTorchJob backend; it does not apply to the IndexedJob backend'],
    ['an Indexed Job option on the PyTorchJob', { backend: pytorch({ backoffLimitPerIndex: 1 } as any) },
      'backend.backoffLimitPerIndex is an option of the IndexedJob backend; it does not apply to the PyTorchJob backend'],
    ['a TrainJob option on the PyTorchJob', { backend: pytorch({ runtimeName: 'torch-distributed' } as any) },
      'backend.runtimeName is an option of the TrainJob backend; it does not apply to the PyTorchJob backend'],
    ['a PyTorchJob option on the TrainJob', { backend: trainJob({ elasticPolicy: { minReplicas: 1, maxReplicas: 2 } } as any) },
      'backend.elasticPolicy is an option of the PyTorchJob backend; it does not apply to the TrainJob backend'],
    ['an unknown backend option', { backend: indexed({ completions: 3 } as any) },
      'backend.completions is not a known option; it does not apply to the IndexedJob backend'],
    // Backend options at the top level (JavaScript callers; TypeScript refuses them at compile time).
    ['backoffLimit on the TrainJob', { backend: trainJob(), backoffLimit: 2 } as any,
      'backoffLimit is an option of the backend, not of the job; the TrainJob backend has no such option: its TrainingRuntime owns the pod'],
    ['activeDeadline at the top', { activeDeadline: Duration.hours(1) } as any,
      'activeDeadline is an option of the backend, not of the job; set it on the backend: TrainingBackend.indexedJob({ activeDeadline })'],
    ['ttlAfterFinished at the top of a PyTorchJob', { backend: pytorch(), ttlAfterFinished: Duration.hours(1) } as any,
      'ttlAfterFinished is an option of the backend, not of the job; set it on the backend: TrainingBackend.pytorchJob({ ttlAfterFinished })'],
    ['priorityClassName (the old prop)', { backend: trainJob(), priorityClassName: 'high' } as any,
      'priorityClassName is an option of the backend, not of the job; the TrainJob backend has no such option: its TrainingRuntime owns the pod'],
    ['masterPort at the top', { masterPort: 23456 } as any,
      'masterPort is an option of the backend, not of the job; set it on the backend: TrainingBackend.indexedJob({ masterPort })'],
    ['a pod option given to the TrainJob', { backend: trainJob({ terminationGracePeriod: Duration.seconds(30) } as any) },
      'backend.terminationGracePeriod is an option of the IndexedJob backend; it does not apply to the TrainJob backend'],
    ['podSecurity given to the TrainJob', { backend: trainJob({ podSecurity: PodSecurity.restricted() } as any) },
      'backend.podSecurity is an option of the IndexedJob backend; it does not apply to the TrainJob backend'],
    // env reserved for the rendezvous
    ['RANK on the Indexed Job', { env: { RANK: kplus.EnvValue.fromValue('0') } },
      'env.RANK is set by DistributedTrainingJob for the rendezvous; remove it (use workers, backend masterPort, processesPerWorker)'],
    ['MASTER_ADDR on the Indexed Job', { env: { MASTER_ADDR: kplus.EnvValue.fromValue('x') } },
      'env.MASTER_ADDR is set by DistributedTrainingJob for the rendezvous; remove it (use workers, backend masterPort, processesPerWorker)'],
    ['WORLD_SIZE on the PyTorchJob', { backend: pytorch(), env: { WORLD_SIZE: kplus.EnvValue.fromValue('4') } },
      'env.WORLD_SIZE is injected by the Training Operator; remove it'],
    ['a PET_ variable on the PyTorchJob', { backend: pytorch(), env: { PET_NNODES: kplus.EnvValue.fromValue('4') } },
      "env.PET_NNODES is reserved on the PyTorchJob backend: the operator sets torchrun's PET_* variables"],
    ['a PET_ variable on the TrainJob', { backend: trainJob(), env: { PET_MASTER_ADDR: kplus.EnvValue.fromValue('x') } },
      "env.PET_MASTER_ADDR is reserved on the TrainJob backend: the operator sets torchrun's PET_* variables"],
    // command
    ['command and torchrun', { command: ['python'], torchrun: Torchrun.script('train.py') },
      'command and torchrun are mutually exclusive: torchrun builds the command'],
    ['negative torchrun restarts', { torchrun: Torchrun.script('train.py', { maxRestarts: -1 }) },
      'torchrun.maxRestarts (-1) must be >= 0'],
    // resources
    ['limits differing from requests under the default Guaranteed QoS', { resources: { cpu: { request: kplus.Cpu.units(4), limit: kplus.Cpu.units(8) } } },
      'resources must have limits equal to requests for the Guaranteed QoS class'],
    ['memory limit below request', { guaranteedQos: false, resources: { memory: { request: Size.gibibytes(16), limit: Size.gibibytes(8) } } },
      'resources.memory.limit (8192Mi) must be >= memory.request (16384Mi)'],
    ['memory in a fraction of a MiB', { resources: { memory: { request: Size.kibibytes(1500) } } },
      'resources.memory.request (1.46484375Mi) must be a whole number of MiB'],
    ['ephemeral storage in a fraction of a GiB', { resources: { ephemeralStorage: { request: Size.gibibytes(1), limit: Size.mebibytes(1536) } } },
      'resources.ephemeralStorage.limit (1.5Gi) must be a whole number of GiB'],
    ['shared memory as large as the memory limit', { sharedMemory: Size.gibibytes(8) },
      'sharedMemory (8192Mi) must be smaller than the memory limit (8192Mi): an in-memory volume counts against it'],
    ['shared memory below 1Mi', { sharedMemory: Size.kibibytes(512) }, 'sharedMemory (0.5Mi) must be a whole number of MiB >= 1'],
    // volumes
    ['a bad claim name', { checkpoint: { claimName: 'My Claim' } },
      "checkpoint.claimName ('My Claim') must be a valid RFC 1123 DNS subdomain: lowercase alphanumerics, '-' and '.', at most 253 characters"],
    ['a relative mount path', { dataset: { claimName: 'data', mountPath: 'data' } },
      "dataset.mountPath ('data') must be an absolute path other than '/'"],
    ['a mount on /dev/shm', { dataset: { claimName: 'data', mountPath: '/dev/shm/' } },
      "dataset.mountPath ('/dev/shm/') is already used by the shared memory volume"],
    ['checkpoint and dataset on one path', { checkpoint: { claimName: 'c', mountPath: '/mnt' }, dataset: { claimName: 'd', mountPath: '/mnt' } },
      "dataset.mountPath ('/mnt') is already used by checkpoint"],
    // scheduling and failure handling
    ['a bad priority class', { backend: indexed({ priorityClass: PriorityClassRef.fromName('High_Priority') }) },
      "backend.priorityClass ('High_Priority') must be a valid RFC 1123 DNS subdomain: lowercase alphanumerics, '-' and '.', at most 253 characters"],
    ['a bad queue name', { queueName: 'team a' },
      "queueName ('team a') must be a valid label value: at most 63 characters, alphanumeric at both ends, '-', '_' or '.' inside"],
    ['a bad version', { version: 'exp 7' },
      "version ('exp 7') must be a valid label value: at most 63 characters, alphanumeric at both ends, '-', '_' or '.' inside"],
    ['a bad label', { labels: { team: 'nlp!' } },
      "labels['team'] ('nlp!') must be a valid label value: at most 63 characters, alphanumeric at both ends, '-', '_' or '.' inside"],
    ['negative backoffLimit', { backend: indexed({ backoffLimit: -1 }) }, 'backend.backoffLimit (-1) must be >= 0'],
    ['negative PyTorchJob backoffLimit', { backend: pytorch({ backoffLimit: -1 }) }, 'backend.backoffLimit (-1) must be >= 0'],
    ['zero activeDeadline', { backend: indexed({ activeDeadline: Duration.seconds(0) }) }, 'backend.activeDeadline (0s) must be a whole number of seconds >= 1'],
    ['fractional ttl', { backend: pytorch({ ttlAfterFinished: Duration.millis(1500) }) }, 'backend.ttlAfterFinished (1.5s) must be a whole number of seconds >= 0'],
    ['fractional grace period', { backend: indexed({ terminationGracePeriod: Duration.millis(500) }) }, 'backend.terminationGracePeriod (0.5s) must be a whole number of seconds >= 0'],
    ['exit code 0 as non-retriable', { backend: indexed({ nonRetriableExitCodes: [0] }) },
      'backend.nonRetriableExitCodes[0] (0) must be between 1 and 255'],
    ['exit code above 255', { backend: indexed({ nonRetriableExitCodes: [1, 256] }) },
      'backend.nonRetriableExitCodes[1] (256) must be between 1 and 255'],
    ['a repeated exit code', { backend: indexed({ nonRetriableExitCodes: [2, 2] }) },
      'backend.nonRetriableExitCodes (2, 2) must not repeat a code'],
    ['negative backoffLimitPerIndex', { backend: indexed({ backoffLimitPerIndex: -1 }) },
      'backend.backoffLimitPerIndex (-1) must be >= 0'],
    ['maxFailedIndexes without backoffLimitPerIndex', { backend: indexed({ maxFailedIndexes: 1 }) },
      'backend.maxFailedIndexes requires backend.backoffLimitPerIndex'],
    ['maxFailedIndexes above the workers', { backend: indexed({ backoffLimitPerIndex: 1, maxFailedIndexes: 5 }) },
      'backend.maxFailedIndexes (5) must be between 0 and 4'],
    // PyTorchJob options
    ['elastic max below min', { backend: pytorch({ elasticPolicy: { minReplicas: 4, maxReplicas: 2 } }) },
      'backend.elasticPolicy.maxReplicas (2) must be >= minReplicas (4)'],
    ['elastic min 0', { backend: pytorch({ elasticPolicy: { minReplicas: 0, maxReplicas: 2 } }) },
      'backend.elasticPolicy.minReplicas (0) must be >= 1'],
    ['workers outside the elastic range', { workers: 4, backend: pytorch({ elasticPolicy: { minReplicas: 1, maxReplicas: 2 } }) },
      'workers (4) must be between elasticPolicy.minReplicas (1) and maxReplicas (2)'],
    ['negative elastic restarts', { backend: pytorch({ elasticPolicy: { minReplicas: 1, maxReplicas: 4, maxRestarts: -1 } }) },
      'backend.elasticPolicy.maxRestarts (-1) must be >= 0'],
    ['a bad rendezvous port', { backend: pytorch({ elasticPolicy: { minReplicas: 1, maxReplicas: 4, rdzvPort: 0 } }) },
      'backend.elasticPolicy.rdzvPort (0) must be between 1 and 65535'],
    ['a scheduling queue without gang scheduling', { backend: pytorch({ schedulingQueue: 'q' }) },
      'backend.schedulingQueue requires backend.gangScheduling: true'],
    // TrainJob options
    ['a bad runtime name', { backend: trainJob({ runtimeName: 'Torch' }) },
      "backend.runtimeName ('Torch') must be a valid RFC 1123 DNS subdomain: lowercase alphanumerics, '-' and '.', at most 253 characters"],
    ['a bad trainer job name', { backend: trainJob({ trainerJobName: 'node_1' }) },
      "backend.trainerJobName ('node_1') must be a valid RFC 1123 DNS label: lowercase alphanumerics and '-', starting and ending with an alphanumeric, at most 63 characters"],
  ])('%s', (_desc, props, message) => {
    expect(make(props)).toThrow(P + message);
  });


  test('the longest name that fits is accepted', () => {
    expect(make({ name: 'a'.repeat(61), workers: 10 })).not.toThrow();
    expect(make({ name: 'a'.repeat(60), workers: 100 })).not.toThrow();
  });

  test('preferNodes weight out of range', () => {
    const job = make({})();
    expect(() => job.preferNodes(0, [])).toThrow(`${P}preferNodes weight (0) must be between 1 and 100`);
    expect(() => job.preferNodes(101, [])).toThrow(`${P}preferNodes weight (101) must be between 1 and 100`);
  });
});
