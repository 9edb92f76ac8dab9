import { Chart, Duration, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { externalQueue } from './launch';
import { DistributedTrainingJob, DistributedTrainingJobProps, NodeSelectorOperator, PodSecurity, PriorityClassRef, QosClass, TrainingBackend, Torchrun } from '../../src';
import { findObject, synthAndValidate } from '../util';

function synth(props: Partial<DistributedTrainingJobProps>, namespace = 'ml') {
  const chart = new Chart(Testing.app(), 'train', { namespace });
  const job = new DistributedTrainingJob(chart, 'job', { image: 'training-worker:v1', ...props });
  const manifests = synthAndValidate(chart);
  const k8sJob = findObject(manifests, 'Job');
  return { chart, job, manifests, k8sJob, pod: k8sJob.spec.template, container: k8sJob.spec.template.spec.containers[0] };
}

function env(container: any, name: string): any {
  const e = container.env.find((v: any) => v.name === name);
  return e?.value ?? e?.valueFrom;
}

describe('DistributedTrainingJob options on the Indexed Job backend', () => {
  test('workers sets completions, parallelism, WORLD_SIZE and NNODES together', () => {
    const { k8sJob, container } = synth({ workers: 16 });
    expect(k8sJob.spec.completions).toBe(16);
    expect(k8sJob.spec.parallelism).toBe(16);
    expect(env(container, 'WORLD_SIZE')).toBe('16');
    expect(env(container, 'NNODES')).toBe('16');
  });

  test('GPUs: count, resource name, product affinity; NPROC_PER_NODE follows the GPU count', () => {
    const { container, pod, job } = synth({ gpus: { count: 8, resourceName: 'amd.com/gpu', product: 'MI300X' } });
    expect(container.resources.requests['amd.com/gpu']).toBe('8');
    expect(container.resources.limits['amd.com/gpu']).toBe('8');
    expect(container.resources.requests['nvidia.com/gpu']).toBeUndefined();
    expect(pod.spec.tolerations).toEqual([{ key: 'amd.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(pod.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions)
      .toEqual([{ key: 'nvidia.com/gpu.product', operator: 'In', values: ['MI300X'] }]);
    expect(env(container, 'NPROC_PER_NODE')).toBe('8');
    expect(env(container, 'LOCAL_WORLD_SIZE')).toBe('8');
    expect(job.processesPerWorker).toBe(8);
  });

  test('CPU training: no GPU resource nor toleration, one process per worker unless told', () => {
    const cpu = synth({ gpus: { count: 0 } });
    expect(Object.keys(cpu.container.resources.requests).sort()).toEqual(['cpu', 'memory']);
    expect(cpu.pod.spec.tolerations).toBeUndefined();
    expect(env(cpu.container, 'NPROC_PER_NODE')).toBe('1');
    expect(env(synth({ gpus: { count: 0 }, processesPerWorker: 6 }).container, 'NPROC_PER_NODE')).toBe('6');
  });

  test('more GPUs are accepted when maxGpusPerNode is raised', () => {
    const { container } = synth({ gpus: { count: 16 }, maxGpusPerNode: 16 });
    expect(container.resources.limits['nvidia.com/gpu']).toBe('16');
  });

  test('resources: given requests become the limits; guaranteedQos false allows larger limits', () => {
    const big = synth({ resources: { cpu: { request: kplus.Cpu.units(16) }, memory: { request: Size.gibibytes(64) } } });
    expect(big.container.resources.limits).toMatchObject({ cpu: '16', memory: '65536Mi' });
    const burst = synth({ guaranteedQos: false, resources: { cpu: { request: kplus.Cpu.units(2), limit: kplus.Cpu.units(8) } } });
    expect(burst.container.resources.requests.cpu).toBe('2');
    expect(burst.container.resources.limits.cpu).toBe('8');
    expect(burst.job.qosClass).toBe(QosClass.BURSTABLE);
  });

  test('shared memory size', () => {
    const { pod } = synth({ sharedMemory: Size.gibibytes(4) });
    expect(pod.spec.volumes).toContainEqual({ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '4096Mi' } });
  });

  test('masterPort reaches MASTER_PORT, the container port and the Service', () => {
    const { container, manifests } = synth({ backend: TrainingBackend.indexedJob({ masterPort: 23456 }) });
    expect(env(container, 'MASTER_PORT')).toBe('23456');
    expect(container.ports).toEqual([{ containerPort: 23456, name: 'rendezvous' }]);
    expect(findObject(manifests, 'Service').spec.ports[0]).toMatchObject({ port: 23456, targetPort: 23456 });
  });

  test('a custom headless Service name becomes the subdomain and part of MASTER_ADDR', () => {
    const { pod, container, manifests, job } = synth({ name: 'llm', backend: TrainingBackend.indexedJob({ serviceName: 'llm-workers' }) });
    const service = findObject(manifests, 'Service');
    expect(service.metadata.name).toBe('llm-workers');
    expect(pod.spec.subdomain).toBe('llm-workers');
    expect(env(container, 'MASTER_ADDR')).toBe('llm-0.llm-workers');
    expect(job.masterAddress).toBe('llm-0.llm-workers');
  });

  test('torchrun: an elastic c10d rendezvous through the headless Service, inside the exit-code contract', () => {
    const { container } = synth({ torchrun: Torchrun.script('train.py', { args: ['--lr', '0.1'] }), args: ['--resume'] });
    const [sh, c, , launcher, ...rest] = container.command;
    expect([sh, c, launcher]).toEqual(['/bin/sh', '-c', 'training-launcher']);
    expect(rest.slice(0, rest.indexOf('--no-python'))).toEqual([
      'torchrun', '--nnodes=4:4', '--nproc-per-node=1', '--rdzv-backend=c10d',
      '--rdzv-endpoint=job-0.job:29500', '--rdzv-id=job', '--max-restarts=3',
    ]);
    expect(rest.slice(rest.indexOf('--no-python') + 1).filter((_: string, i: number) => i !== 2))
      .toEqual(['/bin/sh', '-c', 'training-process', 'train.py', '--lr', '0.1']);
    expect(container.args).toEqual(['--resume']);
    expect(env(container, 'TRAINING_EXIT_CODE_FILE')).toBe('/tmp/training-exit-code');
  });

  test('torchrun elastic: false renders the static rendezvous; every $(VAR) it references is defined', () => {
    const { container } = synth({ torchrun: Torchrun.script('train.py', { elastic: false, propagateExitCodes: false }) });
    expect(container.command).toEqual([
      'torchrun', '--nnodes=4', '--nproc-per-node=1', '--node-rank=$(PET_NODE_RANK)',
      '--master-addr=job-0.job', '--master-port=29500', 'train.py',
    ]);
    // The kubelet leaves an undefined $(VAR) as is.
    const referenced = container.command.join(' ').match(/\$\(([A-Z_]+)\)/g)!.map((r: string) => r.slice(2, -1));
    const defined = container.env.map((e: any) => e.name);
    for (const name of referenced) expect(defined).toContain(name);
  });

  test('a plain command and args, user env and envFrom', () => {
    const chart = new Chart(Testing.app(), 'train');
    const cm = kplus.ConfigMap.fromConfigMapName(chart, 'cm', 'training-config');
    const secret = kplus.Secret.fromSecretName(chart, 'secret', 'wandb');
    const job = new DistributedTrainingJob(chart, 'job', {
      image: 'training-worker:v1',
      command: ['python', 'train.py'],
      env: { NCCL_DEBUG: kplus.EnvValue.fromValue('INFO') },
      envFrom: [kplus.Env.fromConfigMap(cm), kplus.Env.fromSecret(secret)],
    });
    const container = findObject(synthAndValidate(chart), 'Job').spec.template.spec.containers[0];
    expect(container.command).toEqual(['python', 'train.py']);
    expect(env(container, 'NCCL_DEBUG')).toBe('INFO');
    expect(container.envFrom).toEqual([{ configMapRef: { name: 'training-config' } }, { secretRef: { name: 'wandb' } }]);
    expect(job.container?.image).toBe('training-worker:v1');
  });

  test('checkpoint (read-write) and dataset (read-only) volumes', () => {
    const { pod, container } = synth({ checkpoint: { claimName: 'ckpt', mountPath: '/ckpt' }, dataset: { claimName: 'imagenet' } });
    expect(pod.spec.volumes).toEqual(expect.arrayContaining([
      { name: 'checkpoint', persistentVolumeClaim: { claimName: 'ckpt' } },
      { name: 'dataset', persistentVolumeClaim: { claimName: 'imagenet', readOnly: true } },
    ]));
    expect(container.volumeMounts).toEqual(expect.arrayContaining([
      { name: 'checkpoint', mountPath: '/ckpt' },
      { name: 'dataset', mountPath: '/data', readOnly: true },
    ]));
  });

  test('Kueue: the queue label, created suspended; suspend can be forced either way', () => {
    const queued = synth({ queue: externalQueue('team-a') });
    expect(queued.k8sJob.metadata.labels['kueue.x-k8s.io/queue-name']).toBe('team-a');
    expect(queued.pod.metadata.labels['kueue.x-k8s.io/queue-name']).toBeUndefined();
    expect(queued.k8sJob.spec.suspend).toBe(true);
    expect(synth({ queue: externalQueue('team-a'), suspend: false }).k8sJob.spec.suspend).toBeUndefined();
    expect(synth({ suspend: true }).k8sJob.spec.suspend).toBe(true);
  });

  test('priorityClassName, deadlines, ttl, backoffLimit and grace period', () => {
    const { k8sJob, pod } = synth({
      backend: TrainingBackend.indexedJob({
        priorityClass: PriorityClassRef.fromName('training-high'),
        activeDeadline: Duration.hours(12),
        ttlAfterFinished: Duration.days(1),
        backoffLimit: 0,
        terminationGracePeriod: Duration.minutes(2),
      }),
    });
    expect(pod.spec.priorityClassName).toBe('training-high');
    expect(k8sJob.spec.activeDeadlineSeconds).toBe(43200);
    expect(k8sJob.spec.ttlSecondsAfterFinished).toBe(86400);
    expect(k8sJob.spec.backoffLimit).toBe(0);
    expect(pod.spec.terminationGracePeriodSeconds).toBe(120);
  });

  test('podFailurePolicy: non-retriable exit codes fail the job (sorted); disruptions can count', () => {
    const { k8sJob } = synth({ backend: TrainingBackend.indexedJob({ nonRetriableExitCodes: [42, 2], ignoreDisruptions: false }) });
    expect(k8sJob.spec.podFailurePolicy).toEqual({
      rules: [{ action: 'FailJob', onExitCodes: { containerName: 'training-worker', operator: 'In', values: [2, 42] } }],
    });
    const none = synth({ backend: TrainingBackend.indexedJob({ ignoreDisruptions: false }) });
    expect(none.k8sJob.spec.podFailurePolicy).toBeUndefined();
  });

  test('backoffLimitPerIndex and maxFailedIndexes (Kubernetes 1.29+) survive the 1.27 converter; the Job-wide limit is dropped unless set', () => {
    const perIndex = synth({ backend: TrainingBackend.indexedJob({ backoffLimitPerIndex: 2, maxFailedIndexes: 1 }) });
    expect(perIndex.k8sJob.spec.backoffLimitPerIndex).toBe(2);
    expect(perIndex.k8sJob.spec.maxFailedIndexes).toBe(1);
    expect(perIndex.k8sJob.spec.backoffLimit).toBeUndefined();
    // The rest of the spec is intact.
    expect(perIndex.k8sJob.spec.completionMode).toBe('Indexed');
    const both = synth({ backend: TrainingBackend.indexedJob({ backoffLimit: 10, backoffLimitPerIndex: 2 }) });
    expect(both.k8sJob.spec.backoffLimit).toBe(10);
    expect(both.k8sJob.spec.maxFailedIndexes).toBeUndefined();
  });

  test('peerPorts narrows the NetworkPolicy to the rendezvous port plus those ports', () => {
    const { manifests } = synth({ peerPorts: [29501, 29500] });
    const rule = findObject(manifests, 'NetworkPolicy').spec.ingress[0];
    expect(rule.ports).toEqual([{ port: 29500, protocol: 'TCP' }, { port: 29501, protocol: 'TCP' }]);
  });

  test('an empty peerPorts admits the rendezvous port only', () => {
    const { manifests } = synth({ peerPorts: [] });
    const policy = findObject(manifests, 'NetworkPolicy');
    expect(policy.spec.ingress).toHaveLength(1);
    expect(policy.spec.ingress[0].ports).toEqual([{ port: 29500, protocol: 'TCP' }]);
  });

  test('pod identity, token automount, labels, version and partOf', () => {
    const { pod, k8sJob } = synth({
      backend: TrainingBackend.indexedJob({
        podSecurity: PodSecurity.restricted({ runAsUser: 2000, runAsGroup: 2000, fsGroup: 3000 }),
        automountServiceAccountToken: true,
      }),
      labels: { team: 'nlp' },
      version: 'exp-7',
      partOf: 'llm-platform',
    });
    expect(pod.spec.securityContext).toMatchObject({ runAsUser: 2000, runAsGroup: 2000, fsGroup: 3000 });
    expect(pod.spec.automountServiceAccountToken).toBe(true);
    expect(k8sJob.metadata.labels).toMatchObject({ 'team': 'nlp', 'app.kubernetes.io/version': 'exp-7', 'app.kubernetes.io/part-of': 'llm-platform' });
  });

  test('a mutable tag is accepted when allowed, and then always pulled', () => {
    const { container } = synth({ image: 'training-worker:latest', allowMutableImageTag: true });
    expect(container.imagePullPolicy).toBe('Always');
  });

  test('ISchedulable: tolerations and node affinity reach the Job\'s pods', () => {
    const chart = new Chart(Testing.app(), 'train');
    const job = new DistributedTrainingJob(chart, 'job', { image: 'training-worker:v1', gpus: { count: 0 } });
    job.tolerate({ key: 'karpenter.sh/capacity-type', value: 'spot', effect: kplus.TaintEffect.NO_SCHEDULE });
    job.requireNodes([{ key: 'karpenter.sh/capacity-type', operator: NodeSelectorOperator.IN, values: ['spot'] }]);
    job.preferNodes(50, [{ key: 'topology.kubernetes.io/zone', operator: NodeSelectorOperator.IN, values: ['a'] }]);
    const pod = findObject(synthAndValidate(chart), 'Job').spec.template.spec;
    expect(pod.tolerations).toEqual([{ key: 'karpenter.sh/capacity-type', operator: 'Equal', value: 'spot', effect: 'NoSchedule' }]);
    expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions)
      .toEqual([{ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot'] }]);
    expect(pod.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution)
      .toEqual([{ weight: 50, preference: { matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['a'] }] } }]);
  });

  test('ISchedulable: every required node requirement is ANDed into one term with the GPU model', () => {
    // Kubernetes ORs node selector terms: the GPU model and a spot pool's requirement
    // in two terms would admit any spot node, and any node of that model.
    const chart = new Chart(Testing.app(), 'train');
    const job = new DistributedTrainingJob(chart, 'job', { image: 'training-worker:v1', gpus: { count: 1, product: 'NVIDIA-A100-SXM4-40GB' } });
    job.requireNodes([{ key: 'karpenter.sh/capacity-type', operator: NodeSelectorOperator.IN, values: ['spot'] }]);
    job.requireNodes([]);
    job.requireNodes([
      { key: 'topology.kubernetes.io/zone', operator: NodeSelectorOperator.NOT_IN, values: ['a'] },
      { key: 'example.com/reserved', operator: NodeSelectorOperator.DOES_NOT_EXIST },
    ]);
    const pod = findObject(synthAndValidate(chart), 'Job').spec.template.spec;
    expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toEqual([{
      matchExpressions: [
        { key: 'nvidia.com/gpu.product', operator: 'In', values: ['NVIDIA-A100-SXM4-40GB'] },
        { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot'] },
        { key: 'topology.kubernetes.io/zone', operator: 'NotIn', values: ['a'] },
        { key: 'example.com/reserved', operator: 'DoesNotExist' },
      ],
    }]);
    expect(pod.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
  });

  test('ISchedulable: without a GPU model, the first requirement makes the term and later ones join it', () => {
    const chart = new Chart(Testing.app(), 'train');
    const job = new DistributedTrainingJob(chart, 'job', { image: 'training-worker:v1', gpus: { count: 0 } });
    job.requireNodes([{ key: 'pool', operator: NodeSelectorOperator.IN, values: ['train'] }]);
    job.requireNodes([{ key: 'arch', operator: NodeSelectorOperator.IN, values: ['amd64'] }]);
    const pod = findObject(synthAndValidate(chart), 'Job').spec.template.spec;
    expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toEqual([{
      matchExpressions: [{ key: 'pool', operator: 'In', values: ['train'] }, { key: 'arch', operator: 'In', values: ['amd64'] }],
    }]);
  });

  test('the children stay composable cdk8s-plus objects', () => {
    const chart = new Chart(Testing.app(), 'train');
    const job = new DistributedTrainingJob(chart, 'job', { image: 'training-worker:v1' });
    job.job!.podMetadata.addAnnotation('team', 'nlp');
    const k8sJob = findObject(synthAndValidate(chart), 'Job');
    expect(k8sJob.spec.template.metadata.annotations).toEqual({ team: 'nlp' });
  });

  test('a chart without namespace works the same (MASTER_ADDR is namespace-relative)', () => {
    const { container } = synth({}, undefined as unknown as string);
    expect(env(container, 'MASTER_ADDR')).toBe('job-0.job');
  });
});
