import { Chart, Duration, Testing } from 'cdk8s';
import { RayEntrypoint, RayJob, RayJobProps, RaySubmissionMode } from '../../src';
import { findObject, synthAndValidate } from '../util';

const IMAGE = 'rayproject/ray:2.52.0-py311';
const CLUSTER = { image: IMAGE, workerGroups: [{ groupName: 'gpu', minReplicas: 2, gpus: { count: 1 } }] };

function synth(props: Partial<RayJobProps> = {}) {
  const chart = new Chart(Testing.app(), 'ray', { namespace: 'ml' });
  const job = new RayJob(chart, 'tune', { entrypoint: RayEntrypoint.command('python train.py'), cluster: CLUSTER, ...props });
  const manifests = synthAndValidate(chart);
  return { job, manifests, rj: findObject(manifests, 'ray.io/v1/RayJob', 'tune') };
}

describe('RayJob defaults', () => {
  const { manifests, rj } = synth();

  test('cleanup on by default: the cluster is deleted 60s after the job finishes', () => {
    expect(rj.spec).toMatchObject({ entrypoint: 'python train.py', submissionMode: 'K8sJobMode', shutdownAfterJobFinishes: true, ttlSecondsAfterFinished: 60 });
    expect(rj.spec.suspend).toBeUndefined();
  });

  test('the embedded cluster is the core model\'s (restricted, GPUs, num-cpus 0) and the submitter pod is ours', () => {
    expect(rj.spec.rayClusterSpec.headGroupSpec.rayStartParams['num-cpus']).toBe('0');
    expect(rj.spec.rayClusterSpec.workerGroupSpecs[0].template.spec.containers[0].resources.limits['nvidia.com/gpu']).toBe('1');
    const sub = rj.spec.submitterPodTemplate.spec;
    expect(sub.restartPolicy).toBe('Never');
    expect(sub.containers[0]).toMatchObject({ name: 'ray-job-submitter', image: IMAGE });
    expect(sub.containers[0].command).toBeUndefined(); // KubeRay writes `ray job submit`
    expect(sub.containers[0].resources).toEqual({ requests: { cpu: '500m', memory: '256Mi' }, limits: { cpu: '1', memory: '1024Mi' } });
    expect(sub.automountServiceAccountToken).toBe(false);
  });

  test('NetworkPolicy admits the operator and the submitter pod to the dashboard only', () => {
    const np = findObject(manifests, 'NetworkPolicy');
    const dashboard = [{ port: 8265, protocol: 'TCP' }];
    expect(np.spec.ingress).toContainEqual({
      from: [{ namespaceSelector: {}, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'kuberay-operator' } } }], ports: dashboard,
    });
    expect(np.spec.ingress).toContainEqual({
      from: [{ podSelector: { matchLabels: { 'ray.io/originated-from-cr-name': 'tune', 'ray.io/originated-from-crd': 'RayJob' } } }], ports: dashboard,
    });
  });
});

