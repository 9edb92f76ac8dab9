import { Construct } from 'constructs';
import { applyObjectMetadata, ObjectMetadataOptions } from '../../core/metadata-validation';
import { Matcher, promql, series } from '../promql';
import { DashboardPanel, PanelUnit } from './dashboard-panel';
import {
  counterRate, cpuCores, errorRatio, gpuMemoryUsedBytes, gpuUtilization, inNamespace, latencyQuantile, memoryBytes, MetricNames,
  query, requestRate, resourceLimits, resourceRequests,
} from './dashboard-queries';
import { GrafanaDashboard } from './grafana-dashboard';
import { resolveMetricNames, ServerMetricNames } from '../../core/prometheus-annotations';

/** Properties of {@link MlDashboards}. */
export interface MlDashboardsProps extends ServerMetricNames {
  /**
   * Grafana folder of the four dashboards.
   * @default 'ML'
   */
  readonly folder?: string;
  /**
   * Prefix of the ConfigMap names and dashboard uids.
   * @default 'ml'
   */
  readonly namePrefix?: string;
  /**
   * Labels and annotations of every object this construct emits (the four ConfigMaps).
   * @default - none
   */
  readonly metadata?: ObjectMetadataOptions;
}

/** Resolves and checks metric names (internal). */
export function metricNames(scope: Construct, o: ServerMetricNames): MetricNames {
  // The classic defaults fill every classic name.
  return resolveMetricNames(scope, '', o) as MetricNames;
}

/** Requests per second by pod (internal; shared by the guide's and the per-server dashboards). */
export function requestRatePanel(title: string, names: MetricNames, m: Matcher[]): DashboardPanel {
  return DashboardPanel.timeSeries({
    title,
    unit: PanelUnit.REQUESTS_PER_SECOND,
    queries: [query(requestRate(names, m, ['pod']), '{{pod}}')],
  });
}

/** Share of requests answered with an error status (internal). */
export function errorRatioPanel(names: MetricNames, m: Matcher[]): DashboardPanel {
  return DashboardPanel.timeSeries({
    title: 'Error ratio',
    unit: PanelUnit.PERCENT_UNIT,
    queries: [query(errorRatio(names, m), 'errors')],
  });
}

/** The panels of the three latency quantiles of a histogram. */
export function quantilePanel(title: string, histogram: string, m: Matcher[], milliseconds = false): DashboardPanel {
  return DashboardPanel.timeSeries({
    title,
    unit: PanelUnit.SECONDS,
    queries: [0.5, 0.9, 0.99].map(q => query(latencyQuantile(histogram, q, m, milliseconds), `p${Math.round(q * 100)}`)),
  });
}

/**
 * The guide's four Grafana dashboards, as sidecar ConfigMaps in one folder:
 * cluster overview (nodes, pods, resource usage), application metrics (request
 * rate, latency quantiles, error ratio), ML model metrics (inference latency,
 * throughput, accuracy) and resource utilization (CPU, memory, GPU). Each has the
 * data source and namespace variables.
 *
 * @example
 * import { MlDashboards } from 'cdk8s-ml';
 *
 * // The guide's four dashboards (cluster overview, application metrics, ML model
 * // metrics, resource utilization) as ConfigMaps for Grafana's sidecar.
 * new MlDashboards(this, 'dashboards', { folder: 'ML platform' });
 */
export class MlDashboards extends Construct {
  /** Nodes, pods and cluster-wide resource usage. */
  public readonly clusterOverview: GrafanaDashboard;
  /** Request rate, latency and errors of the namespace's servers. */
  public readonly applicationMetrics: GrafanaDashboard;
  /** Inference latency, throughput and accuracy. */
  public readonly modelMetrics: GrafanaDashboard;
  /** CPU, memory and GPU usage by pod. */
  public readonly resourceUtilization: GrafanaDashboard;

