import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct, IConstruct } from 'constructs';
import { invalidProp } from '../core/errors';
import { TargetCluster } from '../core/unique-objects';
import { requireDnsSubdomain, requireLabelValue, requireProps } from '../core/validation';

const CLUSTER_CONFIG = Symbol.for('cdk8s-ml.ClusterConfig');

/** The target cluster of the chart `c` is in; 'default' outside a chart. */
function clusterOf(c: IConstruct): string {
  try {
    return TargetCluster.of(Chart.of(c));
  } catch {
    return 'default';
  }
}
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
const SECRET_LIKE_KEY = /(password|passwd|secret|token|api[-_.]?key|private[-_.]?key|credential)/i;

/** Properties of {@link ClusterConfig}. */
export interface ClusterConfigProps {
  /** The cluster's name (`cluster-name`), e.g. `production-cluster`. */
  readonly clusterName: string;
  /** The environment (`environment`), e.g. `production`. */
  readonly environment: string;
  /** The cloud region (`region`), e.g. `us-west-2`. */
  readonly region: string;
  /**
   * More keys of the ConfigMap.
   * @default - none
   */
  readonly data?: { [key: string]: string };
  /**
   * The ConfigMap's name.
   * @default 'cluster-config'
   */
  readonly name?: string;
}

/**
 * The cluster's identity as the guide's `cluster-config` ConfigMap (`cluster-name`,
 * `environment`, `region` and extra keys), and as typed values other constructs read
 * at synth through {@link ClusterConfig.of} (labels, default regions), so the facts
 * are written once per app.
 *
 * @example
 * import { ClusterConfig } from 'cdk8s-ml';
 *
 * // The guide's cluster-config ConfigMap, which workloads read their cluster facts from.
 * new ClusterConfig(this, 'cluster-config', {
 *   clusterName: 'production-cluster',
 *   environment: 'production',
 *   region: 'us-west-2',
 *   data: { 'log-level': 'info' },
 * });
 */
export class ClusterConfig extends Construct {
  /**
   * The ClusterConfig of `scope`'s cluster, if it has one: of the app, or of the
   * charts marked for the same cluster (`TargetCluster.mark`) when the app models
   * several. Throws if there are several.
   */
  public static of(scope: IConstruct): ClusterConfig | undefined {
    const cluster = clusterOf(scope);
    const found = scope.node.root.node.findAll()
      .filter(c => (c as any)[CLUSTER_CONFIG] === true && clusterOf(c) === cluster) as ClusterConfig[];
    if (found.length > 1) {
      throw new Error(`ClusterConfig.of('${scope.node.path}'): the app has ${found.length} ClusterConfigs for one cluster (${found.map(f => f.node.path).join(', ')}); keep one per cluster, or mark the charts of another cluster with TargetCluster.mark`);
    }
    return found[0];
  }

  /** The cluster's name. */
  public readonly clusterName: string;
  /** The environment. */
  public readonly environment: string;
  /** The region. */
  public readonly region: string;
  /** Every key of the ConfigMap. */
  public readonly data: { [key: string]: string };
  /** The ConfigMap. */
  public readonly configMap: kplus.ConfigMap;

  public constructor(scope: Construct, id: string, props: ClusterConfigProps) {
    super(scope, id);
    requireProps(this, props, ['clusterName', 'environment', 'region']);
    Object.defineProperty(this, CLUSTER_CONFIG, { value: true });
    const name = props.name ?? 'cluster-config';
    requireDnsSubdomain(this, 'name', name);
    // The values double as label values (see labels()), so they follow label syntax.
    requireLabelValue(this, 'clusterName', props.clusterName);
    requireLabelValue(this, 'environment', props.environment);
    requireLabelValue(this, 'region', props.region);
    for (const [prop, value] of [['clusterName', props.clusterName], ['environment', props.environment], ['region', props.region]]) {
      if (value === '') throw invalidProp(this, prop, 'must not be empty');
    }
    const base = { 'cluster-name': props.clusterName, 'environment': props.environment, 'region': props.region };
    for (const key of Object.keys(props.data ?? {})) {
      if (!CONFIG_KEY.test(key) || key.length > 253) throw invalidProp(this, `data['${key}']`, 'is not a valid ConfigMap key: alphanumerics, \'-\', \'_\' and \'.\'');
      if (key in base) throw invalidProp(this, `data['${key}']`, 'is set by a typed prop (clusterName, environment, region); give it there');
      // A ConfigMap is readable by every viewer and lands in backups and Git as is.
      if (SECRET_LIKE_KEY.test(key)) {
        throw invalidProp(this, `data['${key}']`, 'looks like a credential: ConfigMaps are not secret; keep it in the secrets manager and reference it with an ExternalSecret');
      }
    }
    this.clusterName = props.clusterName;
    this.environment = props.environment;
    this.region = props.region;
    this.data = { ...base, ...props.data };
    this.configMap = new kplus.ConfigMap(this, 'ConfigMap', { metadata: { name }, data: this.data });
  }

  /** Labels that identify the cluster on objects that leave it (metrics, backups, logs). */
  public labels(): { [key: string]: string } {
    return { 'cdk8s-ml.io/cluster': this.clusterName, 'cdk8s-ml.io/environment': this.environment, 'topology.kubernetes.io/region': this.region };
  }

  /** One key of the ConfigMap; throws if it has none. */
  public get(key: string): string {
    const value = this.data[key];
    if (value === undefined) throw invalidProp(this, `get('${key}')`, `is not a key of the cluster config (keys: ${Object.keys(this.data).join(', ')})`);
    return value;
  }
}
