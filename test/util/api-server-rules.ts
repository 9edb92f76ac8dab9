/**
 * Validation the Kubernetes API server (kube-apiserver 1.34, `pkg/apis/core/validation`,
 * `pkg/apis/{apps,batch,policy,autoscaling}/validation`, apimachinery's
 * `util/validation`) applies on create but OpenAPI schemas cannot express: uniqueness
 * within lists, "exactly one of", cross-field limits, operator/value rules. Plus a few
 * runtime traps the server accepts but the kubelet or a controller then trips on (each
 * such rule says so in its description).
 *
 * Written from the upstream rules, not copied: every rule is one entry in `RULES` with
 * an id, and every problem ends with `[id]`, so a test can break each rule on purpose.
 * Pod specs are found wherever they are embedded (workloads, Pods, custom resources
 * with pod templates) with `findPodSpecs`, so operators' pods are checked too.
 */
import { findPodSpecs } from './pod-security';
import { isWholeQuantity, parseQuantity } from './quantity';

export interface ApiServerRule {
  /** Stable id, printed at the end of every problem as `[id]`. */
  readonly id: string;
  /** What the rule checks and where upstream (or which component) enforces it. */
  readonly description: string;
}

const RULES: ApiServerRule[] = [];
function rule(id: string, description: string): string {
  RULES.push({ id, description });
  return id;
}

// ---------------------------------------------------------------- rule ids

const R = {
  containerNames: rule('pod/container-names', 'container and initContainer names are DNS-1123 labels, unique across the pod (validateContainers, validateInitContainers)'),
  portNames: rule('pod/port-names', 'containerPort names are IANA_SVC_NAMEs (<= 15 chars, a-z0-9 and "-", a letter, no "--") and unique in the pod (named ports are resolved pod-wide)'),
  portsUnique: rule('pod/container-ports-unique', 'containerPort/protocol pairs are unique per container (ports is a list-map keyed by both; server-side apply rejects duplicates)'),
  portRange: rule('pod/port-range', 'containerPort is 1..65535'),
  probeHandler: rule('pod/probe-handler', 'each probe has exactly one of exec, httpGet, tcpSocket, grpc (validateProbe: "must specify a handler type")'),
  probeFields: rule('pod/probe-fields', 'probe timing fields are >= their minimum; liveness and startup probes need successThreshold 1'),
  probePort: rule('pod/probe-port', 'a probe that names a port names one of its own container\'s ports (the kubelet cannot resolve it otherwise: the probe always fails)'),
  lifecycleHandler: rule('pod/lifecycle-handler', 'each postStart/preStop hook has exactly one of exec, httpGet, tcpSocket, sleep'),
  sidecar: rule('pod/init-containers', 'initContainers: restartPolicy only Always (native sidecar); probes and lifecycle only on sidecars; regular containers take no restartPolicy'),
  volumeNames: rule('pod/volume-names', 'volume names are DNS-1123 labels and unique'),
  mountVolume: rule('pod/mount-volume', 'every volumeMount/volumeDevice names a volume of the pod'),
  mountPath: rule('pod/mount-path', 'mountPath is absolute (kubelet) and unique per container (volumeMounts is a list-map keyed by mountPath)'),
  subPath: rule('pod/sub-path', 'subPath is relative and has no ".." element'),
  envNames: rule('pod/env-names', 'env var names are non-empty printable ASCII without "=" (1.34 relaxed rule), unique per container (list-map key); value and valueFrom are exclusive; valueFrom has one source'),
  resourceNames: rule('pod/resource-names', 'container resource names are standard (cpu, memory, ephemeral-storage, hugepages-*) or domain-prefixed extended resources'),
  limitsVsRequests: rule('pod/limits-gte-requests', 'requests <= limits for every resource in both ("must be less than or equal to ... limit")'),
  extendedResources: rule('pod/extended-resources', 'extended resources are whole numbers, have a limit, and request == limit (not overcommittable)'),
  hugepages: rule('pod/hugepages', 'hugepages: request == limit, and cpu or memory is also requested/limited'),
  nodeAffinity: rule('pod/node-affinity', 'node selector terms: at least one term, In/NotIn >= 1 value, Exists/DoesNotExist none, Gt/Lt exactly one integer; matchFields only metadata.name with In/NotIn and one value'),
  preferredWeights: rule('pod/preferred-weights', 'preferred (anti-)affinity terms have weight 1..100'),
  podAffinity: rule('pod/pod-affinity', 'pod (anti-)affinity terms have a topologyKey and valid label selectors'),
  tolerations: rule('pod/tolerations', 'tolerations: empty key needs operator Exists; Exists takes no value; tolerationSeconds only with effect NoExecute; known operator and effect'),
  topologySpread: rule('pod/topology-spread', 'topologySpreadConstraints: maxSkew >= 1, a topologyKey, whenUnsatisfiable known, minDomains >= 1 only with DoNotSchedule, no duplicate topologyKey/whenUnsatisfiable pair'),
  labelSelectors: rule('meta/label-selectors', 'label selector expressions: In/NotIn >= 1 value, Exists/DoesNotExist none, valid keys'),
  annotations: rule('meta/annotations', 'annotation keys are qualified names; all annotations of an object total <= 256 KiB'),
  clusterScoped: rule('meta/cluster-scoped-namespace', 'cluster-scoped kinds carry no metadata.namespace ("not allowed on this type")'),
  servicePorts: rule('service/ports', 'Service ports: at least one (unless headless or ExternalName), names DNS-1123 labels, named when > 1, names and port/protocol pairs unique, targetPort 1..65535 or an IANA_SVC_NAME'),
  serviceTargetPort: rule('service/target-port-exists', 'a named targetPort exists in every pod template in the manifests that the Service selects (endpoints would never include those pods)'),
  workloadRestartPolicy: rule('workload/restart-policy', 'pod templates of Deployments/StatefulSets/DaemonSets/ReplicaSets use restartPolicy Always; Job templates Never or OnFailure'),
  deploymentStrategy: rule('workload/deployment-strategy', 'Deployment: Recreate has no rollingUpdate; maxSurge and maxUnavailable not both 0; progressDeadlineSeconds > minReadySeconds'),
  job: rule('workload/job', 'Job: Indexed needs completions; backoffLimitPerIndex and successPolicy need Indexed; maxFailedIndexes needs backoffLimitPerIndex; podFailurePolicy needs restartPolicy Never; FailIndex needs backoffLimitPerIndex'),
  pdb: rule('policy/pdb', 'PodDisruptionBudget: exactly one of minAvailable/maxUnavailable (both are rejected; neither leaves no budget), non-negative, percentages <= 100%'),
  hpa: rule('autoscaling/hpa', 'HPA (and KEDA ScaledObject, which renders one): minReplicas >= 1 and <= maxReplicas; behavior stabilizationWindowSeconds 0..3600, policy periodSeconds 1..1800, value > 0'),
  quota: rule('quota/resource-names', 'ResourceQuota hard keys are standard quota names or domain-qualified; extended resources only as requests.<name> (limits.<name> and bare names are never enforced); object counts and extended resources are whole numbers; no conflicting scopes'),
  priorityClass: rule('scheduling/priority-class', 'PriorityClass value <= 1e9 (higher is reserved for system classes); names not prefixed system-'),
  globalDefault: rule('scheduling/one-global-default', 'at most one PriorityClass with globalDefault: true (the Priority admission plugin rejects a second)'),
  templateLabels: rule('meta/pod-template-labels', 'labels on pod templates embedded in custom resources are valid keys and values (the operator\'s Pods would be rejected long after apply)'),
  containerImage: rule('pod/container-image', 'every container has an image without leading or trailing whitespace ("image: Required value")'),
};

