/**
 * Validates synthesized manifests the way the API server would, before anything
 * reaches a cluster:
 *  - built-in kinds against the Kubernetes OpenAPI schemas compiled into
 *    `kubernetes-models` (pinned to 4.5.x: 5.x is ESM-only and jest's CommonJS
 *    runtime cannot load it);
 *  - custom resources against the `openAPIV3Schema` of the served version in their
 *    upstream CRD files (../shared/crds, or $CDK8S_ML_CRDS_DIR), with ajv;
 *  - a few API-server checks OpenAPI cannot express: metadata.name present and
 *    well-formed, label syntax, workload selectors matching their pod template;
 *  - the API server's other validation rules (api-server-rules.ts: uniqueness,
 *    exactly-one handlers, affinity operators, quota keys...) on every object, built-in
 *    or custom (pod templates inside custom resources included), and across objects;
 *  - the CRDs' CEL rules (`x-kubernetes-validations`, cel-rules.ts) on every custom resource.
 * Without CRDs (fresh clone), a test that validates a custom resource is skipped (see
 * prerequisites.ts), never passed on an unvalidated object.
 */
import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { Chart, Testing } from 'cdk8s';
import * as admissionregistrationV1 from 'kubernetes-models/admissionregistration.k8s.io/v1';
import * as apiextensionsV1 from 'kubernetes-models/apiextensions.k8s.io/v1';
import * as apiregistrationV1 from 'kubernetes-models/apiregistration.k8s.io/v1';
import * as appsV1 from 'kubernetes-models/apps/v1';
import * as autoscalingV1 from 'kubernetes-models/autoscaling/v1';
import * as autoscalingV2 from 'kubernetes-models/autoscaling/v2';
import * as batchV1 from 'kubernetes-models/batch/v1';
import * as certificatesV1 from 'kubernetes-models/certificates.k8s.io/v1';
import * as coordinationV1 from 'kubernetes-models/coordination.k8s.io/v1';
import * as discoveryV1 from 'kubernetes-models/discovery.k8s.io/v1';
import * as eventsV1 from 'kubernetes-models/events.k8s.io/v1';
import * as flowcontrolV1 from 'kubernetes-models/flowcontrol.apiserver.k8s.io/v1';
import * as networkingV1 from 'kubernetes-models/networking.k8s.io/v1';
import * as nodeV1 from 'kubernetes-models/node.k8s.io/v1';
import * as policyV1 from 'kubernetes-models/policy/v1';
import * as rbacV1 from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import * as schedulingV1 from 'kubernetes-models/scheduling.k8s.io/v1';
import * as storageV1 from 'kubernetes-models/storage.k8s.io/v1';
import * as coreV1 from 'kubernetes-models/v1';
import { parseAllDocuments } from 'yaml';
import { apiServerProblems, crossObjectProblems, isClusterScopedBuiltIn } from './api-server-rules';
import { celProblems } from './cel-rules';
import { restrictedViolations } from './pod-security';
import { hasCrdFiles, needs, resolveCrdsDir } from './prerequisites';

export interface ValidateOptions {
  /** Kinds allowed to have no schema, as `apiVersion/kind` (e.g. `example.com/v1/Widget`) or bare `kind`. */
  readonly allowUnknownKinds?: string[];
  /**
   * Accept fields a CRD schema does not declare. Off by default: the API server
   * prunes them silently, or rejects them under `kubectl --validate=strict`.
   */
  readonly allowUnknownFields?: boolean;
  /** Accept CRD versions marked `deprecated: true` (e.g. ray.io/v1alpha1). Off by default: new code should not emit them. */
  readonly allowDeprecatedVersions?: boolean;
}

export interface SynthAndValidateOptions extends ValidateOptions {
  /** Skip the Pod Security Standard "restricted" check. */
  readonly skipPodSecurity?: boolean;
}

/**
 * Where CRDs are read from: `CDK8S_ML_CRDS_DIR`, else the sibling `../shared/crds`
 * checkout, else `.tools/crds` (filled by `npx projen crds:fetch`).
 */
export const CRDS_DIR = resolveCrdsDir();

