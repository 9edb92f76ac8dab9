import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { CanaryRolloutOptions } from './canary-rollout';
import { createWeightedHttpRoute } from './canary-routes';
import { GatewayApiTrafficOptions } from './canary-traffic';
import { ARGO_ROLLOUTS_API_VERSION, RolloutCanaryStrategy, RolloutSpec } from './crds/argo-rollouts';
import { invalidProp } from '../core/errors';
import { applyObjectMetadata, ObjectMetadataOptions } from '../core/metadata-validation';
import { selectsOnPurpose } from '../core/unique-objects';
import { requireInteger, requireProps } from '../core/validation';
import { WorkloadTarget } from '../observability/workload-target';

/** Properties of {@link WorkloadRollout}. */
export interface WorkloadRolloutProps extends CanaryRolloutOptions {
  /**
   * The Deployment the Rollout takes over (by `workloadRef`): made elsewhere, e.g.
   * `WorkloadTarget.fromReference({ name, selector, serviceName })`.
   */
  readonly target: WorkloadTarget;
  /**
   * Route through the Gateway API plugin: needs the target's Service (the stable
   * one); a canary Service beside it is created.
   * @default - no router: the weight is set by replica counts
   */
  readonly gateway?: GatewayApiTrafficOptions;
  /**
   * Replicas of the Rollout, unless an HPA scales it (point that HPA's
   * `scaleTargetRef` at the Rollout).
   * @default - the target's minReplicas
   */
  readonly replicas?: number;
  /**
   * Labels and annotations of every object this construct emits.
   * @default - none
   */
  readonly metadata?: ObjectMetadataOptions;
}

/**
 * Progressive delivery for a Deployment this library did not make: an Argo
 * Rollouts Rollout that references it (`workloadRef`) and takes its pod template
 * from it, so the Deployment stays where it is managed, and Argo Rollouts scales it
 * down progressively as the Rollout's pods come up. A release is then a change of
 * the Deployment's template; steps and analyses are those of a CanaryRelease.
 * @see https://argo-rollouts.readthedocs.io/en/stable/migrating/#reference-deployment-from-rollout
 *
 * @example
 * import { CanaryStep, MlModelServing, WorkloadRollout, WorkloadTarget } from 'cdk8s-ml';
 *
 * // Argo Rollouts takes over the server's Deployment (workloadRef): a release is a
 * // change of its image, moved to 20 %, then 50 % of the pods.
 * const bert = new MlModelServing(this, 'bert', { image: 'registry.example.com/bert-server:1.4.2' });
 * new WorkloadRollout(this, 'bert-rollout', {
 *   target: WorkloadTarget.fromServing(bert),
 *   steps: [CanaryStep.weight(20), CanaryStep.pause(Duration.minutes(10)), CanaryStep.weight(50)],
 * });
 */
export class WorkloadRollout extends Construct {
  /** The Rollout. */
  public readonly apiObject: ApiObject;
  /** The canary Service, with `gateway`. */
  public readonly canaryService?: kplus.Service;
  /** The HTTPRoute, with `gateway`. */
  public readonly httpRoute?: ApiObject;

  public constructor(scope: Construct, id: string, props: WorkloadRolloutProps) {
    super(scope, id);
    requireProps(this, props, ['target']);
    const target = props.target;
    target._validate(this, 'target');
    requireWorkloadRefKind(this, target);
    if (props.steps.length === 0) throw invalidProp(this, 'steps', 'must hold at least one step: without one Argo Rollouts promotes every change at once');
    const replicas = props.replicas ?? target.minReplicas;
    requireInteger(this, 'replicas', replicas, 1);
    const labels = { 'app.kubernetes.io/name': target.name, 'app.kubernetes.io/managed-by': 'cdk8s-ml' };
    const binding = { rollout: target.name, namespace: target.namespace, metricNames: target._metricNames(this, 'target'), labels };

    let trafficRouting: RolloutCanaryStrategy['trafficRouting'];
    let services = {};
    if (props.gateway) {
      const stable = target.serviceName;
      const port = target.containerPorts[0];
      if (stable === undefined || port === undefined) {
        throw invalidProp(this, 'gateway', 'needs the target\'s Service and container port (serviceName, containerPorts): the canary Service copies them');
      }
      this.canaryService = new kplus.Service(this, 'CanaryService', {
        metadata: { name: `${target.name}-canary`, labels },
        ports: [{ name: 'http', port: target.servicePort, targetPort: port }],
      });
      for (const [k, v] of Object.entries(target.selector)) this.canaryService.selectLabel(k, v);
      selectsOnPurpose(this.canaryService, target._serving);
      this.httpRoute = createWeightedHttpRoute(this, props.gateway, { name: target.name, labels, annotations: {}, weight: 0 },
        { name: stable, port: target.servicePort }, { name: this.canaryService.name, port: target.servicePort });
      trafficRouting = { plugins: { 'argoproj-labs/gatewayAPI': { httpRoute: this.httpRoute.name, ...(target.namespace ? { namespace: target.namespace } : {}) } } };
      services = { stableService: stable, canaryService: this.canaryService.name };
    }
    const steps = props.steps.map((s, i) => s._render(this, `steps[${i}]`, binding));
    const background = props.backgroundAnalysis?._bind(this, 'backgroundAnalysis', binding);
    const start = props.backgroundAnalysisStartingStep;
    if (start !== undefined) requireInteger(this, 'backgroundAnalysisStartingStep', start, 0, props.steps.length - 1);
    const startingStep = start !== undefined ? { startingStep: start } : {};
    this.apiObject = createWorkloadRefRollout(this, target, replicas, labels, {
      canary: {
        ...services,
        steps,
        ...(background ? { analysis: { ...background, ...startingStep } } : {}),
        ...(trafficRouting ? { trafficRouting } : {}),
      },
    });
    applyObjectMetadata(this, 'metadata', props.metadata);
  }
}

/** Refuses targets Argo Rollouts cannot take a pod template from (internal). */
export function requireWorkloadRefKind(scope: Construct, target: WorkloadTarget): void {
  const ref = target.workloadRef;
  if (ref.kind !== 'Deployment' && ref.kind !== 'ReplicaSet' && ref.kind !== 'PodTemplate') {
    throw invalidProp(scope, 'target', `('${ref.kind}' '${ref.name}') must be a Deployment (or ReplicaSet, PodTemplate): Argo Rollouts takes pod templates only from those`);
  }
}

/**
 * A Rollout that takes over `target`'s Deployment by `workloadRef` (internal):
 * Argo Rollouts scales the Deployment down as the Rollout's pods become ready
 * (Argo Rollouts 1.5+, https://argo-rollouts.readthedocs.io/en/stable/migrating/).
 */
export function createWorkloadRefRollout(scope: Construct, target: WorkloadTarget, replicas: number,
  labels: { [key: string]: string }, strategy: RolloutSpec['strategy']): ApiObject {
  return new ApiObject(scope, 'Rollout', {
    apiVersion: ARGO_ROLLOUTS_API_VERSION,
    kind: 'Rollout',
    metadata: { name: target.name, labels },
    spec: {
      replicas,
      selector: { matchLabels: target.selector },
      workloadRef: { ...target.workloadRef, scaleDown: 'progressively' },
      progressDeadlineAbort: true,
      strategy,
    },
  });
}