/** Every rule this module enforces (ids and descriptions), for counting and documentation. */
export const API_SERVER_RULES: readonly ApiServerRule[] = RULES;

// ---------------------------------------------------------------- syntax helpers

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

function isDnsLabel(s: unknown): boolean {
  return typeof s === 'string' && s.length <= 63 && DNS1123_LABEL.test(s);
}

/** apimachinery IsQualifiedName: optional DNS-subdomain prefix + "/" + name (<= 63). */
export function isQualifiedName(s: unknown): boolean {
  if (typeof s !== 'string') return false;
  const parts = s.split('/');
  if (parts.length > 2) return false;
  const name = parts[parts.length - 1];
  if (parts.length === 2 && !(parts[0].length > 0 && parts[0].length <= 253 && DNS1123_SUBDOMAIN.test(parts[0]))) return false;
  return name.length > 0 && name.length <= 63 && QUALIFIED_NAME_PART.test(name);
}

/** IANA_SVC_NAME (RFC 6335): the rule for container port names and named targetPorts. */
export function isIanaSvcName(s: unknown): boolean {
  return typeof s === 'string' && s.length >= 1 && s.length <= 15 && /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(s)
    && /[a-z]/.test(s) && !s.includes('--');
}

/** 1.34 (RelaxedEnvironmentVariableValidation GA): any printable ASCII except "=". */
export function isEnvVarName(s: unknown): boolean {
  return typeof s === 'string' && s.length > 0 && /^[\x20-\x3c\x3e-\x7e]+$/.test(s);
}

function isObj(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function list(v: unknown): any[] {
  return Array.isArray(v) ? v : [];
}

function q(v: unknown): string {
  return JSON.stringify(v);
}

type Report = (path: string, message: string, id: string) => void;

function duplicates<T>(items: T[]): Set<T> {
  const seen = new Set<T>();
  const dup = new Set<T>();
  for (const i of items) (seen.has(i) ? dup : seen).add(i);
  return dup;
}

/** Go strconv.ParseInt(s, 10, 64) as used for Gt/Lt values. */
function isInt64String(s: unknown): boolean {
  if (typeof s !== 'string' || !/^[+-]?\d+$/.test(s)) return false;
  const n = BigInt(s);
  return n >= -(2n ** 63n) && n < 2n ** 63n;
}

// ---------------------------------------------------------------- selectors

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function isLabelValue(v: unknown): boolean {
  return typeof v === 'string' && v.length <= 63 && LABEL_VALUE.test(v);
}

function labelSelectorProblems(sel: unknown, at: string, report: Report): void {
  if (!isObj(sel)) return;
  for (const [k, v] of Object.entries(isObj(sel.matchLabels) ? sel.matchLabels : {})) {
    if (!isQualifiedName(k)) report(`${at}.matchLabels`, `key ${q(k)} is not a qualified name`, R.labelSelectors);
    if (!isLabelValue(v)) report(`${at}.matchLabels[${q(k)}]`, `${q(v)} is not a valid label value`, R.labelSelectors);
  }
  list(sel.matchExpressions).forEach((e: any, i: number) => {
    const p = `${at}.matchExpressions[${i}]`;
    if (!isQualifiedName(e?.key)) report(`${p}.key`, `${q(e?.key)} is not a qualified name`, R.labelSelectors);
    const n = list(e?.values).length;
    for (const v of list(e?.values)) if (!isLabelValue(v)) report(`${p}.values`, `${q(v)} is not a valid label value`, R.labelSelectors);
    if ((e?.operator === 'In' || e?.operator === 'NotIn') && n === 0) {
      report(`${p}.values`, `must be specified when operator is ${e.operator}`, R.labelSelectors);
    } else if ((e?.operator === 'Exists' || e?.operator === 'DoesNotExist') && n > 0) {
      report(`${p}.values`, `must be empty when operator is ${e.operator}`, R.labelSelectors);
    } else if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(e?.operator)) {
      report(`${p}.operator`, `${q(e?.operator)} is not a valid label selector operator`, R.labelSelectors);
    }
  });
}

function nodeSelectorTermProblems(term: any, at: string, report: Report): void {
  list(term?.matchExpressions).forEach((e: any, i: number) => {
    const p = `${at}.matchExpressions[${i}]`;
    const values = list(e?.values);
    if (!isQualifiedName(e?.key)) report(`${p}.key`, `${q(e?.key)} is not a qualified name`, R.nodeAffinity);
    switch (e?.operator) {
      case 'In': case 'NotIn':
        if (values.length === 0) report(`${p}.values`, `must be specified when operator is ${e.operator}`, R.nodeAffinity);
        break;
      case 'Exists': case 'DoesNotExist':
        if (values.length > 0) report(`${p}.values`, `may not be specified when operator is ${e.operator}`, R.nodeAffinity);
        break;
      case 'Gt': case 'Lt':
        if (values.length !== 1 || !isInt64String(values[0])) {
          report(`${p}.values`, `must be exactly one integer when operator is ${e.operator} (is ${q(values)})`, R.nodeAffinity);
        }
        break;
      default:
        report(`${p}.operator`, `${q(e?.operator)} is not a valid node selector operator`, R.nodeAffinity);
    }
  });
  list(term?.matchFields).forEach((e: any, i: number) => {
    const p = `${at}.matchFields[${i}]`;
    if (e?.key !== 'metadata.name') report(`${p}.key`, `${q(e?.key)}: only metadata.name is supported`, R.nodeAffinity);
    if (!['In', 'NotIn'].includes(e?.operator) || list(e?.values).length !== 1) {
      report(p, 'matchFields needs operator In or NotIn with exactly one value', R.nodeAffinity);
    }
  });
}

