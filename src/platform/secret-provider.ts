import { IConstruct } from 'constructs';
import { EsoProvider, EsoServiceAccountRef } from './crds/external-secrets';
import { invalidProp } from '../core/errors';
import { requireDnsLabel, requireDnsSubdomain } from '../core/validation';

/**
 * The ServiceAccount whose token a SecretStore presents to the provider (IRSA, GKE
 * Workload Identity, Vault Kubernetes auth, Entra Workload ID): credentials come
 * from the cluster's identity federation, never from a static key in a Secret.
 */
export interface StoreServiceAccount {
  /** The ServiceAccount's name. */
  readonly name: string;
  /**
   * Its namespace; required for a ClusterSecretStore (ignored by a SecretStore,
   * which uses its own namespace).
   * @default - the SecretStore's namespace
   */
  readonly namespace?: string;
}

/** AWS Secrets Manager. */
export interface AwsSecretsManagerOptions {
  /** The AWS region, e.g. `us-west-2`. */
  readonly region: string;
  /**
   * An IAM role ARN to assume after authenticating.
   * @default - none
   */
  readonly role?: string;
  /**
   * The ServiceAccount annotated for IRSA (`eks.amazonaws.com/role-arn`).
   * @default - the controller's own identity (EKS Pod Identity or the node role)
   */
  readonly serviceAccount?: StoreServiceAccount;
}

/** GCP Secret Manager. */
export interface GcpSecretManagerOptions {
  /** The GCP project holding the secrets. */
  readonly projectId: string;
  /**
   * A regional Secret Manager location.
   * @default - global secrets
   */
  readonly location?: string;
  /**
   * The ServiceAccount bound to a GCP service account by Workload Identity.
   * @default - the controller's own identity
   */
  readonly serviceAccount?: StoreServiceAccount;
  /**
   * The GKE cluster's name, for Workload Identity outside the cluster's project.
   * @default - discovered from the metadata server
   */
  readonly clusterName?: string;
  /**
   * The GKE cluster's location (region or zone).
   * @default - discovered from the metadata server
   */
  readonly clusterLocation?: string;
}

/** HashiCorp Vault (KV engine), authenticated with the Kubernetes auth method. */
export interface VaultOptions {
  /** The Vault server's address; `https://` only (tokens travel in the request). */
  readonly server: string;
  /** The Vault role of the Kubernetes auth method. */
  readonly role: string;
  /**
   * The KV mount path, e.g. `secret`.
   * @default - none: remote keys are full paths
   */
  readonly path?: string;
  /**
   * The KV engine version (1 or 2).
   * @default 2
   */
  readonly kvVersion?: number;
  /**
   * The Kubernetes auth method's mount path.
   * @default 'kubernetes'
   */
  readonly authMountPath?: string;
  /**
   * A Vault Enterprise namespace.
   * @default - none
   */
  readonly vaultNamespace?: string;
  /**
   * The ServiceAccount whose token Vault reviews.
   * @default - the controller's own ServiceAccount
   */
  readonly serviceAccount?: StoreServiceAccount;
}

/** Azure Key Vault. */
export interface AzureKeyVaultOptions {
  /** The vault's URL, e.g. `https://ml-vault.vault.azure.net`. */
  readonly vaultUrl: string;
  /**
   * The Entra ID tenant.
   * @default - from the ServiceAccount's annotations
   */
  readonly tenantId?: string;
  /**
   * The ServiceAccount federated with Entra Workload ID; without one the store
   * uses the node's managed identity.
   * @default - managed identity
   */
  readonly serviceAccount?: StoreServiceAccount;
  /**
   * The managed identity's client id, when the node has several.
   * @default - the node's only managed identity
   */
  readonly managedIdentityId?: string;
}

/**
 * Where a SecretStore or ClusterSecretStore reads secrets from. Each provider
 * authenticates through workload identity (a ServiceAccount token or the
 * controller's cloud identity), so no credential is ever written to the cluster.
 *
 * @example
 * import { SecretProvider, SecretStore } from 'cdk8s-ml';
 *
 * // AWS Secrets Manager through an IAM role (IRSA) of the store's ServiceAccount.
 * new SecretStore(this, 'aws-secrets', {
 *   provider: SecretProvider.awsSecretsManager({
 *     region: 'us-west-2',
 *     serviceAccount: { name: 'external-secrets-ml' },
 *   }),
 * });
 */
