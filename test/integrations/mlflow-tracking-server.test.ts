import { Chart, Cron, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { MlflowArtifactStore, MlflowAuth, MlflowTrackingServer, MlflowTrackingServerProps, MlModelServing, ModelSource } from '../../src';
import { findObject, findObjects, synthAndValidate } from '../util';

const IMAGE = 'ghcr.io/mlflow/mlflow:v3.6.0';

function synth(props: Partial<MlflowTrackingServerProps> = {}) {
  const chart = new Chart(Testing.app(), 'mlops', { namespace: 'mlops' });
  const db = kplus.Secret.fromSecretName(chart, 'Db', 'mlflow-db');
  const server = new MlflowTrackingServer(chart, 'mlflow', {
    image: IMAGE,
    backendStore: { secret: db, key: 'uri' },
    artifactStore: MlflowArtifactStore.s3('s3://ml-artifacts/mlflow'),
    ...props,
  });
  const manifests = synthAndValidate(chart);
  return { chart, server, manifests, deploy: findObject(manifests, 'Deployment', 'mlflow') };
}

describe('MlflowTrackingServer defaults', () => {
  const { server, manifests, deploy } = synth();
  const c = deploy.spec.template.spec.containers[0];

  test('emits Deployment, Service, PDB, NetworkPolicy, ServiceAccount, db-upgrade Job, gc CronJob, ServiceMonitor', () => {
    expect(manifests.map(m => m.kind).sort()).toEqual([
      'CronJob', 'Deployment', 'Job', 'NetworkPolicy', 'PodDisruptionBudget', 'Service', 'ServiceAccount', 'ServiceMonitor',
    ]);
    expect(server.trackingUri).toBe('http://mlflow:5000');
    expect(deploy.spec.replicas).toBe(2);
  });

  test('replicas spread softly over zones (REL-004); a single replica has no spread', () => {
    expect(deploy.spec.template.spec.topologySpreadConstraints).toEqual([{
      maxSkew: 1,
      topologyKey: 'topology.kubernetes.io/zone',
      whenUnsatisfiable: 'ScheduleAnyway',
      labelSelector: { matchLabels: server.selector },
    }]);
    expect(synth({ replicas: 1 }).deploy.spec.template.spec.topologySpreadConstraints).toBeUndefined();
  });

  test('monitorLabels label the ServiceMonitor only', () => {
    const labelled = synth({ monitorLabels: { release: 'kube-prometheus-stack' } });
    expect(findObject(labelled.manifests, 'ServiceMonitor').metadata.labels).toMatchObject({ 'release': 'kube-prometheus-stack', 'app.kubernetes.io/name': 'mlflow' });
    expect(labelled.deploy.metadata.labels.release).toBeUndefined();
    expect(() => synth({ monitorLabels: { release: 'not a value!' } })).toThrow("MlflowTrackingServer 'mlops/mlflow': monitorLabels['release']");
  });

  test('mlflow server on 5000 with proxied artifacts, allowed hosts, Prometheus metrics', () => {
    expect(c.command).toEqual(['mlflow']);
    expect(c.args).toEqual([
      'server', '--host', '0.0.0.0', '--port', '5000', '--serve-artifacts', '--artifacts-destination', 's3://ml-artifacts/mlflow',
      '--allowed-hosts', 'mlflow,mlflow:*,mlflow.*,[0-9]*:5000', '--expose-prometheus', '/tmp/prometheus',
    ]);
    expect(c.ports).toEqual([{ name: 'http', containerPort: 5000, protocol: 'TCP' }]);
  });

  test('backend store URI from the Secret only, never in the manifest', () => {
    expect(c.env).toContainEqual({ name: 'MLFLOW_BACKEND_STORE_URI', valueFrom: { secretKeyRef: { name: 'mlflow-db', key: 'uri' } } });
    expect(JSON.stringify(manifests)).not.toMatch(/postgres/);
  });

  test('/health probes; restricted', () => {
    for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe]) expect(probe.httpGet).toEqual({ path: '/health', port: 5000, scheme: 'HTTP' });
    expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
  });

  test('db upgrade Job and gc CronJob run the server image with the URI expanded in a shell', () => {
    const job = findObject(manifests, 'Job', 'mlflow-db-upgrade');
    const jc = job.spec.template.spec.containers[0];
    expect(jc.command).toEqual(['sh', '-c', 'exec mlflow db upgrade "$MLFLOW_BACKEND_STORE_URI"']);
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
    const cron = findObject(manifests, 'CronJob', 'mlflow-gc');
    expect(cron.spec.schedule).toBe('0 0 * * *');
    expect(cron.spec.concurrencyPolicy).toBe('Forbid');
    const gc = cron.spec.jobTemplate.spec.template.spec.containers[0];
    expect(gc.command[2]).toBe('exec mlflow gc --backend-store-uri "$MLFLOW_BACKEND_STORE_URI" --older-than 2592000s');
    expect(gc.env).toContainEqual({ name: 'MLFLOW_TRACKING_URI', value: 'http://mlflow:5000' });
  });

  test('ServiceMonitor on /metrics of the Service; NetworkPolicy: namespace clients, metrics from anywhere, gc pods', () => {
    const sm = findObject(manifests, 'ServiceMonitor');
    expect(sm.spec.endpoints).toEqual([{ port: 'http', path: '/metrics' }]);
    const svc = findObject(manifests, 'Service');
    expect(sm.spec.selector.matchLabels).toEqual(svc.metadata.labels);
    const np = findObject(manifests, 'NetworkPolicy');
    expect(np.spec.ingress).toHaveLength(3);
    expect(findObject(manifests, 'PodDisruptionBudget').spec.maxUnavailable).toBe(1);
  });
});

