import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { EXTERNAL_SECRETS_API_VERSION, EsoSecretStoreSpec } from './crds/external-secrets';
import { SecretProvider } from './secret-provider';
import { importStore, ISecretStore } from './secret-store';
import { makeClusterScoped } from '../capacity/cluster-scoped';
import { invalidProp } from '../core/errors';
import { requireDnsLabel, requireDnsSubdomain, requireProps } from '../core/validation';

/** Properties of {@link ClusterSecretStore}. */
export interface ClusterSecretStoreProps {
  /** Where the secrets are read from, and how the store authenticates. */
  readonly provider: SecretProvider;
  /**
   * The namespaces whose ExternalSecrets may use this store. Without the list,
   * any namespace could read every secret the store's identity can.
   */
  readonly namespaces: string[];
  /**
   * The ClusterSecretStore's name.
   * @default - the construct id
   */
  readonly name?: string;
}

/**
 * An External Secrets Operator `ClusterSecretStore` (`external-secrets.io/v1`),
 * shared by the listed namespaces only.
 * @see https://external-secrets.io/latest/api/clustersecretstore/
 *
 * @example
 * import { ClusterSecretStore, SecretProvider } from 'cdk8s-ml';
 *
 * // One vault for every ML namespace, readable from those namespaces only.
 * new ClusterSecretStore(this, 'ml-vault', {
 *   provider: SecretProvider.vault({
 *     server: 'https://vault.example.com:8200',
 *     path: 'secret',
 *     role: 'ml-workloads',
 *     serviceAccount: { name: 'external-secrets', namespace: 'external-secrets' },
 *   }),
 *   namespaces: ['ml', 'ml-staging'],
 * });
 */
export class ClusterSecretStore extends Construct implements ISecretStore {
  /** A ClusterSecretStore that exists in the cluster already. */
  public static fromClusterSecretStoreName(scope: Construct, id: string, name: string): ISecretStore {
    return importStore(scope, id, name, 'ClusterSecretStore');
  }

  public readonly storeName: string;
  public readonly storeKind: string = 'ClusterSecretStore';
  /** The ClusterSecretStore object. */
  public readonly apiObject: ApiObject;

  public constructor(scope: Construct, id: string, props: ClusterSecretStoreProps) {
    super(scope, id);
    requireProps(this, props, ['provider', 'namespaces']);
    this.storeName = props.name ?? id;
    requireDnsSubdomain(this, 'name', this.storeName);
    if (props.namespaces.length === 0) {
      throw invalidProp(this, 'namespaces', 'is empty: list the namespaces that may read through this store');
    }
    props.namespaces.forEach((n, i) => requireDnsLabel(this, `namespaces[${i}]`, n));
    const spec: EsoSecretStoreSpec = {
      provider: props.provider._toProvider(this, 'provider', true),
      conditions: [{ namespaces: [...new Set(props.namespaces)] }],
    };
    this.apiObject = new ApiObject(this, 'Resource', {
      apiVersion: EXTERNAL_SECRETS_API_VERSION,
      kind: 'ClusterSecretStore',
      metadata: { name: this.storeName },
      spec,
    });
    makeClusterScoped(this.apiObject);
  }
}