export class SecretProvider {
  /** AWS Secrets Manager. */
  public static awsSecretsManager(options: AwsSecretsManagerOptions): SecretProvider {
    return new SecretProvider('awsSecretsManager', (scope, prop, cluster) => {
      if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(options.region)) {
        throw invalidProp(scope, `${prop}.region`, `('${options.region}') is not an AWS region such as 'us-west-2'`);
      }
      if (options.role !== undefined && !/^arn:aws[-a-z]*:iam::\d{12}:role\/.+$/.test(options.role)) {
        throw invalidProp(scope, `${prop}.role`, `('${options.role}') is not an IAM role ARN such as 'arn:aws:iam::123456789012:role/ml-secrets'`);
      }
      const sa = serviceAccountRef(scope, `${prop}.serviceAccount`, options.serviceAccount, cluster);
      return { aws: { service: 'SecretsManager', region: options.region, role: options.role, auth: sa ? { jwt: { serviceAccountRef: sa } } : undefined } };
    });
  }

  /** GCP Secret Manager. */
  public static gcpSecretManager(options: GcpSecretManagerOptions): SecretProvider {
    return new SecretProvider('gcpSecretManager', (scope, prop, cluster) => {
      if (!/^[a-z][-a-z0-9]{4,28}[a-z0-9]$/.test(options.projectId)) {
        throw invalidProp(scope, `${prop}.projectId`, `('${options.projectId}') is not a GCP project id (6-30 lowercase letters, digits and '-')`);
      }
      const sa = serviceAccountRef(scope, `${prop}.serviceAccount`, options.serviceAccount, cluster);
      if (!sa && (options.clusterName || options.clusterLocation)) {
        throw invalidProp(scope, `${prop}.clusterName`, 'and clusterLocation need a serviceAccount: they configure Workload Identity');
      }
      return {
        gcpsm: {
          projectID: options.projectId,
          location: options.location,
          auth: sa ? {
            workloadIdentity: { serviceAccountRef: sa, clusterName: options.clusterName, clusterLocation: options.clusterLocation },
          } : undefined,
        },
      };
    });
  }

  /** HashiCorp Vault with Kubernetes auth. */
  public static vault(options: VaultOptions): SecretProvider {
    return new SecretProvider('vault', (scope, prop, cluster) => {
      if (!/^https:\/\/[^\s/]+/.test(options.server)) {
        throw invalidProp(scope, `${prop}.server`, `('${options.server}') must be an https:// URL: the Kubernetes token and the secrets travel in the requests`);
      }
      const kv = options.kvVersion ?? 2;
      if (kv !== 1 && kv !== 2) throw invalidProp(scope, `${prop}.kvVersion`, `(${kv}) must be 1 or 2`);
      if (options.role.trim() === '') throw invalidProp(scope, `${prop}.role`, 'must not be empty');
      const sa = serviceAccountRef(scope, `${prop}.serviceAccount`, options.serviceAccount, cluster);
      return {
        vault: {
          server: options.server,
          path: options.path,
          version: kv === 1 ? 'v1' : 'v2',
          namespace: options.vaultNamespace,
          auth: { kubernetes: { mountPath: options.authMountPath ?? 'kubernetes', role: options.role, serviceAccountRef: sa } },
        },
      };
    });
  }

  /** Azure Key Vault, with Entra Workload ID or the node's managed identity. */
  public static azureKeyVault(options: AzureKeyVaultOptions): SecretProvider {
    return new SecretProvider('azureKeyVault', (scope, prop, cluster) => {
      if (!/^https:\/\/[-a-zA-Z0-9]+\.vault\.(azure\.net|azure\.cn|usgovcloudapi\.net|microsoftazure\.de)\/?$/.test(options.vaultUrl)) {
        throw invalidProp(scope, `${prop}.vaultUrl`, `('${options.vaultUrl}') is not a Key Vault URL such as 'https://ml-vault.vault.azure.net'`);
      }
      const sa = serviceAccountRef(scope, `${prop}.serviceAccount`, options.serviceAccount, cluster);
      if (sa && options.managedIdentityId) {
        throw invalidProp(scope, `${prop}.managedIdentityId`, 'and serviceAccount exclude each other: give a ServiceAccount for Workload ID, or an identity for managed identity');
      }
      return {
        azurekv: {
          vaultUrl: options.vaultUrl,
          authType: sa ? 'WorkloadIdentity' : 'ManagedIdentity',
          tenantId: options.tenantId,
          identityId: options.managedIdentityId,
          serviceAccountRef: sa,
        },
      };
    });
  }

  private constructor(
    /** The provider's name, e.g. `vault`, for messages. */
    public readonly providerName: string,
    private readonly render: (scope: IConstruct, prop: string, cluster: boolean) => EsoProvider,
  ) {}

  /** The `spec.provider` of a store. @internal */
  public _toProvider(scope: IConstruct, prop: string, clusterScoped: boolean): EsoProvider {
    return this.render(scope, prop, clusterScoped);
  }
}

function serviceAccountRef(scope: IConstruct, prop: string, sa: StoreServiceAccount | undefined, cluster: boolean): EsoServiceAccountRef | undefined {
  if (!sa) return undefined;
  requireDnsSubdomain(scope, `${prop}.name`, sa.name);
  if (sa.namespace !== undefined) requireDnsLabel(scope, `${prop}.namespace`, sa.namespace);
  if (cluster && sa.namespace === undefined) {
    throw invalidProp(scope, `${prop}.namespace`, 'is required: a ClusterSecretStore has no namespace of its own to find the ServiceAccount in');
  }
  return { name: sa.name, namespace: cluster ? sa.namespace : undefined };
}
