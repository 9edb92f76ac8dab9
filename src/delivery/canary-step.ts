import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { RolloutCanaryStep } from './crds/argo-rollouts';
import { goDuration, AnalysisBinding, RolloutAnalysis } from './rollout-analysis';
import { requireInteger } from '../core/validation';

/**
 * One step of an Argo Rollouts canary (`strategy.canary.steps[]`).
 * @see https://argo-rollouts.readthedocs.io/en/stable/features/canary/
 *
 * @example
 * import { CanaryRelease, CanaryStep, CanaryTraffic, RolloutAnalysis } from 'cdk8s-ml';
 *
 * // Argo Rollouts moves the weight; the analysis between steps can abort the release.
 * const analysis = RolloutAnalysis.serverMetrics({
 *   prometheusAddress: 'http://prometheus-operated.monitoring.svc:9090',
 *   maxErrorRatio: 0.02,
 * });
 * new CanaryRelease(this, 'bert', {
 *   stable: { image: 'registry.example.com/bert-server:1.4.2', metrics: { port: 9090 } },
 *   traffic: CanaryTraffic.gatewayApi({ gateway: { name: 'ml-gateway', namespace: 'gateway-system' } }),
 *   rollout: {
 *     steps: [
 *       CanaryStep.weight(10), CanaryStep.pause(Duration.minutes(5)), CanaryStep.analysis(analysis),
 *       CanaryStep.weight(50), CanaryStep.analysis(analysis),
 *       CanaryStep.pauseUntilPromoted(),
 *     ],
 *   },
 * });
 */
export class CanaryStep {
  /**
   * Send `percent` (1..100) of requests to the canary: exactly, with a traffic
   * router (Gateway API, ingress-nginx); by replica count without one.
   */
  public static weight(percent: number): CanaryStep {
    return new CanaryStep(percent, undefined, false, undefined);
  }

  /** Wait, then go on by itself. */
  public static pause(duration: Duration): CanaryStep {
    return new CanaryStep(undefined, duration, false, undefined);
  }

  /** Wait until someone promotes (`kubectl argo rollouts promote <rollout>`). */
  public static pauseUntilPromoted(): CanaryStep {
    return new CanaryStep(undefined, undefined, true, undefined);
  }

  /**
   * Run an analysis and wait for it: success goes on, failure aborts the rollout
   * (traffic back to stable, canary scaled down), inconclusive pauses it.
   */
  public static analysis(analysis: RolloutAnalysis): CanaryStep {
    return new CanaryStep(undefined, undefined, false, analysis);
  }

  private constructor(
    /** @internal */ public readonly _weight: number | undefined,
    private readonly duration: Duration | undefined,
    private readonly untilPromoted: boolean,
    private readonly analysis: RolloutAnalysis | undefined,
  ) {}

  /** @internal */
  public _render(scope: Construct, prop: string, binding: AnalysisBinding): RolloutCanaryStep {
    if (this._weight !== undefined) {
      requireInteger(scope, `${prop}.setWeight`, this._weight, 1, 100);
      return { setWeight: this._weight };
    }
    if (this.duration !== undefined) return { pause: { duration: goDuration(scope, `${prop}.pause`, this.duration) } };
    if (this.untilPromoted) return { pause: {} };
    return { analysis: this.analysis!._bind(scope, `${prop}.analysis`, binding) };
  }
}
