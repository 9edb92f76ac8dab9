import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { KubernetesSdRole } from './kubernetes-sd';
import { renderPodMonitor, renderServiceMonitor, targetSelector } from './monitor-resources';
import type { PrometheusScrape, PrometheusScrapeProps } from './prometheus-scrape';
import { PrometheusServerConfig } from './prometheus-server-config';
import { RelabelAction, RelabelRule } from './relabel-rule';
import { podTargetRelabelings, ScrapeJob } from './scrape-job';
import { ScrapeTargetInfo } from './scrape-target';
import { invalidProp } from '../core/errors';
import { prometheusScrapeAnnotations } from '../core/prometheus-annotations';

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

/** What a scrape mode made for one PrometheusScrape (internal). */
export interface ScrapeResult {
  /** The ServiceMonitor or PodMonitor. */
  readonly apiObject?: ApiObject;
  /** The job added to a prometheus.yml. */
  readonly job?: ScrapeJob;
}

/** One way of getting a target scraped (internal). */
interface ScrapeStrategy {
  /** True when the mode announces the port by `prometheus.io/*` pod annotations. */
  readonly byAnnotations: boolean;
  /** Refuses props the mode cannot honour, before anything is rendered. */
  validate(scope: IConstruct, props: PrometheusScrapeProps): void;
  render(scrape: PrometheusScrape, target: ScrapeTargetInfo, props: PrometheusScrapeProps): ScrapeResult;
}

/**
 * How a target is scraped: pod annotations, a prometheus-operator ServiceMonitor or
 * PodMonitor, or a job of a plain `prometheus.yml`.
 *
 * @example
 * import { MlModelServing, PrometheusScrape, PrometheusServerConfig, ScrapeMode, ScrapeTarget } from 'cdk8s-ml';
 *
 * // A plain Prometheus (no operator): the scrape becomes a job of its prometheus.yml.
 * const prometheusConfig = new PrometheusServerConfig(this, 'prometheus-config');
 * const reranker = new MlModelServing(this, 'reranker', {
 *   image: 'registry.example.com/ml/reranker:2.0.1',
 *   metrics: { port: 9090 },
 * });
 * new PrometheusScrape(this, 'reranker-scrape', {
 *   target: ScrapeTarget.modelServing(reranker),
 *   mode: ScrapeMode.scrapeConfig(prometheusConfig),
 *   interval: Duration.seconds(30),
 * });
 */
export class ScrapeMode {
  /**
   * The `prometheus.io/scrape`, `port`, `path` and `scheme` pod annotations honoured by
   * the guide's `kubernetes-pods` job (included in {@link PrometheusServerConfig}).
   * Interval and timeout cannot be expressed this way; the job's apply.
   */
  public static annotations(): ScrapeMode {
    return new ScrapeMode(ANNOTATIONS);
  }

  /** A ServiceMonitor (monitoring.coreos.com/v1) selecting the target's Service. */
  public static serviceMonitor(options: MonitorOptions = {}): ScrapeMode {
    return new ScrapeMode(monitorStrategy((scrape, target, props) => renderServiceMonitor(scrape, target, options, props)));
  }

  /** A PodMonitor (monitoring.coreos.com/v1) selecting the target's pods. */
  public static podMonitor(options: MonitorOptions = {}): ScrapeMode {
    return new ScrapeMode(monitorStrategy((scrape, target, props) => renderPodMonitor(scrape, target, options, props)));
  }

  /**
   * A job added to `config`'s `prometheus.yml`: pod discovery limited to the target's
   * namespace and labels, keeping only the metrics port.
   */
  public static scrapeConfig(config: PrometheusServerConfig, options: ScrapeConfigJobOptions = {}): ScrapeMode {
    return new ScrapeMode({
      byAnnotations: false,
      validate: () => undefined,
      render: (scrape, target, props) => {
        const job = scrapeConfigJob(scrape, target, options, props);
        config.addJob(job);
        return { job };
      },
    });
  }

  private constructor(private readonly strategy: ScrapeStrategy) {}

  /**
   * True when the mode announces the port by `prometheus.io/*` pod annotations, which
   * carry one port per pod.
   * @internal
   */
  public get _byAnnotations(): boolean {
    return this.strategy.byAnnotations;
  }

  /** Refuses props the mode cannot honour. @internal */
  public _validate(scope: IConstruct, props: PrometheusScrapeProps): void {
    this.strategy.validate(scope, props);
  }

  /** Makes `scrape`'s objects (or annotations, or job). @internal */
  public _bind(scrape: PrometheusScrape, target: ScrapeTargetInfo, props: PrometheusScrapeProps): ScrapeResult {
    return this.strategy.render(scrape, target, props);
  }
}

const ANNOTATIONS: ScrapeStrategy = {
  byAnnotations: true,
  validate: (scope, props) => {
    for (const prop of ['interval', 'scrapeTimeout'] as const) {
      if (props[prop] !== undefined) {
        throw invalidProp(scope, prop, "is not supported by the annotations mode: the scraping job's setting applies; use a monitor or scrape-config mode");
      }
    }
  },
  render: (scrape, target, props) => {
    for (const [k, v] of Object.entries(prometheusScrapeAnnotations({ port: scrape.port, path: scrape.path, scheme: props.scheme }))) {
      target.podMetadata.addAnnotation(k, v);
    }
    return {};
  },
};

function monitorStrategy(render: (scrape: PrometheusScrape, target: ScrapeTargetInfo, props: PrometheusScrapeProps) => ApiObject): ScrapeStrategy {
  return { byAnnotations: false, validate: () => undefined, render: (scrape, target, props) => ({ apiObject: render(scrape, target, props) }) };
}

/** The scrape-config job: pod discovery in the target's namespace, by its labels, keeping the metrics port. */
function scrapeConfigJob(scrape: PrometheusScrape, target: ScrapeTargetInfo, o: ScrapeConfigJobOptions, props: PrometheusScrapeProps): ScrapeJob {
  const selector = targetSelector(scrape, target, undefined, target.podLabels, 'pod', target.podSelector);
  const label = Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(',');
  return {
    jobName: o.jobName ?? (target.namespace ? `${target.namespace}/${target.name}` : target.name),
    scrapeInterval: props.interval,
    scrapeTimeout: props.scrapeTimeout,
    metricsPath: scrape.path,
    scheme: props.scheme,
    kubernetesSd: [{
      role: KubernetesSdRole.POD,
      namespaces: target.namespace ? [target.namespace] : undefined,
      selectors: [{ role: KubernetesSdRole.POD, label }],
    }],
    relabelings: [
      // The pod role yields one target per declared port: keep the metrics port only.
      { sourceLabels: ['__meta_kubernetes_pod_container_port_name'], regex: scrape.portName, action: RelabelAction.KEEP },
      ...podTargetRelabelings(),
      ...(o.relabelings ?? []),
    ],
    metricRelabelings: o.metricRelabelings,
  };
}
