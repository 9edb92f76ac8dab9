import type { RE2JS as RE2JSType } from '@bufbuild/re2';
import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { invalidProp } from './errors';

// RFC 1123 label: what Kubernetes requires of most object names and of hostnames.
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
// RFC 1035 label: what a Service name must be (it becomes a DNS name starting with a letter).
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
// RFC 1123 subdomain: dot-separated labels, 253 characters at most.
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
// Label values: 63 characters, alphanumeric at both ends, [-_.] inside.
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Throws unless `value` is an integer in [min, max]. */
export function requireInteger(scope: IConstruct, prop: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isInteger(value)) {
    throw invalidProp(scope, prop, `(${value}) must be an integer`);
  }
  if (value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `between ${min} and ${max}`;
    throw invalidProp(scope, prop, `(${value}) must be ${range}`);
  }
}

/** Throws unless `value` is a valid TCP/UDP port number. */
export function requirePort(scope: IConstruct, prop: string, value: number): void {
  requireInteger(scope, prop, value, 1, 65535);
}

/** Throws unless `value` is a utilization percentage usable as an HPA target. */
export function requirePercentage(scope: IConstruct, prop: string, value: number): void {
  requireInteger(scope, prop, value, 1, 100);
}

/** Throws unless `value` is an RFC 1123 DNS label (names of Services, pods' hostnames). */
export function requireDnsLabel(scope: IConstruct, prop: string, value: string, maxLength = 63): void {
  if (value.length > maxLength || !DNS_LABEL.test(value)) {
    throw invalidProp(scope, prop, `('${value}') must be a valid RFC 1123 DNS label: lowercase alphanumerics and '-', starting and ending with an alphanumeric, at most ${maxLength} characters`);
  }
}

/**
 * Throws unless `value` can name a Service, also with each of `appended` after it
 * (the suffixes a construct adds for its other Services): an RFC 1035 label, so it
 * starts with a letter, and short enough that the longest suffixed name has at most
 * 63 characters. The message states the limit the user has.
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#rfc-1035-label-names
 */
export function requireServiceName(scope: IConstruct, prop: string, value: string, appended: string[] = []): void {
  const longest = appended.reduce((a, b) => (b.length > a.length ? b : a), '');
  const max = 63 - longest.length;
  const why = longest ? ` because '${longest}' is appended` : '';
  if (typeof value !== 'string' || value.length > max || !DNS_1035_LABEL.test(value)) {
    throw invalidProp(scope, prop, `('${value}') must be a valid RFC 1035 label, since it names a Service: lowercase alphanumerics and '-', starting with a letter and ending with an alphanumeric, at most ${max} characters${why}`);
  }
}

/** Throws unless `value` is an RFC 1123 DNS subdomain (names of most objects). */
export function requireDnsSubdomain(scope: IConstruct, prop: string, value: string): void {
  if (value.length > 253 || !DNS_SUBDOMAIN.test(value)) {
    throw invalidProp(scope, prop, `('${value}') must be a valid RFC 1123 DNS subdomain: lowercase alphanumerics, '-' and '.', at most 253 characters`);
  }
}

/** True when `value` can be used as a Kubernetes label value. */
export function isLabelValue(value: string): boolean {
  return value.length <= 63 && LABEL_VALUE.test(value);
}

/** Throws unless `value` is a valid label value. */
export function requireLabelValue(scope: IConstruct, prop: string, value: string): void {
  if (!isLabelValue(value)) {
    throw invalidProp(scope, prop, `('${value}') must be a valid label value: at most 63 characters, alphanumeric at both ends, '-', '_' or '.' inside`);
  }
}

// Kubernetes 1.34 (RelaxedEnvironmentVariableValidation, GA): an env var name is any
// non-empty string of printable ASCII (0x20-0x7e) other than '='.
// @see https://github.com/kubernetes/kubernetes/blob/v1.34.0/staging/src/k8s.io/apimachinery/pkg/util/validation/validation.go (IsRelaxedEnvVarName)
const ENV_VAR_NAME = /^[\x20-\x3c\x3e-\x7e]+$/;

