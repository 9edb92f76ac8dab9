import { ApiObject, App, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';

// Kinds without a namespace: two of them with one name collide across namespaces and charts.
// @see https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-uris (kubectl api-resources --namespaced=false)
const CLUSTER_SCOPED = new Set([
  'Namespace', 'Node', 'PersistentVolume', 'PriorityClass', 'StorageClass', 'CSIDriver', 'RuntimeClass', 'IngressClass',
  'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'APIService', 'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding',
  'GatewayClass', 'NodePool', 'EC2NodeClass', 'NodeClaim', 'ClusterSecretStore', 'ClusterExternalSecret',
  'ClusterPolicy', 'ClusterImagePolicy', 'ClusterQueue', 'ResourceFlavor', 'Cohort', 'WorkloadPriorityClass',
  'ClusterTrainingRuntime', 'ClusterServingRuntime',
]);

const CLUSTER_OF = Symbol.for('cdk8s-ml.targetCluster');

/**
 * Which cluster a chart's objects go to. The charts of one App are one cluster
 * unless marked otherwise: then the same namespace/kind/name emitted by two charts
 * is a conflict (the second `kubectl apply` overwrites the first), and so is a
 * cluster-scoped object (a NodePool, a PriorityClass) of one name in two charts.
 * Mark charts that model different clusters (a GKE and an EKS variant of one app)
 * so each may define its own.
 */
export class TargetCluster {
  /** Marks every object of `chart` as going to the cluster `name`. */
  public static mark(chart: Chart, name: string): void {
    (chart as unknown as { [CLUSTER_OF]?: string })[CLUSTER_OF] = name;
  }

  /** The cluster `chart` was marked for; `default` when unmarked. */
  public static of(chart: Chart): string {
    return (chart as unknown as { [CLUSTER_OF]?: string })[CLUSTER_OF] ?? 'default';
  }

  private constructor() {}
}

const CHECKED = new WeakSet<object>();

/**
 * Adds (once per App) the synth-time check that no two objects of the App have the
 * same kind, namespace and name in one cluster, and that a cluster gets at most one
 * `globalDefault` PriorityClass. Every construct of this library calls it; it checks
 * every ApiObject of the App, ours or not.
 * @internal
 */
export function requireUniqueObjectsInApp(scope: IConstruct): void {
  const root = scope.node.root;
  if (!(root instanceof App) || CHECKED.has(root)) return;
  CHECKED.add(root);
  root.node.addValidation({ validate: () => duplicateObjects(root) });
}

function duplicateObjects(app: App): string[] {
  const seen = new Map<string, ApiObject>();
  const defaults = new Map<string, ApiObject>();
  const errors: string[] = [];
  for (const obj of app.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject)) {
    const cluster = TargetCluster.of(Chart.of(obj));
    const json = obj.toJson();
    const group = String(obj.apiVersion).includes('/') ? String(obj.apiVersion).split('/')[0] : 'core';
    const namespaced = !CLUSTER_SCOPED.has(obj.kind);
    const namespace = namespaced ? json.metadata?.namespace ?? 'default' : undefined;
    const name = json.metadata?.name ?? obj.name;
    const where = namespaced ? `${obj.kind} '${namespace}/${name}'` : `cluster-scoped ${obj.kind} '${name}'`;
    const key = JSON.stringify([cluster, group, obj.kind, namespace ?? null, name]);
    const first = seen.get(key);
    if (first) {
      errors.push(`${where} (${group}) is emitted twice: by '${ownerPath(first)}' and by '${ownerPath(obj)}'; the second apply would overwrite the first. Rename one${namespaced ? ', put it in another namespace' : ''}, or mark charts that target different clusters with TargetCluster.mark(chart, name)`);
    } else {
      seen.set(key, obj);
    }
    if (obj.kind === 'PriorityClass' && json.globalDefault === true) {
      const other = defaults.get(cluster);
      if (other && other !== obj) {
        errors.push(`PriorityClass '${name}' ('${ownerPath(obj)}') and '${other.name}' ('${ownerPath(other)}') are both globalDefault: a cluster has one default priority`);
      } else {
        defaults.set(cluster, obj);
      }
    }
  }
  return errors;
}

// The construct a user wrote: the ApiObject's parent when it is a generated 'Resource' child.
function ownerPath(obj: ApiObject): string {
  return obj.node.id === 'Resource' && obj.node.scope ? obj.node.scope.node.path : obj.node.path;
}
