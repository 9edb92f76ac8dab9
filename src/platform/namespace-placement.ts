// Which kinds have no namespace. Kubernetes rejects nothing when a cluster-scoped
// manifest carries metadata.namespace, but kubectl and GitOps tools then group or
// diff it under a namespace it does not live in; so placement never adds one.

const CLUSTER_SCOPED = new Set([
  // core and built-in groups
  '/Namespace', '/Node', '/PersistentVolume', '/ComponentStatus',
  'rbac.authorization.k8s.io/ClusterRole', 'rbac.authorization.k8s.io/ClusterRoleBinding',
  'scheduling.k8s.io/PriorityClass',
  'storage.k8s.io/StorageClass', 'storage.k8s.io/CSIDriver', 'storage.k8s.io/CSINode', 'storage.k8s.io/VolumeAttachment', 'storage.k8s.io/VolumeAttributesClass',
  'networking.k8s.io/IngressClass', 'networking.k8s.io/IPAddress', 'networking.k8s.io/ServiceCIDR',
  'node.k8s.io/RuntimeClass',
  'apiextensions.k8s.io/CustomResourceDefinition', 'apiregistration.k8s.io/APIService',
  'admissionregistration.k8s.io/MutatingWebhookConfiguration', 'admissionregistration.k8s.io/ValidatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy', 'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding',
  'admissionregistration.k8s.io/MutatingAdmissionPolicy', 'admissionregistration.k8s.io/MutatingAdmissionPolicyBinding',
  'certificates.k8s.io/CertificateSigningRequest', 'certificates.k8s.io/ClusterTrustBundle',
  'flowcontrol.apiserver.k8s.io/FlowSchema', 'flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration',
  'resource.k8s.io/DeviceClass',
  // custom resources this library emits or references
  'gateway.networking.k8s.io/GatewayClass',
  'karpenter.sh/NodePool', 'karpenter.sh/NodeClaim', 'karpenter.k8s.aws/EC2NodeClass',
  'kueue.x-k8s.io/ClusterQueue', 'kueue.x-k8s.io/ResourceFlavor', 'kueue.x-k8s.io/WorkloadPriorityClass',
  'kyverno.io/ClusterPolicy', 'policies.kyverno.io/ImageValidatingPolicy', 'policies.kyverno.io/ValidatingPolicy',
  'policy.sigstore.dev/ClusterImagePolicy',
  'external-secrets.io/ClusterSecretStore', 'external-secrets.io/ClusterExternalSecret',
  'serving.kserve.io/ClusterServingRuntime', 'serving.kserve.io/ClusterStorageContainer',
  'keda.sh/ClusterTriggerAuthentication', 'argoproj.io/ClusterAnalysisTemplate',
  'trainer.kubeflow.org/ClusterTrainingRuntime', 'kubeflow.org/Profile',
  'cert-manager.io/ClusterIssuer',
]);

/** True for kinds that live outside any namespace. */
export function isClusterScoped(apiVersion: string, kind: string): boolean {
  const slash = apiVersion.lastIndexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  return CLUSTER_SCOPED.has(`${group}/${kind}`);
}
