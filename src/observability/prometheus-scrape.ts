import { ApiObject, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { requirePromDuration, requireTimeoutWithinInterval } from './prometheus-duration';
import { ScrapeJob, ScrapeScheme } from './scrape-job';
import { ScrapeMode } from './scrape-mode';
import { ScrapeTarget, ScrapeTargetInfo } from './scrape-target';
import { invalidProp } from '../core/errors';
import { applyObjectMetadata, ObjectMetadataOptions } from '../core/metadata-validation';
import { dropScrapeAnnotations } from '../core/prometheus-annotations';
import { requireMetricsPath, requireProps } from '../core/validation';

/** The scrapes of each target, keyed by its pod template's metadata. */
const SCRAPES = new WeakMap<object, PrometheusScrape[]>();

/** Properties of {@link PrometheusScrape}. */
export interface PrometheusScrapeProps {
  /** What is scraped. */
  readonly target: ScrapeTarget;
  /** How. */
  readonly mode: ScrapeMode;
  /**
   * Name of the container port serving metrics.
   * @default - `metrics` when the pods declare it, else `http`, else their only named port
   */
  readonly portName?: string;
  /**
   * HTTP path of the metrics.
   * @default - the target's `prometheus.io/path` annotation, else '/metrics'
   */
  readonly path?: string;
  /**
   * Scheme of the scrapes.
   * @default ScrapeScheme.HTTP
   */
  readonly scheme?: ScrapeScheme;
  /**
   * Scrape interval (not supported by the annotations mode).
   * @default - the Prometheus instance's
   */
  readonly interval?: Duration;
  /**
   * Scrape timeout, at most the interval (not supported by the annotations mode).
   * @default - the Prometheus instance's
   */
  readonly scrapeTimeout?: Duration;
  /**
   * Prometheus's pods, admitted to the metrics port by the model server's
   * NetworkPolicy: needed when the server was created with `ingressFrom`, which
   * otherwise blocks the scrapes.
   * @default - the NetworkPolicy is left as is
   */
  readonly allowFrom?: kplus.INetworkPolicyPeer;
  /**
   * Prometheus already reaches the target's metrics port (listed in its
   * `ingressFrom`, or through the namespace's monitoring allowance), so a target
   * that restricts ingress needs no `allowFrom`.
   * @default false
   */
  readonly scraperAdmitted?: boolean;
  /**
   * Labels and annotations of every object this construct emits: the ServiceMonitor or PodMonitor (the other modes emit none).
   * @default - none
   */
  readonly metadata?: ObjectMetadataOptions;
}

/**
 * Gets a workload's metrics scraped by Prometheus, in one of three modes
 * ({@link ScrapeMode}): `prometheus.io/*` pod annotations, a prometheus-operator
 * ServiceMonitor or PodMonitor, or a job in a plain `prometheus.yml`. The port is
 * referenced by name and checked against the pods' (and Service's) ports; monitors
 * select exactly the target's labels, never everything, in the target's namespace.
 *
 * One scraper per metrics port: every series scraped twice would double each rate
 * summed over the pods (dashboards, alerts, KEDA). So a second PrometheusScrape of the
 * same port is refused, and the monitor and scrape-config modes set
 * `prometheus.io/scrape: "false"` on pods that announce the same port by annotation
 * (e.g. MlModelServing's `metrics`), which the guide's `kubernetes-pods` job would
 * otherwise scrape as well.
 *
 * @example
 * import { MlModelServing, PrometheusScrape, ScrapeMode, ScrapeTarget } from 'cdk8s-ml';
 *
 * const bert = new MlModelServing(this, 'bert', {
 *   image: 'registry.example.com/ml/bert-server:1.4.2',
 *   metrics: { port: 9090 },
 * });
 * // A ServiceMonitor picked up by kube-prometheus-stack's Prometheus.
 * new PrometheusScrape(this, 'bert-scrape', {
 *   target: ScrapeTarget.modelServing(bert),
 *   mode: ScrapeMode.serviceMonitor({ monitorLabels: { release: 'kube-prometheus-stack' } }),
 *   interval: Duration.seconds(30),
 *   scrapeTimeout: Duration.seconds(10),
 * });
 */
export class PrometheusScrape extends Construct {
  /** Name of the metrics port. */
  public readonly portName: string;
  /** Number of the metrics container port. */
  public readonly port: number;
  /** The metrics path. */
  public readonly path: string;
  /** The ServiceMonitor or PodMonitor, in those modes. */
  public readonly apiObject?: ApiObject;
  /** The job added to the `prometheus.yml`, in the scrape-config mode. */
  public readonly job?: ScrapeJob;

  /** True when this scrape announces its port by pod annotations. */
  private readonly byAnnotations: boolean;

  public constructor(scope: Construct, id: string, props: PrometheusScrapeProps) {
    super(scope, id);
    requireProps(this, props, ['target', 'mode']);
    const target = props.target._info;
    const mode = props.mode;
    this.byAnnotations = mode._byAnnotations;
    this.path = props.path ?? target.annotatedPath ?? '/metrics';
    requireMetricsPath(this, 'path', this.path);
    mode._validate(this, props);
    this.validateIntervals(props);
    [this.portName, this.port] = this.resolvePort(target, props.portName);
    this.checkPortFree(target);
    // A server that admits only its ingressFrom peers would block every scrape.
    if (target.ingressRestricted && !props.allowFrom && !props.scraperAdmitted) {
      throw invalidProp(this, 'allowFrom', `is needed: '${target.name}' admits only its ingressFrom peers, so Prometheus's scrapes of port ${this.port} would be blocked; pass allowFrom (Prometheus's pods), or scraperAdmitted: true when ingressFrom or a namespace allowance already admits them`);
    }
    if (props.allowFrom) {
      if (!target.networkPolicy) {
        throw invalidProp(this, 'allowFrom', `needs a target with a NetworkPolicy of ours (ScrapeTarget.modelServing); '${target.name}' has none`);
      }
      target.networkPolicy.addIngressRule(props.allowFrom, [kplus.NetworkPolicyPort.tcp(this.port)]);
    }

    const result = mode._bind(this, target, props);
    this.apiObject = result.apiObject;
    this.job = result.job;
    this.claimPort(target);
    applyObjectMetadata(this, 'metadata', props.metadata);
  }

  private validateIntervals(props: PrometheusScrapeProps): void {
    if (props.interval !== undefined) requirePromDuration(this, 'interval', props.interval);
    if (props.scrapeTimeout !== undefined) {
      requirePromDuration(this, 'scrapeTimeout', props.scrapeTimeout);
      if (props.interval !== undefined) requireTimeoutWithinInterval(this, 'scrapeTimeout', props.scrapeTimeout, props.interval);
    }
  }

  // Refuses a second scraper of the same port, and a second port announced by
  // annotations (pods carry one `prometheus.io/port`).
  private checkPortFree(target: ScrapeTargetInfo): void {
    const others = SCRAPES.get(target.podMetadata) ?? [];
    const same = others.find(o => o.port === this.port);
    if (same) {
      throw invalidProp(this, 'portName', `('${this.portName}', ${this.port}) of '${target.name}' is already scraped by '${same.node.path}'; a second scrape would count every series twice`);
    }
    const annotated = others.find(o => o.byAnnotations);
    if (annotated && this.byAnnotations) {
      throw invalidProp(this, 'mode', `cannot announce a second port of '${target.name}' by annotations (pods carry one prometheus.io/port; '${annotated.node.path}' announces ${annotated.port}); use a PodMonitor or scrape-config mode`);
    }
  }

  // Records the scrape. Another mode removes annotations announcing the same port:
  // one scrape path per workload, so no series is collected twice.
  private claimPort(target: ScrapeTargetInfo): void {
    SCRAPES.set(target.podMetadata, [...SCRAPES.get(target.podMetadata) ?? [], this]);
    const annotations = target.podMetadata.toJson().annotations ?? {};
    const announcesThisPort = annotations['prometheus.io/port'] === undefined || annotations['prometheus.io/port'] === String(this.port);
    if (!this.byAnnotations && annotations['prometheus.io/scrape'] === 'true' && announcesThisPort) {
      dropScrapeAnnotations(target.workload);
    }
  }

  private resolvePort(target: ScrapeTargetInfo, wanted?: string): [string, number] {
    const named = target.containerPorts.filter(p => p.name);
    const names = named.map(p => p.name).join(', ') || 'none';
    if (wanted !== undefined) {
      const port = named.find(p => p.name === wanted);
      if (!port) throw invalidProp(this, 'portName', `('${wanted}') is not a named container port of '${target.name}' (named ports: ${names})`);
      return [wanted, port.number];
    }
    const port = named.find(p => p.name === 'metrics') ?? named.find(p => p.name === 'http') ?? (named.length === 1 ? named[0] : undefined);
    if (!port) {
      throw invalidProp(this, 'portName', `is required: '${target.name}' has no container port named 'metrics' or 'http' (named ports: ${names})`);
    }
    return [port.name!, port.number];
  }
}