function affinityProblems(affinity: unknown, at: string, report: Report): void {
  if (!isObj(affinity)) return;
  const na = affinity.nodeAffinity;
  if (isObj(na)) {
    const req = na.requiredDuringSchedulingIgnoredDuringExecution;
    if (isObj(req)) {
      const terms = list(req.nodeSelectorTerms);
      const p = `${at}.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms`;
      if (terms.length === 0) report(p, 'must have at least one node selector term', R.nodeAffinity);
      terms.forEach((t, i) => nodeSelectorTermProblems(t, `${p}[${i}]`, report));
    }
    list(na.preferredDuringSchedulingIgnoredDuringExecution).forEach((pref: any, i: number) => {
      const p = `${at}.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[${i}]`;
      weightProblem(pref?.weight, p, report);
      nodeSelectorTermProblems(pref?.preference, `${p}.preference`, report);
    });
  }
  for (const kind of ['podAffinity', 'podAntiAffinity']) {
    const pa = affinity[kind];
    if (!isObj(pa)) continue;
    const termProblems = (t: any, p: string) => {
      if (typeof t?.topologyKey !== 'string' || t.topologyKey === '') report(`${p}.topologyKey`, 'is required', R.podAffinity);
      else if (!isQualifiedName(t.topologyKey)) report(`${p}.topologyKey`, `${q(t.topologyKey)} is not a qualified name`, R.podAffinity);
      labelSelectorProblems(t?.labelSelector, `${p}.labelSelector`, report);
      labelSelectorProblems(t?.namespaceSelector, `${p}.namespaceSelector`, report);
    };
    list(pa.requiredDuringSchedulingIgnoredDuringExecution).forEach((t: any, i: number) =>
      termProblems(t, `${at}.${kind}.requiredDuringSchedulingIgnoredDuringExecution[${i}]`));
    list(pa.preferredDuringSchedulingIgnoredDuringExecution).forEach((w: any, i: number) => {
      const p = `${at}.${kind}.preferredDuringSchedulingIgnoredDuringExecution[${i}]`;
      weightProblem(w?.weight, p, report);
      termProblems(w?.podAffinityTerm, `${p}.podAffinityTerm`);
    });
  }
}

function weightProblem(weight: unknown, at: string, report: Report): void {
  if (!(Number.isInteger(weight) && (weight as number) >= 1 && (weight as number) <= 100)) {
    report(`${at}.weight`, `must be in the range 1-100 (is ${q(weight)})`, R.preferredWeights);
  }
}

// ---------------------------------------------------------------- containers

const PROBE_HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'grpc'];
const LIFECYCLE_HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'sleep'];
const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'];
const STANDARD_CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);

function isHugePages(name: string): boolean {
  return name.startsWith('hugepages-');
}

/** Native: no domain, or a *kubernetes.io/ domain. Extended: any other domain, not `requests.`-prefixed. */
function isExtendedResource(name: string): boolean {
  const slash = name.indexOf('/');
  if (slash < 0) return false;
  const domain = name.slice(0, slash);
  return !(domain === 'kubernetes.io' || domain.endsWith('.kubernetes.io')) && !name.startsWith('requests.');
}

function probeProblems(c: any, probeName: string, at: string, report: Report): void {
  const probe = c[probeName];
  if (!isObj(probe)) return;
  const p = `${at}.${probeName}`;
  const handlers = PROBE_HANDLERS.filter((h) => probe[h] !== undefined && probe[h] !== null);
  if (handlers.length === 0) report(p, 'must specify a handler type (one of exec, httpGet, tcpSocket, grpc)', R.probeHandler);
  if (handlers.length > 1) report(p, `may not specify more than 1 handler type (has ${handlers.join(', ')})`, R.probeHandler);
  const minimum: Record<string, number> = { initialDelaySeconds: 0, timeoutSeconds: 1, periodSeconds: 1, successThreshold: 1, failureThreshold: 1 };
  for (const [field, min] of Object.entries(minimum)) {
    if (probe[field] !== undefined && !(Number.isInteger(probe[field]) && probe[field] >= min)) {
      report(`${p}.${field}`, `must be an integer >= ${min} (is ${q(probe[field])})`, R.probeFields);
    }
  }
  if (probe.terminationGracePeriodSeconds !== undefined && !(probe.terminationGracePeriodSeconds > 0)) {
    report(`${p}.terminationGracePeriodSeconds`, 'must be > 0', R.probeFields);
  }
  if (probeName !== 'readinessProbe' && probe.successThreshold !== undefined && probe.successThreshold !== 1) {
    report(`${p}.successThreshold`, `must be 1 for ${probeName} (is ${q(probe.successThreshold)})`, R.probeFields);
  }
  if (probeName === 'readinessProbe' && probe.terminationGracePeriodSeconds !== undefined) {
    report(`${p}.terminationGracePeriodSeconds`, 'must not be set for readinessProbes', R.probeFields);
  }
  for (const action of ['httpGet', 'tcpSocket']) {
    const port = probe[action]?.port;
    if (typeof port === 'string') {
      const names = list(c.ports).map((cp: any) => cp?.name);
      if (!isIanaSvcName(port)) {
        report(`${p}.${action}.port`, `${q(port)} is not an IANA_SVC_NAME`, R.probePort);
      } else if (!names.includes(port)) {
        report(`${p}.${action}.port`, `names port ${q(port)}, which container "${c.name}" does not declare (has ${q(names.filter(Boolean))})`, R.probePort);
      }
    } else if (typeof port === 'number' && !(Number.isInteger(port) && port >= 1 && port <= 65535)) {
      report(`${p}.${action}.port`, `must be 1..65535 (is ${port})`, R.probePort);
    }
  }
  if (probe.grpc !== undefined && !(Number.isInteger(probe.grpc?.port) && probe.grpc.port >= 1 && probe.grpc.port <= 65535)) {
    report(`${p}.grpc.port`, `must be 1..65535 (is ${q(probe.grpc?.port)})`, R.probePort);
  }
}

function lifecycleProblems(c: any, at: string, report: Report): void {
  if (!isObj(c.lifecycle)) return;
  for (const hook of ['postStart', 'preStop']) {
    const h = c.lifecycle[hook];
    if (!isObj(h)) continue;
    const handlers = LIFECYCLE_HANDLERS.filter((k) => h[k] !== undefined && h[k] !== null);
    if (handlers.length !== 1) {
      report(`${at}.lifecycle.${hook}`, handlers.length === 0 ? 'must specify a handler type (one of exec, httpGet, sleep)'
        : `may not specify more than 1 handler type (has ${handlers.join(', ')})`, R.lifecycleHandler);
    }
    if (h.sleep !== undefined && !(Number.isInteger(h.sleep?.seconds) && h.sleep.seconds >= 0)) {
      report(`${at}.lifecycle.${hook}.sleep.seconds`, `must be a non-negative integer (is ${q(h.sleep?.seconds)})`, R.lifecycleHandler);
    }
  }
}

