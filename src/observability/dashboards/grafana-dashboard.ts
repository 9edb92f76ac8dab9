import { Duration, Lazy } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { buildDashboard } from './dashboard-builder';
import { DashboardPanel } from './dashboard-panel';
import { invalidProp } from '../../core/errors';
import { applyObjectMetadata, ObjectMetadataOptions, requireLabelKey } from '../../core/metadata-validation';
import { requireDnsSubdomain, requireInteger, requirePromQl, requireProps } from '../../core/validation';

/** Properties of {@link GrafanaDashboard}. */
export interface GrafanaDashboardProps {
  /** Title of the dashboard. */
  readonly title: string;
  /**
   * Grafana's stable id of the dashboard (URLs, links): letters, digits, `-` and `_`, at most 40.
   * @default - the ConfigMap name
   */
  readonly uid?: string;
  /**
   * Name of the ConfigMap.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Grafana folder the sidecar puts the dashboard in.
   * @default 'ML'
   */
  readonly folder?: string;
  /**
   * Annotation carrying the folder; the sidecar's `folderAnnotation` setting.
   * @default 'grafana_folder'
   */
  readonly folderAnnotation?: string;
  /**
   * Label (with value "1") by which the Grafana sidecar finds dashboards.
   * @default 'grafana_dashboard'
   */
  readonly sidecarLabel?: string;
  /**
   * Labels and annotations of every object this construct emits (the ConfigMap), besides the sidecar label and folder annotation.
   * @default - none
   */
  readonly metadata?: ObjectMetadataOptions;
  /**
   * Tags of the dashboard.
   * @default ['ml']
   */
  readonly tags?: string[];
  /**
   * The panels. {@link GrafanaDashboard.addPanel} adds more.
   * @default - none
   */
  readonly panels?: DashboardPanel[];
  /**
   * Auto-refresh interval, whole seconds.
   * @default Duration.seconds(30)
   */
  readonly refresh?: Duration;
  /**
   * How far back the default time range starts (`now-6h`), whole seconds.
   * @default Duration.hours(6)
   */
  readonly timeFrom?: Duration;
  /**
   * Namespace selected by default in the `namespace` variable.
   * @default - Grafana picks the first
   */
  readonly defaultNamespace?: string;
  /**
   * The query listing the `namespace` variable's values.
   * @default 'label_values(kube_pod_info, namespace)' (kube-state-metrics)
   */
  readonly namespaceQuery?: string;
}

const UID = /^[a-zA-Z0-9_-]{1,40}$/;
// kubectl apply stores the object in an annotation limited to 256 KiB.
const MAX_BYTES = 256 * 1024;

/**
 * A Grafana dashboard delivered as a ConfigMap the Grafana sidecar (kube-prometheus-stack,
 * the Grafana chart) loads: labelled `grafana_dashboard: "1"`, the folder in an
 * annotation, the dashboard JSON under `<uid>.json`. Every dashboard has a data source
 * variable and a `namespace` variable; panels query Prometheus through the former.
 * The sidecar reads only Grafana's own namespace unless its `searchNamespace` is set,
 * so create dashboards in a chart of that namespace.
 *
 * @example
 * import { DashboardPanel, GrafanaDashboard, PanelUnit } from 'cdk8s-ml';
 *
 * new GrafanaDashboard(this, 'embeddings', {
 *   title: 'Embedding service',
 *   folder: 'ML',
 *   refresh: Duration.minutes(1),
 *   panels: [DashboardPanel.timeSeries({
 *     title: 'Requests per second',
 *     queries: [{ expr: 'sum by (pod) (rate(http_requests_total{namespace="$namespace", app="embeddings"}[5m]))', legend: '{{pod}}' }],
 *     unit: PanelUnit.REQUESTS_PER_SECOND,
 *     width: 24,
 *   })],
 * });
 */
export class GrafanaDashboard extends Construct {
  /** The ConfigMap. */
  public readonly configMap: kplus.ConfigMap;
  /** The dashboard uid. */
  public readonly uid: string;
  /** The dashboard title. */
  public readonly title: string;

