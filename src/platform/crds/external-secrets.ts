// Typed structs for the parts of External Secrets Operator's resources
// (external-secrets.io/v1) we emit, after the CRDs in ../shared/crds. Internal.

export const EXTERNAL_SECRETS_API_VERSION = 'external-secrets.io/v1';

export interface EsoServiceAccountRef {
  readonly name: string;
  readonly namespace?: string;
  readonly audiences?: string[];
}

export interface EsoAwsProvider {
  readonly service: 'SecretsManager';
  readonly region: string;
  readonly role?: string;
  readonly auth?: { readonly jwt: { readonly serviceAccountRef: EsoServiceAccountRef } };
}

export interface EsoGcpProvider {
  readonly projectID: string;
  readonly location?: string;
  readonly auth?: {
    readonly workloadIdentity: {
      readonly serviceAccountRef: EsoServiceAccountRef;
      readonly clusterLocation?: string;
      readonly clusterName?: string;
      readonly clusterProjectID?: string;
    };
  };
}

export interface EsoVaultProvider {
  readonly server: string;
  readonly path?: string;
  readonly version: 'v1' | 'v2';
  readonly namespace?: string;
  readonly auth: {
    readonly kubernetes: { readonly mountPath: string; readonly role: string; readonly serviceAccountRef?: EsoServiceAccountRef };
  };
}

export interface EsoAzureProvider {
  readonly vaultUrl: string;
  readonly authType: 'WorkloadIdentity' | 'ManagedIdentity';
  readonly tenantId?: string;
  readonly identityId?: string;
  readonly serviceAccountRef?: EsoServiceAccountRef;
}

export interface EsoProvider {
  readonly aws?: EsoAwsProvider;
  readonly gcpsm?: EsoGcpProvider;
  readonly vault?: EsoVaultProvider;
  readonly azurekv?: EsoAzureProvider;
}

export interface EsoSecretStoreSpec {
  readonly provider: EsoProvider;
  readonly conditions?: Array<{ readonly namespaces?: string[]; readonly namespaceSelector?: { readonly matchLabels: { [k: string]: string } } }>;
}

export interface EsoRemoteRef {
  readonly key: string;
  readonly property?: string;
  readonly version?: string;
}

export interface EsoExternalSecretSpec {
  readonly secretStoreRef: { readonly name: string; readonly kind: 'SecretStore' | 'ClusterSecretStore' };
  readonly refreshInterval: string;
  readonly target: {
    readonly name: string;
    readonly creationPolicy: 'Owner';
    readonly template?: {
      readonly engineVersion: 'v2';
      readonly type?: string;
      readonly metadata?: { readonly labels?: { [k: string]: string }; readonly annotations?: { [k: string]: string } };
      readonly data?: { [key: string]: string };
    };
  };
  readonly data?: Array<{ readonly secretKey: string; readonly remoteRef: EsoRemoteRef }>;
  readonly dataFrom?: Array<{ readonly extract: EsoRemoteRef }>;
}
