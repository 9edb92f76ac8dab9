// Turns a MlModelServing into the pods of an Argo Rollouts `Rollout`: the Rollout
// takes the Deployment's place (same name, selector, pod template, replicas,
// minReady, progress deadline, history), the server's HPA scales the Rollout, and
// everything else the server made (Service, PDB, NetworkPolicy, ServiceAccount)
// stays as it is. The pod template comes from the server's pod model, never rebuilt.
// https://argo-rollouts.readthedocs.io/en/stable/features/specification/
import { ApiObject, Chart, Lazy } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ARGO_ROLLOUTS_API_VERSION, RolloutBlueGreenStrategy, RolloutCanaryStrategy, RolloutSpec } from './crds/argo-rollouts';
import { AnalysisBinding } from './rollout-analysis';
import { AfterConversion } from '../core/after-conversion';
import { WorkloadTarget } from '../observability/workload-target';
import { MlModelServing } from '../serving/ml-model-serving';

/** The strategy of a Rollout, rendered lazily (internal). */
export interface RolloutStrategy {
  readonly canary?: RolloutCanaryStrategy;
  readonly blueGreen?: RolloutBlueGreenStrategy;
}

/** What analyses of `serving`'s rollout bind to. */
export function analysisBinding(serving: MlModelServing, labels: { [key: string]: string }): AnalysisBinding {
  return { rollout: serving.name, namespace: Chart.of(serving).namespace, metricNames: serving.metricNames, labels };
}

/**
 * Replaces `serving`'s Deployment by a Rollout with `strategy`, created in `scope`.
 * The Deployment construct is removed from the tree but still rendered in memory:
 * its converted manifest (pod metadata after every stage, e.g. scrape annotations
 * dropped by a monitor) gives the Rollout its fields.
 */
export function replaceDeploymentByRollout(scope: Construct, serving: MlModelServing, strategy: () => RolloutStrategy): ApiObject {
  const deployment = serving.deployment;
  serving.node.tryRemoveChild(deployment.node.id);
  const rollout = new ApiObject(scope, 'Rollout', {
    apiVersion: ARGO_ROLLOUTS_API_VERSION,
    kind: 'Rollout',
    metadata: serving._metadata(),
    spec: Lazy.any({
      produce: (): RolloutSpec => {
        const d = ApiObject.of(deployment).toJson().spec;
        const rolling = d.strategy?.rollingUpdate ?? {};
        const s = strategy();
        return {
          ...(d.replicas !== undefined ? { replicas: d.replicas } : {}),
          selector: { matchLabels: serving.selector },
          template: serving._pod.renderTemplate({ labels: d.template.metadata.labels, annotations: d.template.metadata.annotations }),
          ...(d.minReadySeconds !== undefined ? { minReadySeconds: d.minReadySeconds } : {}),
          progressDeadlineSeconds: d.progressDeadlineSeconds,
          // Past the deadline, roll back rather than sit half-rolled.
          progressDeadlineAbort: true,
          revisionHistoryLimit: d.revisionHistoryLimit,
          strategy: s.canary
            ? { canary: { maxSurge: rolling.maxSurge, maxUnavailable: rolling.maxUnavailable, ...s.canary } }
            : { blueGreen: s.blueGreen! },
        };
      },
    }),
  });
  const ref = { apiVersion: ARGO_ROLLOUTS_API_VERSION, kind: 'Rollout', name: serving.name };
  // Argo Rollouts implements the scale subresource: the HPA scales the Rollout.
  // https://argo-rollouts.readthedocs.io/en/stable/features/hpa-support/
  const hpa = serving.autoscaler;
  if (hpa) AfterConversion.of(hpa)._addStage(m => { m.spec.scaleTargetRef = { ...ref }; });
  WorkloadTarget._retarget(serving, ref);
  return rollout;
}

/** A Service like `serving.service` (same selector and ports), for the canary or preview pods. */
export function twinService(scope: Construct, id: string, serving: MlModelServing, name: string, labels: { [key: string]: string }): kplus.Service {
  const service = new kplus.Service(scope, id, {
    metadata: { name, labels },
    ports: [{ name: 'http', port: serving.servicePort, targetPort: serving.port }],
  });
  for (const [k, v] of Object.entries(serving.selector)) service.selectLabel(k, v);
  return service;
}