/** True when CRDS_DIR holds CRD files (an empty folder counts as missing). */
export function crdsAvailable(): boolean {
  return hasCrdFiles(CRDS_DIR);
}

// ---------------------------------------------------------------- built-in kinds

type ModelClass = (new (data: unknown) => { validate(): void }) & { apiVersion: string; kind: string };

// Only GA group-versions: beta APIs are off by default and old ones (extensions/v1beta1,
// policy/v1beta1, batch/v1beta1, autoscaling/v2beta2...) are removed, so an object
// using them must fail rather than match the stale schema kubernetes-models still ships.
const BUILT_IN: Record<string, object> = {
  'v1': coreV1,
  'apps/v1': appsV1,
  'batch/v1': batchV1,
  'autoscaling/v1': autoscalingV1,
  'autoscaling/v2': autoscalingV2,
  'policy/v1': policyV1,
  'networking.k8s.io/v1': networkingV1,
  'scheduling.k8s.io/v1': schedulingV1,
  'rbac.authorization.k8s.io/v1': rbacV1,
  'storage.k8s.io/v1': storageV1,
  'node.k8s.io/v1': nodeV1,
  'admissionregistration.k8s.io/v1': admissionregistrationV1,
  'apiextensions.k8s.io/v1': apiextensionsV1,
  'apiregistration.k8s.io/v1': apiregistrationV1,
  'certificates.k8s.io/v1': certificatesV1,
  'coordination.k8s.io/v1': coordinationV1,
  'discovery.k8s.io/v1': discoveryV1,
  'events.k8s.io/v1': eventsV1,
  'flowcontrol.apiserver.k8s.io/v1': flowcontrolV1,
};

function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.lastIndexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

// Groups served by kube-apiserver itself: an unknown version there is never a CRD.
const BUILT_IN_GROUPS = new Set([
  ...Object.keys(BUILT_IN).map((av) => splitApiVersion(av).group),
  'extensions', 'authentication.k8s.io', 'authorization.k8s.io', 'resource.k8s.io', 'storagemigration.k8s.io', 'internal.apiserver.k8s.io',
]);

function builtInModel(apiVersion: string, kind: string): ModelClass | undefined {
  // Modules also export classes for nested types (PodSpec...); only top-level kinds carry apiVersion/kind.
  const cls = (BUILT_IN[apiVersion] as Record<string, ModelClass | undefined> | undefined)?.[kind];
  return cls?.apiVersion === apiVersion && cls?.kind === kind ? cls : undefined;
}

// ---------------------------------------------------------------- ajv for CRDs

/**
 * CRD patterns are Go RE2. JavaScript lacks RE2's leading inline flags (e.g. `(?i)` in
 * the prometheus-operator CRDs), so translate those into RegExp flags.
 */
const goRegExp = Object.assign((pattern: string, flags: string) => {
  const inline = /^(\^?)\(\?([imsU]+)\)/.exec(pattern);
  if (!inline) return new RegExp(pattern, flags);
  const extra = inline[2].replace(/U/g, ''); // ungreedy has no JS equivalent; it cannot change a match/no-match answer
  return new RegExp(inline[1] + pattern.slice(inline[0].length), flags + extra);
}, { code: 'goRegExp' });

// Kubernetes structural-schema extensions. Declared so ajv knows them; none affects
// validation here except where handled in `kubeSchema` (CEL needs a CEL engine).
const KUBE_KEYWORDS = [
  'x-kubernetes-int-or-string', 'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-embedded-resource',
  'x-kubernetes-validations', 'x-kubernetes-list-type', 'x-kubernetes-list-map-keys', 'x-kubernetes-map-type',
];

// useDefaults: the API server defaults before it validates, so `required` fields that
// carry a default must not fail. We always validate a copy.
const ajv = new Ajv({ strict: false, allErrors: true, useDefaults: true, code: { regExp: goRegExp } });
addFormats(ajv);
ajv.addVocabulary(KUBE_KEYWORDS);
// ajv-formats' `duration` is ISO 8601; Kubernetes means Go durations ("30s", "1h30m").
ajv.addFormat('duration', /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h|d|w))+$/);
ajv.addFormat('quantity', /^[+-]?(\d+(\.\d*)?|\.\d+)(([KMGTPE]i)|[numkMGTPE]|[eE][+-]?(\d+(\.\d*)?|\.\d+))?$/);