function envProblems(c: any, at: string, report: Report): void {
  const env = list(c.env);
  env.forEach((e: any, i: number) => {
    const p = `${at}.env[${i}]`;
    if (!isEnvVarName(e?.name)) report(`${p}.name`, `${q(e?.name)} is not a valid environment variable name (printable ASCII other than "=")`, R.envNames);
    const hasValue = typeof e?.value === 'string' && e.value !== '';
    if (e?.valueFrom !== undefined) {
      if (hasValue) report(p, 'valueFrom may not be specified when value is not empty', R.envNames);
      const sources = ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef', 'fileKeyRef'].filter((s) => e.valueFrom?.[s] !== undefined);
      if (sources.length !== 1) report(`${p}.valueFrom`, `must specify exactly one source (has ${sources.length})`, R.envNames);
    }
  });
  for (const dup of duplicates(env.map((e: any) => e?.name))) {
    report(`${at}.env`, `duplicate environment variable ${q(dup)} (only the last value is used; server-side apply rejects it)`, R.envNames);
  }
  list(c.envFrom).forEach((e: any, i: number) => {
    if (e?.prefix !== undefined && e.prefix !== '' && !isEnvVarName(e.prefix)) {
      report(`${at}.envFrom[${i}].prefix`, `${q(e.prefix)} is not a valid environment variable name prefix`, R.envNames);
    }
  });
}

function resourceProblems(c: any, at: string, report: Report): void {
  const r = isObj(c.resources) ? c.resources : {};
  const limits: Record<string, unknown> = isObj(r.limits) ? r.limits : {};
  const requests: Record<string, unknown> = isObj(r.requests) ? r.requests : {};
  const p = `${at}.resources`;
  for (const [kind, map] of [['limits', limits], ['requests', requests]] as const) {
    for (const name of Object.keys(map)) {
      const ok = name.includes('/') ? isQualifiedName(name) && (!name.startsWith('requests.') || false)
        : STANDARD_CONTAINER_RESOURCES.has(name) || isHugePages(name);
      if (!ok) report(`${p}.${kind}[${q(name)}]`, 'must be a standard resource for containers or a domain-qualified extended resource', R.resourceNames);
    }
  }
  for (const [name, req] of Object.entries(requests)) {
    const rq = parseQuantity(req);
    const extended = isExtendedResource(name);
    if (extended || isHugePages(name)) {
      const id = extended ? R.extendedResources : R.hugepages;
      if (!(name in limits)) report(`${p}.limits[${q(name)}]`, `must be set: ${name} cannot be overcommitted, so its limit must equal the request`, id);
      else if (parseQuantity(limits[name]) !== rq) report(`${p}.requests[${q(name)}]`, `must be equal to ${name} limit of ${limits[name]} (is ${req})`, id);
    } else if (name in limits) {
      const lq = parseQuantity(limits[name]);
      if (rq !== undefined && lq !== undefined && rq > lq) {
        report(`${p}.requests[${q(name)}]`, `${req} must be less than or equal to ${name} limit of ${limits[name]}`, R.limitsVsRequests);
      }
    }
  }
  for (const [kind, map] of [['limits', limits], ['requests', requests]] as const) {
    for (const [name, v] of Object.entries(map)) {
      if (isExtendedResource(name) && !isWholeQuantity(v)) report(`${p}.${kind}[${q(name)}]`, `must be a whole number (is ${q(v)})`, R.extendedResources);
    }
  }
  const hasHuge = (m: object) => Object.keys(m).some(isHugePages);
  const hasCpuMem = (m: object) => 'cpu' in m || 'memory' in m;
  if ((hasHuge(limits) || hasHuge(requests)) && !hasCpuMem(limits) && !hasCpuMem(requests)) {
    report(p, 'HugePages require cpu or memory', R.hugepages);
  }
}

function containerProblems(c: any, at: string, init: boolean, volumeNames: Set<string>, windows: boolean, report: Report): void {
  if (!isObj(c)) return;
  if (!isDnsLabel(c.name)) report(`${at}.name`, `${q(c.name)} must be a DNS-1123 label`, R.containerNames);
  if (typeof c.image !== 'string' || c.image.trim() === '') report(`${at}.image`, 'is required', R.containerImage);
  else if (c.image !== c.image.trim()) report(`${at}.image`, `${q(c.image)} must not have leading or trailing whitespace`, R.containerImage);
  const ports = list(c.ports);
  ports.forEach((port: any, i: number) => {
    const p = `${at}.ports[${i}]`;
    if (port?.name !== undefined && !isIanaSvcName(port.name)) {
      report(`${p}.name`, `${q(port.name)} must be an IANA_SVC_NAME (at most 15 characters, a-z, 0-9 and "-", at least one letter, no "--")`, R.portNames);
    }
    if (typeof port?.containerPort === 'number' && !(Number.isInteger(port.containerPort) && port.containerPort >= 1 && port.containerPort <= 65535)) {
      report(`${p}.containerPort`, `must be 1..65535 (is ${q(port?.containerPort)})`, R.portRange);
    }
  });
  for (const dup of duplicates(ports.map((p: any) => `${p?.containerPort}/${p?.protocol ?? 'TCP'}`))) {
    report(`${at}.ports`, `duplicate containerPort/protocol ${dup}`, R.portsUnique);
  }
  for (const probe of PROBES) probeProblems(c, probe, at, report);
  lifecycleProblems(c, at, report);
  if (init) {
    if (c.restartPolicy !== undefined && c.restartPolicy !== 'Always') {
      report(`${at}.restartPolicy`, `must be Always (native sidecar) or unset (is ${q(c.restartPolicy)})`, R.sidecar);
    }
    if (c.restartPolicy !== 'Always') {
      for (const f of [...PROBES, 'lifecycle']) {
        if (c[f] !== undefined) report(`${at}.${f}`, 'may not be set for init containers without restartPolicy=Always', R.sidecar);
      }
    }
  } else if (c.restartPolicy !== undefined) {
    report(`${at}.restartPolicy`, 'may only be set on initContainers (restartPolicy Always makes a native sidecar)', R.sidecar);
  }
  const mounts = list(c.volumeMounts);
  mounts.forEach((m: any, i: number) => {
    const p = `${at}.volumeMounts[${i}]`;
    if (!volumeNames.has(m?.name)) report(`${p}.name`, `volume ${q(m?.name)} not found in the pod's volumes`, R.mountVolume);
    // Windows pods mount at drive paths (C:\data); elsewhere the kubelet needs an absolute path.
    if (!windows && (typeof m?.mountPath !== 'string' || !m.mountPath.startsWith('/'))) report(`${p}.mountPath`, `${q(m?.mountPath)} must be an absolute path`, R.mountPath);
    for (const f of ['subPath', 'subPathExpr']) {
      const s = m?.[f];
      if (typeof s === 'string' && s !== '' && (s.startsWith('/') || s.split(/[\\/]/).includes('..'))) {
        report(`${p}.${f}`, `${q(s)} must be a relative path without ".."`, R.subPath);
      }
    }
    if (m?.subPath && m?.subPathExpr) report(p, 'subPath and subPathExpr are mutually exclusive', R.subPath);
  });
  for (const dup of duplicates(mounts.map((m: any) => m?.mountPath))) report(`${at}.volumeMounts`, `mountPath ${q(dup)} is used twice`, R.mountPath);
  list(c.volumeDevices).forEach((d: any, i: number) => {
    if (!volumeNames.has(d?.name)) report(`${at}.volumeDevices[${i}].name`, `volume ${q(d?.name)} not found in the pod's volumes`, R.mountVolume);
  });
  envProblems(c, at, report);
  resourceProblems(c, at, report);
}

