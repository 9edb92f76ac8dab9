import { ApiObject, Chart, Size, Testing } from 'cdk8s';
import { DistributedTrainingJob, DistributedTrainingJobProps, MlLabels, QosClass, TrainingBackend } from '../../src';
import { findObject, findObjects, synthAndValidate } from '../util';

const COMPLETION_INDEX = "metadata.annotations['batch.kubernetes.io/job-completion-index']";

function guideJob() {
  const chart = new Chart(Testing.app(), 'train', { namespace: 'ml' });
  const job = new DistributedTrainingJob(chart, 'distributed-training', { image: 'training-worker:v1', gpus: { count: 1 } });
  const manifests = synthAndValidate(chart);
  return { job, manifests };
}

function envOf(container: any): { [name: string]: any } {
  return Object.fromEntries(container.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
}

describe('DistributedTrainingJob defaults: the guide\'s distributed-training job, on an Indexed Job', () => {
  const { job, manifests } = guideJob();
  const k8sJob = findObject(manifests, 'Job', 'distributed-training');
  const pod = k8sJob.spec.template;
  const container = pod.spec.containers[0];
  const service = findObject(manifests, 'Service', 'distributed-training');

  test('emits exactly a ServiceAccount, the Job, the headless Service and a NetworkPolicy', () => {
    expect(manifests.map(m => m.kind).sort()).toEqual(['Job', 'NetworkPolicy', 'Service', 'ServiceAccount']);
    expect(job.apiObject.kind).toBe('Job');
  });

  test('is an Indexed Job of 4 workers: completions = parallelism = 4, restartPolicy Never', () => {
    expect(k8sJob.spec.completionMode).toBe('Indexed');
    expect(k8sJob.spec.completions).toBe(4);
    expect(k8sJob.spec.parallelism).toBe(4);
    expect(pod.spec.restartPolicy).toBe('Never');
    expect(job.workers).toBe(4);
    expect(k8sJob.spec.suspend).toBeUndefined();
  });

  test('the headless Service publishes not-ready workers and selects exactly the job\'s pods', () => {
    expect(service.spec.clusterIP).toBe('None');
    expect(service.spec.publishNotReadyAddresses).toBe(true);
    expect(service.spec.selector).toEqual(MlLabels.selector({ name: 'distributed-training', component: 'training-worker' }));
    expect(MlLabels.matches(service.spec.selector, pod.metadata.labels)).toBe(true);
    expect(service.spec.ports).toEqual([{ name: 'rendezvous', port: 29500, targetPort: 29500 }]);
  });

  test('the pods\' subdomain is the Service, so MASTER_ADDR is index 0\'s hostname under it', () => {
    expect(pod.spec.subdomain).toBe(service.metadata.name);
    // The Job controller names the pod of index i `<job>-<i>` and sets that hostname.
    const hostnameOfIndex0 = `${k8sJob.metadata.name}-0`;
    expect(envOf(container).MASTER_ADDR).toBe(`${hostnameOfIndex0}.${pod.spec.subdomain}`);
    expect(job.masterAddress).toBe('distributed-training-0.distributed-training');
  });

  test('env: WORLD_SIZE equals completions, RANK is the completion index (as in the guide), torchrun variables', () => {
    const env = envOf(container);
    expect(env.WORLD_SIZE).toBe(String(k8sJob.spec.completions));
    expect(env.RANK).toEqual({ fieldRef: { fieldPath: COMPLETION_INDEX } });
    expect(env.MASTER_PORT).toBe('29500');
    expect(env.NNODES).toBe('4');
    expect(env.NPROC_PER_NODE).toBe('1');
    expect(env.LOCAL_WORLD_SIZE).toBe('1');
    expect(container.ports).toEqual([{ containerPort: 29500, name: 'rendezvous' }]);
  });

  test('resources: the guide\'s 1 GPU, cpu 4 and memory 8Gi, with equal limits (Guaranteed)', () => {
    expect(container.name).toBe('training-worker');
    expect(container.image).toBe('training-worker:v1');
    expect(container.resources.requests).toEqual({ 'cpu': '4', 'memory': '8192Mi', 'nvidia.com/gpu': '1' });
    expect(container.resources.limits).toEqual(container.resources.requests);
    expect(job.qosClass).toBe(QosClass.GUARANTEED);
    expect(job.gpusPerWorker).toBe(1);
    expect(pod.spec.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(pod.spec.affinity).toBeUndefined();
  });

  test('an in-memory /dev/shm with a size limit, and a writable /tmp', () => {
    expect(pod.spec.volumes).toEqual(expect.arrayContaining([
      { name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '2048Mi' } },
      { name: 'tmp', emptyDir: {} },
    ]));
    expect(container.volumeMounts).toEqual(expect.arrayContaining([
      { name: 'dshm', mountPath: '/dev/shm' },
      { name: 'tmp', mountPath: '/tmp' },
    ]));
  });

  test('failure handling: backoffLimit 3, disruptions ignored, no per-index limits', () => {
    expect(k8sJob.spec.backoffLimit).toBe(3);
    expect(k8sJob.spec.podFailurePolicy).toEqual({
      rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }],
    });
    expect(k8sJob.spec.backoffLimitPerIndex).toBeUndefined();
    expect(k8sJob.spec.maxFailedIndexes).toBeUndefined();
    expect(k8sJob.spec.ttlSecondsAfterFinished).toBeUndefined();
    expect(k8sJob.spec.activeDeadlineSeconds).toBeUndefined();
    expect(pod.spec.terminationGracePeriodSeconds).toBe(60);
  });

  test('security: restricted contexts, a dedicated ServiceAccount without token', () => {
    const sa = findObject(manifests, 'ServiceAccount', 'distributed-training');
    expect(sa.automountServiceAccountToken).toBe(false);
    expect(pod.spec.serviceAccountName).toBe('distributed-training');
    expect(pod.spec.automountServiceAccountToken).toBe(false);
    expect(pod.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] },
    });
  });

  test('the NetworkPolicy admits only the job\'s own pods', () => {
    const policy = findObject(manifests, 'NetworkPolicy', 'distributed-training');
    expect(policy.spec.podSelector.matchLabels).toEqual(job.selector);
    expect(policy.spec.policyTypes).toEqual(['Ingress']);
    expect(policy.spec.ingress).toHaveLength(1);
    expect(policy.spec.ingress[0].from).toEqual([{ podSelector: { matchLabels: job.selector } }]);
    expect(policy.spec.ingress[0].ports ?? []).toEqual([]);
  });

  test('recommended labels with the training-worker component and the image tag as version', () => {
    expect(pod.metadata.labels).toMatchObject({
      'app.kubernetes.io/name': 'distributed-training',
      'app.kubernetes.io/component': 'training-worker',
      'app.kubernetes.io/version': 'v1',
      'app.kubernetes.io/managed-by': 'cdk8s-ml',
    });
    expect(findObjects(manifests, 'Job')[0].metadata.labels).toEqual(job.labels);
  });

  test('the children are exposed', () => {
    expect(job.job).toBeDefined();
    expect(job.container?.name).toBe('training-worker');
    expect(job.service?.name).toBe('distributed-training');
    expect(job.apiObject).toBe(ApiObject.of(job.job!));
  });

  test('snapshot', () => {
    expect(manifests).toMatchSnapshot();
  });
});

