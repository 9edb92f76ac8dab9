import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { MlModelServing } from '../../serving/ml-model-serving';
import { Expr, Matcher, num, promql, series } from '../promql';
import { WorkloadTarget } from '../workload-target';
import { DashboardPanel, PanelUnit } from './dashboard-panel';
import { errorRatio, inNamespace, MetricNames, podsOf, query, requestRate } from './dashboard-queries';
import { GrafanaDashboard } from './grafana-dashboard';
import { llmPanels } from './llm-panels';
import { errorRatioPanel, quantilePanel, requestRatePanel, resourcePanels } from './ml-dashboards';
import { applyObjectMetadata, ObjectMetadataOptions } from '../../core/metadata-validation';

/** Properties of {@link ModelServingDashboard}. */
export interface ModelServingDashboardProps {
  /**
   * The model server shown. Give this or `target`.
   * @default - the target
   */
  readonly serving?: MlModelServing;
  /**
   * The workload shown, when it is not a MlModelServing of this library.
   * @default - the server
   */
  readonly target?: WorkloadTarget;
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
 * quantiles, error ratio), inference latency, for LLM runtimes time to first
 * token, tokens per second, queue and KV-cache usage, replicas against the autoscaling
 * bounds, and CPU, memory and GPU usage of its pods (for a RayService: its Ray
 * pods' readiness and Serve's replica health). The namespace variable defaults to
 * the server's namespace.
 *
 * @example
 * import { MlModelServing, ModelServingDashboard } from 'cdk8s-ml';
 *
 * const bert = new MlModelServing(this, 'bert', {
 *   image: 'registry.example.com/ml/bert-server:1.4.2',
 *   metrics: { port: 9090 },
 * });
 * // Requests, errors, latency, replicas and resources of this one server.
 * new ModelServingDashboard(this, 'bert-dashboard', { serving: bert, folder: 'NLP' });
 */
export class ModelServingDashboard extends Construct {
  /** The dashboard. */
  public readonly dashboard: GrafanaDashboard;

  public constructor(scope: Construct, id: string, props: ModelServingDashboardProps) {
    super(scope, id);
    const serving = WorkloadTarget._of(this, props);
    // The names the server declared (metrics.names), checked there.
    const names = serving.metricNames as MetricNames;
    const deployment = serving.workloadRef.name;
    // A Deployment's pods by their names; a RayService's by the names KubeRay gives them.
    const podRegex = serving._podRegex;
    const pods = podsOf(deployment, podRegex);
    const deploymentMatchers = [inNamespace(), promql.labelEq('deployment', deployment)];
    const ms = names.histogramsInMilliseconds;

    this.dashboard = new GrafanaDashboard(this, 'Dashboard', {
      name: props.name ?? `${serving.name}-dashboard`,
      title: `Model server: ${serving.name}`,
      folder: props.folder,
      tags: ['ml', 'model-server', serving.name],
      defaultNamespace: serving.namespace ?? Chart.of(this).namespace,
      panels: [
        DashboardPanel.stat({ title: 'Request rate', unit: PanelUnit.REQUESTS_PER_SECOND, queries: [query(requestRate(names, pods))] }),
        DashboardPanel.stat({ title: 'Error ratio', unit: PanelUnit.PERCENT_UNIT, queries: [query(errorRatio(names, pods))] }),
        podRegex ? podsReadyStat(pods) : DashboardPanel.stat({
          title: 'Replicas available',
          queries: [query(series('kube_deployment_status_replicas_available', deploymentMatchers))],
        }),
        DashboardPanel.stat({ title: 'Replica bounds', queries: [query(num(serving.minReplicas), 'min'), query(num(serving.maxReplicas), 'max')] }),
        requestRatePanel('Request rate by pod', names, pods),
        // Runtimes declare only the histograms they serve (Triton has none).
        ...(names.latencyHistogram ? [quantilePanel('Request latency', names.latencyHistogram, pods, ms)] : []),
        errorRatioPanel(names, pods),
        ...(names.inferenceLatencyHistogram ? [quantilePanel('Inference latency', names.inferenceLatencyHistogram, pods, ms)] : []),
        ...(names.replicaHealthyGauge ? [replicaHealthPanel(names.replicaHealthyGauge, pods)] : []),
        ...llmPanels(names, pods),
        podRegex ? podsReadyPanel(pods) : DashboardPanel.timeSeries({
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

// Panels of workloads that are not a Deployment (a RayService's Ray pods): readiness
// by pod from kube-state-metrics, and the server's own replica health.
function podReady(pods: Matcher[], condition: string): Expr {
  return promql.sum(series('kube_pod_status_ready', [...pods, promql.labelEq('condition', condition)]));
}

function podsReadyStat(pods: Matcher[]): DashboardPanel {
  return DashboardPanel.stat({ title: 'Pods ready', queries: [query(podReady(pods, 'true'))] });
}

function podsReadyPanel(pods: Matcher[]): DashboardPanel {
  return DashboardPanel.timeSeries({ title: 'Pods', queries: [query(podReady(pods, 'true'), 'ready'), query(podReady(pods, 'false'), 'not ready')] });
}

function replicaHealthPanel(gauge: string, pods: Matcher[]): DashboardPanel {
  return DashboardPanel.timeSeries({
    title: 'Healthy serving replicas',
    queries: [query(promql.sum(series(gauge, pods)).by(['application', 'deployment']), '{{application}} {{deployment}}')],
  });
}
