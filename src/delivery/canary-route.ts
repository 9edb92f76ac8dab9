import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { CanaryAnnotations } from './canary-release';
import { createWeightedHttpRoute, RouteBackend } from './canary-routes';
import { GatewayApiTrafficOptions } from './canary-traffic';
import { invalidProp } from '../core/errors';
import { applyObjectMetadata, ObjectMetadataOptions } from '../core/metadata-validation';
import { requireDnsLabel, requireInteger, requireProps } from '../core/validation';
import { WorkloadTarget } from '../observability/workload-target';

/** Properties of {@link CanaryRoute}. */
export interface CanaryRouteProps extends GatewayApiTrafficOptions {
  /**
   * Name of the route (unless `routeName`) and of its labels.
   * @default - the construct id
   */
  readonly name?: string;
  /** The stable workload; its Service takes `100 - weight` percent. */
  readonly stable: WorkloadTarget;
  /**
   * The canary workload; its Service takes `weight` percent.
   * @default - none: every request goes to stable
   */
  readonly canary?: WorkloadTarget;
  /**
   * Percent of requests for the canary, an integer 0..100.
   * @default 0
   */
  readonly weight?: number;
  /**
   * Labels and annotations of the HTTPRoute.
   * @default - none
   */
  readonly metadata?: ObjectMetadataOptions;
}

/**
 * A controller-free canary between two workloads that already exist, whoever made
 * them (a Helm chart, cdk8s-plus, a MlModelServing): a Gateway API HTTPRoute
 * weighting their Services. Step it by changing `weight` and applying.
 *
 * @example
 * import { CanaryRoute, WorkloadTarget } from 'cdk8s-ml';
 *
 * // 20 % of the requests to a release a Helm chart installed, by an HTTPRoute alone.
 * new CanaryRoute(this, 'recommender', {
 *   gateway: { name: 'ml-gateway', namespace: 'gateway-system' },
 *   hostnames: ['recs.example.com'],
 *   stable: WorkloadTarget.fromReference({
 *     name: 'recommender-v1', selector: { 'app.kubernetes.io/instance': 'recommender-v1' }, serviceName: 'recommender-v1', servicePort: 80,
 *   }),
 *   canary: WorkloadTarget.fromReference({
 *     name: 'recommender-v2', selector: { 'app.kubernetes.io/instance': 'recommender-v2' }, serviceName: 'recommender-v2', servicePort: 80,
 *   }),
 *   weight: 20,
 * });
 */
export class CanaryRoute extends Construct {
  /** The HTTPRoute. */
  public readonly apiObject: ApiObject;
  /** The canary's percent of requests. */
  public readonly weight: number;

  public constructor(scope: Construct, id: string, props: CanaryRouteProps) {
    super(scope, id);
    requireProps(this, props, ['stable']);
    const name = props.name ?? id;
    requireDnsLabel(this, 'name', name);
    this.weight = props.weight ?? 0;
    requireInteger(this, 'weight', this.weight, 0, 100);
    if (!props.canary && this.weight > 0) throw invalidProp(this, 'weight', `(${this.weight}) must be 0 when there is no canary`);
    const stable = this.backend('stable', props.stable);
    const canary = props.canary && this.backend('canary', props.canary);
    if (canary && canary.name === stable.name) {
      throw invalidProp(this, 'canary', `('${canary.name}') has the stable track's Service: the split would send every request to the same pods`);
    }
    this.apiObject = createWeightedHttpRoute(this, props, {
      name,
      labels: { 'app.kubernetes.io/name': name, 'app.kubernetes.io/managed-by': 'cdk8s-ml' },
      annotations: { [CanaryAnnotations.REQUESTED_WEIGHT]: String(this.weight), [CanaryAnnotations.REALIZED_SHARE]: String(this.weight) },
      weight: this.weight,
    }, stable, canary);
    applyObjectMetadata(this, 'metadata', props.metadata);
  }

  private backend(prop: string, target: WorkloadTarget): RouteBackend {
    target._validate(this, prop);
    const service = target.serviceName;
    if (service === undefined) {
      throw invalidProp(this, prop, `('${target.name}') has no Service to route to: give WorkloadTarget.fromWorkload(workload, { service }) or fromReference({ serviceName })`);
    }
    // A backendRef to another namespace needs a ReferenceGrant there, which this route cannot create.
    const here = Chart.of(this).namespace;
    if (target.namespace !== undefined && target.namespace !== here) {
      throw invalidProp(this, prop, `('${target.name}') is in namespace '${target.namespace}', the route in '${here ?? '(none)'}': create the route in the workload's namespace`);
    }
    return { name: service, port: target.servicePort };
  }
}
