// Reading plain Kubernetes manifests (from a chart, from YAML, from Helm): identity,
// pod templates wherever they are embedded, selectors. Every rule, the capacity report
// and the diagram read objects only through these functions, so YAML not made by this
// library is judged exactly like our own output.
import { MlLabels } from '../../core/labels';

/** True for a plain JSON object (not an array, not null). */
export function isObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `metadata.namespace`, '' when absent (cluster-scoped, or given at `kubectl apply -n`). */
export function namespaceOf(obj: any): string {
  return obj?.metadata?.namespace ?? '';
}

/** `metadata.name`, or a placeholder for objects that have none. */
export function nameOf(obj: any): string {
  return obj?.metadata?.name ?? '<no name>';
}

/**
 * The identity of an object: kind + namespace + name. cdk8s keys construct metadata
 * by name only, which collides as soon as a Service and a Deployment share a name.
 */
export function objectKey(obj: any): string {
  return `${obj?.kind ?? '<no kind>'}/${namespaceOf(obj)}/${nameOf(obj)}`;
}

/** `Deployment ml/bert` (or `NodePool gpu` when cluster-scoped): how findings name objects. */
export function displayName(obj: any): string {
  const ns = namespaceOf(obj);
  return `${obj?.kind ?? '<no kind>'} ${ns ? `${ns}/` : ''}${nameOf(obj)}`;
}

/** A pod spec found inside a manifest, with the metadata that sits next to it. */
export interface PodSpecAt {
  /** Dotted path from the object root, e.g. `spec.template.spec`. */
  readonly path: string;
  readonly spec: any;
  /** The sibling `metadata` (pod template or Pod metadata). */
  readonly metadata: any;
  /** The object holding `template`/`spec` (a worker group, a replica spec, the workload's spec). */
  readonly owner: any;
}

/**
 * Heuristic for "this object is a PodSpec": a non-empty `containers` array of named
 * entries, at least one with an image, so partial overrides (TrainJob
 * `podSpecOverrides`) are not mistaken for pods. Finds pod templates in any custom
 * resource (PyTorchJob, Ray groups, LeaderWorkerSet, KServe predictors).
 */
function isPodSpec(node: Record<string, any>): boolean {
  const cs = node.containers;
  return Array.isArray(cs) && cs.length > 0
    && cs.every((c) => isObject(c) && typeof c.name === 'string')
    && cs.some((c) => typeof c.image === 'string');
}

const podSpecCache = new WeakMap<object, PodSpecAt[]>();

/**
 * Kinds whose containers are templates, not pods: KServe merges a runtime's container
 * into each InferenceService's predictor pod (which carries the service account,
 * token and replicas), so counting it as a pod would double capacity and flag pod
 * fields its schema does not have.
 */
const TEMPLATE_KINDS = new Set(['serving.kserve.io/ServingRuntime', 'serving.kserve.io/ClusterServingRuntime']);

/** Every pod spec embedded anywhere in `obj` (memoized per object: rules ask often). */
export function podSpecs(obj: any): PodSpecAt[] {
  if (!isObject(obj)) return [];
  if (TEMPLATE_KINDS.has(`${String(obj.apiVersion).split('/')[0]}/${obj.kind}`)) return [];
  const cached = podSpecCache.get(obj);
  if (cached) return cached;
  const found: PodSpecAt[] = [];
  const join = (at: string, key: string) => (at ? `${at}.${key}` : key);
  const visit = (node: unknown, at: string, parent: Record<string, any> | undefined, grand: Record<string, any> | undefined) => {
    if (Array.isArray(node)) {
      node.forEach((item, i) => visit(item, `${at}[${i}]`, undefined, undefined));
    } else if (isObject(node)) {
      if (isPodSpec(node)) {
        // `template.spec` -> owner is the object holding `template`; a Pod's or a
        // KServe predictor's spec is its own owner.
        const owner = parent && parent.spec === node ? (grand ?? parent) : node;
        found.push({ path: at, spec: node, metadata: parent?.spec === node ? parent.metadata ?? {} : node.metadata ?? {}, owner });
        return;
      }
      for (const [key, value] of Object.entries(node)) {
        if (key === 'metadata' || key === 'status') continue;
        visit(value, join(at, key), node, parent);
      }
    }
  };
  // The object itself may be a Pod: its spec sits beside its metadata.
  visit(obj, '', undefined, undefined);
  podSpecCache.set(obj, found);
  return found;
}

/** Every container of a pod spec with the list it sits in. */
export function containersOf(spec: any): { list: string; index: number; container: any }[] {
  const out: { list: string; index: number; container: any }[] = [];
  for (const list of ['initContainers', 'containers', 'ephemeralContainers']) {
    (Array.isArray(spec?.[list]) ? spec[list] : []).forEach((container: any, index: number) => {
      if (isObject(container)) out.push({ list, index, container });
    });
  }
  return out;
}

/** True when a label selector (matchLabels + matchExpressions) selects `labels`. */
export function selectorMatches(selector: any, labels: { [key: string]: string } | undefined): boolean {
  if (!isObject(selector)) return false;
  const have = labels ?? {};
  if (isObject(selector.matchLabels) && !MlLabels.matches(selector.matchLabels, have)) return false;
  for (const e of Array.isArray(selector.matchExpressions) ? selector.matchExpressions : []) {
    const value = have[e?.key];
    const values: string[] = Array.isArray(e?.values) ? e.values : [];
    switch (e?.operator) {
      case 'In': if (value === undefined || !values.includes(value)) return false; break;
      case 'NotIn': if (value !== undefined && values.includes(value)) return false; break;
      case 'Exists': if (value === undefined) return false; break;
      case 'DoesNotExist': if (value !== undefined) return false; break;
      default: return false;
    }
  }
  // An empty selector ({}) selects everything, as in Kubernetes.
  return true;
}

/** True when a Service-style selector (a plain map) selects `labels`; an empty map selects nothing. */
export function mapSelectorMatches(selector: any, labels: { [key: string]: string } | undefined): boolean {
  return isObject(selector) && Object.keys(selector).length > 0 && MlLabels.matches(selector, labels ?? {});
}

/** Kinds whose pods serve traffic and run continuously. */
export const SERVER_KINDS = new Set(['Deployment', 'StatefulSet', 'ReplicaSet', 'Rollout', 'LeaderWorkerSet']);
/** Kinds that run to completion. */
export const BATCH_KINDS = new Set(['Job', 'CronJob', 'PyTorchJob', 'TFJob', 'MPIJob', 'RayJob', 'TrainJob', 'JobSet']);
