import { Chart, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { externalQueue, launchOf } from './launch';
import {
  DistributedTrainingJob, DistributedTrainingJobProps, NodeSelectorOperator, TrainingBackend,
  TrainingRuntimeKind, TrainJobBackendOptions, Torchrun,
} from '../../src';
import { findObject, synthAndValidate } from '../util';

function make(props: Partial<DistributedTrainingJobProps> = {}, options: TrainJobBackendOptions = {}) {
  const chart = new Chart(Testing.app(), 'train', { namespace: 'ml' });
  const job = new DistributedTrainingJob(chart, 'llama', { image: 'training-worker:v1', gpus: { count: 1 }, backend: TrainingBackend.trainJob(options), ...props });
  return { chart, job };
}

function synth(props: Partial<DistributedTrainingJobProps> = {}, options: TrainJobBackendOptions = {}) {
  const { chart, job } = make(props, options);
  const manifests = synthAndValidate(chart);
  const tj = findObject(manifests, 'trainer.kubeflow.org/v1alpha1/TrainJob', 'llama');
  return { job, manifests, tj, override: tj.spec.podSpecOverrides[0] };
}

describe('DistributedTrainingJob on the Kubeflow TrainJob (Trainer v2) backend', () => {
  const { job, manifests, tj, override } = synth({ torchrun: Torchrun.script('train.py', { args: ['--epochs', '3'] }) });

  test('emits the TrainJob, its ServiceAccount and NetworkPolicy', () => {
    expect(manifests.map(m => m.kind).sort()).toEqual(['NetworkPolicy', 'ServiceAccount', 'TrainJob']);
    expect(job.apiObject.kind).toBe('TrainJob');
    expect(job.job).toBeUndefined();
  });

  test('references the torch-distributed ClusterTrainingRuntime', () => {
    expect(tj.spec.runtimeRef).toEqual({ apiGroup: 'trainer.kubeflow.org', kind: 'ClusterTrainingRuntime', name: 'torch-distributed' });
  });

  test('trainer: image, torchrun command (PET_* from the runtime), nodes, processes, resources per node', () => {
    expect(launchOf(tj.spec.trainer.command)).toEqual({ torchrun: ['torchrun'], script: ['train.py', '--epochs', '3'], wrapped: true });
    expect(tj.spec.trainer).toEqual({
      image: 'training-worker:v1',
      command: tj.spec.trainer.command,
      env: [{ name: 'HOME', value: '/home/training' }, { name: 'XDG_CACHE_HOME', value: '/home/training/.cache' }, { name: 'TRAINING_EXIT_CODE_FILE', value: '/tmp/training-exit-code' }],
      numNodes: 4,
      numProcPerNode: 1,
      resourcesPerNode: {
        requests: { 'cpu': '4', 'memory': '8192Mi', 'nvidia.com/gpu': '1' },
        limits: { 'cpu': '4', 'memory': '8192Mi', 'nvidia.com/gpu': '1' },
      },
    });
  });

  test('pod overrides on the trainer job: ServiceAccount, GPU toleration, shm and /tmp', () => {
    expect(override.targetJobs).toEqual([{ name: 'node' }]);
    expect(override.serviceAccountName).toBe('llama');
    expect(override.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(override.nodeSelector).toBeUndefined();
    expect(override.volumes).toEqual([
      { name: 'tmp', emptyDir: {} },
      { name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '2048Mi' } },
      { name: 'home', emptyDir: { sizeLimit: '20480Mi' } },
    ]);
    expect(override.containers).toEqual([{
      name: 'node',
      volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }, { name: 'dshm', mountPath: '/dev/shm' }, { name: 'home', mountPath: '/home/training' }],
    }]);
  });

  test('labels for the JobSet; the NetworkPolicy selects the JobSet\'s pods', () => {
    expect(tj.spec.labels).toEqual(job.labels);
    expect(job.selector).toEqual({ 'jobset.sigs.k8s.io/jobset-name': 'llama' });
    const policy = findObject(manifests, 'NetworkPolicy', 'llama');
    expect(policy.spec.podSelector.matchLabels).toEqual(job.selector);
    expect(policy.spec.ingress[0].from).toEqual([{ podSelector: { matchLabels: job.selector } }]);
  });

  test('no PET_* variables (the runtime sets them): only the home directory and the exit-code contract\'s file', () => {
    expect(tj.spec.trainer.env).toEqual([{ name: 'HOME', value: '/home/training' }, { name: 'XDG_CACHE_HOME', value: '/home/training/.cache' }, { name: 'TRAINING_EXIT_CODE_FILE', value: '/tmp/training-exit-code' }]);
  });

  test('snapshot', () => {
    expect(manifests).toMatchSnapshot();
  });
});

