import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { invalidProp } from '../../core/errors';
import { requireDnsSubdomain, requireInteger } from '../../core/validation';

/** Options of {@link RayServiceUpgrade.incremental}. */
export interface IncrementalUpgradeOptions {
  /** The Gateway API GatewayClass KubeRay creates the Gateway and HTTPRoute with. */
  readonly gatewayClassName: string;
  /** Traffic moved to the new cluster per step, in percent (1..100). */
  readonly stepSizePercent: number;
  /** Time between steps. */
  readonly interval: Duration;
  /**
   * Capacity the new cluster may add above the old one, in percent; at least stepSizePercent.
   * @default 100
   */
  readonly maxSurgePercent?: number;
}

/**
 * How a RayService rolls out a new cluster spec (`spec.upgradeStrategy`).
 * @see https://docs.ray.io/en/latest/serve/production-guide/kubernetes.html
 *
 * @example
 * import { RayService, RayServiceUpgrade, ServeConfig } from 'cdk8s-ml';
 *
 * new RayService(this, 'summarizer', {
 *   cluster: {
 *     image: 'rayproject/ray:2.52.0-py311',
 *     workerGroups: [{ groupName: 'cpu', minReplicas: 2, maxReplicas: 8 }],
 *   },
 *   serveConfig: ServeConfig.of([{ name: 'summarizer', importPath: 'summarizer:app' }]),
 *   // Traffic moves to the new cluster in 20% steps a minute apart, through an Istio
 *   // Gateway, while the new cluster adds at most 50% capacity above the old one.
 *   upgradeStrategy: RayServiceUpgrade.incremental({
 *     gatewayClassName: 'istio',
 *     stepSizePercent: 20,
 *     interval: Duration.seconds(60),
 *     maxSurgePercent: 50,
 *   }),
 * });
 */
export class RayServiceUpgrade {
  /**
   * Zero-downtime: a complete second cluster, then the switch (KubeRay's default).
   * Needs twice the cluster's resources (GPUs included) during the upgrade.
   */
  public static newCluster(): RayServiceUpgrade {
    return new RayServiceUpgrade('NewCluster');
  }

  /**
   * `NewClusterWithIncrementalUpgrade`: the new cluster grows (through the
   * autoscaler) while traffic moves over in steps through a Gateway API route,
   * so the upgrade needs `maxSurgePercent` extra capacity, not a second cluster.
   * Needs the operator's `RayServiceIncrementalUpgrade` feature gate, Gateway API,
   * and the autoscaler (KubeRay utils/validation.go ValidateClusterUpgradeOptions).
   */
  public static incremental(options: IncrementalUpgradeOptions): RayServiceUpgrade {
    return new RayServiceUpgrade('NewClusterWithIncrementalUpgrade', options);
  }

  /** No upgrade: spec changes to the cluster are not rolled out. */
  public static none(): RayServiceUpgrade {
    return new RayServiceUpgrade('None');
  }

  private constructor(private readonly type: string, private readonly incrementalOptions?: IncrementalUpgradeOptions) {}

  /** @internal */
  public get _needsAutoscaler(): boolean {
    return this.incrementalOptions !== undefined;
  }

  /** @internal */
  public _render(scope: IConstruct): any {
    const o = this.incrementalOptions;
    if (!o) return { type: this.type };
    requireDnsSubdomain(scope, 'upgradeStrategy.gatewayClassName', o.gatewayClassName ?? '');
    const surge = o.maxSurgePercent ?? 100;
    requireInteger(scope, 'upgradeStrategy.maxSurgePercent', surge, 1, 100);
    requireInteger(scope, 'upgradeStrategy.stepSizePercent', o.stepSizePercent, 1, 100);
    if (o.stepSizePercent > surge) throw invalidProp(scope, 'upgradeStrategy.stepSizePercent', `(${o.stepSizePercent}) must be <= maxSurgePercent (${surge})`);
    const interval = o.interval?.toSeconds({ integral: false });
    if (!Number.isInteger(interval) || interval < 1) throw invalidProp(scope, 'upgradeStrategy.interval', `(${interval}s) must be a whole number of seconds >= 1`);
    return {
      type: this.type,
      clusterUpgradeOptions: {
        gatewayClassName: o.gatewayClassName, stepSizePercent: o.stepSizePercent, intervalSeconds: interval, maxSurgePercent: surge,
      },
    };
  }
}