/** Throws unless every key of `env` is an environment variable name the API server accepts. */
export function requireEnvNames(scope: IConstruct, prop: string, env: { [name: string]: unknown } | undefined): void {
  for (const name of Object.keys(env ?? {})) {
    if (!ENV_VAR_NAME.test(name)) {
      throw invalidProp(scope, `${prop} key`, `('${name}') is not a valid environment variable name: one or more printable ASCII characters other than '='`);
    }
    // A JavaScript caller's plain string (or undefined) would crash cdk8s-plus or render an empty variable.
    // Duck-typed, not instanceof: an app may load its own copy of cdk8s-plus.
    const v = env![name];
    if (typeof v !== 'object' || v === null || !('value' in v || 'valueFrom' in v)) {
      throw invalidProp(scope, `${prop}['${name}']`, `must be a kplus.EnvValue (e.g. EnvValue.fromValue('...')), not ${v === null ? 'null' : typeof v}`);
    }
  }
}

/** Throws unless `path` is an absolute path other than '/', without '..' segments. */
export function requireAbsolutePath(scope: IConstruct, prop: string, path: string | undefined): void {
  if (typeof path !== 'string' || !path.startsWith('/') || path.replace(/\/+$/, '') === '') {
    throw invalidProp(scope, prop, `('${path}') must be an absolute path other than '/'`);
  }
  if (path.split('/').includes('..')) {
    throw invalidProp(scope, prop, `('${path}') must not contain '..'`);
  }
}

/** Where a container's probes and ports come from, as the user wrote them (e.g. `sidecars[0].`). */
export interface ContainerPropNames {
  /** Prefix of every prop, e.g. `sidecars[0].`; '' for the main container. */
  readonly prefix: string;
  /** The prop the container's ports come from. */
  readonly ports?: string;
}

const PROBE_KINDS = ['liveness', 'readiness', 'startup'] as const;

/**
 * Refuses container settings the API server rejects or the kubelet trips on: two
 * ports with one number and protocol or one name, a liveness or startup probe with a
 * successThreshold other than 1 (the API server requires 1), thresholds and periods
 * below 1, and a probe aimed at a port the container does not declare (the probe
 * would fail and the kubelet restart a healthy container).
 * @see https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/
 */
export function requireContainerProps(scope: IConstruct, names: ContainerPropNames, props: kplus.ContainerProps): void {
  const portsProp = names.ports ?? `${names.prefix}ports`;
  const seen = new Map<string, number>();
  const named = new Set<string>();
  (props.ports ?? []).forEach((p, i) => {
    requirePort(scope, `${portsProp}[${i}].number`, p.number);
    const key = `${p.number}/${p.protocol ?? 'TCP'}`;
    if (seen.has(key)) throw invalidProp(scope, `${portsProp}[${i}]`, `(${key}) is already port [${seen.get(key)}] of the container; a container port and protocol may be declared once`);
    seen.set(key, i);
    if (p.name !== undefined) {
      if (named.has(p.name)) throw invalidProp(scope, `${portsProp}[${i}].name`, `('${p.name}') is already the name of another port of the container`);
      named.add(p.name);
    }
  });
  const declared = (props.ports ?? []).map(p => p.number);
  const container = new kplus.Container({ ...props, name: props.name ?? 'probe-check' });
  for (const kind of PROBE_KINDS) {
    const probe = props[kind];
    if (!probe) continue;
    const prop = `${names.prefix}${kind}`;
    // cdk8s-plus converts these with `toSeconds()`, which throws on a fraction without
    // naming the prop; kplus.Probe keeps its options in `probeOptions` (probe.ts).
    const options = (probe as unknown as { probeOptions?: kplus.ProbeOptions }).probeOptions ?? {};
    for (const [field, min] of [['initialDelaySeconds', 0], ['periodSeconds', 1], ['timeoutSeconds', 1]] as const) {
      requireWholeSeconds(scope, `${prop} ${field}`, options[field], min);
    }
    const k = probe._toKube(container);
    if (k.successThreshold !== undefined) {
      requireInteger(scope, `${prop} successThreshold`, k.successThreshold, 1);
      if (kind !== 'readiness' && k.successThreshold !== 1) {
        throw invalidProp(scope, `${prop} successThreshold`, `(${k.successThreshold}) must be 1 for ${kind} probes (the API server refuses other values)`);
      }
    }
    if (k.failureThreshold !== undefined) requireInteger(scope, `${prop} failureThreshold`, k.failureThreshold, 1);
    if (k.periodSeconds !== undefined) requireInteger(scope, `${prop} periodSeconds`, k.periodSeconds, 1);
    if (k.timeoutSeconds !== undefined) requireInteger(scope, `${prop} timeoutSeconds`, k.timeoutSeconds, 1);
    if (k.initialDelaySeconds !== undefined) requireInteger(scope, `${prop} initialDelaySeconds`, k.initialDelaySeconds, 0);
    const port = (k.httpGet?.port ?? k.tcpSocket?.port)?.value;
    if (typeof port === 'number') requirePort(scope, `${prop} port`, port);
    if (typeof port === 'number' && declared.length > 0 && !declared.includes(port)) {
      throw invalidProp(scope, `${prop}`, `probes port ${port}, which the container does not declare (it declares ${declared.join(', ')}); probe a declared port`);
    }
  }
}

