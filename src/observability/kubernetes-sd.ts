import { IConstruct } from 'constructs';
import { prune } from './relabel-rule';
import { invalidProp } from '../core/errors';

/**
 * The kind of Kubernetes object a `kubernetes_sd_configs` entry discovers.
 * @see https://prometheus.io/docs/prometheus/latest/configuration/configuration/#kubernetes_sd_config
 */
export enum KubernetesSdRole {
  /** One target per node (kubelet address). */
  NODE = 'node',
  /** One target per Service port. */
  SERVICE = 'service',
  /** One target per declared container port (or per pod without ports). */
  POD = 'pod',
  /** One target per endpoint address of each Service. */
  ENDPOINTS = 'endpoints',
  /** Like endpoints, from EndpointSlices. */
  ENDPOINT_SLICE = 'endpointslice',
  /** One target per Ingress path. */
  INGRESS = 'ingress',
}

/** A server-side label or field selector limiting what one role discovers. */
export interface KubernetesSdSelector {
  /** Which role's objects the selector applies to. */
  readonly role: KubernetesSdRole;
  /**
   * A label selector, e.g. `app.kubernetes.io/name=bert,app.kubernetes.io/component=model-server`.
   * @default - no label selector
   */
  readonly label?: string;
  /**
   * A field selector, e.g. `status.phase=Running`.
   * @default - no field selector
   */
  readonly field?: string;
}

/** One `kubernetes_sd_configs` entry. */
export interface KubernetesSdConfig {
  /** What is discovered. */
  readonly role: KubernetesSdRole;
  /**
   * Namespaces to watch.
   * @default - all namespaces
   */
  readonly namespaces?: string[];
  /**
   * Also watch Prometheus's own namespace.
   * @default false
   */
  readonly ownNamespace?: boolean;
  /**
   * Selectors limiting discovery (cheaper than dropping targets by relabeling).
   * @default - none
   */
  readonly selectors?: KubernetesSdSelector[];
  /**
   * Attach the node's labels (`__meta_kubernetes_node_*`) to pod and endpoint targets.
   * @default false
   */
  readonly attachNodeMetadata?: boolean;
}

// Which selector roles each discovery role accepts (Prometheus refuses the others).
const SELECTOR_ROLES: { [role: string]: KubernetesSdRole[] } = {
  [KubernetesSdRole.NODE]: [KubernetesSdRole.NODE],
  [KubernetesSdRole.SERVICE]: [KubernetesSdRole.SERVICE],
  [KubernetesSdRole.POD]: [KubernetesSdRole.POD],
  [KubernetesSdRole.INGRESS]: [KubernetesSdRole.INGRESS],
  [KubernetesSdRole.ENDPOINTS]: [KubernetesSdRole.POD, KubernetesSdRole.SERVICE, KubernetesSdRole.ENDPOINTS],
  [KubernetesSdRole.ENDPOINT_SLICE]: [KubernetesSdRole.POD, KubernetesSdRole.SERVICE, KubernetesSdRole.ENDPOINT_SLICE],
};
// Kubernetes selector syntax, which Prometheus parses when it loads the config.
const KEY = '(?:[A-Za-z0-9][-A-Za-z0-9_.]*/)?[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?';
const VALUE = '(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?)?';
const LABEL_TERM = new RegExp(`^(?:!?${KEY}|${KEY}\\s*(?:=|==|!=)\\s*${VALUE}|${KEY}\\s+(?:in|notin)\\s+\\(\\s*${VALUE}(?:\\s*,\\s*${VALUE})*\\s*\\))$`);
const FIELD_TERM = /^[A-Za-z0-9.]+\s*(?:=|==|!=)\s*[^,=!\s]*$/;

/** The terms of a selector: comma-separated, except inside the parentheses of `in (a, b)`. */
function selectorTerms(selector: string): string[] {
  return selector.split(/,(?![^(]*\))/).map(t => t.trim());
}

// attach_metadata.node is only honoured for these roles.
const NODE_METADATA_ROLES = [KubernetesSdRole.POD, KubernetesSdRole.ENDPOINTS, KubernetesSdRole.ENDPOINT_SLICE];

/** Throws unless Prometheus would accept the entry. */
export function validateKubernetesSd(scope: IConstruct, prop: string, sd: KubernetesSdConfig): void {
  const roles = (sd.selectors ?? []).map(s => s.role);
  const duplicate = roles.find((r, i) => roles.indexOf(r) !== i);
  if (duplicate) {
    throw invalidProp(scope, `${prop}.selectors`, `has role '${duplicate}' twice; join its terms with commas in one entry`);
  }
  for (const s of sd.selectors ?? []) {
    if (!SELECTOR_ROLES[sd.role].includes(s.role)) {
      throw invalidProp(scope, `${prop}.selectors`, `role '${s.role}' is not allowed with discovery role '${sd.role}' (allowed: ${SELECTOR_ROLES[sd.role].join(', ')})`);
    }
    if (!s.label && !s.field) {
      throw invalidProp(scope, `${prop}.selectors`, 'entries need a label or a field selector');
    }
    if (s.label && !selectorTerms(s.label).every(t => LABEL_TERM.test(t))) {
      throw invalidProp(scope, `${prop}.selectors`, `label ('${s.label}') must be a Kubernetes label selector such as 'app=bert,tier!=batch' or 'env in (prod, staging)'`);
    }
    if (s.field && !selectorTerms(s.field).every(t => FIELD_TERM.test(t))) {
      throw invalidProp(scope, `${prop}.selectors`, `field ('${s.field}') must be a Kubernetes field selector such as 'status.phase=Running'`);
    }
  }
  if (sd.attachNodeMetadata && !NODE_METADATA_ROLES.includes(sd.role)) {
    throw invalidProp(scope, `${prop}.attachNodeMetadata`, `is only supported with roles ${NODE_METADATA_ROLES.join(', ')}`);
  }
}

/** The prometheus.yml form. */
export function renderKubernetesSd(sd: KubernetesSdConfig): { [key: string]: unknown } {
  const namespaces = sd.namespaces || sd.ownNamespace
    ? prune({ own_namespace: sd.ownNamespace || undefined, names: sd.namespaces })
    : undefined;
  return prune({
    role: sd.role,
    namespaces,
    selectors: sd.selectors?.map(s => prune({ role: s.role, label: s.label, field: s.field })),
    attach_metadata: sd.attachNodeMetadata ? { node: true } : undefined,
  });
}