describe('MlflowTrackingServer options', () => {
  test('basic auth from a Secret, MinIO artifacts, custom gc', () => {
    const chart = new Chart(Testing.app(), 'mlops', { namespace: 'mlops' });
    const db = kplus.Secret.fromSecretName(chart, 'Db', 'mlflow-db');
    new MlflowTrackingServer(chart, 'mlflow', {
      image: IMAGE,
      backendStore: { secret: db, key: 'uri' },
      artifactStore: MlflowArtifactStore.minio('s3://mlflow', 'http://minio.storage:9000', kplus.Secret.fromSecretName(chart, 'Minio', 'minio-keys')),
      auth: MlflowAuth.basicAuth({ config: kplus.Secret.fromSecretName(chart, 'Auth', 'mlflow-auth') }),
      gcSchedule: Cron.schedule({ minute: '30', hour: '2' }),
      gcOlderThan: Duration.days(7),
      migrationJob: false,
      replicas: 1,
    });
    const manifests = synthAndValidate(chart);
    const c = findObject(manifests, 'Deployment').spec.template.spec.containers[0];
    expect(c.args.slice(-2)).toEqual(['--app-name', 'basic-auth']);
    expect(c.env).toContainEqual({ name: 'MLFLOW_AUTH_CONFIG_PATH', value: '/etc/mlflow-auth/basic_auth.ini' });
    expect(c.env).toContainEqual({ name: 'MLFLOW_S3_ENDPOINT_URL', value: 'http://minio.storage:9000' });
    expect(c.envFrom).toContainEqual({ secretRef: { name: 'minio-keys' } });
    expect(c.volumeMounts).toContainEqual({ mountPath: '/etc/mlflow-auth', name: 'auth-config', readOnly: true });
    expect(findObjects(manifests, 'Job')).toEqual([]);
    expect(findObjects(manifests, 'PodDisruptionBudget')).toEqual([]);
    expect(findObject(manifests, 'CronJob').spec.schedule).toBe('30 2 * * *');
  });

  test('GCS and Azure stores; OIDC app', () => {
    const chart = new Chart(Testing.app(), 'mlops', { namespace: 'mlops' });
    const secret = kplus.Secret.fromSecretName(chart, 'S', 'azure');
    new MlflowTrackingServer(chart, 'a', {
      image: IMAGE,
      backendStore: { secret, key: 'uri' },
      artifactStore: MlflowArtifactStore.azureBlob('wasbs://mlflow@acct.blob.core.windows.net/art', { secret, key: 'conn' }),
      auth: MlflowAuth.oidc({ env: { OIDC_CLIENT_ID: kplus.EnvValue.fromValue('mlflow') } }),
      gcOlderThan: Duration.days(0),
    });
    new MlflowTrackingServer(chart, 'g', { image: IMAGE, backendStore: { secret, key: 'uri' }, artifactStore: MlflowArtifactStore.gcs('gs://bucket/mlflow') });
    const manifests = synthAndValidate(chart);
    const a = findObject(manifests, 'Deployment', 'a').spec.template.spec.containers[0];
    expect(a.env).toContainEqual({ name: 'AZURE_STORAGE_CONNECTION_STRING', valueFrom: { secretKeyRef: { name: 'azure', key: 'conn' } } });
    expect(a.args).toContain('oidc-auth');
    expect(findObjects(manifests, 'CronJob').map(c => c.metadata.name)).toEqual(['g-gc']);
  });

  test('ModelSource.fromMlflowRegistry downloads models:/name@alias into the server', () => {
    const { chart, server } = synthWithServing();
    const d = findObject(synthAndValidate(chart), 'Deployment', 'bert');
    const init = d.spec.template.spec.initContainers[0];
    expect(init.name).toBe('mlflow-model-download');
    expect(init.command.slice(-2)).toEqual(['models:/bert@champion', '/mnt/models']);
    expect(init.env).toContainEqual({ name: 'MLFLOW_TRACKING_URI', value: server.trackingUri });
  });

  function synthWithServing() {
    const chart = new Chart(Testing.app(), 'mlops', { namespace: 'mlops' });
    const server = new MlflowTrackingServer(chart, 'mlflow', {
      image: IMAGE, backendStore: { secret: kplus.Secret.fromSecretName(chart, 'Db', 'db'), key: 'uri' }, artifactStore: MlflowArtifactStore.gcs('gs://bucket/m'),
    });
    new MlModelServing(chart, 'bert', {
      image: 'seldonio/mlserver:1.6.1',
      model: ModelSource.fromMlflowRegistry({ name: 'bert', alias: 'champion', trackingUri: server.trackingUri, image: IMAGE }),
    });
    return { chart, server };
  }
});

