// The API resources behind the RBAC personas and the aggregated ClusterRoles: what
// this library emits, grouped so each persona names what it needs. Internal.

/** One RBAC rule as the API spells it. */
export interface RbacRule {
  readonly apiGroups: string[];
  readonly resources: string[];
  readonly verbs: string[];
  readonly resourceNames?: string[];
}

export const READ = ['get', 'list', 'watch'];
export const WRITE = [...READ, 'create', 'update', 'patch', 'delete'];

/** Built-in kinds of a model server or training job. */
export const WORKLOADS: Array<[string, string[]]> = [
  ['apps', ['deployments', 'statefulsets', 'replicasets']],
  ['batch', ['jobs', 'cronjobs']],
  ['autoscaling', ['horizontalpodautoscalers']],
  ['policy', ['poddisruptionbudgets']],
  ['', ['services', 'configmaps', 'persistentvolumeclaims']],
];

/** Namespaced custom resources of the ML tools (written by engineers, CI and the aggregated edit role). */
export const ML_CUSTOM_RESOURCES: Array<[string, string[]]> = [
  ['ray.io', ['rayclusters', 'rayjobs', 'rayservices']],
  ['kubeflow.org', ['pytorchjobs', 'notebooks', 'experiments']],
  ['trainer.kubeflow.org', ['trainjobs']],
  ['serving.kserve.io', ['inferenceservices', 'servingruntimes', 'llminferenceservices']],
  ['leaderworkerset.x-k8s.io', ['leaderworkersets']],
];

/** Delivery and operations resources the library emits next to workloads (CI writes them). */
export const PLATFORM_CUSTOM_RESOURCES: Array<[string, string[]]> = [
  ['monitoring.coreos.com', ['servicemonitors', 'podmonitors', 'prometheusrules']],
  ['keda.sh', ['scaledobjects', 'triggerauthentications']],
  ['autoscaling.k8s.io', ['verticalpodautoscalers']],
  ['gateway.networking.k8s.io', ['httproutes', 'grpcroutes']],
  ['external-secrets.io', ['externalsecrets']],
  ['argoproj.io', ['rollouts', 'analysistemplates']],
];

/** Read-only everywhere: queues are admins' (Kueue), node pools are the cluster's (Karpenter). */
export const READ_ONLY_CUSTOM_RESOURCES: Array<[string, string[]]> = [
  ['kueue.x-k8s.io', ['localqueues', 'workloads']],
];

/** Cluster-scoped capacity objects, readable through the aggregated view role. */
export const CLUSTER_READ_ONLY: Array<[string, string[]]> = [
  ['karpenter.sh', ['nodepools', 'nodeclaims']],
  ['karpenter.k8s.aws', ['ec2nodeclasses']],
  ['kueue.x-k8s.io', ['clusterqueues', 'resourceflavors', 'workloadpriorityclasses']],
];

export function rules(groups: Array<[string, string[]]>, verbs: string[]): RbacRule[] {
  return groups.map(([group, resources]) => ({ apiGroups: [group], resources: [...resources], verbs: [...verbs] }));
}
