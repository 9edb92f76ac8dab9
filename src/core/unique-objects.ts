import { ApiObject, App, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { invalidProp } from './errors';
import { oncePerSynth, renderForCheck } from './synth-rounds';

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
 *
 * @example
 * import { GpuNodePool, TargetCluster } from 'cdk8s-ml';
 *
 * // This chart and a sibling chart are two clusters: each may define its own
 * // cluster-scoped objects of the same name.
 * new GpuNodePool(this, 'gpus', { maxGpus: 16 });
 * const staging = new Chart(this.node.root, 'staging', { namespace: 'ml' });
 * TargetCluster.mark(staging, 'staging');
 * new GpuNodePool(staging, 'gpus', { maxGpus: 4 });
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
const PREPARATIONS = new WeakMap<IConstruct, Array<() => void>>();

/**
 * Registers `prepare` to run before the App's synth-time checks read manifests
 * (this file's, and the policy checks'). cdk8s validates the tree top-down, so
 * the App's and a Chart's checks run before a child's own validation: whatever
 * a construct decides at synth (MlNamespace's placement) must run first. Idempotent
 * preparations only; they also stay free to run in their own validation.
 * @internal
 */
export function beforeSynthChecks(scope: IConstruct, prepare: () => void): void {
  const root = scope.node.root;
  PREPARATIONS.set(root, [...(PREPARATIONS.get(root) ?? []), prepare]);
}

/** Runs the preparations registered under `scope`'s root (internal). */
export function runSynthPreparations(scope: IConstruct): void {
  for (const prepare of PREPARATIONS.get(scope.node.root) ?? []) prepare();
}

/**
 * Adds (once per App) the synth-time check that no two objects of the App have the
 * same kind, namespace and name in one cluster, and that a cluster gets at most one
 * `globalDefault` PriorityClass. Every construct of this library calls it; it checks
 * every ApiObject of the App, ours or not.
 * @internal
 */
export function requireUniqueObjectsInApp(scope: IConstruct): void {
  requireChartNamespace(scope);
  const root = scope.node.root;
  if (!(root instanceof App) || CHECKED.has(root)) return;
  CHECKED.add(root);
  root.node.addValidation({
    validate: oncePerSynth(root, () => {
      runSynthPreparations(root);
      return [...duplicateObjects(root), ...strayServiceSelections(root)];
    }),
  });
}

const POD_TEMPLATE_KINDS: { [kind: string]: (spec: any) => any } = {
  Deployment: spec => spec?.template,
  StatefulSet: spec => spec?.template,
  DaemonSet: spec => spec?.template,
  ReplicaSet: spec => spec?.template,
  Job: spec => spec?.template,
  CronJob: spec => spec?.jobTemplate?.spec?.template,
};

const INTENDED = new WeakMap<IConstruct, IConstruct[]>();

/**
 * Records that `service` selects the pods of `workload` on purpose (a preview or
 * canary Service beside a server that progressive delivery wraps), so the check
 * below does not refuse it.
 */
export function selectsOnPurpose(service: IConstruct, workload: IConstruct | undefined): void {
  if (!workload) return;
  const apiObject = ApiObject.of(service);
  INTENDED.set(apiObject, [...(INTENDED.get(apiObject) ?? []), workload]);
}

/**
 * A Service of one construct whose selector also matches the pods of another
 * construct in the same namespace (a canary's shared `app: ml-model` Service and a
 * user's own Deployment labelled `app: ml-model`, say) sends part of its traffic to
 * pods that never meant to serve it. Services created directly in a chart are left
 * alone: nothing tells which pods they mean.
 */
function strayServiceSelections(app: App): string[] {
  const rendered = RENDERED.get(app);
  RENDERED.delete(app);
  const jsonOf = (o: ApiObject) => rendered?.get(o) ?? o.toJson();
  const objects = app.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
  const pods = objects.filter(o => POD_TEMPLATE_KINDS[o.kind]).map(o => {
    const json = jsonOf(o);
    return { obj: o, scopes: new Set(o.node.scopes), cluster: TargetCluster.of(Chart.of(o)), namespace: json.metadata?.namespace ?? 'default', labels: POD_TEMPLATE_KINDS[o.kind](json.spec)?.metadata?.labels ?? {} };
  });
  const errors: string[] = [];
  for (const svc of objects.filter(o => o.kind === 'Service' && o.apiVersion === 'v1')) {
    // The construct that made the Service (cdk8s-plus wraps the ApiObject in a 'Resource' child).
    const wrapper = svc.node.id === 'Resource' && svc.node.scope ? svc.node.scope : svc;
    const owner = wrapper.node.scope;
    if (!owner || owner === Chart.of(svc)) continue;
    const json = jsonOf(svc);
    const selector: { [k: string]: string } = json.spec?.selector ?? {};
    if (Object.keys(selector).length === 0) continue;
    const cluster = TargetCluster.of(Chart.of(svc));
    const namespace = json.metadata?.namespace ?? 'default';
    for (const p of pods) {
      if (p.cluster !== cluster || p.namespace !== namespace) continue;
      if (p.scopes.has(owner)) continue;
      if ((INTENDED.get(svc) ?? []).some(w => p.scopes.has(w))) continue;
      if (Object.entries(selector).every(([k, v]) => p.labels[k] === v)) {
        errors.push(`Service '${namespace}/${json.metadata?.name}' of '${owner.node.path}' selects ${JSON.stringify(selector)}, which also matches the pods of ${p.obj.kind} '${ownerPath(p.obj)}': they would receive its traffic. Give one of them distinct labels (appLabels, labels or selectorLabels)`);
      }
    }
  }
  return errors;
}

// A namespace name is an RFC 1123 label.
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Refuses a chart namespace the API server would reject on every object of the chart. */
function requireChartNamespace(scope: IConstruct): void {
  let chart: Chart;
  try {
    chart = Chart.of(scope);
  } catch {
    return; // not in a chart (yet): nothing to check
  }
  const ns = chart.namespace;
  if (ns !== undefined && (ns.length > 63 || !DNS_LABEL.test(ns))) {
    throw invalidProp(scope, `namespace of chart '${chart.node.path}'`, `('${ns}') must be a valid RFC 1123 DNS label: lowercase alphanumerics and '-', starting and ending with an alphanumeric, at most 63 characters`);
  }
}

// Both checks read every object's rendered manifest, and rendering is most of their
// cost (and of the App's synth time): duplicateObjects, which runs first, keeps what it
// rendered for strayServiceSelections, which takes it instead of rendering again; inside
// app.synth() the output takes it too (renderForCheck, src/core/synth-rounds.ts).
const RENDERED = new WeakMap<App, Map<ApiObject, any>>();

function duplicateObjects(app: App): string[] {
  const seen = new Map<string, ApiObject>();
  const defaults = new Map<string, ApiObject>();
  const errors: string[] = [];
  const rendered = new Map<ApiObject, any>();
  RENDERED.set(app, rendered);
  for (const obj of app.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject)) {
    const cluster = TargetCluster.of(Chart.of(obj));
    const json = renderForCheck(obj);
    rendered.set(obj, json);
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