/**
 * The check JavaScript callers need (TypeScript's types do not reach them): the props
 * object and each of `required` are given, so a missing one fails with the same
 * clear error as every other bad input, never a TypeError further down.
 */
export function requireProps(scope: IConstruct, props: unknown, required: string[] = []): void {
  if (props === undefined || props === null || typeof props !== 'object') {
    throw invalidProp(scope, 'props', `are required${required.length ? ` (at least ${required.join(', ')})` : ''}`);
  }
  for (const name of required) {
    if ((props as { [k: string]: unknown })[name] === undefined || (props as { [k: string]: unknown })[name] === null) {
      throw invalidProp(scope, name, 'is required');
    }
  }
}

// RE2 is loaded on first use, like the PromQL grammar below, and each regex compiled
// once per process: every model server checks the same default error-code regex,
// which is known good, so a default app never loads RE2.
let RE2JS: typeof RE2JSType | undefined;
const RE2_ACCEPTED = new Set<string>(['5..']);

/**
 * Throws unless `regex` is a regular expression Prometheus accepts: RE2 syntax (Go's
 * regexp), which Prometheus anchors as `^(?:regex)$`. RE2 has `(?i)` flags but no
 * look-arounds or back-references, unlike JavaScript's RegExp.
 * @see https://prometheus.io/docs/prometheus/latest/querying/basics/#regular-expressions
 */
export function requireRe2(scope: IConstruct, prop: string, regex: string): void {
  if (RE2_ACCEPTED.has(regex)) return;
  try {
    if (typeof regex !== 'string') throw new Error('not a string');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    RE2JS ??= (require('@bufbuild/re2') as typeof import('@bufbuild/re2')).RE2JS;
    new RE2JS(`^(?:${regex})$`);
    RE2_ACCEPTED.add(regex);
  } catch (e) {
    const reason = e instanceof Error ? e.message.replace(/^error parsing regexp: /, '') : String(e);
    throw invalidProp(scope, prop, `('${regex}') is not an RE2 regular expression (what Prometheus uses): ${reason}`);
  }
}

type LezerPromql = typeof import('@prometheus-io/lezer-promql', { with: { 'resolution-mode': 'import' } });
let promqlParser: LezerPromql['parser'] | undefined;

/**
 * Throws unless `expr` parses as PromQL with the Prometheus project's own grammar
 * (@prometheus-io/lezer-promql), loaded on first use. Grafana's `$__rate_interval`-style
 * variables are replaced by a duration first when `grafanaVariables` is set, as
 * Grafana does before it queries.
 */
