import { ApiObject, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { twinService } from './argo-rollout';
import { CanarySplit, createCanaryHttpRoute, createCanaryIngresses, createSharedService } from './canary-routes';
import { RolloutCanaryStrategy } from './crds/argo-rollouts';
import { minimumTotalForBothTracks, splitReplicas } from './replica-split';
import { invalidProp } from '../core/errors';
import { requireInteger } from '../core/validation';
import { ServingScaling } from '../serving/serving-scaling';

/** The Argo Rollouts traffic router plugin for the Gateway API (argoproj-labs). */
const GATEWAY_API_PLUGIN = 'argoproj-labs/gatewayAPI';

/** Options of {@link CanaryTraffic.replicaRatio}. */
export interface ReplicaRatioOptions {
  /**
   * Replicas of both tracks together; the canary gets the count whose share is
   * closest to the weight (e.g. 4 replicas and weight 25: 3 stable, 1 canary).
   */
  readonly totalReplicas: number;
}

/** The Gateway an HTTPRoute attaches to (a `parentRefs` entry). */
export interface GatewayReference {
  /** Name of the Gateway. */
  readonly name: string;
  /**
   * Namespace of the Gateway; its listeners must allow routes from this namespace.
   * @default - the route's namespace
   */
  readonly namespace?: string;
  /**
   * Listener of the Gateway to attach to.
   * @default - every listener that accepts the route
   */
  readonly sectionName?: string;
}

/** Options of {@link CanaryTraffic.gatewayApi}. */
export interface GatewayApiTrafficOptions {
  /** The Gateway the HTTPRoute attaches to. */
  readonly gateway: GatewayReference;
  /**
   * Hostnames the route matches (`*.` wildcard prefix allowed).
   * @default - the Gateway listener's hostnames
   */
  readonly hostnames?: string[];
  /**
   * Path prefix the route matches.
   * @default '/'
   */
  readonly pathPrefix?: string;
  /**
   * Name of the HTTPRoute.
   * @default - the release name
   */
  readonly routeName?: string;
}

/** Options of {@link CanaryTraffic.ingressNginx}. */
export interface IngressNginxTrafficOptions {
  /** The host both Ingresses serve. */
  readonly host: string;
  /**
   * Path prefix both Ingresses serve.
   * @default '/'
   */
  readonly path?: string;
  /**
   * The IngressClass of the ingress-nginx controller.
   * @default 'nginx'
   */
  readonly ingressClassName?: string;
}

/** What a CanaryRelease tells its traffic split before the tracks exist (internal). */
export interface TrafficRequest {
  /** Percent of requests for the canary. */
  readonly weight: number;
  /** Whether the release has a canary track. */
  readonly hasCanary: boolean;
  /** The props the user set on the release and its tracks that only some splits honour. */
  readonly given: {
    readonly servicePort?: number;
    readonly serviceType?: kplus.ServiceType;
    readonly stableScaling?: ServingScaling;
    readonly canaryScaling?: ServingScaling;
  };
}

/** The split decided before the tracks exist (internal). */
export interface TrafficPlan {
  /** The percent of requests the canary actually gets. */
  readonly canaryShare: number;
  /** Replaces the tracks' scaling (replica ratio: fixed counts). */
  readonly stableScaling?: ServingScaling;
  readonly canaryScaling?: ServingScaling;
  /** Replica counts, when the split is made by them. */
  readonly stableReplicas?: number;
  readonly canaryReplicas?: number;
}

/** The objects through which requests are split (internal). */
export interface TrafficObjects {
  readonly service?: kplus.Service;
  readonly httpRoute?: ApiObject;
  readonly ingress?: kplus.Ingress;
  readonly canaryIngress?: kplus.Ingress;
}

/** How an Argo Rollouts canary routes requests (internal). */
export interface RolloutRouting extends TrafficObjects {
  readonly canaryService?: kplus.Service;
  readonly trafficRouting?: RolloutCanaryStrategy['trafficRouting'];
}

/** What a CanaryRelease needs of its traffic split (internal). */
interface TrafficStrategy {
  plan(release: Construct, request: TrafficRequest): TrafficPlan;
  render(release: Construct, split: CanarySplit, request: TrafficRequest): TrafficObjects;
  /** With Argo Rollouts: the server's scaling (replica ratio: fixed), before it exists. */
  rolloutScaling(release: Construct, request: TrafficRequest): ServingScaling | undefined;
  /** With Argo Rollouts: the routing objects and the Rollout's trafficRouting. */
  rollout(release: Construct, split: CanarySplit): RolloutRouting;
}

/**
 * How a {@link CanaryRelease} sends `weight` percent of requests to the canary:
 * by replica ratio (no extra component; coarse), by a Gateway API HTTPRoute
 * (exact; needs a Gateway controller), or by ingress-nginx canary annotations.
 *
 * @example
 * import { CanaryRelease, CanaryTraffic } from 'cdk8s-ml';
 *
 * // No mesh, no Gateway: ingress-nginx's canary annotations split the requests.
 * new CanaryRelease(this, 'fraud', {
 *   stable: { image: 'registry.example.com/fraud-model:3.1.0' },
 *   canary: { image: 'registry.example.com/fraud-model:3.2.0' },
 *   weight: 20,
 *   traffic: CanaryTraffic.ingressNginx({ host: 'fraud.models.example.com', path: '/predict' }),
 * });
 */
export class CanaryTraffic {
  /**
   * The guide's way: one Service selects both tracks and the replica counts set the
   * share. Both tracks run fixed replica counts (an HPA per track would drift the
   * ratio), so their `scaling` must not be set.
   */
  public static replicaRatio(options: ReplicaRatioOptions): CanaryTraffic {
    return new CanaryTraffic(new ReplicaRatio(options.totalReplicas));
  }

  /**
   * A `gateway.networking.k8s.io/v1` HTTPRoute with weighted backendRefs to the
   * stable and canary Services. Each track keeps its own scaling (HPA).
   */
  public static gatewayApi(options: GatewayApiTrafficOptions): CanaryTraffic {
    return new CanaryTraffic(new Routed((release, split) => ({ httpRoute: createCanaryHttpRoute(release, options, split) }),
      (release, split) => {
        const canaryService = twinService(release, 'CanaryService', split.stable, `${split.name}-canary`, split.labels);
        const canaryBackend = { name: canaryService.name, port: split.stable.servicePort };
        const httpRoute = createCanaryHttpRoute(release, options, { ...split, canaryBackend });
        const namespace = Chart.of(release).namespace;
        // The plugin's config: the route whose backendRefs it re-weights.
        // https://rollouts-plugin-trafficrouter-gatewayapi.readthedocs.io/en/latest/quick-start/
        const config = { httpRoute: httpRoute.name, ...(namespace ? { namespace } : {}) };
        return { canaryService, httpRoute, trafficRouting: { plugins: { [GATEWAY_API_PLUGIN]: config } } };
      }));
  }

  /**
   * An Ingress to the stable Service and a second Ingress for the same host and
   * path to the canary Service, annotated `nginx.ingress.kubernetes.io/canary:
   * "true"` and `canary-weight: <weight>`.
   */
  public static ingressNginx(options: IngressNginxTrafficOptions): CanaryTraffic {
    return new CanaryTraffic(new Routed((release, split) => createCanaryIngresses(release, options, split),
      (release, split) => {
        // Argo Rollouts creates and re-weights the canary Ingress itself, from the stable one.
        // https://argo-rollouts.readthedocs.io/en/stable/features/traffic-management/nginx/
        const canaryService = twinService(release, 'CanaryService', split.stable, `${split.name}-canary`, split.labels);
        const { ingress } = createCanaryIngresses(release, options, { ...split, canary: undefined });
        return { canaryService, ingress, trafficRouting: { nginx: { stableIngress: ingress.name } } };
      }));
  }

  private constructor(private readonly strategy: TrafficStrategy) {}

  /**
   * Validates the release's props for this split and decides the tracks' scaling,
   * before they are created. Errors are reported against the release.
   * @internal
   */
  public _plan(release: Construct, request: TrafficRequest): TrafficPlan {
    return this.strategy.plan(release, request);
  }

  /** @internal */
  public _rolloutScaling(release: Construct, request: TrafficRequest): ServingScaling | undefined {
    return this.strategy.rolloutScaling(release, request);
  }

  /** @internal */
  public _rollout(release: Construct, split: CanarySplit): RolloutRouting {
    return this.strategy.rollout(release, split);
  }

  /**
   * Creates the objects that split the requests, once the tracks exist.
   * @internal
   */
  public _render(release: Construct, split: CanarySplit, request: TrafficRequest): TrafficObjects {
    return this.strategy.render(release, split, request);
  }
}

/** One Service over both tracks; the replica counts set the share. */
class ReplicaRatio implements TrafficStrategy {
  public constructor(private readonly totalReplicas: number) {}

  public plan(release: Construct, request: TrafficRequest): TrafficPlan {
    const total = this.totalReplicas;
    requireInteger(release, 'totalReplicas', total, 1);
    for (const [track, scaling] of [['stable', request.given.stableScaling], ['canary', request.given.canaryScaling]] as const) {
      if (scaling) {
        throw invalidProp(release, `${track}.scaling`, 'must not be set with CanaryTraffic.replicaRatio: both tracks run fixed replica counts computed from totalReplicas and weight (use CanaryTraffic.gatewayApi to autoscale each track)');
      }
    }
    const weight = request.weight;
    const split = splitReplicas(total, weight);
    const hint = () => `use totalReplicas >= ${minimumTotalForBothTracks(weight)} for this weight`;
    if (weight > 0 && split.canary === 0) {
      throw invalidProp(release, 'weight', `(${weight}) with totalReplicas (${total}) gives the canary 0 replicas (the closest share is 0%), so it would get no requests: ${hint()}`);
    }
    if (weight < 100 && split.stable === 0) {
      throw invalidProp(release, 'weight', `(${weight}) with totalReplicas (${total}) gives the stable track 0 replicas (the closest share is 100%), so every request would go to the canary: ${hint()}`);
    }
    return {
      canaryShare: split.canaryShare,
      stableScaling: ServingScaling.fixed(split.stable),
      canaryScaling: ServingScaling.fixed(split.canary),
      stableReplicas: split.stable,
      canaryReplicas: request.hasCanary ? split.canary : undefined,
    };
  }

  public render(release: Construct, split: CanarySplit, request: TrafficRequest): TrafficObjects {
    return { service: createSharedService(release, split, request.given.servicePort, request.given.serviceType) };
  }

  public rolloutScaling(release: Construct, request: TrafficRequest): ServingScaling {
    requireInteger(release, 'totalReplicas', this.totalReplicas, 1);
    if (request.given.stableScaling) {
      throw invalidProp(release, 'stable.scaling', 'must not be set with CanaryTraffic.replicaRatio: the rollout runs totalReplicas replicas, which Argo Rollouts splits by weight');
    }
    return ServingScaling.fixed(this.totalReplicas);
  }

  public rollout(): RolloutRouting {
    // No router: Argo Rollouts sets the weight by replica counts behind the server's own Service.
    return {};
  }
}

/** Weighted routing by a router in front of each track's own Service. */
class Routed implements TrafficStrategy {
  public constructor(
    private readonly create: (release: Construct, split: CanarySplit) => TrafficObjects,
    private readonly createForRollout: (release: Construct, split: CanarySplit) => RolloutRouting,
  ) {}

  public rolloutScaling(release: Construct, request: TrafficRequest): undefined {
    this.plan(release, request);
    return undefined;
  }

  public rollout(release: Construct, split: CanarySplit): RolloutRouting {
    return this.createForRollout(release, split);
  }

  public plan(release: Construct, request: TrafficRequest): TrafficPlan {
    // Only replica ratio has a Service of its own; anything else would be silently ignored.
    for (const prop of ['servicePort', 'serviceType'] as const) {
      if (request.given[prop] !== undefined) {
        throw invalidProp(release, prop, 'only applies to CanaryTraffic.replicaRatio: routed traffic goes to each track\'s own Service (set it in stable and canary)');
      }
    }
    return { canaryShare: request.weight };
  }

  public render(release: Construct, split: CanarySplit): TrafficObjects {
    // A track given requests must run replicas.
    const weight = split.weight;
    if (split.canary && weight > 0 && split.canary.minReplicas < 1) {
      throw invalidProp(release, 'weight', `(${weight}) sends requests to a canary with 0 replicas (canary.scaling): run at least one canary replica, or set weight to 0`);
    }
    if (weight < 100 && split.stable.minReplicas < 1) {
      throw invalidProp(release, 'weight', `(${weight}) leaves ${100 - weight}% of requests to a stable track with 0 replicas (stable.scaling): run at least one stable replica, or set weight to 100`);
    }
    return this.create(release, split);
  }
}