  private readonly props: GrafanaDashboardProps;
  private readonly panels: DashboardPanel[] = [];
  private readonly refresh: string;
  private readonly timeFrom: string;

  public constructor(scope: Construct, id: string, props: GrafanaDashboardProps) {
    super(scope, id);
    requireProps(this, props, ['title']);
    if (props.sidecarLabel !== undefined) requireLabelKey(this, 'sidecarLabel', props.sidecarLabel);
    this.props = props;
    const name = props.name ?? id;
    requireDnsSubdomain(this, 'name', name);
    this.uid = props.uid ?? name;
    if (!UID.test(this.uid)) {
      throw invalidProp(this, 'uid', `('${this.uid}') must be 1 to 40 letters, digits, '-' or '_'`);
    }
    if (props.title.trim() === '') throw invalidProp(this, 'title', 'must not be empty');
    this.title = props.title;
    const folder = props.folder ?? 'ML';
    if (folder.trim() === '') throw invalidProp(this, 'folder', 'must not be empty');
    for (const panel of props.panels ?? []) this.addPanel(panel);
    this.refresh = grafanaInterval(this, 'refresh', props.refresh ?? Duration.seconds(30));
    this.timeFrom = `now-${grafanaInterval(this, 'timeFrom', props.timeFrom ?? Duration.hours(6))}`;

    this.configMap = new kplus.ConfigMap(this, 'ConfigMap', {
      metadata: {
        name,
        labels: { [props.sidecarLabel ?? 'grafana_dashboard']: '1' },
        annotations: { [props.folderAnnotation ?? 'grafana_folder']: folder },
      },
    });
    this.configMap.addData(`${this.uid}.json`, Lazy.any({ produce: () => this.renderJson() }));
    applyObjectMetadata(this, 'metadata', props.metadata);
  }

  /** Adds a panel after the others. */
  public addPanel(panel: DashboardPanel): void {
    const o = panel._options;
    const prop = `panels['${o.title}']`;
    if (o.title.trim() === '') throw invalidProp(this, 'panels', 'must have titles');
    if (o.queries.length === 0 || o.queries.length > 26) throw invalidProp(this, prop, `has ${o.queries.length} queries; give 1 to 26`);
    for (const q of o.queries) if (q.expr.trim() === '') throw invalidProp(this, prop, 'has an empty query');
    o.queries.forEach((q, i) => requirePromQl(this, `${prop}.queries[${i}]`, q.expr, true));
    if (o.width !== undefined) requireInteger(this, `${prop}.width`, o.width, 1, 24);
    if (o.height !== undefined) requireInteger(this, `${prop}.height`, o.height, 1);
    this.panels.push(panel);
  }

  /** The dashboard JSON model (built with the Grafana Foundation SDK). */
  public toJson(): { [key: string]: any } {
    return buildDashboard({
      uid: this.uid,
      title: this.title,
      tags: this.props.tags ?? ['ml'],
      refresh: this.refresh,
      timeFrom: this.timeFrom,
      defaultNamespace: this.props.defaultNamespace,
      namespaceQuery: this.props.namespaceQuery ?? 'label_values(kube_pod_info, namespace)',
    }, this.panels);
  }

  private renderJson(): string {
    const text = JSON.stringify(this.toJson(), undefined, 2);
    if (Buffer.byteLength(text) > MAX_BYTES) {
      throw invalidProp(this, 'panels', `make a dashboard of ${Buffer.byteLength(text)} bytes, above the 256 KiB kubectl apply can store; split it`);
    }
    return text;
  }
}

/**
 * A duration as Grafana's refresh picker and relative time ranges write it: one
 * unit, the largest that divides it (`30s`, `90m`, `6h`, `7d`), since `now-1h30m`
 * is not a time Grafana parses.
 */
function grafanaInterval(scope: Construct, prop: string, duration: Duration): string {
  const seconds = duration.toSeconds({ integral: false });
  if (!Number.isInteger(seconds) || seconds <= 0) {
    throw invalidProp(scope, prop, `(${seconds}s) must be a positive whole number of seconds`);
  }
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60]] as const) {
    if (seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}
