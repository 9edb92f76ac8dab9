// The platform layer: secure namespaces, RBAC personas, external secrets, image
// policy, cluster configuration, gateways and backups.
export { PodSecurity } from './pod-security';
export { MlNamespace, POD_SECURITY_REASON_ANNOTATION } from './ml-namespace';
export type { MlNamespaceProps, NamespaceAllowance } from './ml-namespace';