function tolerationProblems(tolerations: unknown, at: string, report: Report): void {
  list(tolerations).forEach((t: any, i: number) => {
    const p = `${at}[${i}]`;
    const op = t?.operator ?? 'Equal';
    if (t?.key !== undefined && t.key !== '' && !isQualifiedName(t.key)) report(`${p}.key`, `${q(t.key)} is not a qualified name`, R.tolerations);
    if ((t?.key === undefined || t.key === '') && op !== 'Exists') report(`${p}.operator`, 'must be Exists when key is empty (which matches all keys)', R.tolerations);
    if (!['Equal', 'Exists'].includes(op)) report(`${p}.operator`, `${q(op)} is not Equal or Exists`, R.tolerations);
    if (op === 'Exists' && t?.value !== undefined && t.value !== '') report(`${p}.value`, 'must be empty when operator is Exists', R.tolerations);
    if (t?.tolerationSeconds !== undefined && t?.effect !== 'NoExecute') {
      report(`${p}.effect`, `must be NoExecute when tolerationSeconds is set (is ${q(t?.effect)})`, R.tolerations);
    }
    if (t?.effect !== undefined && t.effect !== '' && !['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(t.effect)) {
      report(`${p}.effect`, `${q(t.effect)} is not NoSchedule, PreferNoSchedule or NoExecute`, R.tolerations);
    }
  });
}

function topologySpreadProblems(constraints: unknown, at: string, report: Report): void {
  const items = list(constraints);
  items.forEach((c: any, i: number) => {
    const p = `${at}[${i}]`;
    if (!(Number.isInteger(c?.maxSkew) && c.maxSkew >= 1)) report(`${p}.maxSkew`, `must be an integer >= 1 (is ${q(c?.maxSkew)})`, R.topologySpread);
    if (typeof c?.topologyKey !== 'string' || c.topologyKey === '') report(`${p}.topologyKey`, 'is required', R.topologySpread);
    if (!['DoNotSchedule', 'ScheduleAnyway'].includes(c?.whenUnsatisfiable)) {
      report(`${p}.whenUnsatisfiable`, `${q(c?.whenUnsatisfiable)} is not DoNotSchedule or ScheduleAnyway`, R.topologySpread);
    }
    if (c?.minDomains !== undefined) {
      if (!(Number.isInteger(c.minDomains) && c.minDomains >= 1)) report(`${p}.minDomains`, `must be an integer >= 1 (is ${q(c.minDomains)})`, R.topologySpread);
      if (c.whenUnsatisfiable !== 'DoNotSchedule') report(`${p}.minDomains`, 'can only be set when whenUnsatisfiable is DoNotSchedule', R.topologySpread);
    }
    for (const f of ['nodeAffinityPolicy', 'nodeTaintsPolicy']) {
      if (c?.[f] !== undefined && !['Honor', 'Ignore'].includes(c[f])) report(`${p}.${f}`, `${q(c[f])} is not Honor or Ignore`, R.topologySpread);
    }
    labelSelectorProblems(c?.labelSelector, `${p}.labelSelector`, report);
  });
  for (const dup of duplicates(items.map((c: any) => `${c?.topologyKey}/${c?.whenUnsatisfiable}`))) {
    report(at, `duplicate topologyKey/whenUnsatisfiable pair ${dup}`, R.topologySpread);
  }
}

/** Every rule that applies to one pod spec; `at` is its dotted path. */
function podSpecProblems(spec: any, at: string, report: Report): void {
  const volumes = list(spec.volumes);
  volumes.forEach((v: any, i: number) => {
    if (!isDnsLabel(v?.name)) report(`${at}.volumes[${i}].name`, `${q(v?.name)} must be a DNS-1123 label`, R.volumeNames);
  });
  for (const dup of duplicates(volumes.map((v: any) => v?.name))) report(`${at}.volumes`, `duplicate volume name ${q(dup)}`, R.volumeNames);
  const volumeNames = new Set<string>(volumes.map((v: any) => v?.name));
  const all: { c: any; at: string }[] = [];
  for (const [field, init] of [['initContainers', true], ['containers', false], ['ephemeralContainers', false]] as const) {
    list(spec[field]).forEach((c: any, i: number) => {
      const cat = `${at}.${field}[${i}]`;
      all.push({ c, at: cat });
      if (field !== 'ephemeralContainers') containerProblems(c, cat, init, volumeNames, spec.os?.name === 'windows', report);
    });
  }
  for (const dup of duplicates(all.map(({ c }) => c?.name))) {
    report(`${at}.containers`, `duplicate container name ${q(dup)} (names are unique across containers, initContainers and ephemeralContainers)`, R.containerNames);
  }
  const portNames = all.flatMap(({ c }) => list(c?.ports).map((p: any) => p?.name)).filter((n) => n !== undefined && n !== '');
  for (const dup of duplicates(portNames)) {
    report(`${at}.containers`, `port name ${q(dup)} is declared more than once in the pod (Services and probes that select it by name get only the first)`, R.portNames);
  }
  affinityProblems(spec.affinity, `${at}.affinity`, report);
  tolerationProblems(spec.tolerations, `${at}.tolerations`, report);
  topologySpreadProblems(spec.topologySpreadConstraints, `${at}.topologySpreadConstraints`, report);
}

// ---------------------------------------------------------------- metadata

const ANNOTATIONS_MAX_BYTES = 256 * 1024;

// Built-in kinds that are cluster-scoped (CRDs say so in their `scope`).
const CLUSTER_SCOPED_BUILT_INS = new Set([
  'v1/Namespace', 'v1/Node', 'v1/PersistentVolume', 'v1/ComponentStatus',
  'rbac.authorization.k8s.io/ClusterRole', 'rbac.authorization.k8s.io/ClusterRoleBinding',
  'storage.k8s.io/StorageClass', 'storage.k8s.io/CSIDriver', 'storage.k8s.io/CSINode', 'storage.k8s.io/VolumeAttachment',
  'scheduling.k8s.io/PriorityClass', 'node.k8s.io/RuntimeClass', 'networking.k8s.io/IngressClass',
  'apiextensions.k8s.io/CustomResourceDefinition', 'apiregistration.k8s.io/APIService',
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration', 'admissionregistration.k8s.io/MutatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy', 'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding',
  'certificates.k8s.io/CertificateSigningRequest', 'flowcontrol.apiserver.k8s.io/FlowSchema',
  'flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration',
]);

/** True for built-in kinds that are cluster-scoped (custom resources: see their CRD's `scope`). */
export function isClusterScopedBuiltIn(apiVersion: string, kind: string): boolean {
  return CLUSTER_SCOPED_BUILT_INS.has(`${group(apiVersion)}/${kind}`);
}

function group(apiVersion: string): string {
  const i = apiVersion.lastIndexOf('/');
  return i < 0 ? 'v1' : apiVersion.slice(0, i);
}

function metadataProblems(metadata: any, at: string, report: Report): void {
  const ann = isObj(metadata?.annotations) ? metadata.annotations : {};
  let bytes = 0;
  for (const [k, v] of Object.entries(ann)) {
    bytes += Buffer.byteLength(k) + Buffer.byteLength(String(v));
    if (!isQualifiedName(k.toLowerCase())) report(`${at}.annotations`, `key ${q(k)} is not a qualified name`, R.annotations);
  }
  if (bytes > ANNOTATIONS_MAX_BYTES) report(`${at}.annotations`, `total size ${bytes} bytes must be at most ${ANNOTATIONS_MAX_BYTES} (256 KiB)`, R.annotations);
}

// ---------------------------------------------------------------- kinds

const ALWAYS_RESTART_KINDS = new Set(['apps/v1/Deployment', 'apps/v1/StatefulSet', 'apps/v1/DaemonSet', 'apps/v1/ReplicaSet']);

function intOrPercent(v: unknown): { percent: boolean; n: number } | undefined {
  if (typeof v === 'number') return { percent: false, n: v };
  const m = typeof v === 'string' ? /^(\d+)%$/.exec(v) : null;
  return m ? { percent: true, n: Number(m[1]) } : undefined;
}

function servicePortProblems(svc: any, report: Report): void {
  const spec = isObj(svc.spec) ? svc.spec : {};
  const ports = list(spec.ports);
  const headless = spec.clusterIP === 'None';
  if (ports.length === 0 && !headless && spec.type !== 'ExternalName') report('spec.ports', 'at least one port is required', R.servicePorts);
  ports.forEach((p: any, i: number) => {
    const at = `spec.ports[${i}]`;
    if (ports.length > 1 && (p?.name === undefined || p.name === '')) report(`${at}.name`, 'is required when the Service has more than one port', R.servicePorts);
    if (p?.name !== undefined && p.name !== '' && !isDnsLabel(p.name)) report(`${at}.name`, `${q(p.name)} must be a DNS-1123 label`, R.servicePorts);
    if (typeof p?.port === 'number' && !(Number.isInteger(p.port) && p.port >= 1 && p.port <= 65535)) report(`${at}.port`, `must be 1..65535 (is ${q(p?.port)})`, R.servicePorts);
    const tp = p?.targetPort;
    if (typeof tp === 'number' && !(Number.isInteger(tp) && tp >= 1 && tp <= 65535)) report(`${at}.targetPort`, `must be 1..65535 (is ${tp})`, R.servicePorts);
    if (typeof tp === 'string' && !isIanaSvcName(tp)) report(`${at}.targetPort`, `${q(tp)} must be an IANA_SVC_NAME`, R.servicePorts);
  });
  for (const dup of duplicates(ports.map((p: any) => p?.name).filter((n) => n !== undefined && n !== ''))) {
    report('spec.ports', `duplicate port name ${q(dup)}`, R.servicePorts);
  }
  for (const dup of duplicates(ports.map((p: any) => `${p?.port}/${p?.protocol ?? 'TCP'}`))) {
    report('spec.ports', `duplicate port/protocol ${dup}`, R.servicePorts);
  }
}

function deploymentProblems(obj: any, report: Report): void {
  const spec = obj.spec ?? {};
  const s = spec.strategy ?? {};
  if (s.type === 'Recreate' && s.rollingUpdate !== undefined) report('spec.strategy.rollingUpdate', 'may not be specified when strategy type is Recreate', R.deploymentStrategy);
  if (s.type === undefined || s.type === 'RollingUpdate') {
    const surge = intOrPercent(s.rollingUpdate?.maxSurge ?? '25%');
    const unavailable = intOrPercent(s.rollingUpdate?.maxUnavailable ?? '25%');
    if (surge?.n === 0 && unavailable?.n === 0) report('spec.strategy.rollingUpdate.maxUnavailable', 'may not be 0 when maxSurge is 0', R.deploymentStrategy);
    if (unavailable?.percent && unavailable.n > 100) report('spec.strategy.rollingUpdate.maxUnavailable', 'must not be greater than 100%', R.deploymentStrategy);
  }
  const deadline = spec.progressDeadlineSeconds ?? 600;
  if (spec.minReadySeconds !== undefined && deadline <= spec.minReadySeconds) {
    report('spec.progressDeadlineSeconds', `must be greater than minReadySeconds (${spec.minReadySeconds})`, R.deploymentStrategy);
  }
}

function jobSpecProblems(spec: any, at: string, report: Report): void {
  if (!isObj(spec)) return;
  const indexed = spec.completionMode === 'Indexed';
  const rp = spec.template?.spec?.restartPolicy;
  if (rp !== 'Never' && rp !== 'OnFailure') {
    report(`${at}.template.spec.restartPolicy`, `must be Never or OnFailure for a Job (is ${q(rp)}; the API server defaults it to Always, which Jobs reject)`, R.workloadRestartPolicy);
  }
  if (indexed && spec.completions === undefined) report(`${at}.completions`, 'must be set when completionMode is Indexed', R.job);
  if (spec.backoffLimitPerIndex !== undefined && !indexed) report(`${at}.backoffLimitPerIndex`, 'requires completionMode Indexed', R.job);
  if (spec.maxFailedIndexes !== undefined) {
    if (spec.backoffLimitPerIndex === undefined) report(`${at}.maxFailedIndexes`, 'requires backoffLimitPerIndex', R.job);
    if (typeof spec.completions === 'number' && spec.maxFailedIndexes > spec.completions) report(`${at}.maxFailedIndexes`, 'must be <= completions', R.job);
  }
  if (spec.successPolicy !== undefined && !indexed) report(`${at}.successPolicy`, 'requires completionMode Indexed', R.job);
  if (spec.podFailurePolicy !== undefined) {
    if (rp !== 'Never') report(`${at}.template.spec.restartPolicy`, `must be Never when podFailurePolicy is set (is ${q(rp)})`, R.job);
    list(spec.podFailurePolicy.rules).forEach((r: any, i: number) => {
      if (r?.action === 'FailIndex' && spec.backoffLimitPerIndex === undefined) {
        report(`${at}.podFailurePolicy.rules[${i}].action`, 'FailIndex requires backoffLimitPerIndex', R.job);
      }
      const n = ['onExitCodes', 'onPodConditions'].filter((k) => r?.[k] !== undefined).length;
      if (n !== 1) report(`${at}.podFailurePolicy.rules[${i}]`, 'must specify exactly one of onExitCodes and onPodConditions', R.job);
    });
  }
}

function pdbProblems(obj: any, report: Report): void {
  const spec = obj.spec ?? {};
  const set = ['minAvailable', 'maxUnavailable'].filter((k) => spec[k] !== undefined && spec[k] !== null);
  if (set.length !== 1) {
    report('spec', set.length === 2 ? 'minAvailable and maxUnavailable cannot both be set'
      : 'set one of minAvailable or maxUnavailable (with neither the budget protects nothing)', R.pdb);
  }
  for (const k of set) {
    const v = intOrPercent(spec[k]);
    if (!v || v.n < 0 || (v.percent && v.n > 100)) report(`spec.${k}`, `must be a non-negative integer or a percentage <= 100% (is ${q(spec[k])})`, R.pdb);
  }
  labelSelectorProblems(spec.selector, 'spec.selector', report);
}

function behaviorProblems(behavior: any, at: string, report: Report): void {
  if (!isObj(behavior)) return;
  for (const dir of ['scaleUp', 'scaleDown']) {
    const rules = behavior[dir];
    if (!isObj(rules)) continue;
    const w = rules.stabilizationWindowSeconds;
    if (w !== undefined && !(Number.isInteger(w) && w >= 0 && w <= 3600)) {
      report(`${at}.${dir}.stabilizationWindowSeconds`, `must be 0..3600 (is ${q(w)})`, R.hpa);
    }
    if (rules.selectPolicy !== undefined && !['Max', 'Min', 'Disabled'].includes(rules.selectPolicy)) {
      report(`${at}.${dir}.selectPolicy`, `${q(rules.selectPolicy)} is not Max, Min or Disabled`, R.hpa);
    }
    list(rules.policies).forEach((p: any, i: number) => {
      if (!(Number.isInteger(p?.periodSeconds) && p.periodSeconds >= 1 && p.periodSeconds <= 1800)) {
        report(`${at}.${dir}.policies[${i}].periodSeconds`, `must be 1..1800 (is ${q(p?.periodSeconds)})`, R.hpa);
      }
      if (!(Number.isInteger(p?.value) && p.value > 0)) report(`${at}.${dir}.policies[${i}].value`, `must be > 0 (is ${q(p?.value)})`, R.hpa);
      if (!['Pods', 'Percent'].includes(p?.type)) report(`${at}.${dir}.policies[${i}].type`, `${q(p?.type)} is not Pods or Percent`, R.hpa);
    });
  }
}

function replicaRangeProblems(min: unknown, max: unknown, at: { min: string; max: string }, minFloor: number, report: Report): void {
  if (min !== undefined && !(Number.isInteger(min) && (min as number) >= minFloor)) report(at.min, `must be an integer >= ${minFloor} (is ${q(min)})`, R.hpa);
  if (max !== undefined && !(Number.isInteger(max) && (max as number) >= 1)) report(at.max, `must be an integer >= 1 (is ${q(max)})`, R.hpa);
  if (typeof min === 'number' && typeof max === 'number' && min > max) report(at.min, `(${min}) must be <= ${at.max.split('.').pop()} (${max})`, R.hpa);
}

const STANDARD_QUOTA = new Set([
  'pods', 'services', 'replicationcontrollers', 'resourcequotas', 'secrets', 'configmaps', 'persistentvolumeclaims',
  'services.nodeports', 'services.loadbalancers', 'cpu', 'memory', 'ephemeral-storage',
  'requests.cpu', 'requests.memory', 'requests.ephemeral-storage', 'requests.storage',
  'limits.cpu', 'limits.memory', 'limits.ephemeral-storage',
]);
const INTEGER_QUOTA = new Set(['pods', 'services', 'replicationcontrollers', 'resourcequotas', 'secrets', 'configmaps', 'persistentvolumeclaims', 'services.nodeports', 'services.loadbalancers']);

function quotaProblems(obj: any, report: Report): void {
  const hard = isObj(obj.spec?.hard) ? obj.spec.hard : {};
  for (const [key, value] of Object.entries(hard)) {
    const at = `spec.hard[${q(key)}]`;
    if (parseQuantity(value) === undefined || (parseQuantity(value) as bigint) < 0n) {
      report(at, `${q(value)} must be a non-negative quantity`, R.quota);
      continue;
    }
    if (!key.includes('/')) {
      const huge = /^(requests\.)?hugepages-/.test(key); // limits.hugepages-* is not a quota name
      if (!STANDARD_QUOTA.has(key) && !huge) report(at, 'must be a standard resource for quota', R.quota);
      if (INTEGER_QUOTA.has(key) && !isWholeQuantity(value)) report(at, `object counts must be whole numbers (is ${q(value)})`, R.quota);
      continue;
    }
    if (!isQualifiedName(key)) {
      report(at, 'is not a qualified resource name', R.quota);
    } else if (key.startsWith('count/')) {
      if (!isWholeQuantity(value)) report(at, `object counts must be whole numbers (is ${q(value)})`, R.quota);
    } else if (/\.storageclass\.storage\.k8s\.io\/(requests\.storage|persistentvolumeclaims)$/.test(key)) {
      // per-StorageClass storage quota
    } else if (key.startsWith('limits.')) {
      report(at, `extended resources take no limits quota: quota only enforces requests.${key.slice('limits.'.length)}`, R.quota);
    } else if (key.startsWith('requests.')) {
      if (!isWholeQuantity(value)) report(at, `extended resources are whole numbers (is ${q(value)})`, R.quota);
    } else if (isExtendedResource(key)) {
      report(at, `extended resources are only enforced as requests.${key}`, R.quota);
    }
  }
  const scopes = new Set<string>([...list(obj.spec?.scopes), ...list(obj.spec?.scopeSelector?.matchExpressions).map((e: any) => e?.scopeName)]);
  for (const [a, b] of [['BestEffort', 'NotBestEffort'], ['Terminating', 'NotTerminating']]) {
    if (scopes.has(a) && scopes.has(b)) report('spec.scopes', `conflicting scopes ${a} and ${b}`, R.quota);
  }
}

export interface ObjectContext {
  /** Cluster-scoped per the object's CRD (`scope: Cluster`); undefined when unknown. */
  readonly crdClusterScoped?: boolean;
}

/** Problems of one object, each `path: message [rule-id]`. */
export function apiServerProblems(obj: any, ctx: ObjectContext = {}): string[] {
  const out: string[] = [];
  const report: Report = (path, message, id) => out.push(`${path}: ${message} [${id}]`);
  if (!isObj(obj) || typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string') return out;
  const gk = `${group(obj.apiVersion)}/${obj.kind}`;
  const avk = `${obj.apiVersion}/${obj.kind}`;
  metadataProblems(obj.metadata, 'metadata', report);
  const clusterScoped = CLUSTER_SCOPED_BUILT_INS.has(gk) || ctx.crdClusterScoped === true;
  if (clusterScoped && obj.metadata?.namespace !== undefined && obj.metadata.namespace !== '') {
    report('metadata.namespace', `${obj.kind} is cluster-scoped: namespace ${q(obj.metadata.namespace)} is not allowed on this type`, R.clusterScoped);
  }
  for (const { path, spec, metadata, metadataPath } of findPodSpecs(obj)) {
    podSpecProblems(spec, path, report);
    if (metadata !== undefined && metadataPath !== 'metadata') metadataProblems(metadata, metadataPath, report);
    // spec.template labels are checked with the object's own; templates deeper in custom resources here.
    if (metadataPath !== 'metadata' && metadataPath !== 'spec.template.metadata' && isObj(metadata?.labels)) {
      labelSelectorProblems({ matchLabels: metadata.labels }, `${metadataPath}.labels`, (p, m) => report(p.replace('.matchLabels', ''), m, R.templateLabels));
    }
  }
  if (ALWAYS_RESTART_KINDS.has(avk)) {
    const rp = obj.spec?.template?.spec?.restartPolicy;
    if (rp !== undefined && rp !== 'Always') report('spec.template.spec.restartPolicy', `must be Always for a ${obj.kind} (is ${q(rp)})`, R.workloadRestartPolicy);
    labelSelectorProblems(obj.spec?.selector, 'spec.selector', report);
  }
  switch (avk) {
    case 'v1/Service': servicePortProblems(obj, report); break;
    case 'apps/v1/Deployment': deploymentProblems(obj, report); break;
    case 'batch/v1/Job': jobSpecProblems(obj.spec, 'spec', report); break;
    case 'batch/v1/CronJob': jobSpecProblems(obj.spec?.jobTemplate?.spec, 'spec.jobTemplate.spec', report); break;
    case 'policy/v1/PodDisruptionBudget': pdbProblems(obj, report); break;
    case 'v1/ResourceQuota': quotaProblems(obj, report); break;
    case 'autoscaling/v2/HorizontalPodAutoscaler':
      replicaRangeProblems(obj.spec?.minReplicas, obj.spec?.maxReplicas, { min: 'spec.minReplicas', max: 'spec.maxReplicas' }, 1, report);
      behaviorProblems(obj.spec?.behavior, 'spec.behavior', report);
      break;
    case 'keda.sh/v1alpha1/ScaledObject':
      // KEDA renders an HPA from these; the HPA's own validation then fails at reconcile, long after apply.
      replicaRangeProblems(obj.spec?.minReplicaCount, obj.spec?.maxReplicaCount,
        { min: 'spec.minReplicaCount', max: 'spec.maxReplicaCount' }, 0, report);
      behaviorProblems(obj.spec?.advanced?.horizontalPodAutoscalerConfig?.behavior, 'spec.advanced.horizontalPodAutoscalerConfig.behavior', report);
      break;
    case 'scheduling.k8s.io/v1/PriorityClass':
      if (typeof obj.value === 'number' && obj.value > 1_000_000_000) report('value', `must be <= 1000000000 (is ${obj.value}); higher values are reserved for system classes`, R.priorityClass);
      if (typeof obj.metadata?.name === 'string' && obj.metadata.name.startsWith('system-')) report('metadata.name', 'the system- prefix is reserved', R.priorityClass);
      break;
    case 'networking.k8s.io/v1/NetworkPolicy':
      labelSelectorProblems(obj.spec?.podSelector, 'spec.podSelector', report);
      for (const dir of ['ingress', 'egress']) {
        list(obj.spec?.[dir]).forEach((r: any, i: number) => list(r?.[dir === 'ingress' ? 'from' : 'to']).forEach((peer: any, j: number) => {
          const at = `spec.${dir}[${i}].${dir === 'ingress' ? 'from' : 'to'}[${j}]`;
          labelSelectorProblems(peer?.podSelector, `${at}.podSelector`, report);
          labelSelectorProblems(peer?.namespaceSelector, `${at}.namespaceSelector`, report);
        }));
      }
      break;
    default:
  }
  return out;
}

// ---------------------------------------------------------------- across objects

function selectsLabels(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/**
 * Rules that need more than one object: a Service's named targetPort must exist in
 * every pod template in these manifests that the Service selects (same namespace);
 * only one PriorityClass may be the global default.
 * Returned as `Kind/name: path: message [rule-id]` lines.
 */
export function crossObjectProblems(manifests: any[]): string[] {
  const out: string[] = [];
  const defaults = manifests.filter((o) => o?.apiVersion === 'scheduling.k8s.io/v1' && o?.kind === 'PriorityClass' && o.globalDefault === true);
  if (defaults.length > 1) {
    out.push(`PriorityClass/${defaults.map((o) => o.metadata?.name).join(', PriorityClass/')}: globalDefault: `
      + `${defaults.length} PriorityClasses are marked globalDefault; the cluster accepts only one [${R.globalDefault}]`);
  }
  const templates = manifests.flatMap((obj) => findPodSpecs(obj).map((loc) => ({ obj, loc })));
  for (const svc of manifests) {
    if (svc?.apiVersion !== 'v1' || svc?.kind !== 'Service' || !isObj(svc.spec?.selector) || Object.keys(svc.spec.selector).length === 0) continue;
    const ns = svc.metadata?.namespace ?? '';
    const selected = templates.filter(({ obj, loc }) => (obj.metadata?.namespace ?? '') === ns
      && selectsLabels(svc.spec.selector, loc.metadata?.labels ?? {}));
    list(svc.spec.ports).forEach((p: any, i: number) => {
      if (!isIanaSvcName(p?.targetPort)) return; // numeric, or already reported as invalid
      for (const { obj, loc } of selected) {
        const names = list(loc.spec.containers).flatMap((c: any) => list(c?.ports).map((cp: any) => cp?.name));
        if (!names.includes(p.targetPort)) {
          out.push(`Service/${svc.metadata?.name}: spec.ports[${i}].targetPort: named port ${q(p.targetPort)} is not declared by the pods of `
            + `${obj.kind}/${obj.metadata?.name} (${loc.path}), which this Service selects (they have ${q(names.filter(Boolean))}) [${R.serviceTargetPort}]`);
        }
      }
    });
  }
  return out;
}
