import { ApiObject, Chart, JsonPatch } from 'cdk8s';

/**
 * Makes an ApiObject cluster-scoped: cdk8s puts the chart's namespace on every
 * object, but cluster-scoped kinds (NodePool, PriorityClass) have none, and a stray
 * `metadata.namespace` misleads readers and tools that diff or group manifests by
 * namespace. Removed by patch, only when there is one to remove.
 */
export function makeClusterScoped(obj: ApiObject): void {
  if (Chart.of(obj).namespace !== undefined) {
    obj.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
  }
}