describe('MlflowTrackingServer errors', () => {
  const make = (props: Partial<MlflowTrackingServerProps>) => () => {
    const chart = new Chart(Testing.app(), 'mlops');
    return new MlflowTrackingServer(chart, 'mlflow', {
      image: IMAGE, backendStore: { secret: kplus.Secret.fromSecretName(chart, 'Db', 'db'), key: 'uri' }, artifactStore: MlflowArtifactStore.s3('s3://bucket/x'), ...props,
    });
  };
  test.each([
    [{ artifactStore: MlflowArtifactStore.s3('gs://x/y') }, "MlflowTrackingServer 'mlops/mlflow': artifactStore ('gs://x/y') must look like s3://bucket/path"],
    [{ artifactStore: MlflowArtifactStore.s3('s3://bucket/x', { endpointUrl: 'minio:9000' }) }, "MlflowTrackingServer 'mlops/mlflow': artifactStore.endpointUrl ('minio:9000') must be an http(s) URL"],
    [{ replicas: 0 }, "MlflowTrackingServer 'mlops/mlflow': replicas (0) must be >= 1"],
    [{ allowedHosts: ['*'] }, "MlflowTrackingServer 'mlops/mlflow': allowedHosts[0] ('*') must be a host (pattern), not '*'"],
    [{ gcOlderThan: Duration.millis(10) }, "MlflowTrackingServer 'mlops/mlflow': gcOlderThan (0.01s) must be a whole number of seconds >= 0"],
    [{ auth: MlflowAuth.basicAuth({ config: { name: 'x' } as any, key: 'a/b' }) }, "MlflowTrackingServer 'mlops/mlflow': auth.key ('a/b') must be a valid Secret key"],
  ])('%#', (props, message) => {
    expect(make(props as Partial<MlflowTrackingServerProps>)).toThrow(message);
  });

  test.each([
    [{ name: 'bert', trackingUri: 'http://m:5000', image: IMAGE }, "MlModelServing 'x/s': model takes a version or an alias, not both"],
    [{ name: 'bert', version: 0, trackingUri: 'http://m:5000', image: IMAGE }, "MlModelServing 'x/s': model.version (0) must be an integer >= 1"],
    [{ name: 'a/b', version: 1, trackingUri: 'http://m:5000', image: IMAGE }, "MlModelServing 'x/s': model.name ('a/b') must be a registered model name"],
    [{ name: 'bert', alias: 'x', trackingUri: 'm:5000', image: IMAGE }, "MlModelServing 'x/s': model.trackingUri ('m:5000') must be an http(s) URL"],
  ])('registry source %#', (options, message) => {
    expect(() => new MlModelServing(new Chart(Testing.app(), 'x'), 's', { image: 'seldonio/mlserver:1.6.1', model: ModelSource.fromMlflowRegistry(options as any) })).toThrow(message);
  });
});
