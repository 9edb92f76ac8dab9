// Typed model of the Grafana dashboard JSON we emit (the subset of Grafana's dashboard
// schema we use), and its renderer. Internal; hand-written until
// @grafana/grafana-foundation-sdk can be bundled (see the report of issue 6).
import { DashboardPanel, PanelType } from './dashboard-panel';

/** Grafana 10.4 / 11 dashboards. */
export const SCHEMA_VERSION = 39;
/** The data source variable every panel and query points at. */
export const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };

export interface GridPos { readonly h: number; readonly w: number; readonly x: number; readonly y: number }

export interface PanelTarget {
  readonly refId: string;
  readonly expr: string;
  readonly legendFormat?: string;
  readonly datasource: typeof DATASOURCE;
  readonly range: boolean;
}

export interface PanelJson {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly description?: string;
  readonly gridPos: GridPos;
  readonly datasource: typeof DATASOURCE;
  readonly targets: PanelTarget[];
  readonly fieldConfig: { readonly defaults: { readonly unit: string }; readonly overrides: unknown[] };
  readonly options: { [key: string]: unknown };
}

export interface VariableJson {
  readonly name: string;
  readonly label: string;
  readonly type: 'datasource' | 'query';
  readonly query: string;
  readonly definition?: string;
  readonly datasource?: typeof DATASOURCE;
  readonly current: { readonly text?: string; readonly value?: string };
  readonly refresh: number;
  readonly hide: number;
  readonly includeAll: boolean;
  readonly multi: boolean;
  readonly options: unknown[];
  readonly regex: string;
  readonly sort?: number;
}

export interface DashboardJson {
  readonly uid: string;
  readonly title: string;
  readonly tags: string[];
  readonly schemaVersion: number;
  readonly version: number;
  readonly editable: boolean;
  readonly graphTooltip: number;
  readonly refresh: string;
  readonly time: { readonly from: string; readonly to: string };
  readonly timezone: string;
  readonly annotations: { readonly list: unknown[] };
  readonly templating: { readonly list: VariableJson[] };
  readonly panels: PanelJson[];
}

/** Options of the rendered dashboard. */
export interface RenderOptions {
  readonly uid: string;
  readonly title: string;
  readonly tags: string[];
  readonly refresh: string;
  readonly timeFrom: string;
  readonly defaultNamespace?: string;
  readonly namespaceQuery: string;
}

const REF_IDS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** The dashboard JSON: variables for the data source and namespace, panels laid out in rows of 24 columns. */
export function renderDashboard(options: RenderOptions, panels: DashboardPanel[]): DashboardJson {
  return {
    uid: options.uid,
    title: options.title,
    tags: options.tags,
    schemaVersion: SCHEMA_VERSION,
    version: 1,
    editable: true,
    graphTooltip: 1,
    refresh: options.refresh,
    time: { from: options.timeFrom, to: 'now' },
    timezone: 'browser',
    annotations: { list: [] },
    templating: { list: [datasourceVariable(), namespaceVariable(options)] },
    panels: layout(panels),
  };
}

function datasourceVariable(): VariableJson {
  return {
    name: 'datasource',
    label: 'Data source',
    type: 'datasource',
    query: 'prometheus',
    current: {},
    refresh: 1,
    hide: 0,
    includeAll: false,
    multi: false,
    options: [],
    regex: '',
  };
}

function namespaceVariable(options: RenderOptions): VariableJson {
  return {
    name: 'namespace',
    label: 'Namespace',
    type: 'query',
    query: options.namespaceQuery,
    definition: options.namespaceQuery,
    datasource: DATASOURCE,
    current: options.defaultNamespace ? { text: options.defaultNamespace, value: options.defaultNamespace } : {},
    // 2: refresh on time range change, so new namespaces appear.
    refresh: 2,
    hide: 0,
    includeAll: false,
    multi: false,
    options: [],
    regex: '',
    sort: 1,
  };
}

function layout(panels: DashboardPanel[]): PanelJson[] {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  return panels.map((panel, i) => {
    const w = panel.options.width ?? 12;
    const h = panel.options.height ?? 8;
    if (x + w > 24) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    const gridPos = { h, w, x, y };
    x += w;
    rowHeight = Math.max(rowHeight, h);
    return renderPanel(panel, i + 1, gridPos);
  });
}

function renderPanel(panel: DashboardPanel, id: number, gridPos: GridPos): PanelJson {
  const o = panel.options;
  return {
    id,
    type: panel.type,
    title: o.title,
    ...(o.description ? { description: o.description } : {}),
    gridPos,
    datasource: DATASOURCE,
    targets: o.queries.map((q, i) => ({
      refId: REF_IDS[i],
      expr: q.expr,
      ...(q.legend ? { legendFormat: q.legend } : {}),
      datasource: DATASOURCE,
      range: true,
    })),
    fieldConfig: { defaults: { unit: o.unit ?? 'short' }, overrides: [] },
    options: panel.type === PanelType.STAT
      ? { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: 'value', graphMode: 'area', textMode: 'auto' }
      : { legend: { displayMode: 'list', placement: 'bottom', showLegend: true }, tooltip: { mode: 'multi', sort: 'desc' } },
  };
}