/** The API server ignores formats it does not know; so must we (ajv would throw). */
function registerUnknownFormats(node: unknown): void {
  if (Array.isArray(node)) {
    node.forEach(registerUnknownFormats);
  } else if (node && typeof node === 'object') {
    const format = (node as any).format;
    if (typeof format === 'string' && !ajv.formats[format]) ajv.addFormat(format, true);
    Object.values(node).forEach(registerUnknownFormats);
  }
}

const TYPE_META = { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' } };

/**
 * Rewrites a CRD schema into plain JSON Schema with the API server's semantics:
 * int-or-string without an explicit anyOf, and (unless allowUnknownFields) objects
 * closed to undeclared fields exactly where pruning would apply: declared
 * `properties`, no `additionalProperties`, no `x-kubernetes-preserve-unknown-fields`.
 * Value-validation branches (anyOf/allOf/oneOf/not) are never closed: structural
 * schemas only restate properties there.
 */
function kubeSchema(node: any, close: boolean, root = false): any {
  if (Array.isArray(node)) return node.map((n) => kubeSchema(n, false));
  if (!node || typeof node !== 'object') return node;
  const out: any = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'properties' || key === 'patternProperties') {
      out[key] = Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, kubeSchema(v, close)]));
    } else if (key === 'items' || key === 'additionalProperties') {
      out[key] = kubeSchema(value, close);
    } else if (key === 'anyOf' || key === 'allOf' || key === 'oneOf' || key === 'not') {
      out[key] = kubeSchema(value, false);
    } else {
      out[key] = value;
    }
  }
  if (out['x-kubernetes-int-or-string'] && !out.anyOf && !out.type) out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  if ((root || out['x-kubernetes-embedded-resource']) && out.properties) out.properties = { ...TYPE_META, ...out.properties };
  if (close && out.properties && out.additionalProperties === undefined && !out['x-kubernetes-preserve-unknown-fields']) {
    out.additionalProperties = false;
  }
  return out;
}

// ---------------------------------------------------------------- CRD index

interface CrdVersion {
  readonly file: string;
  readonly served: boolean;
  readonly deprecated: boolean;
  readonly schema?: object;
  readonly clusterScoped: boolean;
}

/** `group/kind` -> version name -> entry. Filled lazily, one API group at a time. */
const crdIndex = new Map<string, Map<string, CrdVersion>>();
const indexedGroups = new Set<string>();
const compiled = new Map<string, ValidateFunction>();

function crdFiles(): string[] {
  return fs.readdirSync(CRDS_DIR).filter((f) => /\.ya?ml$/.test(f)).map((f) => path.join(CRDS_DIR, f));
}

/**
 * Indexes the CRDs of one group. Parsing all of ../shared/crds takes over a second, so
 * only files that mention the group at all are parsed (a file defining it must).
 */
function indexGroup(group: string): void {
  if (indexedGroups.has(group)) return;
  indexedGroups.add(group);
  for (const file of crdFiles()) {
    const text = fs.readFileSync(file, 'utf8');
    if (!text.includes(group)) continue;
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors.length > 0) throw new Error(`${file}: invalid YAML: ${doc.errors[0].message}`);
      const crd = doc.toJS({ maxAliasCount: -1 });
      // apiextensions.k8s.io/v1beta1 CRDs were removed in Kubernetes 1.22: not indexed.
      if (crd?.apiVersion !== 'apiextensions.k8s.io/v1' || crd.kind !== 'CustomResourceDefinition') continue;
      if (crd.spec?.group !== group) continue;
      const key = `${group}/${crd.spec.names?.kind}`;
      const versions = crdIndex.get(key) ?? new Map<string, CrdVersion>();
      for (const v of crd.spec.versions ?? []) {
        versions.set(v.name, { file, served: v.served === true, deprecated: v.deprecated === true, schema: v.schema?.openAPIV3Schema, clusterScoped: crd.spec.scope === 'Cluster' });
      }
      crdIndex.set(key, versions);
    }
  }
}