describe('TrainJob options', () => {
  test('runtime, trainer job name, GPUs and processes, Kueue, env, volumes', () => {
    const chart = new Chart(Testing.app(), 'train', { namespace: 'ml' });
    const cm = kplus.ConfigMap.fromConfigMapName(chart, 'cm', 'cfg');
    new DistributedTrainingJob(chart, 'llama', {
      image: 'training-worker:v1',
      backend: TrainingBackend.trainJob({ runtimeName: 'my-torch', runtimeKind: TrainingRuntimeKind.TRAINING_RUNTIME, trainerJobName: 'trainer' }),
      workers: 2,
      gpus: { count: 8, product: 'NVIDIA-H100-80GB-HBM3' },
      processesPerWorker: 8,
      queue: externalQueue('team-a'),
      command: ['python', 'train.py'],
      args: ['--fsdp'],
      env: { NCCL_DEBUG: kplus.EnvValue.fromValue('WARN') },
      envFrom: [kplus.Env.fromConfigMap(cm, 'CFG_')],
      checkpoint: { claimName: 'ckpt' },
      resources: { ephemeralStorage: { request: Size.gibibytes(100), limit: Size.gibibytes(100) } },
    });
    const tj = findObject(synthAndValidate(chart), 'TrainJob');
    expect(tj.metadata.labels['kueue.x-k8s.io/queue-name']).toBe('team-a');
    expect(tj.spec.suspend).toBe(true);
    expect(tj.spec.runtimeRef).toEqual({ apiGroup: 'trainer.kubeflow.org', kind: 'TrainingRuntime', name: 'my-torch' });
    expect(tj.spec.trainer).toMatchObject({
      command: ['python', 'train.py'],
      args: ['--fsdp'],
      numNodes: 2,
      numProcPerNode: 8,
      env: [{ name: 'NCCL_DEBUG', value: 'WARN' }, { name: 'HOME', value: '/home/training' }, { name: 'XDG_CACHE_HOME', value: '/home/training/.cache' }, { name: 'CHECKPOINT_DIR', value: '/checkpoints' }],
    });
    expect(tj.spec.trainer.resourcesPerNode.limits['nvidia.com/gpu']).toBe('8');
    expect(tj.spec.trainer.resourcesPerNode.requests['ephemeral-storage']).toBe('100Gi');
    expect(tj.spec.trainer.resourcesPerNode.limits['ephemeral-storage']).toBe('100Gi');
    const o = tj.spec.podSpecOverrides[0];
    expect(o.targetJobs).toEqual([{ name: 'trainer' }]);
    expect(o.nodeSelector).toEqual({ 'nvidia.com/gpu.product': 'NVIDIA-H100-80GB-HBM3' });
    expect(o.containers[0].name).toBe('trainer');
    expect(o.containers[0].envFrom).toEqual([{ configMapRef: { name: 'cfg' }, prefix: 'CFG_' }]);
    expect(o.volumes).toContainEqual({ name: 'checkpoint', persistentVolumeClaim: { claimName: 'ckpt' } });
    expect(o.containers[0].volumeMounts).toContainEqual({ name: 'checkpoint', mountPath: '/checkpoints' });
  });

  test('ISchedulable: tolerations and exact node requirements become tolerations and nodeSelector', () => {
    const { chart, job } = make({ gpus: { count: 0 } });
    job.tolerate({ key: 'karpenter.sh/capacity-type', value: 'spot', effect: kplus.TaintEffect.NO_SCHEDULE });
    job.requireNodes([{ key: 'karpenter.sh/capacity-type', operator: NodeSelectorOperator.IN, values: ['spot'] }]);
    job.requireNodes([{ key: 'karpenter.sh/capacity-type', operator: NodeSelectorOperator.IN, values: ['spot'] }]);
    const o = findObject(synthAndValidate(chart), 'TrainJob').spec.podSpecOverrides[0];
    expect(o.tolerations).toEqual([{ key: 'karpenter.sh/capacity-type', operator: 'Equal', value: 'spot', effect: 'NoSchedule' }]);
    expect(o.nodeSelector).toEqual({ 'karpenter.sh/capacity-type': 'spot' });
  });

  test('ISchedulable: what a nodeSelector cannot express is refused, not dropped', () => {
    const { job } = make();
    expect(() => job.requireNodes([{ key: 'zone', operator: NodeSelectorOperator.IN, values: ['a', 'b'] }])).toThrow(
      "DistributedTrainingJob 'train/llama': requireNodes (zone In a,b) cannot be expressed on the TrainJob backend: its podSpecOverrides have a nodeSelector only, so each requirement must be 'In' with exactly one value");
    expect(() => job.requireNodes([{ key: 'gpu', operator: NodeSelectorOperator.EXISTS }])).toThrow(
      "DistributedTrainingJob 'train/llama': requireNodes (gpu Exists ) cannot be expressed on the TrainJob backend: its podSpecOverrides have a nodeSelector only, so each requirement must be 'In' with exactly one value");
    expect(() => job.preferNodes(10, [{ key: 'zone', operator: NodeSelectorOperator.IN, values: ['a'] }])).toThrow(
      "DistributedTrainingJob 'train/llama': preferNodes (zone) cannot be expressed on the TrainJob backend: its podSpecOverrides have no affinity; set it in the TrainingRuntime");
    job.requireNodes([{ key: 'pool', operator: NodeSelectorOperator.IN, values: ['a'] }]);
    expect(() => job.requireNodes([{ key: 'pool', operator: NodeSelectorOperator.IN, values: ['b'] }])).toThrow(
      "DistributedTrainingJob 'train/llama': requireNodes (pool In b) conflicts with the required pool=a");
  });
});
