/** How a {@link CanaryRelease} splits requests between stable and canary. */
export enum CanaryTrafficMode {
  /** One Service over both tracks; the share follows the replica counts (the guide's way). */
  REPLICA_RATIO = 'replica-ratio',
  /** A Gateway API HTTPRoute with weighted backendRefs: exact weights. */
  GATEWAY_API = 'gateway-api',
  /** An ingress-nginx Ingress plus a canary Ingress with `canary-weight`. */
  INGRESS_NGINX = 'ingress-nginx',
}

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

/**
 * How a {@link CanaryRelease} sends `weight` percent of requests to the canary:
 * by replica ratio (no extra component; coarse), by a Gateway API HTTPRoute
 * (exact; needs a Gateway controller), or by ingress-nginx canary annotations.
 */
export class CanaryTraffic {
  /**
   * The guide's way: one Service selects both tracks and the replica counts set the
   * share. Both tracks run fixed replica counts (an HPA per track would drift the
   * ratio), so their `scaling` must not be set.
   */
  public static replicaRatio(options: ReplicaRatioOptions): CanaryTraffic {
    return new CanaryTraffic(CanaryTrafficMode.REPLICA_RATIO, options.totalReplicas);
  }

  /**
   * A `gateway.networking.k8s.io/v1` HTTPRoute with weighted backendRefs to the
   * stable and canary Services. Each track keeps its own scaling (HPA).
   */
  public static gatewayApi(options: GatewayApiTrafficOptions): CanaryTraffic {
    return new CanaryTraffic(CanaryTrafficMode.GATEWAY_API, undefined, options);
  }

  /**
   * An Ingress to the stable Service and a second Ingress for the same host and
   * path to the canary Service, annotated `nginx.ingress.kubernetes.io/canary:
   * "true"` and `canary-weight: <weight>`.
   */
  public static ingressNginx(options: IngressNginxTrafficOptions): CanaryTraffic {
    return new CanaryTraffic(CanaryTrafficMode.INGRESS_NGINX, undefined, undefined, options);
  }

  private constructor(
    /** Which way. */
    public readonly mode: CanaryTrafficMode,
    /** Replicas of both tracks, for replica ratio. */
    public readonly totalReplicas?: number,
    /** The HTTPRoute's settings, for the Gateway API. */
    public readonly gatewayOptions?: GatewayApiTrafficOptions,
    /** The Ingresses' settings, for ingress-nginx. */
    public readonly ingressOptions?: IngressNginxTrafficOptions,
  ) {}
}