export function requirePromQl(scope: IConstruct, prop: string, expr: string, grafanaVariables = false): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  promqlParser ??= (require('@prometheus-io/lezer-promql') as LezerPromql).parser;
  const text = grafanaVariables
    ? expr.replace(/\$__rate_interval|\$__interval|\$__range/g, '5m').replace(/\$\{?(\w+)\}?/g, 'value')
    : expr;
  let at: number | undefined;
  promqlParser.parse(text).iterate({ enter: node => { if (node.type.isError && at === undefined) at = node.from; } });
  if (at !== undefined) {
    throw invalidProp(scope, prop, `('${expr}') is not valid PromQL: syntax error at character ${at + 1} ('${text.slice(Math.max(0, at - 10), at + 10)}')`);
  }
}

/**
 * `text` as literal text inside a Prometheus alert annotation, which Prometheus
 * expands as a Go template: text containing `{{` or `}}` (a user's regex, say) is
 * wrapped in a raw-string action so it prints as written instead of breaking the
 * template or running as one.
 * @see https://prometheus.io/docs/prometheus/latest/configuration/template_reference/
 */
export function goTemplateText(text: string): string {
  if (!text.includes('{{') && !text.includes('}}')) return text;
  // A raw string cannot hold a backtick; a quoted string with escapes can hold anything.
  return text.includes('`') ? `{{ ${JSON.stringify(text)} }}` : `{{ \`${text}\` }}`;
}

/** Alert labels ModelServerAlerts and the like set themselves on every alert. */
export function requireAlertLabels(scope: IConstruct, prop: string, labels: { [key: string]: string } | undefined, reserved: string[]): void {
  for (const [k, v] of Object.entries(labels ?? {})) {
    // Prometheus label names (UTF-8 names need quoting in PromQL and are not used here).
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(k) || k.startsWith('__')) {
      throw invalidProp(scope, `${prop} key`, `('${k}') must be a valid Prometheus label name: letters, digits and '_', not starting with a digit or '__'`);
    }
    if (reserved.includes(k)) {
      throw invalidProp(scope, `${prop}['${k}']`, `is set on every alert by this construct (${reserved.join(', ')}); it would be overwritten. Route on it as it is, or use another label`);
    }
    // Any UTF-8 string is a valid Prometheus label value; only the empty one drops the label.
    if (typeof v !== 'string' || v === '') throw invalidProp(scope, `${prop}['${k}']`, `(${JSON.stringify(v)}) must be a non-empty string`);
  }
}

/**
 * Throws unless `path` is a Prometheus `metrics_path`: a URL path from '/', without
 * whitespace, '?' or '#' (Prometheus would escape them into the path; query
 * parameters belong in `params`).
 * @see https://prometheus.io/docs/prometheus/latest/configuration/configuration/#scrape_config
 */
export function requireMetricsPath(scope: IConstruct, prop: string, path: string): void {
  if (typeof path !== 'string' || !/^\/[^\s?#]*$/.test(path)) {
    throw invalidProp(scope, prop, `('${path}') must be a URL path starting with '/', without whitespace, '?' or '#'`);
  }
}

/**
 * Throws unless `duration` is a whole number of seconds of at least `min`: what
 * Kubernetes' `*Seconds` fields take. Checked here, so a fractional Duration is
 * refused by the prop's name instead of by cdk8s's conversion error.
 */
export function requireWholeSeconds(scope: IConstruct, prop: string, duration: Duration | undefined, min: number): void {
  if (duration === undefined) return;
  // Milliseconds / 1000 rather than toSeconds(): its `* 0.001` prints 4980.221 as 4980.2210000000005.
  const s = duration.toMilliseconds({ integral: false }) / 1000;
  if (!Number.isInteger(s) || s < min) throw invalidProp(scope, prop, `(${s}s) must be a whole number of seconds >= ${min}`);
}

/**
 * Throws unless `key` is a key a Secret or ConfigMap can hold (alphanumerics, '-', '_'
 * and '.', at most 253 characters): a `secretKeyRef` to any other key is refused by the API server.
 */
export function requireDataKey(scope: IConstruct, prop: string, key: string): void {
  if (typeof key !== 'string' || key.length > 253 || !/^[-._a-zA-Z0-9]+$/.test(key)) {
    throw invalidProp(scope, prop, `('${key}') is not a valid Secret key: alphanumerics, '-', '_' and '.'`);
  }
}
