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

/** The Grafana panel types used. */
export enum PanelType {
  /** A time series graph. */
  TIME_SERIES = 'timeseries',
  /** A single big number. */
  STAT = 'stat',
}

/** One panel of a {@link GrafanaDashboard}. */
export class DashboardPanel {
  /** A time series graph. */
  public static timeSeries(options: PanelOptions): DashboardPanel {
    return new DashboardPanel(PanelType.TIME_SERIES, options);
  }

  /** A single big number (the last value of each query). */
  public static stat(options: PanelOptions): DashboardPanel {
    return new DashboardPanel(PanelType.STAT, { width: 6, height: 4, ...options });
  }

  private constructor(
    /** The panel type. */
    public readonly type: PanelType,
    /** The panel's options. */
    public readonly options: PanelOptions,
  ) {}
}
