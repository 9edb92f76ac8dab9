import { promql, series, Matcher } from '../promql';
import { DashboardPanel, PanelUnit } from './dashboard-panel';
import { counterRate, MetricNames, query } from './dashboard-queries';
import { quantilePanel } from './ml-dashboards';

/**
 * The panels of an LLM server, from the names its runtime declares (each only when
 * the metric exists): time to first token, tokens per second, queue and running
 * requests, KV-cache usage. GPU utilization comes with the resource panels.
 * @internal
 */
export function llmPanels(names: MetricNames, pods: Matcher[]): DashboardPanel[] {
  const panels: DashboardPanel[] = [];
  if (names.timeToFirstTokenHistogram) panels.push(quantilePanel('Time to first token', names.timeToFirstTokenHistogram, pods, names.histogramsInMilliseconds));
  const tokens = [
    ...(names.generationTokensCounter ? [query(counterRate(names.generationTokensCounter, pods), 'generated')] : []),
    ...(names.promptTokensCounter ? [query(counterRate(names.promptTokensCounter, pods), 'prompt')] : []),
  ];
  if (tokens.length > 0) panels.push(DashboardPanel.timeSeries({ title: 'Tokens per second', unit: PanelUnit.SHORT, queries: tokens }));
  const queue = [
    ...(names.queueGauge ? [query(promql.sum(series(names.queueGauge, pods)).by(['pod']), 'waiting {{pod}}')] : []),
    ...(names.runningGauge ? [query(promql.sum(series(names.runningGauge, pods)).by(['pod']), 'running {{pod}}')] : []),
  ];
  if (queue.length > 0) panels.push(DashboardPanel.timeSeries({ title: 'Queue', unit: PanelUnit.SHORT, queries: queue }));
  if (names.kvCacheUsageGauge) {
    panels.push(DashboardPanel.timeSeries({
      title: 'KV-cache usage',
      unit: PanelUnit.PERCENT_UNIT,
      queries: [query(promql.max(series(names.kvCacheUsageGauge, pods)).by(['pod']), '{{pod}}')],
    }));
  }
  return panels;
}
