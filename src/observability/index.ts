// The public API of the observability constructs. Helpers (PromQL builder, duration
// checks, renderers, the CRD structs) are imported by file path and stay internal.
export { KubernetesSdRole } from './kubernetes-sd';
export type { KubernetesSdConfig, KubernetesSdSelector } from './kubernetes-sd';
export { PrometheusScrape } from './prometheus-scrape';
export type { PrometheusScrapeProps } from './prometheus-scrape';
export { PrometheusServerConfig } from './prometheus-server-config';
export type { PrometheusServerConfigProps } from './prometheus-server-config';
export { RelabelAction } from './relabel-rule';
export type { RelabelRule } from './relabel-rule';
export { ScrapeScheme } from './scrape-job';
export type { ScrapeJob } from './scrape-job';
export { ScrapeMode } from './scrape-mode';
export type { MonitorOptions, ScrapeConfigJobOptions } from './scrape-mode';
export { ScrapeTarget } from './scrape-target';
export type { WorkloadScrapeOptions } from './scrape-target';
export { ModelServerAlerts } from './model-server-alerts';
export type { ModelServerAlertsProps } from './model-server-alerts';
export { ServingScaledObject } from './serving-scaled-object';
export type { ScalingFallback, ServingScaledObjectProps } from './serving-scaled-object';
export { DashboardPanel, PanelUnit } from './dashboards/dashboard-panel';
export type { PanelOptions, PanelQuery } from './dashboards/dashboard-panel';
export { GrafanaDashboard } from './dashboards/grafana-dashboard';
export type { GrafanaDashboardProps } from './dashboards/grafana-dashboard';
export { MlDashboards } from './dashboards/ml-dashboards';
export type { MlDashboardsProps } from './dashboards/ml-dashboards';
export { ModelServingDashboard } from './dashboards/model-serving-dashboard';
export type { ModelServingDashboardProps } from './dashboards/model-serving-dashboard';
export type { CustomAlertRule } from './alert-rules';
