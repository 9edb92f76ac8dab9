import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { applyObjectMetadata, ObjectMetadataOptions } from '../../core/metadata-validation';
import { MlModelServing } from '../../serving/ml-model-serving';
import { num, promql, series } from '../promql';
import { DashboardPanel, PanelUnit } from './dashboard-panel';
import { errorRatio, inNamespace, MetricNames, podsOf, query, requestRate } from './dashboard-queries';
import { GrafanaDashboard } from './grafana-dashboard';
import { errorRatioPanel, quantilePanel, requestRatePanel, resourcePanels } from './ml-dashboards';
import { requireProps } from '../../core/validation';

/** Properties of {@link ModelServingDashboard}. */
export interface ModelServingDashboardProps {
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
  /**
   * Labels and annotations of every object this construct emits (the ConfigMap).
   * @default - none
   */
  readonly metadata?: ObjectMetadataOptions;
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
    requireProps(this, props, ['serving']);
    const serving = props.serving;
    // The names the server declared (metrics.names), checked there.
    const names = serving.metricNames as MetricNames;
    const deployment = serving.deployment.name;
    const pods = podsOf(deployment);
    const deploymentMatchers = [inNamespace(), promql.labelEq('deployment', deployment)];

    this.dashboard = new GrafanaDashboard(this, 'Dashboard', {
      name: props.name ?? `${serving.name}-dashboard`,
      title: `Model server: ${serving.name}`,
      folder: props.folder,
      tags: ['ml', 'model-server', serving.name],
      defaultNamespace: Chart.of(serving).namespace,
      panels: [
        DashboardPanel.stat({ title: 'Request rate', unit: PanelUnit.REQUESTS_PER_SECOND, queries: [query(requestRate(names, pods))] }),
        DashboardPanel.stat({ title: 'Error ratio', unit: PanelUnit.PERCENT_UNIT, queries: [query(errorRatio(names, pods))] }),
        DashboardPanel.stat({
          title: 'Replicas available',
          queries: [query(series('kube_deployment_status_replicas_available', deploymentMatchers))],
        }),
        DashboardPanel.stat({ title: 'Replica bounds', queries: [query(num(serving.minReplicas), 'min'), query(num(serving.maxReplicas), 'max')] }),
        requestRatePanel('Request rate by pod', names, pods),
        quantilePanel('Request latency', names.latencyHistogram, pods),
        errorRatioPanel(names, pods),
        quantilePanel('Inference latency', names.inferenceLatencyHistogram, pods),
        DashboardPanel.timeSeries({
          title: 'Replicas',
          queries: [
            query(series('kube_deployment_spec_replicas', deploymentMatchers), 'desired'),
            query(series('kube_deployment_status_replicas_available', deploymentMatchers), 'available'),
            query(promql.sum(series('kube_deployment_status_replicas_unavailable', deploymentMatchers)), 'unavailable'),
          ],
        }),
        ...resourcePanels(pods),
      ],
    });
    applyObjectMetadata(this, 'metadata', props.metadata);
  }
}
