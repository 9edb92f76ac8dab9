// The prometheus-operator monitors of PrometheusScrape's ServiceMonitor and PodMonitor
// modes. Internal: kept apart so the construct reads as its port resolution and
// one-scraper-per-port rules. Every error is reported against the PrometheusScrape
// (its type and path) and the monitors are its children, as if rendered in it.
import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { MlLabels } from '../core/labels';
import { requireDnsSubdomain } from '../core/validation';
import { CrdScrapeEndpoint, MONITORING_API_VERSION, PodMonitorSpec, ServiceMonitorSpec } from './crds/monitoring-coreos-com';
import { formatPromDuration } from './prometheus-duration';
// Types only: the construct imports this file, not the other way round at run time.
import type { PrometheusScrape, PrometheusScrapeProps } from './prometheus-scrape';
import { prune, RelabelRule, renderRelabeling, validateRelabelRule } from './relabel-rule';
import type { MonitorOptions } from './scrape-mode';
import { ScrapeTargetInfo } from './scrape-target';
import { invalidProp } from '../core/errors';
import { requireLabels } from '../core/metadata-validation';

/** The ServiceMonitor of the target's Service, scraping the scrape's port. */
export function renderServiceMonitor(scrape: PrometheusScrape, target: ScrapeTargetInfo, o: MonitorOptions, props: PrometheusScrapeProps): ApiObject {
  const service = target.service;
  if (!service) {
    throw invalidProp(scrape, 'target', `('${target.name}') has no Service; give one with ScrapeTarget.workload(workload, { service }) or use a PodMonitor`);
  }
  const selector = targetSelector(scrape, target, o.selector, target.serviceLabels, 'Service', target.serviceSelector);
  const metadata = monitorMetadata(scrape, target, o);
  const spec: ServiceMonitorSpec = prune({
    selector: { matchLabels: selector },
    namespaceSelector: namespaceSelector(scrape, target),
    endpoints: [endpoint(scrape, servicePortName(scrape, target), o, props)],
  });
  return new ApiObject(scrape, 'ServiceMonitor', { apiVersion: MONITORING_API_VERSION, kind: 'ServiceMonitor', metadata, spec });
}

/** The PodMonitor of the target's pods, scraping the scrape's container port. */
export function renderPodMonitor(scrape: PrometheusScrape, target: ScrapeTargetInfo, o: MonitorOptions, props: PrometheusScrapeProps): ApiObject {
  const selector = targetSelector(scrape, target, o.selector, target.podLabels, 'pod', target.podSelector);
  const metadata = monitorMetadata(scrape, target, o);
  const spec: PodMonitorSpec = prune({
    selector: { matchLabels: selector },
    namespaceSelector: namespaceSelector(scrape, target),
    podMetricsEndpoints: [endpoint(scrape, scrape.portName, o, props)],
  });
  return new ApiObject(scrape, 'PodMonitor', { apiVersion: MONITORING_API_VERSION, kind: 'PodMonitor', metadata, spec });
}

/**
 * The labels selecting the target's Service or pods: `given`, else `defaults`. Refuses
 * an empty selector and one that misses the target. The scrape-config job selects its
 * pods through this too.
 */
export function targetSelector(
  scope: IConstruct,
  target: ScrapeTargetInfo,
  given: { [k: string]: string } | undefined,
  labels: { [k: string]: string },
  what: string,
  defaults: { [k: string]: string },
): { [k: string]: string } {
  const selector = given ?? defaults;
  if (Object.keys(selector).length === 0) {
    throw invalidProp(scope, 'selector', `is empty: a monitor with an empty selector scrapes every ${what} in the namespace; label ${what === 'Service' ? "the target's Service" : "the target's pods"}`);
  }
  if (!MlLabels.matches(selector, labels)) {
    throw invalidProp(scope, 'selector', `(${JSON.stringify(selector)}) does not match the labels of ${what === 'Service' ? 'the Service' : 'the pods'} of '${target.name}' (${JSON.stringify(labels)})`);
  }
  return selector;
}

// A monitor selects in its own namespace unless told otherwise.
function namespaceSelector(scope: IConstruct, target: ScrapeTargetInfo): { matchNames: string[] } | undefined {
  const own = Chart.of(scope).namespace;
  if (own === target.namespace) return undefined;
  if (target.namespace === undefined) {
    throw invalidProp(scope, 'target', `('${target.name}') has no namespace (its chart sets none) while the monitor would be in '${own}'; create the PrometheusScrape in the target's chart`);
  }
  return { matchNames: [target.namespace] };
}

function monitorMetadata(scope: IConstruct, target: ScrapeTargetInfo, o: MonitorOptions) {
  const name = o.name ?? target.name;
  requireDnsSubdomain(scope, 'name', name);
  requireLabels(scope, 'monitorLabels', o.monitorLabels);
  return { name, labels: { ...target.labels, ...o.monitorLabels } };
}

function endpoint(scrape: PrometheusScrape, port: string, o: MonitorOptions, props: PrometheusScrapeProps): CrdScrapeEndpoint {
  validateRules(scrape, 'relabelings', o.relabelings);
  validateRules(scrape, 'metricRelabelings', o.metricRelabelings);
  return prune({
    port,
    path: scrape.path,
    scheme: props.scheme,
    interval: props.interval && formatPromDuration(props.interval),
    scrapeTimeout: props.scrapeTimeout && formatPromDuration(props.scrapeTimeout),
    honorLabels: o.honorLabels,
    relabelings: o.relabelings?.map(renderRelabeling),
    metricRelabelings: o.metricRelabelings?.map(renderRelabeling),
  }) as CrdScrapeEndpoint;
}

function validateRules(scope: IConstruct, prop: string, rules?: RelabelRule[]): void {
  (rules ?? []).forEach((r, i) => validateRelabelRule(scope, `${prop}[${i}]`, r));
}

// A ServiceMonitor names a Service port. Our own model-server Service gets the
// metrics port added when it lacks it; another Service must already have it.
function servicePortName(scrape: PrometheusScrape, target: ScrapeTargetInfo): string {
  const service = target.service!;
  const byName = service.ports.find(p => p.name === scrape.portName);
  if (byName) return scrape.portName;
  const byTarget = service.ports.find(p => p.name && (p.targetPort ?? p.port) === scrape.port);
  if (byTarget) return byTarget.name!;
  if (target.ownsService) {
    service.bind(scrape.port, { name: scrape.portName, targetPort: scrape.port });
    return scrape.portName;
  }
  const ports = service.ports.map(p => `${p.name ?? '(unnamed)'}:${p.port}`).join(', ') || 'none';
  throw invalidProp(scrape, 'portName', `('${scrape.portName}', container port ${scrape.port}) is not a named port of Service '${service.name}' (ports: ${ports}); add it to the Service or use a PodMonitor`);
}
