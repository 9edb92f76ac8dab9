import { Chart, Duration, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { externalQueue, launchOf } from './launch';
import {
  CleanPodPolicy, DistributedTrainingJob, DistributedTrainingJobProps, MlLabels, NodeSelectorOperator,
  PodSecurity, PriorityClassRef, PyTorchJobBackendOptions, PyTorchRestartPolicy, RendezvousBackend, TrainingBackend, Torchrun,
} from '../../src';
import { findObject, findObjects, synthAndValidate } from '../util';

function synth(props: Partial<DistributedTrainingJobProps> = {}, options: PyTorchJobBackendOptions = {}) {
  const chart = new Chart(Testing.app(), 'train', { namespace: 'ml' });
  const job = new DistributedTrainingJob(chart, 'bert', { image: 'training-worker:v1', gpus: { count: 1 }, backend: TrainingBackend.pytorchJob(options), ...props });
  const manifests = synthAndValidate(chart);
  const pt = findObject(manifests, 'kubeflow.org/v1/PyTorchJob', 'bert');
  return { chart, job, manifests, pt, specs: pt.spec.pytorchReplicaSpecs };
}

describe('DistributedTrainingJob on the Kubeflow PyTorchJob backend', () => {
  const { job, manifests, pt, specs } = synth();

  test('emits the PyTorchJob, its ServiceAccount and NetworkPolicy; no Job or Service (the operator makes those)', () => {
    expect(manifests.map(m => m.kind).sort()).toEqual(['NetworkPolicy', 'PyTorchJob', 'ServiceAccount']);
    expect(job.apiObject.kind).toBe('PyTorchJob');
    expect(job.job).toBeUndefined();
    expect(job.service).toBeUndefined();
    expect(job.masterAddress).toBeUndefined();
  });

  test('Master (1) + Worker (workers - 1), container named pytorch, the master port announced as pytorchjob-port', () => {
    expect(Object.keys(specs).sort()).toEqual(['Master', 'Worker']);
    expect(specs.Master.replicas).toBe(1);
    expect(specs.Worker.replicas).toBe(3);
    for (const type of ['Master', 'Worker']) {
      const c = specs[type].template.spec.containers[0];
      expect(c.name).toBe('pytorch');
      expect(c.ports).toEqual([{ name: 'pytorchjob-port', containerPort: 29500, protocol: 'TCP' }]);
      expect(specs[type].restartPolicy).toBe('ExitCode');
    }
    expect(pt.spec.nprocPerNode).toBe('1');
  });

  test('does not set what the operator injects: MASTER_ADDR, MASTER_PORT, WORLD_SIZE, RANK, PET_*', () => {
    const c = specs.Worker.template.spec.containers[0];
    const names = (c.env ?? []).map((e: any) => e.name);
    for (const reserved of ['MASTER_ADDR', 'MASTER_PORT', 'WORLD_SIZE', 'RANK']) expect(names).not.toContain(reserved);
    expect(names.filter((n: string) => n.startsWith('PET_'))).toEqual([]);
  });

  test('pod templates are restricted, with GPUs, shm, the ServiceAccount and the job\'s labels', () => {
    const pod = specs.Worker.template;
    expect(pod.metadata.labels).toEqual(job.labels);
    expect(MlLabels.matches(job.selector, pod.metadata.labels)).toBe(true);
    expect(pod.spec.serviceAccountName).toBe('bert');
    expect(pod.spec.automountServiceAccountToken).toBe(false);
    expect(pod.spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    const c = pod.spec.containers[0];
    expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(c.resources).toEqual({
      requests: { 'cpu': '4', 'memory': '8192Mi', 'nvidia.com/gpu': '1' },
      limits: { 'cpu': '4', 'memory': '8192Mi', 'nvidia.com/gpu': '1' },
    });
    expect(pod.spec.volumes).toContainEqual({ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '2048Mi' } });
    expect(pod.spec.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
  });

  test('run policy: cleanPodPolicy Running and backoffLimit 3 by default, nothing else', () => {
    expect(pt.spec.runPolicy).toEqual({ cleanPodPolicy: 'Running', backoffLimit: 3 });
    expect(pt.spec.elasticPolicy).toBeUndefined();
  });

  test('the NetworkPolicy selects the pods by our labels', () => {
    const policy = findObject(manifests, 'NetworkPolicy', 'bert');
    expect(policy.spec.podSelector.matchLabels).toEqual(job.selector);
  });

  test('snapshot', () => {
    expect(manifests).toMatchSnapshot();
  });
});

describe('PyTorchJob options', () => {
  test('run policy from the shared props and the backend options; gang scheduling', () => {
    const { pt } = synth({
      queue: externalQueue('team-a'),
    }, {
      backoffLimit: 1,
      activeDeadline: Duration.hours(2),
      ttlAfterFinished: Duration.hours(1),
      priorityClass: PriorityClassRef.fromName('training-high'),
      cleanPodPolicy: CleanPodPolicy.ALL,
      gangScheduling: true,
      schedulingQueue: 'volcano-q',
      restartPolicy: PyTorchRestartPolicy.ON_FAILURE,
    });
    expect(pt.metadata.labels['kueue.x-k8s.io/queue-name']).toBe('team-a');
    expect(pt.spec.runPolicy).toEqual({
      cleanPodPolicy: 'All',
      backoffLimit: 1,
      activeDeadlineSeconds: 7200,
      ttlSecondsAfterFinished: 3600,
      suspend: true,
      schedulingPolicy: { minAvailable: 4, queue: 'volcano-q', priorityClass: 'training-high' },
    });
    expect(pt.spec.pytorchReplicaSpecs.Master.restartPolicy).toBe('OnFailure');
    expect(pt.spec.pytorchReplicaSpecs.Master.template.spec.priorityClassName).toBe('training-high');
  });

  test('one worker is a Master only', () => {
    const { specs } = synth({ workers: 1 });
    expect(Object.keys(specs)).toEqual(['Master']);
  });

  test('elastic: Workers only, elasticPolicy with c10d, gang minimum = elastic minimum', () => {
    const { pt, specs, manifests } = synth({ workers: 4, peerPorts: [] }, {
      elasticPolicy: { minReplicas: 2, maxReplicas: 8, maxRestarts: 3 }, gangScheduling: true,
    });
    expect(Object.keys(specs)).toEqual(['Worker']);
    expect(specs.Worker.replicas).toBe(4);
    expect(pt.spec.elasticPolicy).toEqual({ minReplicas: 2, maxReplicas: 8, maxRestarts: 3, rdzvBackend: 'c10d', rdzvPort: 29400 });
    expect(pt.spec.runPolicy.schedulingPolicy).toEqual({ minAvailable: 2 });
    // Restricting peer ports keeps both rendezvous ports open.
    expect(findObject(manifests, 'NetworkPolicy').spec.ingress[0].ports).toEqual([
      { port: 29400, protocol: 'TCP' }, { port: 29500, protocol: 'TCP' },
    ]);
  });

  test('elastic with etcd and a custom port', () => {
    const { pt } = synth({ workers: 2 }, { elasticPolicy: { minReplicas: 1, maxReplicas: 2, rdzvBackend: RendezvousBackend.ETCD, rdzvPort: 2379 } });
    expect(pt.spec.elasticPolicy).toEqual({ minReplicas: 1, maxReplicas: 2, rdzvBackend: 'etcd', rdzvPort: 2379 });
  });

  test('torchrun reads the operator\'s PET_* variables; processes per worker become nprocPerNode', () => {
    const { pt, specs } = synth({ gpus: { count: 4 }, torchrun: Torchrun.script('train.py', { args: ['--bf16'], maxRestarts: 2 }) });
    expect(launchOf(specs.Master.template.spec.containers[0].command)).toEqual({ torchrun: ['torchrun', '--max-restarts=2'], script: ['train.py', '--bf16'], wrapped: true });
    expect(pt.spec.nprocPerNode).toBe('4');
  });

  test('env, envFrom, volumes, pod identity and masterPort reach every replica', () => {
    const chart = new Chart(Testing.app(), 'train', { namespace: 'ml' });
    const secret = kplus.Secret.fromSecretName(chart, 'secret', 'hf-token');
    new DistributedTrainingJob(chart, 'bert', {
      image: 'training-worker:v1',
      backend: TrainingBackend.pytorchJob({ podSecurity: PodSecurity.restricted({ runAsUser: 4242 }), masterPort: 23456 }),
      env: { NCCL_DEBUG: kplus.EnvValue.fromValue('INFO'), HF_TOKEN: kplus.EnvValue.fromSecretValue({ secret, key: 'token' }) },
      envFrom: [kplus.Env.fromSecret(secret)],
      checkpoint: { claimName: 'ckpt' },
      dataset: { claimName: 'data', mountPath: '/datasets' },
      args: ['--epochs', '1'],
    });
    const specs = findObject(synthAndValidate(chart), 'PyTorchJob').spec.pytorchReplicaSpecs;
    for (const type of ['Master', 'Worker']) {
      const pod = specs[type].template.spec;
      const c = pod.containers[0];
      expect(c.env).toEqual([
        { name: 'NCCL_DEBUG', value: 'INFO' },
        { name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: 'hf-token', key: 'token' } } },
        // The data contract: a writable home for caches, and where checkpoints are.
        { name: 'HOME', value: '/home/training' },
        { name: 'XDG_CACHE_HOME', value: '/home/training/.cache' },
        { name: 'CHECKPOINT_DIR', value: '/checkpoints' },
      ]);
      expect(c.envFrom).toEqual([{ secretRef: { name: 'hf-token' } }]);
      expect(c.args).toEqual(['--epochs', '1']);
      expect(c.ports[0].containerPort).toBe(23456);
      expect(c.volumeMounts).toEqual(expect.arrayContaining([
        { name: 'checkpoint', mountPath: '/checkpoints' }, { name: 'dataset', mountPath: '/datasets', readOnly: true },
      ]));
      expect(pod.volumes).toEqual(expect.arrayContaining([
        { name: 'checkpoint', persistentVolumeClaim: { claimName: 'ckpt' } },
        { name: 'dataset', persistentVolumeClaim: { claimName: 'data', readOnly: true } },
      ]));
      expect(pod.securityContext.runAsUser).toBe(4242);
    }
  });

  test('ISchedulable: placement added after construction reaches both replica templates, with the GPU product', () => {
    const chart = new Chart(Testing.app(), 'train', { namespace: 'ml' });
    const job = new DistributedTrainingJob(chart, 'bert', {
      image: 'training-worker:v1', backend: TrainingBackend.pytorchJob(), gpus: { count: 1, product: 'NVIDIA-H100-80GB-HBM3' },
    });
    job.tolerate({ key: 'spot', value: 'true' });
    job.requireNodes([{ key: 'karpenter.sh/capacity-type', operator: NodeSelectorOperator.IN, values: ['spot'] }]);
    job.preferNodes(20, [{ key: 'zone', operator: NodeSelectorOperator.EXISTS }]);
    const specs = findObject(synthAndValidate(chart), 'PyTorchJob').spec.pytorchReplicaSpecs;
    for (const type of ['Master', 'Worker']) {
      const pod = specs[type].template.spec;
      expect(pod.tolerations).toEqual([
        { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
        { key: 'spot', operator: 'Equal', value: 'true' },
      ]);
      expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions).toEqual([
        { key: 'nvidia.com/gpu.product', operator: 'In', values: ['NVIDIA-H100-80GB-HBM3'] },
        { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot'] },
      ]);
      expect(pod.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution)
        .toEqual([{ weight: 20, preference: { matchExpressions: [{ key: 'zone', operator: 'Exists' }] } }]);
    }
  });

  test('ephemeral storage reaches requests and limits, as on the Indexed Job', () => {
    const resources = { ephemeralStorage: { request: Size.gibibytes(20), limit: Size.gibibytes(50) } };
    const { specs } = synth({ resources });
    const c = specs.Worker.template.spec.containers[0];
    expect(c.resources.requests['ephemeral-storage']).toBe('20Gi');
    expect(c.resources.limits['ephemeral-storage']).toBe('50Gi');
    const chart = new Chart(Testing.app(), 'train');
    new DistributedTrainingJob(chart, 'bert', { image: 'training-worker:v1', resources });
    const indexedContainer = findObject(synthAndValidate(chart), 'Job').spec.template.spec.containers[0];
    expect(indexedContainer.resources.requests['ephemeral-storage']).toBe('20Gi');
    expect(indexedContainer.resources.limits['ephemeral-storage']).toBe('50Gi');
  });

  test('two PyTorchJobs get distinct objects', () => {
    const chart = new Chart(Testing.app(), 'train', { namespace: 'ml' });
    new DistributedTrainingJob(chart, 'a', { image: 'training-worker:v1', backend: TrainingBackend.pytorchJob() });
    new DistributedTrainingJob(chart, 'b', { image: 'training-worker:v1', backend: TrainingBackend.pytorchJob() });
    expect(findObjects(synthAndValidate(chart), 'PyTorchJob').map(o => o.metadata.name)).toEqual(['a', 'b']);
  });
});
