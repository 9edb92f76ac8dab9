import { PrometheusServerConfig } from './prometheus-server-config';
import { RelabelRule } from './relabel-rule';

/** The ways {@link PrometheusScrape} gets a target scraped. */
export enum ScrapeModeKind {
  /** `prometheus.io/*` pod annotations, for a Prometheus running the guide's `kubernetes-pods` job. */
  ANNOTATIONS = 'annotations',
  /** A prometheus-operator ServiceMonitor selecting the target's Service. */
  SERVICE_MONITOR = 'service-monitor',
  /** A prometheus-operator PodMonitor selecting the target's pods. */
  POD_MONITOR = 'pod-monitor',
  /** A dedicated job in a `prometheus.yml` ({@link PrometheusServerConfig}). */
  SCRAPE_CONFIG = 'scrape-config',
}

/** Options of the ServiceMonitor and PodMonitor modes. */
export interface MonitorOptions {
  /**
   * Name of the monitor.
   * @default - the target's name
   */
  readonly name?: string;
  /**
   * Labels the Prometheus instance's `serviceMonitorSelector` / `podMonitorSelector`
   * picks monitors by, e.g. `{ release: 'kube-prometheus-stack' }` for that chart.
   * @default - none: the target's selector labels only
   */
  readonly monitorLabels?: { [key: string]: string };
  /**
   * Labels selecting the Service (ServiceMonitor) or the pods (PodMonitor). They must
   * match the target's labels.
   * @default - the target's selector labels
   */
  readonly selector?: { [key: string]: string };
  /**
   * Target relabelings, appended to the operator's own.
   * @default - none
   */
  readonly relabelings?: RelabelRule[];
  /**
   * Metric relabelings, applied to scraped series before ingestion.
   * @default - none
   */
  readonly metricRelabelings?: RelabelRule[];
  /**
   * Keep the target's own `job`/`instance` labels on conflict.
   * @default false
   */
  readonly honorLabels?: boolean;
}

/** Options of the scrape-config mode. */
export interface ScrapeConfigJobOptions {
  /**
   * Name of the job.
   * @default - `<namespace>/<target name>`, or the target name without a namespace
   */
  readonly jobName?: string;
  /**
   * Relabelings appended to the job's own (port keep, namespace and pod labels).
   * @default - none
   */
  readonly relabelings?: RelabelRule[];
  /**
   * Metric relabelings.
   * @default - none
   */
  readonly metricRelabelings?: RelabelRule[];
}

/**
 * How a target is scraped: pod annotations, a prometheus-operator ServiceMonitor or
 * PodMonitor, or a job of a plain `prometheus.yml`.
 */
export class ScrapeMode {
  /**
   * The `prometheus.io/scrape`, `port`, `path` and `scheme` pod annotations honoured by
   * the guide's `kubernetes-pods` job (included in {@link PrometheusServerConfig}).
   * Interval and timeout cannot be expressed this way; the job's apply.
   */
  public static annotations(): ScrapeMode {
    return new ScrapeMode(ScrapeModeKind.ANNOTATIONS, {});
  }

  /** A ServiceMonitor (monitoring.coreos.com/v1) selecting the target's Service. */
  public static serviceMonitor(options: MonitorOptions = {}): ScrapeMode {
    return new ScrapeMode(ScrapeModeKind.SERVICE_MONITOR, options);
  }

  /** A PodMonitor (monitoring.coreos.com/v1) selecting the target's pods. */
  public static podMonitor(options: MonitorOptions = {}): ScrapeMode {
    return new ScrapeMode(ScrapeModeKind.POD_MONITOR, options);
  }

  /**
   * A job added to `config`'s `prometheus.yml`: pod discovery limited to the target's
   * namespace and labels, keeping only the metrics port.
   */
  public static scrapeConfig(config: PrometheusServerConfig, options: ScrapeConfigJobOptions = {}): ScrapeMode {
    return new ScrapeMode(ScrapeModeKind.SCRAPE_CONFIG, {}, config, options);
  }

  private constructor(
    /** Which mode. */
    public readonly kind: ScrapeModeKind,
    /** Options of the monitor modes. */
    public readonly monitorOptions: MonitorOptions,
    /** The config of the scrape-config mode. */
    public readonly config?: PrometheusServerConfig,
    /** Options of the scrape-config mode. */
    public readonly jobOptions?: ScrapeConfigJobOptions,
  ) {}
}
