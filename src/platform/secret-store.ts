import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { EXTERNAL_SECRETS_API_VERSION, EsoSecretStoreSpec } from './crds/external-secrets';
import { SecretProvider } from './secret-provider';
import { requireDnsSubdomain, requireProps } from '../core/validation';

/** A SecretStore or ClusterSecretStore an ExternalSecret reads from. */
export interface ISecretStore extends IConstruct {
  /** The store's name. */
  readonly storeName: string;
  /** `SecretStore` or `ClusterSecretStore`. */
  readonly storeKind: string;
}

class ImportedStore extends Construct implements ISecretStore {
  public constructor(scope: Construct, id: string, public readonly storeName: string, public readonly storeKind: string) {
    super(scope, id);
    requireDnsSubdomain(this, 'name', storeName);
  }
}

/** Properties of {@link SecretStore}. */
export interface SecretStoreProps {
  /** Where the secrets are read from, and how the store authenticates. */
  readonly provider: SecretProvider;
  /**
   * The SecretStore's name.
   * @default - the construct id
   */
  readonly name?: string;
}

/**
 * An External Secrets Operator `SecretStore` (`external-secrets.io/v1`): a
 * namespace's connection to a secrets manager, used by ExternalSecrets in the same
 * namespace.
 * @see https://external-secrets.io/latest/api/secretstore/
 *
 * @example
 * import { ExternalSecret, SecretProvider, SecretStore } from 'cdk8s-ml';
 *
 * // A store for this namespace only, reading GCP Secret Manager.
 * const store = new SecretStore(this, 'gcp-secrets', {
 *   provider: SecretProvider.gcpSecretManager({ projectId: 'ml-prod-123', serviceAccount: { name: 'external-secrets-ml' } }),
 * });
 * new ExternalSecret(this, 'wandb-key', {
 *   store,
 *   data: [{ secretKey: 'WANDB_API_KEY', remoteKey: 'wandb-api-key' }],
 * });
 */
export class SecretStore extends Construct implements ISecretStore {
  /** A SecretStore that exists in the cluster already. */
  public static fromSecretStoreName(scope: Construct, id: string, name: string): ISecretStore {
    return new ImportedStore(scope, id, name, 'SecretStore');
  }

  public readonly storeName: string;
  public readonly storeKind: string = 'SecretStore';
  /** The SecretStore object. */
  public readonly apiObject: ApiObject;

  public constructor(scope: Construct, id: string, props: SecretStoreProps) {
    super(scope, id);
    requireProps(this, props, ['provider']);
    this.storeName = props.name ?? id;
    requireDnsSubdomain(this, 'name', this.storeName);
    const spec: EsoSecretStoreSpec = { provider: props.provider._toProvider(this, 'provider', false) };
    this.apiObject = new ApiObject(this, 'Resource', {
      apiVersion: EXTERNAL_SECRETS_API_VERSION,
      kind: 'SecretStore',
      metadata: { name: this.storeName },
      spec,
    });
  }
}

/** @internal */
export function importStore(scope: Construct, id: string, name: string, kind: string): ISecretStore {
  return new ImportedStore(scope, id, name, kind);
}
