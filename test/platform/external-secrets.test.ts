import { Chart, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  ClusterSecretStore, ExternalSecret, MlModelServing, MlNamespace, SecretProvider, SecretStore, TemplateValue,
} from '../../src';
import { findObject, synthAndValidate } from '../util';

function chart(namespace: string | undefined = 'ml'): Chart {
  return new Chart(Testing.app(), 'prod', { namespace });
}

describe('SecretStore and ClusterSecretStore providers', () => {
  test('AWS Secrets Manager with IRSA', () => {
    const c = chart();
    new SecretStore(c, 'aws', { provider: SecretProvider.awsSecretsManager({ region: 'us-west-2', role: 'arn:aws:iam::123456789012:role/ml', serviceAccount: { name: 'eso-ml' } }) });
    expect(findObject(synthAndValidate(c), 'SecretStore', 'aws')).toEqual({
      apiVersion: 'external-secrets.io/v1',
      kind: 'SecretStore',
      metadata: { name: 'aws', namespace: 'ml' },
      spec: { provider: { aws: { service: 'SecretsManager', region: 'us-west-2', role: 'arn:aws:iam::123456789012:role/ml', auth: { jwt: { serviceAccountRef: { name: 'eso-ml' } } } } } },
    });
  });

  test('GCP, Vault and Azure; ClusterSecretStore limited to namespaces, cluster-scoped', () => {
    const c = chart();
    new SecretStore(c, 'gcp', { provider: SecretProvider.gcpSecretManager({ projectId: 'ml-prod-123', serviceAccount: { name: 'eso' }, clusterName: 'prod', clusterLocation: 'us-central1' }) });
    new SecretStore(c, 'vault', { provider: SecretProvider.vault({ server: 'https://vault.example.com:8200', role: 'ml', path: 'secret', serviceAccount: { name: 'eso' } }) });
    new ClusterSecretStore(c, 'azure', {
      provider: SecretProvider.azureKeyVault({ vaultUrl: 'https://ml-vault.vault.azure.net', tenantId: 't', serviceAccount: { name: 'eso', namespace: 'external-secrets' } }),
      namespaces: ['ml', 'research'],
    });
    new ClusterSecretStore(c, 'azure-mi', { provider: SecretProvider.azureKeyVault({ vaultUrl: 'https://ml-vault.vault.azure.net' }), namespaces: ['ml'] });
    const m = synthAndValidate(c);
    expect(findObject(m, 'SecretStore', 'gcp').spec.provider).toEqual({
      gcpsm: { projectID: 'ml-prod-123', auth: { workloadIdentity: { serviceAccountRef: { name: 'eso' }, clusterName: 'prod', clusterLocation: 'us-central1' } } },
    });
    expect(findObject(m, 'SecretStore', 'vault').spec.provider).toEqual({
      vault: { server: 'https://vault.example.com:8200', path: 'secret', version: 'v2', auth: { kubernetes: { mountPath: 'kubernetes', role: 'ml', serviceAccountRef: { name: 'eso' } } } },
    });
    const azure = findObject(m, 'ClusterSecretStore', 'azure');
    expect(azure.metadata.namespace).toBeUndefined();
    expect(azure.spec).toEqual({
      provider: { azurekv: { vaultUrl: 'https://ml-vault.vault.azure.net', authType: 'WorkloadIdentity', tenantId: 't', serviceAccountRef: { name: 'eso', namespace: 'external-secrets' } } },
      conditions: [{ namespaces: ['ml', 'research'] }],
    });
    expect(findObject(m, 'ClusterSecretStore', 'azure-mi').spec.provider.azurekv.authType).toBe('ManagedIdentity');
  });

  test('errors', () => {
    const store = (provider: SecretProvider) => () => new SecretStore(chart(), 's', { provider });
    expect(store(SecretProvider.awsSecretsManager({ region: 'mars' }))).toThrow("SecretStore 'prod/s': provider.region ('mars') is not an AWS region such as 'us-west-2'");
    expect(store(SecretProvider.awsSecretsManager({ region: 'us-east-1', role: 'admin' })))
      .toThrow("SecretStore 'prod/s': provider.role ('admin') is not an IAM role ARN such as 'arn:aws:iam::123456789012:role/ml-secrets'");
    expect(store(SecretProvider.vault({ server: 'http://vault:8200', role: 'ml' })))
      .toThrow("SecretStore 'prod/s': provider.server ('http://vault:8200') must be an https:// URL: the Kubernetes token and the secrets travel in the requests");
    expect(store(SecretProvider.vault({ server: 'https://vault', role: 'ml', kvVersion: 3 }))).toThrow("SecretStore 'prod/s': provider.kvVersion (3) must be 1 or 2");
    expect(store(SecretProvider.gcpSecretManager({ projectId: 'P' }))).toThrow("SecretStore 'prod/s': provider.projectId ('P') is not a GCP project id (6-30 lowercase letters, digits and '-')");
    expect(store(SecretProvider.gcpSecretManager({ projectId: 'ml-prod-123', clusterName: 'x' })))
      .toThrow("SecretStore 'prod/s': provider.clusterName and clusterLocation need a serviceAccount: they configure Workload Identity");
    expect(store(SecretProvider.azureKeyVault({ vaultUrl: 'https://example.com' })))
      .toThrow("SecretStore 'prod/s': provider.vaultUrl ('https://example.com') is not a Key Vault URL such as 'https://ml-vault.vault.azure.net'");
    expect(() => new ClusterSecretStore(chart(), 'c', { provider: SecretProvider.awsSecretsManager({ region: 'us-east-1', serviceAccount: { name: 'eso' } }), namespaces: ['ml'] }))
      .toThrow("ClusterSecretStore 'prod/c': provider.serviceAccount.namespace is required: a ClusterSecretStore has no namespace of its own to find the ServiceAccount in");
    expect(store(SecretProvider.azureKeyVault({ vaultUrl: 'https://ml.vault.azure.net', serviceAccount: { name: 'eso' }, managedIdentityId: 'id' })))
      .toThrow("SecretStore 'prod/s': provider.managedIdentityId and serviceAccount exclude each other: give a ServiceAccount for Workload ID, or an identity for managed identity");
    expect(() => new ClusterSecretStore(chart(), 'c', { provider: SecretProvider.awsSecretsManager({ region: 'us-east-1' }), namespaces: [] }))
      .toThrow("ClusterSecretStore 'prod/c': namespaces is empty: list the namespaces that may read through this store");
  });
});

