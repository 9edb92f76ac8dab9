import { IConstruct } from 'constructs';
import { requireInteger } from '../core/validation';
import { ServingScaling } from '../serving/serving-scaling';

/** How the idle color of a BlueGreenService is deployed (internal). */
export interface IdleColorDeployment {
  /** Replaces the color's scaling; undefined keeps the user's. */
  readonly scaling?: ServingScaling;
  /** Drop the color's disruption budget (it serves no live traffic). */
  readonly dropDisruptionBudget: boolean;
}

/**
 * The fate of the idle color of a {@link BlueGreenService}.
 *
 * A safe promotion takes two applies: first keep the new color warm and test it
 * through the preview Service, then switch `activeColor`. Switching in the same
 * apply that scales the new color up points the live Service at pods that are
 * still loading the model; and handing a scaled-down color to its HPA drops
 * `spec.replicas`, which `kubectl apply` resets to 1 until the HPA acts: harmless
 * while the color is idle, an overload once it is live.
 *
 * @example
 * import { BlueGreenColor, BlueGreenService, IdleColorPolicy } from 'cdk8s-ml';
 *
 * new BlueGreenService(this, 'ranker', {
 *   blue: { image: 'registry.example.com/ranker:2.0.1' },
 *   green: { image: 'registry.example.com/ranker:2.1.0' },
 *   activeColor: BlueGreenColor.GREEN,
 *   // Green is trusted: keep one blue replica to roll back to, not a full fleet.
 *   idle: IdleColorPolicy.scaleTo(1),
 * });
 */
export class IdleColorPolicy {
  /**
   * Keep the idle color at its own scaling (fixed replicas, or its HPA), ready to
   * take traffic at once: rollback or promotion needs no scale-up first. With
   * `ServingScaling.autoscale` that is its HPA's `minReplicas` (no live load reaches
   * the idle color): raise it to the live replica count before a promotion, as
   * Argo Rollouts does by scaling the preview to full size.
   */
  public static keepWarm(): IdleColorPolicy {
    return new IdleColorPolicy(true, undefined);
  }

  /**
   * Run the idle color at `replicas` fixed replicas (0 keeps only the Deployment),
   * without HPA and with the default disruption budget: cheaper, and a rollback
   * waits for a scale-up.
   */
  public static scaleTo(replicas: number): IdleColorPolicy {
    return new IdleColorPolicy(true, replicas);
  }

  /** Emit no objects for the idle color: cheapest, no preview Service, no quick rollback. */
  public static remove(): IdleColorPolicy {
    return new IdleColorPolicy(false, undefined);
  }

  private constructor(
    private readonly deployed: boolean,
    private readonly fixedReplicas: number | undefined,
  ) {}

  /**
   * How the idle color is deployed, validated against `scope`; undefined when it
   * is not deployed at all.
   * @internal
   */
  public _bind(scope: IConstruct): IdleColorDeployment | undefined {
    if (!this.deployed) return undefined;
    if (this.fixedReplicas === undefined) return { dropDisruptionBudget: false };
    requireInteger(scope, 'idle.replicas', this.fixedReplicas, 0);
    return { scaling: ServingScaling.fixed(this.fixedReplicas), dropDisruptionBudget: true };
  }
}
