import { IConstruct } from 'constructs';
import { requireInteger } from '../core/validation';

/** What happens to the color of a {@link BlueGreenService} that takes no live traffic. */
export enum IdleColorMode {
  /**
   * Runs with its own full scaling (fixed replicas, or its HPA): rollback or
   * promotion needs no scale-up first. An idle HPA sees no load and holds its
   * `minReplicas`, so size that for the traffic it will take.
   */
  KEEP_WARM = 'keep-warm',
  /** Runs a fixed number of replicas, no HPA: cheaper, rollback waits for a scale-up. */
  SCALE_DOWN = 'scale-down',
  /** Not deployed at all: cheapest, no preview Service, no quick rollback. */
  REMOVE = 'remove',
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
 */
export class IdleColorPolicy {
  /**
   * Keep the idle color at its own scaling, ready to take traffic at once. With
   * `ServingScaling.autoscale` that is its HPA's `minReplicas` (no live load reaches
   * the idle color): raise it to the live replica count before a promotion, as
   * Argo Rollouts does by scaling the preview to full size.
   */
  public static keepWarm(): IdleColorPolicy {
    return new IdleColorPolicy(IdleColorMode.KEEP_WARM);
  }

  /**
   * Run the idle color at `replicas` fixed replicas (0 keeps only the Deployment),
   * without HPA and with the default disruption budget.
   */
  public static scaleTo(replicas: number): IdleColorPolicy {
    return new IdleColorPolicy(IdleColorMode.SCALE_DOWN, replicas);
  }

  /** Emit no objects for the idle color. */
  public static remove(): IdleColorPolicy {
    return new IdleColorPolicy(IdleColorMode.REMOVE);
  }

  private constructor(
    /** Which policy. */
    public readonly mode: IdleColorMode,
    /** The replicas of a scaled-down idle color. */
    public readonly replicas?: number,
  ) {}

  /** @internal */
  public _validate(scope: IConstruct): void {
    if (this.mode === IdleColorMode.SCALE_DOWN) requireInteger(scope, 'idle.replicas', this.replicas!, 0);
  }
}