describe('the Service of one job does not select the pods of another', () => {
  test('two jobs in one namespace', () => {
    const chart = new Chart(Testing.app(), 'train', { namespace: 'ml' });
    new DistributedTrainingJob(chart, 'a', { image: 'training-worker:v1' });
    new DistributedTrainingJob(chart, 'b', { image: 'training-worker:v1' });
    const manifests = synthAndValidate(chart);
    const podLabels = (name: string) => findObject(manifests, 'Job', name).spec.template.metadata.labels;
    const selector = (name: string) => findObject(manifests, 'Service', name).spec.selector;
    expect(MlLabels.matches(selector('a'), podLabels('a'))).toBe(true);
    expect(MlLabels.matches(selector('a'), podLabels('b'))).toBe(false);
    expect(MlLabels.matches(selector('b'), podLabels('a'))).toBe(false);
  });
});

describe('DistributedTrainingJob defaults that never change meaning silently', () => {
  const synth = (props: Partial<DistributedTrainingJobProps>) => {
    const chart = new Chart(Testing.app(), 'train', { namespace: 'ml' });
    new DistributedTrainingJob(chart, 'job', { image: 'training-worker:v1', ...props } as DistributedTrainingJobProps);
    return synthAndValidate(chart);
  };

  test('no GPUs unless asked: no extended resource, no GPU toleration', () => {
    const spec = findObject(synth({}), 'Job').spec.template.spec;
    expect(Object.keys(spec.containers[0].resources.limits).sort()).toEqual(['cpu', 'memory']);
    expect((spec.tolerations ?? []).filter((t: any) => t.key === 'nvidia.com/gpu')).toEqual([]);
  });

  test('shared memory is a quarter of the memory limit (2Gi at the default 8Gi), so a small job does not overflow', () => {
    const shm = (manifests: any[]) => findObject(manifests, 'Job').spec.template.spec.volumes.find((v: any) => v.name === 'dshm').emptyDir.sizeLimit;
    expect(shm(synth({}))).toBe('2048Mi');
    expect(shm(synth({ resources: { memory: { request: Size.gibibytes(1) } } }))).toBe('256Mi');
    expect(shm(synth({ resources: { memory: { request: Size.gibibytes(256) } } }))).toBe('16384Mi');
  });

  test("a TrainJob without an image runs its TrainingRuntime's", () => {
    const chart = new Chart(Testing.app(), 'train', { namespace: 'ml' });
    new DistributedTrainingJob(chart, 'job', { backend: TrainingBackend.trainJob() });
    const tj = findObject(synthAndValidate(chart), 'TrainJob');
    expect(tj.spec.trainer.image).toBeUndefined();
    expect(tj.metadata.labels['app.kubernetes.io/version']).toBeUndefined();
    expect(() => new DistributedTrainingJob(new Chart(Testing.app(), 'c'), 'job', {} as DistributedTrainingJobProps))
      .toThrow("DistributedTrainingJob 'c/job': image is required");
  });
});
