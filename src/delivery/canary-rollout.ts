// CanaryRelease with Argo Rollouts: one model server whose Deployment becomes a
// Rollout; Argo Rollouts makes the canary ReplicaSet from each change of its pod
// template and walks the steps. The controller-free mode (two servers, a weight per
// apply) stays in canary-release.ts.
import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { analysisBinding, replaceDeploymentByRollout } from './argo-rollout';
import { CanaryStep } from './canary-step';
import type { CanaryTraffic, RolloutRouting } from './canary-traffic';
import { RolloutCanaryStrategy } from './crds/argo-rollouts';
import { RolloutAnalysis } from './rollout-analysis';
import { invalidProp } from '../core/errors';
import { requireInteger } from '../core/validation';
import { MlModelServing, MlModelServingProps } from '../serving/ml-model-serving';

/** Options of a CanaryRelease run by Argo Rollouts. */
export interface CanaryRolloutOptions {
  /**
   * The steps, e.g. `CanaryStep.weight(10)`, `CanaryStep.analysis(...)`, `CanaryStep.weight(30)`, ...; after the
   * last one the new version takes all traffic.
   */
  readonly steps: CanaryStep[];
  /**
   * An analysis running in the background from `backgroundAnalysisStartingStep` to
   * the end; its failure aborts the rollout at any step.
   * @default - none
   */
  readonly backgroundAnalysis?: RolloutAnalysis;
  /**
   * Index of the step from which the background analysis runs.
   * @default 0
   */
  readonly backgroundAnalysisStartingStep?: number;
}

/** What the Argo Rollouts canary made. */
export interface CanaryRolloutObjects extends RolloutRouting {
  readonly serving: MlModelServing;
  readonly rollout: ApiObject;
}

/** Builds the server, its Rollout and the routing objects in `release`. */
export function createCanaryRollout(release: Construct, args: {
  name: string;
  labels: { [key: string]: string };
  appLabels: { [key: string]: string };
  server: MlModelServingProps;
  traffic: CanaryTraffic;
  options: CanaryRolloutOptions;
  given: { servicePort?: number; serviceType?: kplus.ServiceType };
}): CanaryRolloutObjects {
  const { options } = args;
  if (options.steps.length === 0) {
    throw invalidProp(release, 'rollout.steps', 'must hold at least one step: without one Argo Rollouts promotes every change at once');
  }
  let last = 0;
  options.steps.forEach((step, i) => {
    const w = step._weight;
    if (w === undefined) return;
    if (w <= last) throw invalidProp(release, `rollout.steps[${i}].setWeight`, `(${w}) must be above the previous weight (${last}): a canary only grows`);
    last = w;
  });
  const request = { weight: 0, hasCanary: false, given: { ...args.given, stableScaling: args.server.scaling } };
  const scaling = args.traffic._rolloutScaling(release, request);
  const serving = new MlModelServing(release, 'Server', {
    ...args.server,
    name: args.server.name ?? args.name,
    labels: { ...args.server.labels, ...args.appLabels },
    ...(scaling ? { scaling } : {}),
  });
  const routing = args.traffic._rollout(release, {
    name: args.name, labels: args.labels, appLabels: args.appLabels, annotations: {}, weight: 0, stable: serving,
  });
  const binding = analysisBinding(serving, args.labels);
  const start = options.backgroundAnalysisStartingStep;
  if (start !== undefined) {
    if (!options.backgroundAnalysis) throw invalidProp(release, 'rollout.backgroundAnalysisStartingStep', 'needs backgroundAnalysis');
    requireInteger(release, 'rollout.backgroundAnalysisStartingStep', start, 0, options.steps.length - 1);
  }
  const steps = options.steps.map((s, i) => s._render(release, `rollout.steps[${i}]`, binding));
  const background = options.backgroundAnalysis?._bind(release, 'rollout.backgroundAnalysis', binding);
  const strategy: RolloutCanaryStrategy = {
    ...(routing.canaryService ? { stableService: serving.service.name, canaryService: routing.canaryService.name } : {}),
    steps,
    ...(background ? { analysis: { ...background, ...(start !== undefined ? { startingStep: start } : {}) } } : {}),
    ...(routing.trafficRouting ? { trafficRouting: routing.trafficRouting } : {}),
  };
  const rollout = replaceDeploymentByRollout(release, serving, () => ({ canary: strategy }));
  return { ...routing, serving, rollout };
}
