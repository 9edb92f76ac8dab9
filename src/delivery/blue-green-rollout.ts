// BlueGreenService with Argo Rollouts: one model server whose Deployment becomes a
// Rollout with the blueGreen strategy. Argo Rollouts brings up each new pod template
// as the preview ReplicaSet behind the preview Service, runs the pre-promotion
// analysis on it, switches the active Service (by adding the ReplicaSet's
// `rollouts-pod-template-hash` to its selector), runs the post-promotion analysis,
// and scales the old ReplicaSet down after `scaleDownDelay`; a failed analysis
// aborts and keeps (or switches back to) the old version.
// https://argo-rollouts.readthedocs.io/en/stable/features/bluegreen/
import { ApiObject, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { analysisBinding, replaceDeploymentByRollout } from './argo-rollout';
import { RolloutBlueGreenStrategy } from './crds/argo-rollouts';
import { AnalysisBinding, RolloutAnalysis } from './rollout-analysis';
import { invalidProp } from '../core/errors';
import { requireInteger } from '../core/validation';
import { MlModelServing } from '../serving/ml-model-serving';

/** Options of a BlueGreenService run by Argo Rollouts. */
export interface BlueGreenRolloutOptions {
  /**
   * Analysis of the preview pods before the switch; failure aborts the rollout.
   * @default - none
   */
  readonly prePromotionAnalysis?: RolloutAnalysis;
  /**
   * Analysis of the new version once it is active; failure switches back.
   * @default - none
   */
  readonly postPromotionAnalysis?: RolloutAnalysis;
  /**
   * Promote by itself once the preview is ready (and its pre-promotion analysis passed).
   * @default false - a human promotes (`kubectl argo rollouts promote`) after testing the preview
   */
  readonly autoPromotion?: boolean;
  /**
   * With `autoPromotion`: wait this long after the preview is ready.
   * @default - promote at once
   */
  readonly autoPromotionDelay?: Duration;
  /**
   * How long the old version keeps running after the switch (a quick way back,
   * and time for clients to drain).
   * @default Duration.seconds(30)
   */
  readonly scaleDownDelay?: Duration;
  /**
   * Replicas of the preview until promotion (then it scales to the full count).
   * @default - the full replica count
   */
  readonly previewReplicas?: number;
}

/** The blueGreen strategy of `serving`'s Rollout, which replaces its Deployment. */
export function createBlueGreenRollout(scope: Construct, serving: MlModelServing, options: BlueGreenRolloutOptions,
  services: { active: string; preview: string }, labels: { [key: string]: string }): ApiObject {
  const strategy = renderBlueGreenStrategy(scope, 'rollout', options, services, analysisBinding(serving, labels));
  return replaceDeploymentByRollout(scope, serving, () => ({ blueGreen: strategy }));
}

/** The blueGreen strategy from the options, checked (shared with WorkloadBlueGreenRollout). */
export function renderBlueGreenStrategy(scope: Construct, prop: string, options: BlueGreenRolloutOptions,
  services: { active: string; preview: string }, binding: AnalysisBinding): RolloutBlueGreenStrategy {
  if (options.autoPromotionDelay !== undefined && !options.autoPromotion) {
    throw invalidProp(scope, `${prop}.autoPromotionDelay`, 'needs autoPromotion: true');
  }
  const seconds = (p: string, d: Duration | undefined) => {
    if (d === undefined) return undefined;
    const s = d.toSeconds({ integral: false });
    if (!(Number.isInteger(s) && s >= 0)) throw invalidProp(scope, p, `(${s}s) must be a whole number of seconds, not negative`);
    return s;
  };
  const delay = seconds(`${prop}.autoPromotionDelay`, options.autoPromotionDelay);
  const scaleDown = seconds(`${prop}.scaleDownDelay`, options.scaleDownDelay ?? Duration.seconds(30));
  if (options.previewReplicas !== undefined) requireInteger(scope, `${prop}.previewReplicas`, options.previewReplicas, 1);
  const pre = options.prePromotionAnalysis?._bind(scope, `${prop}.prePromotionAnalysis`, binding);
  const post = options.postPromotionAnalysis?._bind(scope, `${prop}.postPromotionAnalysis`, binding);
  return {
    activeService: services.active,
    previewService: services.preview,
    autoPromotionEnabled: options.autoPromotion ?? false,
    ...(delay !== undefined ? { autoPromotionSeconds: delay } : {}),
    ...(pre ? { prePromotionAnalysis: pre } : {}),
    ...(post ? { postPromotionAnalysis: post } : {}),
    ...(options.previewReplicas !== undefined ? { previewReplicaCount: options.previewReplicas } : {}),
    scaleDownDelaySeconds: scaleDown,
  };
}
