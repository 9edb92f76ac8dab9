// The PromQL of the dashboards, built with the internal PromQL builder. Sources:
// cAdvisor (container_*), kube-state-metrics (kube_*), the DCGM exporter (DCGM_FI_*)
// and the model servers' own request metrics.
import { aggregate, binary, deploymentPodRegex, eq, Expr, histogramQuantile, Matcher, rate, re, series } from '../promql';

/** Grafana's rate window, which adapts to the scrape interval and zoom. */
export const RATE = '$__rate_interval';
/** The namespace variable. */
export const NS = eq('namespace', '$namespace');
/** cAdvisor reports pod-level series with container="" and the pause container as POD. */
const REAL_CONTAINER: Matcher[] = [{ label: 'container', op: '!=', value: '' }, { label: 'container', op: '!=', value: 'POD' }];

/** Metric names the model and application panels read. */
export interface MetricNames {
  readonly requestsCounter: string;
  readonly statusCodeLabel: string;
  readonly errorCodeRegex: string;
  readonly latencyHistogram: string;
  readonly inferenceLatencyHistogram: string;
  readonly inferenceCounter: string;
  readonly accuracyGauge: string;
}

export function requestRate(names: MetricNames, m: Matcher[], by: string[] = []): Expr {
  return aggregate('sum', rate(series(names.requestsCounter, m), RATE), by);
}

export function errorRatio(names: MetricNames, m: Matcher[]): Expr {
  const errors = aggregate('sum', rate(series(names.requestsCounter, [...m, re(names.statusCodeLabel, names.errorCodeRegex)]), RATE));
  return binary(errors, '/', requestRate(names, m));
}

export function latencyQuantile(histogram: string, q: number, m: Matcher[]): Expr {
  return histogramQuantile(q, aggregate('sum', rate(series(`${histogram}_bucket`, m), RATE), ['le']));
}

export function cpuCores(m: Matcher[]): Expr {
  return aggregate('sum', rate(series('container_cpu_usage_seconds_total', [...m, ...REAL_CONTAINER]), RATE), ['pod']);
}

export function memoryBytes(m: Matcher[]): Expr {
  return aggregate('sum', series('container_memory_working_set_bytes', [...m, ...REAL_CONTAINER]), ['pod']);
}

export function resourceRequests(resource: string, m: Matcher[]): Expr {
  return aggregate('sum', series('kube_pod_container_resource_requests', [...m, eq('resource', resource)]));
}

export function resourceLimits(resource: string, m: Matcher[]): Expr {
  return aggregate('sum', series('kube_pod_container_resource_limits', [...m, eq('resource', resource)]));
}

export function gpuUtilization(m: Matcher[]): Expr {
  return aggregate('avg', series('DCGM_FI_DEV_GPU_UTIL', m), ['pod']);
}

export function gpuMemoryUsedBytes(m: Matcher[]): Expr {
  // DCGM reports framebuffer memory in MiB.
  return new Expr(`${aggregate('sum', series('DCGM_FI_DEV_FB_USED', m), ['pod'])} * 1048576`);
}

/** Matchers of one Deployment's pods in the selected namespace. */
export function podsOf(deployment: string): Matcher[] {
  return [NS, re('pod', deploymentPodRegex(deployment))];
}
