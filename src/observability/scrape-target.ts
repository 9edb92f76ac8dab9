import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { MlModelServing } from '../serving/ml-model-serving';

/** Options of {@link ScrapeTarget.workload}. */
export interface WorkloadScrapeOptions {
  /**
   * The Service in front of the workload's pods; required for the ServiceMonitor
   * mode, which selects it by its labels and its port by name.
   * @default - none
   */
  readonly service?: kplus.Service;
}

/** A named container or Service port. */
interface NamedPort {
  readonly name?: string;
  readonly number: number;
}

/** What the scrape modes need to know about a target (internal). */
export interface ScrapeTargetInfo {
  /** Name used for monitors and jobs. */
  readonly name: string;
  /** Namespace of the pods, when the chart sets one. */
  readonly namespace?: string;
  /** Labels selecting the pods. */
  readonly podSelector: { [key: string]: string };
  /** Labels of the pods. */
  readonly podLabels: { [key: string]: string };
  /** Labels put on the monitors (the target's stable labels). */
  readonly labels: { [key: string]: string };
  /** Declared container ports. */
  readonly containerPorts: NamedPort[];
  /** The Service, if any. */
  readonly service?: kplus.Service;
  /** Labels of the Service's metadata (what a ServiceMonitor selects on). */
  readonly serviceLabels: { [key: string]: string };
  /** Labels a ServiceMonitor should select the Service with. */
  readonly serviceSelector: { [key: string]: string };
  /** Metrics path announced by existing annotations, if any. */
  readonly annotatedPath?: string;
  /** The pod template's metadata, for annotations; also identifies the target's pods. */
  readonly podMetadata: { addAnnotation(key: string, value: string): void; toJson(): any };
  /** The workload whose pods are scraped. */
  readonly workload: kplus.AbstractPod;
  /** The NetworkPolicy admitting traffic to the pods, when the target has one of ours. */
  readonly networkPolicy?: kplus.NetworkPolicy;
  /** That policy admits only listed peers (the server's `ingressFrom`). */
  readonly ingressRestricted?: boolean;
  /** True when a missing Service port may be added for a container port (our own Service). */
  readonly ownsService: boolean;
}

/**
 * What `PrometheusScrape` scrapes: an `MlModelServing` (its pods, its Service) or any
 * cdk8s-plus workload (with its Service for the ServiceMonitor mode).
 *
 * @example
 * import { PodSecurity, PrometheusScrape, ScrapeMode, ScrapeTarget } from 'cdk8s-ml';
 *
 * // A feature-store exporter deployed with cdk8s-plus, not by this library.
 * const exporter = new kplus.Deployment(this, 'feature-exporter', {
 *   containers: [{
 *     image: 'registry.example.com/ml/feature-exporter:2.1.0',
 *     ports: [{ name: 'metrics', number: 9100 }],
 *     resources: {
 *       cpu: { request: kplus.Cpu.millis(100), limit: kplus.Cpu.millis(200) },
 *       memory: { request: Size.mebibytes(128), limit: Size.mebibytes(128) },
 *     },
 *   }],
 * });
 * PodSecurity.restricted().applyTo(exporter);
 * new PrometheusScrape(this, 'feature-exporter-scrape', {
 *   target: ScrapeTarget.workload(exporter),
 *   mode: ScrapeMode.podMonitor({ monitorLabels: { release: 'kube-prometheus-stack' } }),
 * });
 */
export class ScrapeTarget {
  /**
   * A model server. The ServiceMonitor selects its Service by the server's selector
   * labels (present on the Service, stable across versions); a metrics port that
   * differs from the serving port is added to the Service as `metrics`.
   */
  public static modelServing(serving: MlModelServing): ScrapeTarget {
    const serviceLabels = serving.service.metadata.toJson().labels ?? {};
    return new ScrapeTarget({
      name: serving.name,
      namespace: Chart.of(serving).namespace,
      podSelector: { ...serving.selector },
      podLabels: { ...serving.labels },
      labels: { ...serving.selector },
      containerPorts: serving.container.ports.map(p => ({ name: p.name, number: p.number })),
      service: serving.service,
      serviceLabels,
      serviceSelector: { ...serving.selector },
      annotatedPath: serving.deployment.podMetadata.toJson().annotations?.['prometheus.io/path'],
      podMetadata: serving.deployment.podMetadata,
      workload: serving.deployment,
      networkPolicy: serving.networkPolicy,
      ingressRestricted: serving.ingressRestricted,
      ownsService: true,
    });
  }

  /** Any cdk8s-plus workload (Deployment, StatefulSet, DaemonSet, Job). */
  public static workload(workload: kplus.Workload, options: WorkloadScrapeOptions = {}): ScrapeTarget {
    const serviceLabels = options.service?.metadata.toJson().labels ?? {};
    return new ScrapeTarget({
      name: workload.name,
      namespace: Chart.of(workload).namespace,
      podSelector: { ...workload.matchLabels },
      podLabels: workload.podMetadata.toJson().labels ?? {},
      labels: { ...workload.matchLabels },
      containerPorts: workload.containers.flatMap(c => c.ports.map(p => ({ name: p.name, number: p.number }))),
      service: options.service,
      serviceLabels,
      serviceSelector: serviceLabels,
      annotatedPath: workload.podMetadata.toJson().annotations?.['prometheus.io/path'],
      podMetadata: workload.podMetadata,
      workload,
      ownsService: false,
    });
  }

  /** @internal */
  public readonly _info: ScrapeTargetInfo;

  private constructor(info: ScrapeTargetInfo) {
    this._info = info;
  }
}
