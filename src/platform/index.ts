// The platform layer: secure namespaces, RBAC personas, external secrets, image
// policy, cluster configuration, gateways and backups.
export { PodSecurity } from './pod-security';
export { MlNamespace, POD_SECURITY_REASON_ANNOTATION } from './ml-namespace';
export type { MlNamespaceProps, NamespaceAllowance } from './ml-namespace';
export { Persona } from './persona';
export type { PersonaOptions } from './persona';
export { MlPersonaRole } from './ml-persona-role';
export type { MlPersonaRoleProps } from './ml-persona-role';
export { MlCrdRoles } from './ml-crd-roles';
export type { MlCrdRolesProps } from './ml-crd-roles';
export { SecretProvider } from './secret-provider';
export type { AwsSecretsManagerOptions, AzureKeyVaultOptions, GcpSecretManagerOptions, StoreServiceAccount, VaultOptions } from './secret-provider';
export { SecretStore } from './secret-store';
export type { ISecretStore, SecretStoreProps } from './secret-store';
export { ClusterSecretStore } from './cluster-secret-store';
export type { ClusterSecretStoreProps } from './cluster-secret-store';
export { TemplateValue } from './secret-template-value';
export { ExternalSecret } from './external-secret';
export type { ExternalSecretData, ExternalSecretExtract, ExternalSecretProps, ExternalSecretTemplate } from './external-secret';
export { ImageSignature } from './image-signature';
export type { KeylessSignatureOptions } from './image-signature';
export { ImagePolicyEngine, SIGSTORE_INCLUDE_LABEL, VULN_PREDICATE_TYPE } from './image-policy-engine';
export { ImagePolicy, VulnerabilitySeverity } from './image-policy';
export type { ImagePolicyProps, VulnerabilityScanRequirement } from './image-policy';
export { ClusterConfig } from './cluster-config';
export type { ClusterConfigProps } from './cluster-config';
