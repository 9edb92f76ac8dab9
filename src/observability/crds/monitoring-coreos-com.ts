// Typed subsets of the prometheus-operator custom resources we emit
// (monitoring.coreos.com/v1: ServiceMonitor, PodMonitor, PrometheusRule). Internal:
// users configure them through the constructs' props; tests validate the output
// against the official CRDs.

/** The API group/version of all three kinds. */
export const MONITORING_API_VERSION = 'monitoring.coreos.com/v1';

/** A relabeling in the operator's camelCase form. */
export interface CrdRelabeling {
  readonly action?: string;
  readonly sourceLabels?: string[];
  readonly separator?: string;
  readonly targetLabel?: string;
  readonly regex?: string;
  readonly modulus?: number;
  readonly replacement?: string;
}

/** One scrape endpoint of a ServiceMonitor (`endpoints[]`) or PodMonitor (`podMetricsEndpoints[]`). */
export interface CrdScrapeEndpoint {
  readonly port: string;
  readonly path?: string;
  readonly scheme?: string;
  readonly interval?: string;
  readonly scrapeTimeout?: string;
  readonly honorLabels?: boolean;
  readonly relabelings?: CrdRelabeling[];
  readonly metricRelabelings?: CrdRelabeling[];
}

/** `metav1.LabelSelector` with match labels only. */
export interface CrdLabelSelector {
  readonly matchLabels: { [key: string]: string };
}

/** The namespaces a monitor selects in (default: its own). */
export interface CrdNamespaceSelector {
  readonly matchNames: string[];
}

/** `spec` of a ServiceMonitor. */
export interface ServiceMonitorSpec {
  readonly selector: CrdLabelSelector;
  readonly endpoints: CrdScrapeEndpoint[];
  readonly namespaceSelector?: CrdNamespaceSelector;
}

/** `spec` of a PodMonitor. */
export interface PodMonitorSpec {
  readonly selector: CrdLabelSelector;
  readonly podMetricsEndpoints: CrdScrapeEndpoint[];
  readonly namespaceSelector?: CrdNamespaceSelector;
}

/** One alerting rule of a PrometheusRule group. */
export interface CrdRule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: { [key: string]: string };
  readonly annotations?: { [key: string]: string };
}

/** One group of a PrometheusRule. */
export interface CrdRuleGroup {
  readonly name: string;
  readonly rules: CrdRule[];
}

/** `spec` of a PrometheusRule. */
export interface PrometheusRuleSpec {
  readonly groups: CrdRuleGroup[];
}