function crdValidator(group: string, kind: string, version: string, entry: CrdVersion, open: boolean): ValidateFunction {
  const key = `${group}/${version}/${kind}/${open ? 'open' : 'closed'}`;
  let fn = compiled.get(key);
  if (!fn) {
    registerUnknownFormats(entry.schema);
    fn = ajv.compile(kubeSchema(entry.schema, !open, true));
    compiled.set(key, fn);
  }
  return fn;
}

// ---------------------------------------------------------------- API-server semantics

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const RBAC_KINDS = new Set(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);
const SELECTOR_KINDS = new Set(['apps/v1/Deployment', 'apps/v1/StatefulSet', 'apps/v1/DaemonSet', 'apps/v1/ReplicaSet']);

function nameProblems(obj: any): string[] {
  const name = obj.metadata?.name;
  if (typeof name !== 'string' || name === '') return ['metadata.name is required'];
  // Names become DNS records / path segments; the rule differs by kind.
  if (RBAC_KINDS.has(obj.kind)) {
    return /[/%]/.test(name) || name === '.' || name === '..' ? [`metadata.name "${name}" is not a valid path segment`] : [];
  }
  if (obj.apiVersion === 'v1' && obj.kind === 'Service') {
    return name.length <= 63 && DNS1035_LABEL.test(name) ? [] : [`metadata.name "${name}" must be a DNS-1035 label (Service)`];
  }
  if (obj.apiVersion === 'v1' && obj.kind === 'Namespace') {
    return name.length <= 63 && DNS1123_LABEL.test(name) ? [] : [`metadata.name "${name}" must be a DNS-1123 label (Namespace)`];
  }
  return name.length <= 253 && DNS1123_SUBDOMAIN.test(name) ? [] : [`metadata.name "${name}" must be a DNS-1123 subdomain`];
}

function labelProblems(labels: unknown, at: string): string[] {
  if (!labels || typeof labels !== 'object') return [];
  const out: string[] = [];
  for (const [key, value] of Object.entries(labels)) {
    const slash = key.lastIndexOf('/');
    const prefix = slash < 0 ? undefined : key.slice(0, slash);
    const name = key.slice(slash + 1);
    const prefixOk = prefix === undefined || (prefix.length <= 253 && DNS1123_SUBDOMAIN.test(prefix));
    if (!prefixOk || name.length > 63 || !QUALIFIED_NAME.test(name)) out.push(`${at}: label key "${key}" is invalid`);
    if (typeof value === 'string' && value !== '' && !(value.length <= 63 && QUALIFIED_NAME.test(value))) {
      out.push(`${at}: label value "${value}" for "${key}" is invalid (max 63 chars, alphanumerics, "-", "_", ".")`);
    }
  }
  return out;
}

/** Does a LabelSelector select these labels? (the API server rejects workloads whose selector misses the template) */
function selects(selector: any, labels: Record<string, string>): boolean {
  const matchLabels = Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  return matchLabels && (selector?.matchExpressions ?? []).every((e: any) => {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    switch (e.operator) {
      case 'In': return has && (e.values ?? []).includes(labels[e.key]);
      case 'NotIn': return !has || !(e.values ?? []).includes(labels[e.key]);
      case 'Exists': return has;
      case 'DoesNotExist': return !has;
      default: return false;
    }
  });
}

function semanticProblems(obj: any): string[] {
  const out = [...nameProblems(obj), ...labelProblems(obj.metadata?.labels, 'metadata.labels')];
  const template = obj.spec?.template;
  if (template?.metadata?.labels) out.push(...labelProblems(template.metadata.labels, 'spec.template.metadata.labels'));
  if (SELECTOR_KINDS.has(`${obj.apiVersion}/${obj.kind}`) && obj.spec?.selector && template) {
    const sel = obj.spec.selector;
    if (!sel.matchLabels && !sel.matchExpressions) out.push('spec.selector must not be empty');
    else if (!selects(sel, template.metadata?.labels ?? {})) out.push('spec.selector does not match spec.template.metadata.labels');
  }
  return out;
}

// ---------------------------------------------------------------- public API

