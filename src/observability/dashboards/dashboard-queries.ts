// The PromQL of the dashboards, composed with @grafana/promql-builder (see ../promql.ts).
// Sources: cAdvisor (container_*), kube-state-metrics (kube_*), the DCGM exporter
// (DCGM_FI_*) and the model servers' own request metrics.
import { PanelQuery } from './dashboard-panel';
import { ServerMetricNames } from '../../core/prometheus-annotations';
import { deploymentPodRegex, Expr, Matcher, promql, render, series } from '../promql';

/** Grafana's rate window, which adapts to the scrape interval and zoom. */
export const RATE = '$__rate_interval';

/** The selected namespace (the dashboard's `namespace` variable). */
export function inNamespace(): Matcher {
  return promql.labelEq('namespace', '$namespace');
}

/** cAdvisor reports pod-level series with container="" and the pause container as POD. */
function realContainers(): Matcher[] {
  return [promql.labelNeq('container', ''), promql.labelNeq('container', 'POD')];
}

/** A panel query from an expression. */
export function query(expr: Expr, legend?: string): PanelQuery {
  return { expr: render(expr), legend };
}

/** Metric names the model and application panels read. */
export type MetricNames = ServerMetricNames & Required<Pick<ServerMetricNames,
'requestsCounter' | 'statusCodeLabel' | 'errorCodeRegex' | 'latencyHistogram' | 'inferenceLatencyHistogram' | 'inferenceCounter' | 'accuracyGauge'>>;

/** `sum by (labels) (rate(counter{m}[$__rate_interval]))`. */
export function counterRate(counter: string, m: Matcher[], by: string[] = []): Expr {
  return promql.sum(promql.rate(series(counter, m).range(RATE))).by(by);
}

export function requestRate(names: MetricNames, m: Matcher[], by: string[] = []): Expr {
  return counterRate(names.requestsCounter, m, by);
}

export function errorRatio(names: MetricNames, m: Matcher[]): Expr {
  // Success and failure counters (Triton, MLServer, TGI): failed / (successful + failed).
  if (names.failedRequestsCounter) {
    const failed = counterRate(names.failedRequestsCounter, m);
    return promql.div(failed, promql.add(requestRate(names, m), counterRate(names.failedRequestsCounter, m)));
  }
  const errors = counterRate(names.requestsCounter, [...m, promql.labelMatchRegexp(names.statusCodeLabel, names.errorCodeRegex)]);
  return promql.div(errors, requestRate(names, m));
}

export function latencyQuantile(histogram: string, q: number, m: Matcher[], milliseconds = false): Expr {
  const quantile = promql.histogramQuantile(q, counterRate(`${histogram}_bucket`, m, ['le']));
  // Panels show seconds; Ray Serve's histograms count milliseconds.
  return milliseconds ? promql.div(quantile, promql.n(1000)) : quantile;
}

export function cpuCores(m: Matcher[]): Expr {
  return counterRate('container_cpu_usage_seconds_total', [...m, ...realContainers()], ['pod']);
}

export function memoryBytes(m: Matcher[]): Expr {
  return promql.sum(series('container_memory_working_set_bytes', [...m, ...realContainers()])).by(['pod']);
}

export function resourceRequests(resource: string, m: Matcher[]): Expr {
  return promql.sum(series('kube_pod_container_resource_requests', [...m, promql.labelEq('resource', resource)]));
}

export function resourceLimits(resource: string, m: Matcher[]): Expr {
  return promql.sum(series('kube_pod_container_resource_limits', [...m, promql.labelEq('resource', resource)]));
}

export function gpuUtilization(m: Matcher[]): Expr {
  return promql.avg(series('DCGM_FI_DEV_GPU_UTIL', m)).by(['pod']);
}

export function gpuMemoryUsedBytes(m: Matcher[]): Expr {
  // DCGM reports framebuffer memory in MiB.
  return promql.mul(promql.sum(series('DCGM_FI_DEV_FB_USED', m)).by(['pod']), promql.n(1048576));
}

/** Matchers of one Deployment's pods in the selected namespace (or of the pods `podRegex` names). */
export function podsOf(deployment: string, podRegex?: string): Matcher[] {
  return [inNamespace(), promql.labelMatchRegexp('pod', podRegex ?? deploymentPodRegex(deployment))];
}