describe('ExternalSecret', () => {
  function store(c: Chart): SecretStore {
    return new SecretStore(c, 'aws', { provider: SecretProvider.awsSecretsManager({ region: 'us-west-2' }) });
  }

  test('data, extract, refresh interval, template; references only', () => {
    const c = chart();
    new ExternalSecret(c, 'mlflow-db', {
      store: store(c),
      refreshInterval: Duration.minutes(90),
      data: [{ secretKey: 'user', remoteKey: 'ml/mlflow-db', property: 'username' }, { secretKey: 'password', remoteKey: 'ml/mlflow-db', property: 'password', version: 'AWSCURRENT' }],
      extract: [{ remoteKey: 'ml/extra' }],
      template: {
        type: 'Opaque',
        labels: { app: 'mlflow' },
        data: {
          MLFLOW_BACKEND_STORE_URI: TemplateValue.template('postgresql://{{ .user }}:{{ .password }}@mlflow-db:5432/mlflow'),
          DB_HOST: TemplateValue.nonSensitive('mlflow-db'),
        },
      },
    });
    const es = findObject(synthAndValidate(c), 'ExternalSecret', 'mlflow-db');
    expect(es.spec).toEqual({
      secretStoreRef: { name: 'aws', kind: 'SecretStore' },
      refreshInterval: '1h30m0s',
      target: {
        name: 'mlflow-db',
        creationPolicy: 'Owner',
        template: {
          engineVersion: 'v2',
          type: 'Opaque',
          metadata: { labels: { app: 'mlflow' } },
          data: { MLFLOW_BACKEND_STORE_URI: 'postgresql://{{ .user }}:{{ .password }}@mlflow-db:5432/mlflow', DB_HOST: 'mlflow-db' },
        },
      },
      data: [
        { secretKey: 'user', remoteRef: { key: 'ml/mlflow-db', property: 'username' } },
        { secretKey: 'password', remoteRef: { key: 'ml/mlflow-db', property: 'password', version: 'AWSCURRENT' } },
      ],
      dataFrom: [{ extract: { key: 'ml/extra' } }],
    });
  });

  test('defaults: 1h refresh, Secret named after it; a ClusterSecretStore by name', () => {
    const c = chart();
    new ExternalSecret(c, 'hf', { store: ClusterSecretStore.fromClusterSecretStoreName(c, 'shared', 'shared-vault'), data: [{ secretKey: 'HF_TOKEN', remoteKey: 'hf' }] });
    const es = findObject(synthAndValidate(c), 'ExternalSecret', 'hf');
    expect(es.spec.refreshInterval).toBe('1h0m0s');
    expect(es.spec.secretStoreRef).toEqual({ name: 'shared-vault', kind: 'ClusterSecretStore' });
    expect(es.spec.target).toEqual({ name: 'hf', creationPolicy: 'Owner' });
  });

  test('a model server consumes it by env (secretKeyRef) and volume; the checksum rolls it out on spec changes', () => {
    const build = (version: string) => {
      const c = chart(undefined);
      const ns = new MlNamespace(c, 'ml');
      const hf = new ExternalSecret(ns, 'hf', { store: store(c), data: [{ secretKey: 'HF_TOKEN', remoteKey: 'hf', version }] });
      const serving = new MlModelServing(ns, 'bert', { image: 'bert:1.0.0', env: { HF_TOKEN: hf.envValue('HF_TOKEN') } });
      serving.container.mount('/var/run/secrets/hf', hf.volume(serving, 'hf-volume'), { readOnly: true });
      hf.restartOnChange(serving.deployment);
      const m = synthAndValidate(c);
      return { m, hf };
    };
    const { m, hf } = build('1');
    const deployment = findObject(m, 'Deployment');
    const container = deployment.spec.template.spec.containers[0];
    expect(container.env).toContainEqual({ name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: 'hf', key: 'HF_TOKEN' } } });
    expect(deployment.spec.template.spec.volumes).toContainEqual(expect.objectContaining({ secret: expect.objectContaining({ secretName: 'hf' }) }));
    expect(deployment.spec.template.metadata.annotations['checksum.cdk8s-ml.io/hf']).toBe(hf.checksum);
    expect(hf.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(findObject(m, 'ExternalSecret', 'hf').metadata.namespace).toBe('ml');
    // A different spec, a different checksum: pods roll.
    expect(build('2').hf.checksum).not.toBe(hf.checksum);
    expect(build('1').hf.checksum).toBe(hf.checksum);
    // No Secret object and no secret value is synthesized.
    expect(m.filter(o => o.kind === 'Secret')).toEqual([]);
  });

  test('envFrom: every key, optionally prefixed', () => {
    const c = chart();
    const db = new ExternalSecret(c, 'db', { store: store(c), extract: [{ remoteKey: 'ml/db' }] });
    new MlModelServing(c, 'api', { image: 'api:1.0.0', envFrom: [db.envFrom('DB_'), db.envFrom()] });
    const container = findObject(synthAndValidate(c), 'Deployment').spec.template.spec.containers[0];
    expect(container.envFrom).toEqual([{ prefix: 'DB_', secretRef: { name: 'db' } }, { secretRef: { name: 'db' } }]);
  });

  test('errors', () => {
    const c = chart();
    const s = store(c);
    const es = (props: any) => () => new ExternalSecret(c, `e${Math.random().toString(36).slice(2, 8)}`, { store: s, ...props });
    expect(() => new ExternalSecret(chart(), 'e', { store: s })).toThrow("ExternalSecret 'prod/e': data and extract are both empty: name the remote secrets to read");
    expect(() => new ExternalSecret(chart(), 'e', { store: s, data: [{ secretKey: 'a b', remoteKey: 'x' }] }))
      .toThrow("ExternalSecret 'prod/e': data[0].secretKey ('a b') is not a valid Secret key: alphanumerics, '-', '_' and '.'");
    expect(() => new ExternalSecret(chart(), 'e', { store: s, data: [{ secretKey: 'a', remoteKey: 'x' }, { secretKey: 'a', remoteKey: 'y' }] }))
      .toThrow("ExternalSecret 'prod/e': data[1].secretKey ('a') is given twice; each key once");
    expect(() => new ExternalSecret(chart(), 'e', { store: s, data: [{ secretKey: 'a', remoteKey: 'x' }], refreshInterval: Duration.millis(1500) }))
      .toThrow("ExternalSecret 'prod/e': refreshInterval (1500ms) must be a whole number of seconds, 0 or more");
    expect(() => new ExternalSecret(chart(), 'e', { store: s, data: [{ secretKey: 'a', remoteKey: 'x' }], template: { data: { PASSWORD: TemplateValue.template('hunter2') } } }))
      .toThrow("ExternalSecret 'prod/e': template.data['PASSWORD'] is a template without {{ }}: it would write a literal into the YAML; reference fetched keys, or use TemplateValue.nonSensitive() for a value that is not secret");
    expect(() => new ExternalSecret(chart(), 'e', { store: s, data: [{ secretKey: 'a', remoteKey: 'x' }] }).envValue('b'))
      .toThrow("ExternalSecret 'prod/e': envValue('b') is not a key of the Secret (keys: a)");
    // With extract, the keys are the remote secret's: any key is accepted.
    expect(es({ extract: [{ remoteKey: 'x' }] })().envValue('anything')).toBeInstanceOf(kplus.EnvValue);
  });
});
