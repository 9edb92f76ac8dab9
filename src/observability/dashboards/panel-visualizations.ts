// The Grafana Foundation SDK builder of each kind of DashboardPanel, with the
// settings of that kind; dashboard-builder.ts adds what every panel shares. The SDK
// is loaded on the first call (see ../lazy-module.ts).
import type * as commonT from '@grafana/grafana-foundation-sdk/common';
import type * as statT from '@grafana/grafana-foundation-sdk/stat';
import type * as timeseriesT from '@grafana/grafana-foundation-sdk/timeseries';
import { lazyModule } from '../lazy-module';

/* eslint-disable @typescript-eslint/no-require-imports */
const common: typeof commonT = lazyModule(() => require('@grafana/grafana-foundation-sdk/common'));
const stat: typeof statT = lazyModule(() => require('@grafana/grafana-foundation-sdk/stat'));
const timeseries: typeof timeseriesT = lazyModule(() => require('@grafana/grafana-foundation-sdk/timeseries'));
/* eslint-enable @typescript-eslint/no-require-imports */

/** A fresh SDK builder of one kind of panel (internal). */
export type VisualizationBuilder = () => statT.PanelBuilder | timeseriesT.PanelBuilder;

/** The last value of each query, big, with a sparkline. */
export function statPanel(): statT.PanelBuilder {
  return new stat.PanelBuilder()
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .colorMode(common.BigValueColorMode.Value)
    .graphMode(common.BigValueGraphMode.Area)
    .textMode(common.BigValueTextMode.Auto);
}

/** Lines, a legend below, and a tooltip listing every series, largest first. */
export function timeSeriesPanel(): timeseriesT.PanelBuilder {
  return new timeseries.PanelBuilder()
    .legend(new common.VizLegendOptionsBuilder().displayMode(common.LegendDisplayMode.List).placement(common.LegendPlacement.Bottom).showLegend(true))
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending));
}