describe('RayJob options', () => {
  test('Kueue: queue label, created suspended', () => {
    const { rj } = synth({ queueName: 'team-a' });
    expect(rj.metadata.labels['kueue.x-k8s.io/queue-name']).toBe('team-a');
    expect(rj.spec.suspend).toBe(true);
  });

  test('runtime env, HTTP mode (no submitter), deadlines, entrypoint resources', () => {
    const { rj } = synth({
      submissionMode: RaySubmissionMode.HTTP,
      runtimeEnv: { workingDir: 's3://code/job.zip', pip: ['torch==2.5.1'], envVars: { EPOCHS: '3' } },
      activeDeadline: Duration.hours(2),
      backoffLimit: 1,
      entrypointNumCpus: 1,
      ttlAfterFinished: Duration.minutes(10),
    });
    expect(rj.spec.submitterPodTemplate).toBeUndefined();
    expect(JSON.parse(rj.spec.runtimeEnvYAML)).toEqual({ working_dir: 's3://code/job.zip', pip: ['torch==2.5.1'], env_vars: { EPOCHS: '3' } });
    expect(rj.spec).toMatchObject({ submissionMode: 'HTTPMode', activeDeadlineSeconds: 7200, backoffLimit: 1, entrypointNumCpus: 1, ttlSecondsAfterFinished: 600 });
  });

  test('clusterSelector: runs on an existing cluster, which it never deletes', () => {
    const chart = new Chart(Testing.app(), 'ray', { namespace: 'ml' });
    new RayJob(chart, 'adhoc', { entrypoint: RayEntrypoint.command('python x.py'), clusterSelector: 'shared', submitterImage: IMAGE });
    const rj = findObject(synthAndValidate(chart), 'RayJob');
    expect(rj.spec).toMatchObject({ clusterSelector: { 'ray.io/cluster': 'shared' }, shutdownAfterJobFinishes: false });
    expect(rj.spec.rayClusterSpec).toBeUndefined();
    expect(rj.spec.ttlSecondsAfterFinished).toBeUndefined();
  });

  test('Tune entrypoint: storage path flag, quoted args', () => {
    const { rj } = synth({ entrypoint: RayEntrypoint.tune({ script: 'tune_bert.py', storagePath: 's3://ckpt/tune', args: ['--name', 'bert sweep'] }) });
    expect(rj.spec.entrypoint).toBe("python tune_bert.py --storage-path s3://ckpt/tune --name 'bert sweep'");
  });

  test('RLlib entrypoint on a shared filesystem', () => {
    const { rj } = synth({ entrypoint: RayEntrypoint.rllib({ script: 'ppo.py', storagePath: '/mnt/results', sharedFilesystem: true, storagePathFlag: '--output' }) });
    expect(rj.spec.entrypoint).toBe('python ppo.py --output /mnt/results');
  });

  test('a head-only cluster may keep results locally', () => {
    const { rj } = synth({ cluster: { image: IMAGE }, entrypoint: RayEntrypoint.tune({ script: 't.py', storagePath: '/tmp/ray_results' }) });
    expect(rj.spec.entrypoint).toBe('python t.py --storage-path /tmp/ray_results');
  });
});

describe('RayJob errors', () => {
  const make = (props: Partial<RayJobProps>) => () => new RayJob(new Chart(Testing.app(), 'ray'), 'job', { entrypoint: RayEntrypoint.command('python x.py'), cluster: CLUSTER, ...props });
  test.each([
    [{ name: 'j'.repeat(48) }, `RayJob 'ray/job': name ('${'j'.repeat(48)}') must be an RFC 1035 label (lowercase alphanumerics and '-', starting with a letter) of at most 47 characters`],
    [{ clusterSelector: 'x' }, "RayJob 'ray/job': cluster or clusterSelector is required, not both"],
    [{ cluster: undefined }, "RayJob 'ray/job': cluster or clusterSelector is required, not both"],
    [{ suspend: true, shutdownAfterJobFinishes: false }, "RayJob 'ray/job': suspend requires shutdownAfterJobFinishes: a suspended RayJob must own its cluster"],
    [{ cluster: undefined, clusterSelector: 'shared', submitterImage: IMAGE, queueName: 'q' }, "RayJob 'ray/job': suspend requires shutdownAfterJobFinishes"],
    [{ cluster: undefined, clusterSelector: 'shared', submitterImage: IMAGE, backoffLimit: 2 }, "RayJob 'ray/job': backoffLimit is incompatible with clusterSelector (KubeRay)"],
    [{ cluster: undefined, clusterSelector: 'shared' }, "RayJob 'ray/job': submitterImage is required with clusterSelector in K8sJobMode"],
    [{ submissionMode: RaySubmissionMode.INTERACTIVE, backoffLimit: 1 }, "RayJob 'ray/job': backoffLimit is incompatible with InteractiveMode (KubeRay)"],
    [{ ttlAfterFinished: Duration.millis(500) }, "RayJob 'ray/job': ttlAfterFinished (0.5s) must be a whole number of seconds >= 0"],
    [{ entrypoint: RayEntrypoint.tune({ script: 't.py', storagePath: '/tmp/results' }) }, "RayJob 'ray/job': entrypoint.storagePath ('/tmp/results') must be object storage (s3://, gs://, abfss://) or a shared filesystem (set sharedFilesystem: true) on a multi-node cluster"],
    [{ entrypoint: RayEntrypoint.tune({ script: 't.py', storagePath: '' }) }, "RayJob 'ray/job': entrypoint.storagePath is required for a tune entrypoint"],
    [{ entrypoint: RayEntrypoint.command(' ') }, "RayJob 'ray/job': entrypoint must be a non-empty command"],
    [{ cluster: { ...CLUSTER, workerGroups: [{ groupName: 'g', minReplicas: 2, maxReplicas: 1 }] } }, "RayJob 'ray/job': cluster.workerGroups[0].maxReplicas (1) must be >= minReplicas (2)"],
  ])('%j', (props, message) => {
    expect(make(props as Partial<RayJobProps>)).toThrow(message);
  });
});