  public constructor(scope: Construct, id: string, props: MlDashboardsProps = {}) {
    super(scope, id);
    const names = metricNames(this, props);
    const prefix = props.namePrefix ?? 'ml';
    const common = { folder: props.folder, tags: ['ml', 'kubernetes'] };
    const ns = [inNamespace()];
    const nodesReady = (status: Matcher) => promql.sum(series('kube_node_status_condition', [promql.labelEq('condition', 'Ready'), status]));
    const allocatable = (resource: string) => promql.sum(series('kube_node_status_allocatable', [promql.labelEq('resource', resource)]));

    this.clusterOverview = new GrafanaDashboard(this, 'ClusterOverview', {
      ...common,
      name: `${prefix}-cluster-overview`,
      title: 'Cluster Overview',
      panels: [
        DashboardPanel.stat({ title: 'Nodes ready', queries: [query(nodesReady(promql.labelEq('status', 'true')))] }),
        DashboardPanel.stat({ title: 'Nodes not ready', queries: [query(nodesReady(promql.labelNeq('status', 'true')))] }),
        DashboardPanel.stat({
          title: 'Pods running (namespace)',
          queries: [query(promql.sum(series('kube_pod_status_phase', [inNamespace(), promql.labelEq('phase', 'Running')])))],
        }),
        DashboardPanel.stat({ title: 'GPUs requested', queries: [query(resourceRequests('nvidia_com_gpu', []))] }),
        DashboardPanel.timeSeries({
          title: 'Pods by phase (namespace)',
          queries: [query(promql.sum(series('kube_pod_status_phase', ns)).by(['phase']), '{{phase}}')],
        }),
        DashboardPanel.timeSeries({
          title: 'Cluster CPU and memory used (of allocatable)',
          unit: PanelUnit.PERCENT_UNIT,
          queries: [
            query(promql.div(promql.sum(cpuCores([])), allocatable('cpu')), 'CPU'),
            query(promql.div(promql.sum(memoryBytes([])), allocatable('memory')), 'memory'),
          ],
        }),
      ],
    });

    this.applicationMetrics = new GrafanaDashboard(this, 'ApplicationMetrics', {
      ...common,
      name: `${prefix}-application-metrics`,
      title: 'Application Metrics',
      panels: [
        requestRatePanel('Request rate', names, ns),
        quantilePanel('Request latency', names.latencyHistogram, ns),
        errorRatioPanel(names, ns),
        DashboardPanel.timeSeries({
          title: 'Requests by status',
          unit: PanelUnit.REQUESTS_PER_SECOND,
          queries: [query(requestRate(names, ns, [names.statusCodeLabel]), `{{${names.statusCodeLabel}}}`)],
        }),
      ],
    });

    this.modelMetrics = new GrafanaDashboard(this, 'ModelMetrics', {
      ...common,
      name: `${prefix}-model-metrics`,
      title: 'ML Model Metrics',
      panels: [
        quantilePanel('Inference latency', names.inferenceLatencyHistogram, ns),
        DashboardPanel.timeSeries({
          title: 'Inference throughput',
          unit: PanelUnit.SHORT,
          description: 'Inferences per second',
          queries: [query(counterRate(names.inferenceCounter, ns, ['pod']), '{{pod}}')],
        }),
        DashboardPanel.timeSeries({
          title: 'Model accuracy',
          unit: PanelUnit.PERCENT_UNIT,
          queries: [query(promql.avg(series(names.accuracyGauge, ns)).by(['pod']), '{{pod}}')],
        }),
      ],
    });

    this.resourceUtilization = new GrafanaDashboard(this, 'ResourceUtilization', {
      ...common,
      name: `${prefix}-resource-utilization`,
      title: 'Resource Utilization',
      panels: resourcePanels(ns),
    });
    applyObjectMetadata(this, 'metadata', props.metadata);
  }
}

/** CPU, memory and GPU panels for the pods matched by `m` (internal). */
export function resourcePanels(m: Matcher[]): DashboardPanel[] {
  return [
    DashboardPanel.timeSeries({
      title: 'CPU usage (cores)',
      unit: PanelUnit.SHORT,
      queries: [
        query(cpuCores(m), '{{pod}}'),
        query(resourceRequests('cpu', m), 'requests'),
        query(resourceLimits('cpu', m), 'limits'),
      ],
    }),
    DashboardPanel.timeSeries({
      title: 'Memory working set',
      unit: PanelUnit.BYTES,
      queries: [
        query(memoryBytes(m), '{{pod}}'),
        query(resourceRequests('memory', m), 'requests'),
        query(resourceLimits('memory', m), 'limits'),
      ],
    }),
    DashboardPanel.timeSeries({
      title: 'GPU utilization',
      unit: PanelUnit.PERCENT,
      queries: [query(gpuUtilization(m), '{{pod}}')],
    }),
    DashboardPanel.timeSeries({
      title: 'GPU memory used',
      unit: PanelUnit.BYTES,
      queries: [query(gpuMemoryUsedBytes(m), '{{pod}}')],
    }),
  ];
}
