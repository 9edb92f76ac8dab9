import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { AfterConversion } from './after-conversion';
import { invalidProp } from './errors';
import { podTemplateOf } from './pod-template-path';
import { requireRe2 } from './validation';

/**
 * What a server's metrics are called: declared once on the workload, and read by
 * its alerts, KEDA scaling and dashboards, so no name is written twice.
 */
export interface ServerMetricNames {
  /**
   * Counter of requests, labelled with the status code.
   * @default 'http_requests_total'
   */
  readonly requestsCounter?: string;
  /**
   * Label of `requestsCounter` holding the status code.
   * @default 'code'
   */
  readonly statusCodeLabel?: string;
  /**
   * Regex of the status codes counted as errors.
   * @default '5..'
   */
  readonly errorCodeRegex?: string;
  /**
   * Histogram of request latency in seconds (without `_bucket`).
   * @default 'http_request_duration_seconds'
   */
  readonly latencyHistogram?: string;
  /**
   * Histogram of model inference time in seconds (without `_bucket`).
   * @default 'model_inference_duration_seconds'
   */
  readonly inferenceLatencyHistogram?: string;
  /**
   * Counter of inferences (predictions) made.
   * @default 'model_inferences_total'
   */
  readonly inferenceCounter?: string;
  /**
   * Gauge of the model's measured accuracy (0..1), e.g. from online evaluation.
   * @default 'model_accuracy'
   */
  readonly accuracyGauge?: string;
  /**
   * Counter of failed requests, next to a `requestsCounter` that counts only the
   * successful ones (Triton's `nv_inference_request_failure`, MLServer's
   * `model_infer_request_failure`): the error ratio is then failed / (successful + failed).
   * @default - none: errors are the `requestsCounter` series whose status code matches `errorCodeRegex`
   */
  readonly failedRequestsCounter?: string;
  /**
   * Gauge of requests waiting for the engine (an LLM server's queue depth), the
   * signal to scale an LLM server on.
   * @default - none
   */
  readonly queueGauge?: string;
  /**
   * Gauge of requests being processed (in the running batch).
   * @default - none
   */
  readonly runningGauge?: string;
  /**
   * Gauge of KV-cache usage, 0..1: near 1 the engine preempts requests.
   * @default - none
   */
  readonly kvCacheUsageGauge?: string;
  /**
   * Histogram of the time to first token in seconds (without `_bucket`).
   * @default - none
   */
  readonly timeToFirstTokenHistogram?: string;
  /**
   * Counter of generated (output) tokens.
   * @default - none
   */
  readonly generationTokensCounter?: string;
  /**
   * Counter of prompt (input) tokens.
   * @default - none
   */
  readonly promptTokensCounter?: string;
  /**
   * Gauge per serving replica, 1 when healthy and 0 when not (Ray Serve's
   * `ray_serve_deployment_replica_healthy`): alerts fire on unhealthy replicas.
   * @default - none
   */
  readonly replicaHealthyGauge?: string;
  /**
   * The latency histograms (`latencyHistogram`, `inferenceLatencyHistogram`,
   * `timeToFirstTokenHistogram`) count milliseconds, not seconds (Ray Serve's
   * `_ms` histograms); alerts and dashboards convert them to seconds.
   * @default false
   */
  readonly histogramsInMilliseconds?: boolean;
}

/** The classic names every server is assumed to serve unless it declares others. @internal */
export const CLASSIC_METRIC_NAMES: ServerMetricNames = {
  requestsCounter: 'http_requests_total',
  statusCodeLabel: 'code',
  errorCodeRegex: '5..',
  latencyHistogram: 'http_request_duration_seconds',
  inferenceLatencyHistogram: 'model_inference_duration_seconds',
  inferenceCounter: 'model_inferences_total',
  accuracyGauge: 'model_accuracy',
};

const NAME_KEYS = [
  'requestsCounter', 'latencyHistogram', 'inferenceLatencyHistogram', 'inferenceCounter', 'accuracyGauge',
  'failedRequestsCounter', 'queueGauge', 'runningGauge', 'kvCacheUsageGauge', 'timeToFirstTokenHistogram',
  'generationTokensCounter', 'promptTokensCounter', 'replicaHealthyGauge',
] as const;

// Prometheus' classic metric and label name syntax.
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Every name resolved to the server's own or the default (the classic names, or a
 * serving runtime's, which leave out what the runtime does not serve), and checked.
 * @internal
 */
export function resolveMetricNames(
  scope: IConstruct, prop: string, names: ServerMetricNames = {}, defaults: ServerMetricNames = CLASSIC_METRIC_NAMES,
): ServerMetricNames {
  const resolved: { [key: string]: any } = { ...defaults };
  for (const [key, value] of Object.entries(names)) if (value !== undefined) resolved[key] = value;
  resolved.statusCodeLabel ??= 'code';
  resolved.errorCodeRegex ??= '5..';
  const ms = resolved.histogramsInMilliseconds;
  if (ms !== undefined && typeof ms !== 'boolean') throw invalidProp(scope, `${prop}histogramsInMilliseconds`, `(${JSON.stringify(ms)}) must be true or false`);
  for (const key of NAME_KEYS) {
    const value = resolved[key];
    if (value !== undefined && !METRIC_NAME.test(value)) throw invalidProp(scope, `${prop}${key}`, `('${value}') must be a valid Prometheus metric name`);
  }
  if (!LABEL_NAME.test(resolved.statusCodeLabel)) {
    throw invalidProp(scope, `${prop}statusCodeLabel`, `('${resolved.statusCodeLabel}') must be a valid Prometheus label name`);
  }
  requireRe2(scope, `${prop}errorCodeRegex`, resolved.errorCodeRegex);
  return resolved as ServerMetricNames;
}

/** Where Prometheus finds a pod's metrics, and what they are called. */
export interface MetricsEndpoint {
  /** Container port serving metrics. */
  readonly port: number;
  /**
   * HTTP path of the metrics.
   * @default '/metrics'
   */
  readonly path?: string;
  /**
   * `http` or `https`.
   * @default 'http'
   */
  readonly scheme?: string;
  /**
   * The names of the metrics served there, for alerts, KEDA and dashboards.
   * @default - the common defaults (`http_requests_total`, `http_request_duration_seconds`, ...)
   */
  readonly names?: ServerMetricNames;
}

const DROPPED = new WeakSet<kplus.AbstractPod>();

/**
 * Removes the `prometheus.io/*` pod annotations of a workload, after conversion:
 * another scrape path (a ServiceMonitor, PodMonitor or scrape config) took over.
 */
export function dropScrapeAnnotations(workload: kplus.AbstractPod): void {
  if (DROPPED.has(workload)) return;
  DROPPED.add(workload);
  AfterConversion.of(workload)._addStage(manifest => {
    const metadata = podTemplateOf(manifest).metadata ?? {};
    for (const key of Object.keys(metadata.annotations ?? {})) {
      if (key.startsWith('prometheus.io/')) delete metadata.annotations[key];
    }
    if (metadata.annotations && Object.keys(metadata.annotations).length === 0) delete metadata.annotations;
  });
}

/**
 * The pod annotations the guide's `kubernetes-pods` scrape job relabels on
 * (`prometheus.io/scrape`, `port`, `path`, `scheme`).
 */
export function prometheusScrapeAnnotations(endpoint: MetricsEndpoint): { [key: string]: string } {
  return {
    'prometheus.io/scrape': 'true',
    'prometheus.io/port': String(endpoint.port),
    'prometheus.io/path': endpoint.path ?? '/metrics',
    'prometheus.io/scheme': endpoint.scheme ?? 'http',
  };
}