/** `/spec/containers/0/image` -> `spec.containers[0].image` */
function toPath(pointer: string): string {
  return pointer.split('/').slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, s) => (/^\d+$/.test(s) ? `${acc}[${s}]` : acc ? `${acc}.${s}` : s), '') || '(root)';
}

function formatError(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  // kubernetes-models (ajv-i18n) and our ajv word `required` differently; say it one way.
  if (e.keyword === 'required') return `${toPath(e.instancePath)} must have required property '${p.missingProperty}'`;
  const detail = p.additionalProperty !== undefined ? ` "${p.additionalProperty}"`
    : p.allowedValues !== undefined ? `: ${JSON.stringify(p.allowedValues)}` : '';
  return `${toPath(e.instancePath)} ${e.message ?? e.keyword}${detail}`;
}

function isAllowedUnknown(apiVersion: string, kind: string, options: ValidateOptions): boolean {
  return (options.allowUnknownKinds ?? []).some((k) => k === kind || k === `${apiVersion}/${kind}`);
}


/** Schema problems of one object, without its identity prefix. */
function objectProblems(obj: any, options: ValidateOptions): string[] {
  if (!obj || typeof obj !== 'object') return ['not an object'];
  const { apiVersion, kind } = obj;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return ['apiVersion and kind are required'];
  const problems = [...semanticProblems(obj), ...apiServerProblems(obj, crdScope(obj))];
  const model = builtInModel(apiVersion, kind);
  const { group, version } = splitApiVersion(apiVersion);
  if (model) {
    try {
      new model(obj).validate();
    } catch (err) {
      const errors = (err as { errors?: ErrorObject[] }).errors;
      problems.push(...(Array.isArray(errors) ? errors.map(formatError) : [String(err)]));
    }
    return problems;
  }
  if (isAllowedUnknown(apiVersion, kind, options)) return problems;
  if (BUILT_IN_GROUPS.has(group)) return [...problems, `no schema: ${apiVersion} ${kind} is not a GA built-in kind`];
  if (!crdsAvailable()) {
    // The test cannot be trusted either way: it is reported as skipped (or fails under CI=true).
    needs('crds');
    return problems;
  }
  indexGroup(group);
  const versions = crdIndex.get(`${group}/${kind}`);
  const entry = versions?.get(version);
  if (!versions) return [...problems, `no schema: no CRD for ${group} ${kind} in ${CRDS_DIR}`];
  if (!entry) return [...problems, `no schema: CRD ${group} ${kind} has no version ${version} (has ${[...versions.keys()].join(', ')})`];
  if (!entry.served) return [...problems, `CRD ${group} ${kind} version ${version} is not served (${path.basename(entry.file)})`];
  if (entry.deprecated && !options.allowDeprecatedVersions) {
    const current = [...versions].filter(([, v]) => v.served && !v.deprecated).map(([n]) => n).join(', ');
    return [...problems, `CRD ${group} ${kind} version ${version} is deprecated (use ${current || 'a current version'})`];
  }
  if (!entry.schema) return [...problems, `no schema: CRD ${group} ${kind} ${version} has no openAPIV3Schema`];
  const validate = crdValidator(group, kind, version, entry, options.allowUnknownFields === true);
  // The API server defaults, then validates the schema, then runs CEL on the defaulted object.
  const defaulted = structuredClone(obj);
  if (!validate(defaulted)) problems.push(...(validate.errors ?? []).map(formatError));
  problems.push(...celProblems(defaulted, entry.schema));
  return problems;
}

/** Every problem in `manifests`, as `Kind/name: path message` lines (empty when all valid). */
export function validationProblems(manifests: any[], options: ValidateOptions = {}): string[] {
  return [
    ...manifests.flatMap((obj) => objectProblems(obj, options)
      .map((p) => `${obj?.kind ?? '<no kind>'}/${obj?.metadata?.name ?? '<no name>'}: ${p}`)),
    ...duplicateProblems(manifests),
    ...crossObjectProblems(manifests),
  ];
}

