// Typed structs for the parts of Kueue's CRDs (`kueue.x-k8s.io/v1beta2`, Kueue
// v0.19 config/components/crd/bases) that we emit. Internal: rendered with ApiObject.

export const KUEUE_API_VERSION = 'kueue.x-k8s.io/v1beta2';

/** `ResourceFlavor.spec`. */
export interface ResourceFlavorSpec {
  readonly nodeLabels?: { [key: string]: string };
  readonly nodeTaints?: { key: string; value?: string; effect: string }[];
  readonly tolerations?: { key: string; operator: string; value?: string; effect?: string }[];
}

/** `ClusterQueue.spec.resourceGroups[].flavors[]`. */
export interface FlavorQuotasSpec {
  readonly name: string;
  readonly resources: { name: string; nominalQuota: string }[];
}

/** `ClusterQueue.spec`. */
export interface ClusterQueueSpec {
  readonly namespaceSelector: { matchLabels?: { [key: string]: string } };
  readonly cohortName?: string;
  readonly queueingStrategy: string;
  readonly resourceGroups: { coveredResources: string[]; flavors: FlavorQuotasSpec[] }[];
  readonly preemption?: { withinClusterQueue?: string; reclaimWithinCohort?: string };
}

/** `LocalQueue.spec`. */
export interface LocalQueueSpec {
  readonly clusterQueue: string;
}
