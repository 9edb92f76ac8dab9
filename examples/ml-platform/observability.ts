// The observability chart of examples/ml-platform.ts, in Prometheus's and Grafana's
// namespace: what scrapes the servers, alerts on them and shows them.
import { App, Chart, Duration } from 'cdk8s';
import { MONITORING, PROMETHEUS_LABELS } from './cluster';
import { Servers } from './serving';
import { MlDashboards, ModelServerAlerts, ModelServingDashboard, PrometheusScrape, ScrapeMode, ScrapeTarget } from 'cdk8s-ml';

export function observabilityChart(app: App, servers: Servers): Chart {
  const chart = new Chart(app, 'ml-platform-observability', { namespace: MONITORING, disableResourceNameHashes: true });
  // Guide "Monitoring & Observability > Grafana Dashboards": cluster overview,
  // application metrics, ML model metrics, resource utilization.
  new MlDashboards(chart, 'dashboards', { folder: 'ML platform' });

  for (const [id, server] of Object.entries(servers)) {
    // Guide "Prometheus Configuration", with prometheus-operator: a PodMonitor per
    // server (its metric port, stable and canary pods alike). The serving
    // namespace admits the monitoring namespace (allowMonitoringFrom).
    new PrometheusScrape(chart, `${id}-scrape`, {
      target: ScrapeTarget.modelServing(server),
      mode: ScrapeMode.podMonitor({ monitorLabels: PROMETHEUS_LABELS }),
      interval: Duration.seconds(15),
      scraperAdmitted: true,
    });
    // Alerts on the server's declared metric names (error ratio, latency, replicas
    // at the autoscaler's maximum; for the LLM queue, TTFT, KV cache and GPUs).
    new ModelServerAlerts(chart, `${id}-alerts`, { serving: server, ruleLabels: PROMETHEUS_LABELS, gpuAlerts: server.gpuCount > 0 });
    new ModelServingDashboard(chart, `${id}-dashboard`, { serving: server, folder: 'ML platform' });
  }
  return chart;
}
