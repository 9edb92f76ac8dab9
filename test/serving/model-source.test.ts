import { Chart, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { MlModelServing, MlModelServingProps, ModelSource, PodSecurity } from '../../src';
import { findObject, synthAndValidate } from '../util';

function synth(props: Partial<MlModelServingProps>) {
  const chart = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
  new MlModelServing(chart, 'bert', { image: 'ml-model:v1', ...props });
  const pod = findObject(synthAndValidate(chart), 'Deployment', 'bert').spec.template.spec;
  return { pod, server: pod.containers[0], init: (pod.initContainers ?? [])[0] };
}

const size = { sizeLimit: Size.gibibytes(20) };

describe('ModelSource', () => {
  test('S3: downloader args, endpoint and region, credentials from a Secret, size in the ephemeral-storage request', () => {
    const { init, server } = synth({
      model: ModelSource.fromS3('s3://models/llama', { ...size, endpoint: 'https://minio.storage:9000', region: 'eu-west-1', credentialsSecret: 's3-creds' }),
    });
    expect(init.args).toEqual(['s3://models/llama', '/mnt/models']);
    expect(init.env).toEqual(expect.arrayContaining([
      { name: 'S3_ENDPOINT', value: 'minio.storage:9000' }, { name: 'S3_USE_HTTPS', value: '1' }, { name: 'AWS_DEFAULT_REGION', value: 'eu-west-1' },
    ]));
    expect(init.envFrom).toEqual([{ secretRef: { name: 's3-creds' } }]);
    expect(server.resources.requests['ephemeral-storage']).toBe('20480Mi');
    expect(server.volumeMounts).toEqual(expect.arrayContaining([{ name: 'model', mountPath: '/mnt/models', readOnly: true }]));
  });

  test('initializer resources are configurable and the size adds to a given request', () => {
    const { init, server } = synth({
      resources: { ephemeralStorage: { request: Size.gibibytes(1), limit: Size.gibibytes(2) } },
      model: ModelSource.fromGcs('gs://bucket/model', { ...size, initializerResources: { cpu: { request: kplus.Cpu.units(2), limit: kplus.Cpu.units(4) } } }),
    });
    expect(init.resources.requests.cpu).toBe('2');
    expect(server.resources.requests['ephemeral-storage']).toBe(`${1024 + 20480}Mi`);
    expect(server.resources.limits['ephemeral-storage']).toBe(`${2048 + 20480}Mi`);
  });

  test('Hugging Face: pinned revision, token from a Secret key', () => {
    const { init } = synth({ model: ModelSource.fromHuggingFace('meta-llama/Llama-3.1-8B', { ...size, revision: '0e9e39f', tokenSecret: 'hf' }) });
    expect(init.args[0]).toBe('hf://meta-llama/Llama-3.1-8B:0e9e39f');
    expect(init.env).toEqual([{ name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: 'hf', key: 'HF_TOKEN' } } }]);
    expect(() => synth({ model: ModelSource.fromHuggingFace('org/m', { ...size, revision: 'main' }) })).toThrow(
      "MlModelServing 'prod/bert': model.revision ('main') must be a commit hash: a branch or tag can move");
  });

  test('Azure Blob and its URI check', () => {
    const { init } = synth({ model: ModelSource.fromAzureBlob('https://acct01.blob.core.windows.net/models/bert', size) });
    expect(init.args[0]).toBe('https://acct01.blob.core.windows.net/models/bert');
    expect(() => synth({ model: ModelSource.fromAzureBlob('https://example.com/x', size) })).toThrow(/must look like https:\/\/<account>\.blob/);
    expect(() => synth({ model: ModelSource.fromS3('gs://x/y', size) })).toThrow("MlModelServing 'prod/bert': model S3 URI ('gs://x/y') must look like s3://bucket/prefix");
  });

  test('OCI image volume: needs image volumes allowed', () => {
    expect(() => synth({ model: ModelSource.fromImage('registry.example.com/models/bert:v1') })).toThrow(/image volume/);
    const chart = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
    new MlModelServing(chart, 'bert', {
      image: 'ml-model:v1',
      podSecurity: PodSecurity.relaxed({ reason: 'model shipped as an OCI image', allowImageVolumes: true }),
      model: ModelSource.fromImage('registry.example.com/models/bert:v1'),
    });
    // Schemas checked; the restricted profile is what the relaxation waives (baseline namespace).
    const pod = findObject(synthAndValidate(chart, { skipPodSecurity: true }), 'Deployment', 'bert').spec.template.spec;
    expect(pod.volumes).toEqual(expect.arrayContaining([{ name: 'model', image: { reference: 'registry.example.com/models/bert:v1' } }]));
  });
});

describe('ModelSource.fromModelcar', () => {
  test('a native sidecar links the image\'s models into a shared emptyDir; restricted-compliant', () => {
    const { pod, server, init } = synth({ model: ModelSource.fromModelcar('registry.example.com/models/bert@sha256:' + 'a'.repeat(64)) });
    expect(pod.shareProcessNamespace).toBe(true);
    expect(init.name).toBe('modelcar');
    expect(init.restartPolicy).toBe('Always');
    // The kubelet reduces `$$` to `$`: the shell gets `$$`, its pid.
    expect(init.command).toEqual(['sh', '-c', 'ln -sf /proc/$$$$/root/models /mnt/models && exec sleep infinity']);
    expect(init.volumeMounts).toEqual(expect.arrayContaining([{ name: 'modelcar-link', mountPath: '/mnt' }]));
    expect(server.volumeMounts).toEqual(expect.arrayContaining([{ name: 'modelcar-link', mountPath: '/mnt', readOnly: true }]));
    expect(init.securityContext.runAsNonRoot).toBe(true);
  });

  test('the link needs a parent directory', () => {
    expect(() => synth({ model: ModelSource.fromModelcar('models/bert:v1'), modelMountPath: '/models' })).toThrow(
      "MlModelServing 'prod/bert': modelMountPath ('/models') must be below a directory other than '/' for a modelcar (the link lives in its parent)");
  });
});