/** `{ crdClusterScoped }` for a custom resource whose CRD is indexed (after indexGroup). */
function crdScope(obj: any): { crdClusterScoped?: boolean } {
  const { group, version } = splitApiVersion(obj.apiVersion);
  if (BUILT_IN_GROUPS.has(group) || !crdsAvailable()) return {};
  indexGroup(group);
  const entry = crdIndex.get(`${group}/${obj.kind}`)?.get(version);
  return entry ? { crdClusterScoped: entry.clusterScoped } : {};
}

function isClusterScoped(obj: any): boolean {
  if (typeof obj?.apiVersion !== 'string' || typeof obj?.kind !== 'string') return false;
  return isClusterScopedBuiltIn(obj.apiVersion, obj.kind) || crdScope(obj).crdClusterScoped === true;
}

/** The identity under which the cluster stores `obj`: group, kind, namespace (none for cluster-scoped kinds), name. */
function storageKey(obj: any): string {
  const namespace = isClusterScoped(obj) ? '' : obj?.metadata?.namespace ?? '';
  return `${obj?.apiVersion?.split('/').slice(0, -1).join('/') ?? ''}|${obj?.kind}|${namespace}|${obj?.metadata?.name}`;
}

/**
 * Two objects of one kind with the same namespace and name: `kubectl apply` would
 * silently keep only the last one (e.g. two colors' HPAs given the same name).
 * Cluster-scoped kinds (PriorityClass, NodePool...) clash whatever namespace they carry.
 */
function duplicateProblems(manifests: any[]): string[] {
  const seen = new Map<string, number>();
  for (const obj of manifests) {
    const key = storageKey(obj);
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  return [...seen.entries()].filter(([, n]) => n > 1).map(([key, n]) => {
    const [, kind, namespace, name] = key.split('|');
    return `${kind}/${name}: ${n} objects share this kind, namespace ('${namespace}') and name; only one would exist in the cluster`;
  });
}

/** Throws one Error listing every schema problem in `manifests`. */
export function validateManifests(manifests: any[], options: ValidateOptions = {}): void {
  const problems = validationProblems(manifests, options);
  if (problems.length > 0) throw new Error(`Invalid manifests (${problems.length} problems):\n  ${problems.join('\n  ')}`);
}

/**
 * Synthesizes `chart`, validates every object (schema, API-server rules, CEL, restricted
 * pod security) and returns the manifests. Other charts of the App are not compared:
 * charts of one app may target different clusters (see the PriorityClass tests).
 */
export function synthAndValidate(chart: Chart, options: SynthAndValidateOptions = {}): any[] {
  const manifests = Testing.synth(chart);
  const problems = [
    ...validationProblems(manifests, options),
    ...(options.skipPodSecurity ? [] : restrictedViolations(manifests).map((v) => `pod security: ${v}`)),
  ];
  if (problems.length > 0) throw new Error(`Chart ${chart.node.path} failed validation (${problems.length} problems):\n  ${problems.join('\n  ')}`);
  return manifests;
}

function matchesKind(obj: any, kind: string): boolean {
  return obj?.kind === kind || `${obj?.apiVersion}/${obj?.kind}` === kind;
}

/** All objects of `kind` (bare kind or `apiVersion/kind`); an empty array when there are none. */
export function findObjects(manifests: any[], kind: string): any[] {
  return manifests.filter((o) => matchesKind(o, kind));
}

/** The one object of `kind` named `name` (exact string, or RegExp for generated names); throws if absent or ambiguous. */
export function findObject(manifests: any[], kind: string, name?: string | RegExp): any {
  const ofKind = findObjects(manifests, kind);
  const found = name === undefined ? ofKind
    : ofKind.filter((o) => (typeof name === 'string' ? o.metadata?.name === name : name.test(o.metadata?.name ?? '')));
  if (found.length === 1) return found[0];
  const have = ofKind.map((o) => o.metadata?.name).join(', ') || 'none';
  const what = name === undefined ? kind : `${kind} ${name}`;
  throw new Error(found.length === 0
    ? `No ${what} in manifests (${kind} objects: ${have}; kinds present: ${[...new Set(manifests.map((o) => o?.kind))].join(', ')})`
    : `${found.length} objects match ${what} (${found.map((o) => o.metadata?.name).join(', ')}); pass a name to pick one`);
}
