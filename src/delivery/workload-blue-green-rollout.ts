import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { BlueGreenRolloutOptions, renderBlueGreenStrategy } from './blue-green-rollout';
import { createWorkloadRefRollout, requireWorkloadRefKind } from './workload-rollout';
import { invalidProp } from '../core/errors';
import { applyObjectMetadata, ObjectMetadataOptions } from '../core/metadata-validation';
import { selectsOnPurpose } from '../core/unique-objects';
import { requireInteger, requireProps } from '../core/validation';
import { WorkloadTarget } from '../observability/workload-target';

/** Properties of {@link WorkloadBlueGreenRollout}. */
export interface WorkloadBlueGreenRolloutProps extends BlueGreenRolloutOptions {
  /**
   * The Deployment the Rollout takes over (by `workloadRef`), with its Service as
   * the active one: an existing model server (`WorkloadTarget.fromServing(server)`)
   * or a Deployment made elsewhere (`WorkloadTarget.fromReference(...)`).
   */
  readonly target: WorkloadTarget;
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
 * Blue-green for a server that already exists: an Argo Rollouts Rollout that
 * references its Deployment (`workloadRef`), so the server keeps its own model
 * (pod template, probes, resources, identity) and is not declared again. The
 * target's Service is the active one; a preview Service beside it reaches the new
 * version, which the pre-promotion analysis (built from the server's declared
 * metric names) judges before the switch, as `BlueGreenService` with `rollout:` does.
 * @see https://argo-rollouts.readthedocs.io/en/stable/migrating/#reference-deployment-from-rollout
 *
 * @example
 * import { MlModelServing, RolloutAnalysis, WorkloadBlueGreenRollout, WorkloadTarget } from 'cdk8s-ml';
 *
 * // The new version comes up behind a preview Service, is analysed, then takes over.
 * const bert = new MlModelServing(this, 'bert', { image: 'registry.example.com/bert-server:1.5.0', metrics: { port: 9090 } });
 * new WorkloadBlueGreenRollout(this, 'bert-blue-green', {
 *   target: WorkloadTarget.fromServing(bert),
 *   prePromotionAnalysis: RolloutAnalysis.serverMetrics({
 *     prometheusAddress: 'http://prometheus-operated.monitoring.svc:9090',
 *     name: 'preview',
 *   }),
 *   autoPromotion: true,
 * });
 */
export class WorkloadBlueGreenRollout extends Construct {
  /** The Rollout. */
  public readonly apiObject: ApiObject;
  /** The preview Service, reaching the new version before promotion. */
  public readonly previewService: kplus.Service;

  public constructor(scope: Construct, id: string, props: WorkloadBlueGreenRolloutProps) {
    super(scope, id);
    requireProps(this, props, ['target']);
    const target = props.target;
    target._validate(this, 'target');
    requireWorkloadRefKind(this, target);
    const active = target.serviceName;
    const port = target.containerPorts[0];
    if (active === undefined || port === undefined) {
      throw invalidProp(this, 'target', 'needs its Service and container port (serviceName, containerPorts): the active Service is the target\'s, the preview copies it');
    }
    const replicas = props.replicas ?? target.minReplicas;
    requireInteger(this, 'replicas', replicas, 1);
    const labels = { 'app.kubernetes.io/name': target.name, 'app.kubernetes.io/managed-by': 'cdk8s-ml' };

    // Argo Rollouts narrows both Services to their ReplicaSet by adding the pod
    // template hash to their selectors; the preview starts with the target's selector.
    this.previewService = new kplus.Service(this, 'PreviewService', {
      metadata: { name: `${target.name}-preview`, labels },
      ports: [{ name: 'http', port: target.servicePort, targetPort: port }],
    });
    for (const [k, v] of Object.entries(target.selector)) this.previewService.selectLabel(k, v);
    selectsOnPurpose(this.previewService, target._serving);

    const binding = { rollout: target.name, namespace: target.namespace, metricNames: target._metricNames(this, 'target'), labels };
    const strategy = renderBlueGreenStrategy(this, 'rollout', props, { active, preview: this.previewService.name }, binding);
    this.apiObject = createWorkloadRefRollout(this, target, replicas, labels, { blueGreen: strategy });
    applyObjectMetadata(this, 'metadata', props.metadata);
  }
}
