// Builds the dashboard JSON of a GrafanaDashboard with Grafana's own typed builders,
// the Grafana Foundation SDK. It is bundled (not a jsii package), so it is used only
// here and in no exported signature: the constructs hand it their DashboardPanels and
// get back the JSON model. The SDK is loaded when the first dashboard is built, not
// when the library is (see ../lazy-module.ts).
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import type * as commonT from '@grafana/grafana-foundation-sdk/common';
import type * as dashboardT from '@grafana/grafana-foundation-sdk/dashboard';
import type * as prometheusT from '@grafana/grafana-foundation-sdk/prometheus';
import type { DashboardPanel } from './dashboard-panel';
import { PanelUnit } from './dashboard-panel';
import { lazyModule } from '../lazy-module';
import type { VisualizationBuilder } from './panel-visualizations';

/* eslint-disable @typescript-eslint/no-require-imports */
const dashboard: typeof dashboardT = lazyModule(() => require('@grafana/grafana-foundation-sdk/dashboard'));
const prometheus: typeof prometheusT = lazyModule(() => require('@grafana/grafana-foundation-sdk/prometheus'));
/* eslint-enable @typescript-eslint/no-require-imports */

/** The data source variable every panel and query points at. */
const DATASOURCE: commonT.DataSourceRef = { type: 'prometheus', uid: '${datasource}' };
const REF_IDS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const GRID_COLUMNS = 24;

/** Options of the built dashboard. */
export interface DashboardOptions {
  readonly uid: string;
  readonly title: string;
  readonly tags: string[];
  readonly refresh: string;
  readonly timeFrom: string;
  readonly defaultNamespace?: string;
  readonly namespaceQuery: string;
}

/**
 * The dashboard JSON model: data source and namespace variables, panels laid out in
 * rows of 24 columns. The schema version is the SDK's.
 *
 * No RowBuilder: Grafana nests a row's panels in the row only when it is collapsed
 * (the SDK's `withPanel` collapses it), and dashboards that open with their panels
 * folded away are worse than a flat grid.
 */
export function buildDashboard(options: DashboardOptions, panels: DashboardPanel[]): dashboardT.Dashboard {
  const builder = new dashboard.DashboardBuilder(options.title)
    .uid(options.uid)
    .tags(options.tags)
    .version(1)
    .editable()
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .refresh(options.refresh)
    .time({ from: options.timeFrom, to: 'now' })
    .timezone('browser')
    .withVariable(new dashboard.DatasourceVariableBuilder('datasource').label('Data source').type('prometheus'))
    .withVariable(namespaceVariable(options));
  layout(panels).forEach((gridPos, i) => builder.withPanel(panelBuilder(panels[i], i + 1, gridPos)));
  return builder.build();
}

function namespaceVariable(options: DashboardOptions): dashboardT.QueryVariableBuilder {
  const variable = new dashboard.QueryVariableBuilder('namespace')
    .label('Namespace')
    .datasource(DATASOURCE)
    .query(options.namespaceQuery)
    .definition(options.namespaceQuery)
    // Refresh on time range change, so new namespaces appear.
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalAsc)
    .includeAll(false)
    .multi(false);
  if (options.defaultNamespace) variable.current({ text: options.defaultNamespace, value: options.defaultNamespace });
  return variable;
}

/**
 * Grid positions, in order. Computed here rather than by DashboardBuilder, whose
 * automatic layout only wraps after a panel has crossed the 24th column: a 16-wide
 * panel after another would be placed at x=16, half off the grid.
 */
function layout(panels: DashboardPanel[]): dashboardT.GridPos[] {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  return panels.map(panel => {
    const w = panel._options.width ?? 12;
    const h = panel._options.height ?? 8;
    if (x + w > GRID_COLUMNS) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    const gridPos = { h, w, x, y };
    x += w;
    rowHeight = Math.max(rowHeight, h);
    return gridPos;
  });
}

function panelBuilder(panel: DashboardPanel, id: number, gridPos: dashboardT.GridPos): cog.Builder<dashboardT.Panel> {
  const o = panel._options;
  const builder = panel._visualization() as ReturnType<VisualizationBuilder>;
  builder
    .id(id)
    .title(o.title)
    .datasource(DATASOURCE)
    .gridPos(gridPos)
    .unit(o.unit ?? PanelUnit.SHORT)
    .targets(o.queries.map((q, i) => {
      const target = new prometheus.DataqueryBuilder().refId(REF_IDS[i]).datasource(DATASOURCE).expr(q.expr).range();
      return q.legend ? target.legendFormat(q.legend) : target;
    }));
  if (o.description) builder.description(o.description);
  return builder;
}
