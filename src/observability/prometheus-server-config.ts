import { Duration, Lazy, Yaml } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { formatPromDuration, requirePromDuration, requireTimeoutWithinInterval } from './prometheus-duration';
import { prune } from './relabel-rule';
import { kubernetesPodsJob, renderScrapeJob, ScrapeJob, validateScrapeJob } from './scrape-job';
import { invalidProp } from '../core/errors';
import { applyObjectMetadata, ObjectMetadataOptions } from '../core/metadata-validation';
import { requireAlertLabels, requireDnsSubdomain } from '../core/validation';

/** Properties of {@link PrometheusServerConfig}. */
export interface PrometheusServerConfigProps {
  /**
   * Name of the ConfigMap.
   * @default 'prometheus-config' (the guide's)
   */
  readonly name?: string;
  /**
   * Labels and annotations of every object this construct emits (the ConfigMap).
   * @default - none
   */
  readonly metadata?: ObjectMetadataOptions;
  /**
   * Global `scrape_interval`.
   * @default Duration.seconds(15) (the guide's)
   */
  readonly scrapeInterval?: Duration;
  /**
   * Global `scrape_timeout`; at most the interval.
   * @default - Prometheus's (10s, or the interval when shorter)
   */
  readonly scrapeTimeout?: Duration;
  /**
   * Global `evaluation_interval` of recording and alerting rules.
   * @default - Prometheus's (1m)
   */
  readonly evaluationInterval?: Duration;
  /**
   * Labels added to every series and alert sent outside (federation, remote write).
   * @default - none
   */
  readonly externalLabels?: { [key: string]: string };
  /**
   * Include the guide's `kubernetes-pods` job, which scrapes every pod annotated
   * `prometheus.io/scrape: "true"` (see `ScrapeMode.annotations()`).
   * @default true
   */
  readonly podAnnotationJob?: boolean;
  /**
   * More scrape jobs. {@link PrometheusServerConfig.addJob} adds others later.
   * @default - none
   */
  readonly jobs?: ScrapeJob[];
  /**
   * Rule files to load (paths inside the Prometheus container).
   * @default - none
   */
  readonly ruleFiles?: string[];
}

/**
 * The guide's `prometheus-config` ConfigMap: a complete `prometheus.yml` for a
 * Prometheus server not managed by prometheus-operator, generated from typed jobs
 * (never string-concatenated) and rendered at synth time, so jobs added later by
 * `PrometheusScrape` in scrape-config mode are included.
 *
 * @example
 * import { KubernetesSdRole, PrometheusServerConfig, RelabelAction } from 'cdk8s-ml';
 *
 * // The guide's prometheus-config ConfigMap, with its kubernetes-pods job.
 * const config = new PrometheusServerConfig(this, 'prometheus-config', {
 *   scrapeInterval: Duration.seconds(15),
 *   evaluationInterval: Duration.seconds(15),
 *   externalLabels: { cluster: 'production-cluster' },
 * });
 * // GPU metrics from every node's DCGM exporter pod (GPU Operator), not one Service.
 * config.addJob({
 *   jobName: 'dcgm-exporter',
 *   kubernetesSd: [{
 *     role: KubernetesSdRole.POD,
 *     namespaces: ['gpu-operator'],
 *     selectors: [{ role: KubernetesSdRole.POD, label: 'app=nvidia-dcgm-exporter' }],
 *   }],
 *   relabelings: [{ sourceLabels: ['__meta_kubernetes_pod_container_port_name'], regex: 'metrics', action: RelabelAction.KEEP }],
 * });
 */
export class PrometheusServerConfig extends Construct {
  /** The file name inside the ConfigMap. */
  public static readonly FILE_NAME = 'prometheus.yml';

  /** The ConfigMap holding `prometheus.yml`. */
  public readonly configMap: kplus.ConfigMap;
  /** The global scrape interval. */
  public readonly scrapeInterval: Duration;

  private readonly props: PrometheusServerConfigProps;
  private readonly jobs: ScrapeJob[] = [];
  private readonly extraRuleFiles: string[] = [];

  public constructor(scope: Construct, id: string, props: PrometheusServerConfigProps = {}) {
    super(scope, id);
    this.props = props;
    const name = props.name ?? 'prometheus-config';
    requireDnsSubdomain(this, 'name', name);
    this.scrapeInterval = props.scrapeInterval ?? Duration.seconds(15);
    requirePromDuration(this, 'scrapeInterval', this.scrapeInterval);
    if (props.scrapeTimeout !== undefined) {
      requirePromDuration(this, 'scrapeTimeout', props.scrapeTimeout);
      requireTimeoutWithinInterval(this, 'scrapeTimeout', props.scrapeTimeout, this.scrapeInterval);
    }
    if (props.evaluationInterval !== undefined) requirePromDuration(this, 'evaluationInterval', props.evaluationInterval);
    // Prometheus labels: any UTF-8 value (not Kubernetes label values).
    requireAlertLabels(this, 'externalLabels', props.externalLabels, []);

    if (props.podAnnotationJob ?? true) this.addJob(kubernetesPodsJob());
    for (const job of props.jobs ?? []) this.addJob(job);

    this.configMap = new kplus.ConfigMap(this, 'ConfigMap', { metadata: { name } });
    this.configMap.addData(PrometheusServerConfig.FILE_NAME, Lazy.any({ produce: () => this.toYaml() }));
    applyObjectMetadata(this, 'metadata', props.metadata);
  }

  /** Adds a scrape job; job names must be unique. */
  public addJob(job: ScrapeJob): void {
    const prop = `jobs['${job.jobName}']`;
    validateScrapeJob(this, prop, job, this.scrapeInterval);
    if (this.jobs.some(j => j.jobName === job.jobName)) {
      throw invalidProp(this, prop, 'is defined twice; job names must be unique');
    }
    this.jobs.push(job);
  }

  /** Adds a rule file (a path inside the Prometheus container) to `rule_files`. */
  public addRuleFile(path: string): void {
    if (!path.startsWith('/')) throw invalidProp(this, 'ruleFiles', `('${path}') must be an absolute path`);
    if (![...(this.props.ruleFiles ?? []), ...this.extraRuleFiles].includes(path)) this.extraRuleFiles.push(path);
  }

  /** The names of the scrape jobs, in order. */
  public get jobNames(): string[] {
    return this.jobs.map(j => j.jobName);
  }

  /** The configuration as an object (what `prometheus.yml` holds). */
  public toConfig(): { [key: string]: any } {
    const p = this.props;
    return prune({
      global: prune({
        scrape_interval: formatPromDuration(this.scrapeInterval),
        scrape_timeout: p.scrapeTimeout && formatPromDuration(p.scrapeTimeout),
        evaluation_interval: p.evaluationInterval && formatPromDuration(p.evaluationInterval),
        external_labels: p.externalLabels,
      }),
      rule_files: [...(p.ruleFiles ?? []), ...this.extraRuleFiles].length > 0 ? [...(p.ruleFiles ?? []), ...this.extraRuleFiles] : undefined,
      scrape_configs: this.jobs.map(renderScrapeJob),
    });
  }

  /** The `prometheus.yml` text. */
  public toYaml(): string {
    return Yaml.stringify(this.toConfig());
  }
}
