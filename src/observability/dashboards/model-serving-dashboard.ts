import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { MlModelServing } from '../../serving/ml-model-serving';
import { aggregate, eq, series } from '../promql';
import { DashboardPanel, PanelUnit } from './dashboard-panel';
import { errorRatio, NS, podsOf, requestRate } from './dashboard-queries';
import { GrafanaDashboard } from './grafana-dashboard';
import { DashboardMetricOptions, metricNames, quantilePanel, resourcePanels } from './ml-dashboards';

/** Properties of {@link ModelServingDashboard}. */
export interface ModelServingDashboardProps extends DashboardMetricOptions {
  /** The model server shown. */
  readonly serving: MlModelServing;
  /**
   * Grafana folder.
   * @default 'ML'
   */
  readonly folder?: string;
  /**
   * Name of the ConfigMap and uid of the dashboard.
   * @default - `<server name>-dashboard`
   */
  readonly name?: string;
}

/**
 * A Grafana dashboard for one model server: traffic (request rate, latency
 * quantiles, error ratio), inference latency, replicas against the autoscaling
 * bounds, and CPU, memory and GPU usage of its pods. The namespace variable
 * defaults to the server's namespace.
 */
export class ModelServingDashboard extends Construct {
  /** The dashboard. */
  public readonly dashboard: GrafanaDashboard;

  public constructor(scope: Construct, id: string, props: ModelServingDashboardProps) {
    super(scope, id);
    const serving = props.serving;
    const names = metricNames(this, props);
    const deployment = serving.deployment.name;
    const pods = podsOf(deployment);
    const deploymentMatchers = [NS, eq('deployment', deployment)];

    this.dashboard = new GrafanaDashboard(this, 'Dashboard', {
      name: props.name ?? `${serving.name}-dashboard`,
      title: `Model server: ${serving.name}`,
      folder: props.folder,
      tags: ['ml', 'model-server', serving.name],
      defaultNamespace: Chart.of(serving).namespace,
      panels: [
        DashboardPanel.stat({ title: 'Request rate', unit: PanelUnit.REQUESTS_PER_SECOND, queries: [{ expr: requestRate(names, pods).text }] }),
        DashboardPanel.stat({ title: 'Error ratio', unit: PanelUnit.PERCENT_UNIT, queries: [{ expr: errorRatio(names, pods).text }] }),
        DashboardPanel.stat({
          title: 'Replicas available',
          queries: [{ expr: series('kube_deployment_status_replicas_available', deploymentMatchers).text }],
        }),
        DashboardPanel.stat({ title: 'Replica bounds', queries: [{ expr: String(serving.minReplicas), legend: 'min' }, { expr: String(serving.maxReplicas), legend: 'max' }] }),
        DashboardPanel.timeSeries({
          title: 'Request rate by pod',
          unit: PanelUnit.REQUESTS_PER_SECOND,
          queries: [{ expr: requestRate(names, pods, ['pod']).text, legend: '{{pod}}' }],
        }),
        quantilePanel('Request latency', names.latencyHistogram, pods),
        DashboardPanel.timeSeries({
          title: 'Error ratio',
          unit: PanelUnit.PERCENT_UNIT,
          queries: [{ expr: errorRatio(names, pods).text, legend: 'errors' }],
        }),
        quantilePanel('Inference latency', names.inferenceLatencyHistogram, pods),
        DashboardPanel.timeSeries({
          title: 'Replicas',
          queries: [
            { expr: series('kube_deployment_spec_replicas', deploymentMatchers).text, legend: 'desired' },
            { expr: series('kube_deployment_status_replicas_available', deploymentMatchers).text, legend: 'available' },
            { expr: aggregate('sum', series('kube_deployment_status_replicas_unavailable', deploymentMatchers)).text, legend: 'unavailable' },
          ],
        }),
        ...resourcePanels(pods),
      ],
    });
  }
}
