import { statPanel, timeSeriesPanel, VisualizationBuilder } from './panel-visualizations';

/** Display unit of a panel's values (Grafana unit ids). */
export enum PanelUnit {
  /** Plain numbers with SI suffixes. */
  SHORT = 'short',
  /** Requests per second. */
  REQUESTS_PER_SECOND = 'reqps',
  /** Seconds. */
  SECONDS = 's',
  /** A 0..1 ratio shown as a percentage. */
  PERCENT_UNIT = 'percentunit',
  /** A 0..100 value shown as a percentage. */
  PERCENT = 'percent',
  /** Bytes (IEC). */
  BYTES = 'bytes',
  /** No unit. */
  NONE = 'none',
}

/** One PromQL query of a panel. */
export interface PanelQuery {
  /** The PromQL expression; may use `$namespace`, `$__rate_interval` and other dashboard variables. */
  readonly expr: string;
  /**
   * Legend template, e.g. `{{pod}}`.
   * @default - Grafana's (the series labels)
   */
  readonly legend?: string;
}

/** Options common to every panel kind. */
export interface PanelOptions {
  /** Title of the panel. */
  readonly title: string;
  /** The queries. */
  readonly queries: PanelQuery[];
  /**
   * Unit of the values.
   * @default PanelUnit.SHORT
   */
  readonly unit?: PanelUnit;
  /**
   * Description shown on hover.
   * @default - none
   */
  readonly description?: string;
  /**
   * Width in grid columns (1..24).
   * @default 12
   */
  readonly width?: number;
  /**
   * Height in grid rows.
   * @default 8
   */
  readonly height?: number;
}

/**
 * One panel of a {@link GrafanaDashboard}.
 *
 * @example
 * import { DashboardPanel, GrafanaDashboard, PanelUnit } from 'cdk8s-ml';
 *
 * const dashboard = new GrafanaDashboard(this, 'feature-store', { title: 'Feature store' });
 * dashboard.addPanel(DashboardPanel.timeSeries({
 *   title: 'Lookup latency (p99)',
 *   queries: [{
 *     expr: 'histogram_quantile(0.99, sum by (le) (rate(feature_lookup_seconds_bucket{namespace="$namespace"}[5m])))',
 *     legend: 'p99',
 *   }],
 *   unit: PanelUnit.SECONDS,
 * }));
 * dashboard.addPanel(DashboardPanel.stat({
 *   title: 'Cache hit ratio',
 *   queries: [{ expr: 'sum(rate(feature_cache_hits_total[5m])) / sum(rate(feature_lookups_total[5m]))' }],
 *   unit: PanelUnit.PERCENT_UNIT,
 * }));
 */
export class DashboardPanel {
  /** A time series graph. */
  public static timeSeries(options: PanelOptions): DashboardPanel {
    return new DashboardPanel(timeSeriesPanel, options);
  }

  /** A single big number (the last value of each query). */
  public static stat(options: PanelOptions): DashboardPanel {
    return new DashboardPanel(statPanel, { width: 6, height: 4, ...options });
  }

  private constructor(
    private readonly visualization: VisualizationBuilder,
    private readonly options: PanelOptions,
  ) {}

  /** The panel's options, defaults of its kind applied. @internal */
  public get _options(): PanelOptions {
    return this.options;
  }

  /**
   * A fresh SDK builder of the panel's kind, before the common settings (a
   * `ReturnType<VisualizationBuilder>`). Declared `unknown` so that no declaration
   * reachable from the package's index names the Grafana SDK, whose declarations
   * then need not ship (scripts/bundle-lib.js checks it). @internal
   */
  public _visualization(): unknown {
    return this.visualization();
  }
}
