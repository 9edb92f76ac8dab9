import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { KubernetesSdConfig, KubernetesSdRole, renderKubernetesSd, validateKubernetesSd } from './kubernetes-sd';
import { formatPromDuration, requirePromDuration, requireTimeoutWithinInterval } from './prometheus-duration';
import { prune, RelabelAction, RelabelRule, renderRelabelConfig, validateRelabelRule } from './relabel-rule';
import { invalidProp } from '../core/errors';
import { requireMetricsPath } from '../core/validation';

/** `http` or `https`. */
export enum ScrapeScheme {
  /** Plain HTTP. */
  HTTP = 'http',
  /** HTTPS. */
  HTTPS = 'https',
}

/** One `scrape_configs` entry of prometheus.yml. */
export interface ScrapeJob {
  /** The `job` label of every series scraped; unique within the config. */
  readonly jobName: string;
  /**
   * How often targets are scraped.
   * @default - the global scrape interval
   */
  readonly scrapeInterval?: Duration;
  /**
   * Per-scrape timeout; at most the interval.
   * @default - the global scrape timeout
   */
  readonly scrapeTimeout?: Duration;
  /**
   * HTTP path of the metrics.
   * @default '/metrics'
   */
  readonly metricsPath?: string;
  /**
   * Scheme of the requests.
   * @default ScrapeScheme.HTTP
   */
  readonly scheme?: ScrapeScheme;
  /**
   * Keep the target's own `job`/`instance` labels on conflict.
   * @default false
   */
  readonly honorLabels?: boolean;
  /**
   * Kubernetes service discovery.
   * @default - none
   */
  readonly kubernetesSd?: KubernetesSdConfig[];
  /**
   * Fixed `host:port` targets.
   * @default - none
   */
  readonly staticTargets?: string[];
  /**
   * Rules applied to targets before scraping.
   * @default - none
   */
  readonly relabelings?: RelabelRule[];
  /**
   * Rules applied to scraped series before ingestion.
   * @default - none
   */
  readonly metricRelabelings?: RelabelRule[];
}

/** Throws unless Prometheus would load the job. */
export function validateScrapeJob(scope: IConstruct, prop: string, job: ScrapeJob, globalInterval: Duration): void {
  if (!job.jobName || job.jobName.trim() !== job.jobName) {
    throw invalidProp(scope, `${prop}.jobName`, `('${job.jobName}') must be non-empty without surrounding spaces`);
  }
  if (job.scrapeInterval !== undefined) requirePromDuration(scope, `${prop}.scrapeInterval`, job.scrapeInterval);
  if (job.scrapeTimeout !== undefined) {
    requirePromDuration(scope, `${prop}.scrapeTimeout`, job.scrapeTimeout);
    requireTimeoutWithinInterval(scope, `${prop}.scrapeTimeout`, job.scrapeTimeout, job.scrapeInterval ?? globalInterval);
  }
  if (job.metricsPath !== undefined) requireMetricsPath(scope, `${prop}.metricsPath`, job.metricsPath);
  if ((job.kubernetesSd ?? []).length === 0 && (job.staticTargets ?? []).length === 0) {
    throw invalidProp(scope, prop, `('${job.jobName}') has no targets: give kubernetesSd or staticTargets`);
  }
  (job.kubernetesSd ?? []).forEach((sd, i) => validateKubernetesSd(scope, `${prop}.kubernetesSd[${i}]`, sd));
  for (const target of job.staticTargets ?? []) {
    if (!/^[^\s/:]+:[0-9]{1,5}$/.test(target)) {
      throw invalidProp(scope, `${prop}.staticTargets`, `('${target}') must be host:port`);
    }
  }
  (job.relabelings ?? []).forEach((r, i) => validateRelabelRule(scope, `${prop}.relabelings[${i}]`, r));
  (job.metricRelabelings ?? []).forEach((r, i) => validateRelabelRule(scope, `${prop}.metricRelabelings[${i}]`, r));
}

/** The prometheus.yml form. */
export function renderScrapeJob(job: ScrapeJob): { [key: string]: unknown } {
  return prune({
    job_name: job.jobName,
    scrape_interval: job.scrapeInterval && formatPromDuration(job.scrapeInterval),
    scrape_timeout: job.scrapeTimeout && formatPromDuration(job.scrapeTimeout),
    metrics_path: job.metricsPath,
    scheme: job.scheme,
    honor_labels: job.honorLabels,
    kubernetes_sd_configs: job.kubernetesSd?.map(renderKubernetesSd),
    static_configs: job.staticTargets ? [{ targets: job.staticTargets }] : undefined,
    relabel_configs: job.relabelings?.map(renderRelabelConfig),
    metric_relabel_configs: job.metricRelabelings?.map(renderRelabelConfig),
  });
}

/**
 * The relabelings common to every pod-discovered job: skip finished pods, label
 * namespace and pod. (No `container` label: the pod role yields one target per
 * declared port, and identical label sets let Prometheus merge them.)
 */
export function podTargetRelabelings(): RelabelRule[] {
  return [
    // Completed and failed pods keep their IPs for a while; scraping them reports a
    // spurious `up == 0`.
    { sourceLabels: ['__meta_kubernetes_pod_phase'], regex: 'Pending|Succeeded|Failed|Completed', action: RelabelAction.DROP },
    { sourceLabels: ['__meta_kubernetes_namespace'], targetLabel: 'namespace', action: RelabelAction.REPLACE },
    { sourceLabels: ['__meta_kubernetes_pod_name'], targetLabel: 'pod', action: RelabelAction.REPLACE },
  ];
}

/**
 * The guide's `kubernetes-pods` job, completed: discovers every pod and implements the
 * whole `prometheus.io/*` annotation convention (keep on `scrape: "true"`, scheme,
 * path and port rewrite), maps pod labels, and labels namespace and pod.
 */
export function kubernetesPodsJob(): ScrapeJob {
  const annotation = (name: string) => `__meta_kubernetes_pod_annotation_prometheus_io_${name}`;
  return {
    jobName: 'kubernetes-pods',
    kubernetesSd: [{ role: KubernetesSdRole.POD }],
    relabelings: [
      { sourceLabels: [annotation('scrape')], regex: 'true', action: RelabelAction.KEEP },
      { sourceLabels: [annotation('scheme')], regex: '(https?)', targetLabel: '__scheme__', action: RelabelAction.REPLACE },
      { sourceLabels: [annotation('path')], regex: '(.+)', targetLabel: '__metrics_path__', action: RelabelAction.REPLACE },
      // host[:any port] + annotated port -> host:port (IPv4 and DNS names).
      {
        sourceLabels: ['__address__', annotation('port')],
        regex: '([^:]+)(?::\\d+)?;(\\d+)',
        replacement: '$1:$2',
        targetLabel: '__address__',
        action: RelabelAction.REPLACE,
      },
      { regex: '__meta_kubernetes_pod_label_(.+)', action: RelabelAction.LABELMAP },
      ...podTargetRelabelings(),
    ],
  };
}
