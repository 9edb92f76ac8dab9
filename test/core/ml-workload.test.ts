import { Chart, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  DistributedTrainingJob, MlModelServing, MlModelServingProps, PodSecurity, PodSecurityLevel, TrainingBackend,
  WorkloadServiceAccount, WorkloadVolume,
} from '../../src';
import { restrictedViolations, findObject, findObjects, synthAndValidate } from '../util';

function chart(): Chart {
  return new Chart(Testing.app(), 'prod', { namespace: 'ml' });
}

function serverPod(props: Partial<MlModelServingProps>): { spec: any; manifests: any[] } {
  const c = chart();
  new MlModelServing(c, 'bert', { image: 'ml-model:v1', ...props });
  const manifests = synthAndValidate(c);
  return { spec: findObject(manifests, 'Deployment').spec.template.spec, manifests };
}

describe('the workload model', () => {
  test('every volume type renders by name, mounted where asked', () => {
    const { spec } = serverPod({
      mounts: [
        { volume: WorkloadVolume.emptyDir('cache', { sizeLimit: Size.gibibytes(10) }), path: '/cache' },
        { volume: WorkloadVolume.memory('shm', { sizeLimit: Size.gibibytes(1) }), path: '/dev/shm' },
        { volume: WorkloadVolume.fromPersistentVolumeClaim('weights', 'llama-weights', { readOnly: true }), path: '/weights', readOnly: true },
        { volume: WorkloadVolume.fromConfigMap('config', 'server-config', { items: { 'server.yaml': 'server.yaml' }, defaultMode: 0o440 }), path: '/etc/server', readOnly: true },
        { volume: WorkloadVolume.fromSecret('creds', 'hf-token', { optional: true }), path: '/var/run/secrets/hf', readOnly: true },
        { volume: WorkloadVolume.ephemeral('scratch', { storage: Size.gibibytes(100), storageClassName: 'fast-ssd' }), path: '/scratch' },
      ],
    });
    expect(spec.volumes).toEqual([
      { name: 'tmp', emptyDir: {} },
      { name: 'cache', emptyDir: { sizeLimit: '10240Mi' } },
      { name: 'shm', emptyDir: { medium: 'Memory', sizeLimit: '1024Mi' } },
      { name: 'weights', persistentVolumeClaim: { claimName: 'llama-weights', readOnly: true } },
      { name: 'config', configMap: { name: 'server-config', defaultMode: 0o440, items: [{ key: 'server.yaml', path: 'server.yaml' }] } },
      { name: 'creds', secret: { secretName: 'hf-token', optional: true } },
      { name: 'scratch', ephemeral: { volumeClaimTemplate: { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '102400Mi' } }, storageClassName: 'fast-ssd' } } } },
    ]);
    expect(spec.containers[0].volumeMounts).toEqual([
      { mountPath: '/tmp', name: 'tmp' },
      { mountPath: '/cache', name: 'cache' },
      { mountPath: '/dev/shm', name: 'shm' },
      { mountPath: '/weights', name: 'weights', readOnly: true },
      { mountPath: '/etc/server', name: 'config', readOnly: true },
      { mountPath: '/var/run/secrets/hf', name: 'creds', readOnly: true },
      { mountPath: '/scratch', name: 'scratch' },
    ]);
  });

  test('image volumes need an explicit, reasoned baseline opt-out (the restricted volume list has no image type)', () => {
    const model = WorkloadVolume.fromImage('model', 'registry.local/models/bert:v1');
    expect(() => serverPod({ mounts: [{ volume: model, path: '/mnt/models', readOnly: true }] }))
      .toThrow("MlModelServing 'prod/bert': mounts[0] volume 'model' is an image volume, which the restricted Pod Security profile does not allow; set podSecurity: PodSecurity.relaxed({ reason, allowImageVolumes: true }) and run it in a baseline namespace");
    const c = chart();
    const podSecurity = PodSecurity.relaxed({ reason: 'the model ships as an OCI artifact', allowImageVolumes: true });
    expect(podSecurity.level).toBe(PodSecurityLevel.BASELINE);
    new MlModelServing(c, 'bert', { image: 'ml-model:v1', podSecurity, mounts: [{ volume: model, path: '/mnt/models', readOnly: true, subPath: 'onnx' }] });
    const spec = findObject(synthAndValidate(c, { skipPodSecurity: true }), 'Deployment').spec.template.spec;
    expect(spec.volumes).toContainEqual({ name: 'model', image: { reference: 'registry.local/models/bert:v1' } });
    expect(spec.containers[0].volumeMounts).toContainEqual({ mountPath: '/mnt/models', name: 'model', readOnly: true, subPath: 'onnx' });
  });

  test('a volume shared by two containers is added to the pod once', () => {
    const cache = WorkloadVolume.emptyDir('cache');
    const { spec } = serverPod({
      mounts: [{ volume: cache, path: '/cache' }],
      initContainers: [{ name: 'warm-cache', image: 'busybox:1.36', command: ['sh', '-c', 'echo warm > /cache/x'], mounts: [{ volume: cache, path: '/cache' }] }],
    });
    expect(spec.volumes.filter((v: any) => v.name === 'cache')).toHaveLength(1);
    expect(spec.initContainers[0].volumeMounts).toEqual([{ mountPath: '/tmp', name: 'tmp' }, { mountPath: '/cache', name: 'cache' }]);
  });

  test('init containers run first in order, secured and sized; sidecars are native (restartPolicy Always) and may have probes', () => {
    const { spec } = serverPod({
      initContainers: [{ name: 'migrate', image: 'migrator:v2' }],
      sidecars: [{
        name: 'proxy',
        image: 'envoyproxy/envoy:v1.31.0',
        ports: [{ name: 'admin', number: 9901 }],
        startup: kplus.Probe.fromTcpSocket({ port: 9901 }),
      }],
    });
    expect(spec.initContainers.map((c: any) => [c.name, c.restartPolicy])).toEqual([['migrate', undefined], ['proxy', 'Always']]);
    for (const c of spec.initContainers) {
      expect(c.resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } });
      expect(c.securityContext).toMatchObject({ runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    }
    expect(spec.initContainers[1].startupProbe.tcpSocket.port).toBe(9901);
  });

  test('ServiceAccount: created (with cloud identity annotations), or an existing one by name', () => {
    const c = chart();
    new MlModelServing(c, 'aws', { image: 'ml-model:v1', serviceAccount: WorkloadServiceAccount.awsIamRole('arn:aws:iam::123456789012:role/models') });
    new MlModelServing(c, 'gcp', { image: 'ml-model:v1', serviceAccount: WorkloadServiceAccount.gcpServiceAccount('models@p.iam.gserviceaccount.com') });
    new MlModelServing(c, 'azure', { image: 'ml-model:v1', serviceAccount: WorkloadServiceAccount.azureWorkloadIdentity('00000000-0000-0000-0000-000000000000') });
    new MlModelServing(c, 'byo', { image: 'ml-model:v1', serviceAccount: WorkloadServiceAccount.fromName('shared-models') });
    const manifests = synthAndValidate(c);
    expect(findObjects(manifests, 'ServiceAccount').map(s => s.metadata.name).sort()).toEqual(['aws', 'azure', 'gcp']);
    expect(findObject(manifests, 'ServiceAccount', 'aws').metadata.annotations).toEqual({ 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/models' });
    expect(findObject(manifests, 'ServiceAccount', 'gcp').metadata.annotations).toEqual({ 'iam.gke.io/gcp-service-account': 'models@p.iam.gserviceaccount.com' });
    const azure = findObject(manifests, 'Deployment', 'azure').spec.template;
    expect(azure.metadata.labels['azure.workload.identity/use']).toBe('true');
    expect(findObject(manifests, 'Deployment', 'byo').spec.template.spec.serviceAccountName).toBe('shared-models');
    // The Azure label is on the pods only: never in a selector (immutable) or on other objects.
    expect(findObject(manifests, 'Deployment', 'azure').spec.selector.matchLabels['azure.workload.identity/use']).toBeUndefined();
  });

  test('relaxed pod security says which namespace level it needs, and renders what it relaxes', () => {
    expect(PodSecurity.restricted().level).toBe(PodSecurityLevel.RESTRICTED);
    expect(PodSecurity.relaxed({ reason: 'legacy image runs as root', runAsRoot: true }).level).toBe(PodSecurityLevel.BASELINE);
    const rdma = PodSecurity.relaxed({ reason: 'RDMA memory registration needs IPC_LOCK', addCapabilities: ['IPC_LOCK'] });
    expect(rdma.level).toBe(PodSecurityLevel.PRIVILEGED);
    const c = chart();
    const job = new DistributedTrainingJob(c, 'train', { image: 'trainer:v1', backend: TrainingBackend.indexedJob({ podSecurity: rdma }) });
    expect(job.podSecurity.level).toBe(PodSecurityLevel.PRIVILEGED);
    const manifests = Testing.synth(c);
    const container = findObject(manifests, 'Job').spec.template.spec.containers[0];
    expect(container.securityContext.capabilities).toEqual({ add: ['IPC_LOCK'], drop: ['ALL'] });
    // The harness sees the opt-out: it is not the restricted profile any more.
    expect(restrictedViolations(manifests).join('\n')).toMatch(/IPC_LOCK/);
  });

  test('annotations reach every object; podAnnotations the pods only', () => {
    const { manifests, spec } = serverPod({ annotations: { 'team.example.com/owner': 'nlp' }, podAnnotations: { 'sidecar.istio.io/inject': 'false' } });
    for (const m of manifests) expect(m.metadata.annotations?.['team.example.com/owner']).toBe('nlp');
    expect(spec).toBeDefined();
    const template = findObject(manifests, 'Deployment').spec.template;
    expect(template.metadata.annotations).toEqual({ 'sidecar.istio.io/inject': 'false' });
  });

  test('the same props give the same pod on the Indexed Job and inside a PyTorchJob', () => {
    const props = {
      image: 'trainer:v1',
      gpus: { count: 2 },
      mounts: [{ volume: WorkloadVolume.fromPersistentVolumeClaim('data', 'imagenet', { readOnly: true }), path: '/data', readOnly: true }],
    };
    const a = chart();
    new DistributedTrainingJob(a, 'train', props);
    const b = chart();
    new DistributedTrainingJob(b, 'train', { ...props, backend: TrainingBackend.pytorchJob() });
    const job = findObject(synthAndValidate(a), 'Job').spec.template.spec;
    const pt = findObject(synthAndValidate(b), 'PyTorchJob').spec.pytorchReplicaSpecs.Master.template.spec;
    for (const field of ['securityContext', 'volumes', 'tolerations', 'serviceAccountName', 'automountServiceAccountToken', 'terminationGracePeriodSeconds']) {
      expect([field, pt[field]]).toEqual([field, job[field]]);
    }
    for (const field of ['resources', 'securityContext', 'volumeMounts', 'image', 'imagePullPolicy']) {
      expect([field, pt.containers[0][field]]).toEqual([field, job.containers[0][field]]);
    }
  });

  test('ingressFrom: [] means nobody may connect (an empty allow-list denies); undefined means anyone', () => {
    const deny = findObject(serverPod({ ingressFrom: [] }).manifests, 'NetworkPolicy');
    expect(deny.spec.ingress ?? []).toEqual([]);
    expect(deny.spec.policyTypes).toContain('Ingress');
    const open = findObject(serverPod({}).manifests, 'NetworkPolicy');
    expect(open.spec.ingress).toEqual([{ ports: [{ port: 8080, protocol: 'TCP' }] }]);
  });

  test('a JavaScript caller without props or image gets the library error, not a TypeError', () => {
    const c = chart();
    expect(() => new MlModelServing(c, 'a', undefined as any)).toThrow("MlModelServing 'prod/a': props are required");
    expect(() => new MlModelServing(c, 'b', {} as any)).toThrow("MlModelServing 'prod/b': image is required");
    expect(() => new DistributedTrainingJob(c, 'c', undefined as any)).toThrow("DistributedTrainingJob 'prod/c': props are required");
  });
});

describe('the image pull policy', () => {
  test('is IfNotPresent for pinned images, Always for mutable ones, and settable on any workload (a training worker here)', () => {
    const c = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
    new DistributedTrainingJob(c, 'a', { image: 'trainer:v1' });
    new DistributedTrainingJob(c, 'b', { image: 'trainer:v1', imagePullPolicy: kplus.ImagePullPolicy.ALWAYS, backend: TrainingBackend.indexedJob({ containerName: 'trainer' }) });
    const manifests = synthAndValidate(c);
    expect(findObject(manifests, 'Job', 'a').spec.template.spec.containers[0].imagePullPolicy).toBe('IfNotPresent');
    const b = findObject(manifests, 'Job', 'b').spec.template.spec.containers[0];
    expect([b.name, b.imagePullPolicy]).toEqual(['trainer', 'Always']);
  });
});
