import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { CanaryRolloutOptions, createCanaryRollout } from './canary-rollout';
import { CanaryTraffic, TrafficRequest } from './canary-traffic';
import { requireAppLabels, requireDistinctReleases, trackServingProps } from './release-tracks';
import { asPropOf, invalidProp } from '../core/errors';
import { MlLabels } from '../core/labels';
import { applyObjectMetadata, ObjectMetadataOptions } from '../core/metadata-validation';
import { requireInteger, requireProps, requireServiceName } from '../core/validation';
import { MlModelServing, MlModelServingProps } from '../serving/ml-model-serving';

/** Properties of {@link CanaryRelease}. */
export interface CanaryReleaseProps {
  /**
   * Base name: of the shared Service, the HTTPRoute or the Ingress, and of the
   * tracks (`<name>-stable`, `<name>-canary`) unless they are named.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * The stable track: a complete model server. Its `labels` and `selectorLabels`
   * may not set `track`, which this construct sets to `stable`. Promotion sets its
   * image to the canary's.
   */
  readonly stable: MlModelServingProps;
  /**
   * The canary track, as `stable` (e.g. the guide's `ml-model-canary` with image
   * `ml-model:v2`).
   * @default - no canary: every request goes to stable (e.g. right after a promotion)
   */
  readonly canary?: MlModelServingProps;
  /**
   * Percent of requests for the canary, an integer 0..100. 0 aborts the canary.
   * @default 0
   */
  readonly weight?: number;
  /** How requests are split. */
  readonly traffic: CanaryTraffic;
  /**
   * Labels both tracks' pods carry; the replica-ratio Service selects exactly these.
   * @default { app: <name> } - the guide's `app: ml-model`
   */
  readonly appLabels?: { [key: string]: string };
  /**
   * Port of the replica-ratio Service; it forwards to the tracks' `port`. Only
   * with `CanaryTraffic.replicaRatio`: routed traffic uses each track's own Service.
   * @default 80
   */
  readonly servicePort?: number;
  /**
   * Type of the replica-ratio Service. Only with `CanaryTraffic.replicaRatio`.
   * @default kplus.ServiceType.CLUSTER_IP
   */
  readonly serviceType?: kplus.ServiceType;
  /**
   * Run the release with Argo Rollouts: `stable` is then THE server (its Deployment
   * becomes a Rollout), each change of its image or pod is canaried through these
   * steps, `canary` and `weight` must be unset, and `traffic` routes through the
   * Argo Rollouts Gateway API plugin, ingress-nginx, or (replica ratio) replica counts.
   * @default - no controller: two servers and a weight set per apply (see the README
   *   for stepping such a canary from a pipeline)
   */
  readonly rollout?: CanaryRolloutOptions;
  /**
   * Labels and annotations of every object this construct emits, the tracks' included (their pods take the tracks' own `labels`).
   * @default - none
   */
  readonly metadata?: ObjectMetadataOptions;
}

/** Annotation keys with which a CanaryRelease reports its split. */
export class CanaryAnnotations {
  /** The weight asked for, in percent. */
  public static readonly REQUESTED_WEIGHT = 'delivery.cdk8s-ml.io/canary-weight';
  /** The share of requests the canary actually gets, in percent (2 decimals). */
  public static readonly REALIZED_SHARE = 'delivery.cdk8s-ml.io/canary-share';
  /** A sentence describing the split, for humans reading the manifest. */
  public static readonly SPLIT = 'delivery.cdk8s-ml.io/canary-split';

  private constructor() {}
}

/**
 * The guide's canary deployment: a stable and a canary model server (one
 * MlModelServing per track, each with its own Deployment, probes, PDB,
 * NetworkPolicy, ServiceAccount and a Service of its own named after it), pods
 * labelled `track: stable|canary`, and `weight` percent of requests for the
 * canary, split by replica ratio (one Service over both tracks, the guide's way),
 * by a Gateway API HTTPRoute (exact) or by ingress-nginx canary annotations. No
 * controller is needed: promotion sets the stable image to the canary's (and drops
 * the canary), abort sets `weight` to 0.
 *
 * The share actually realized is reported as `canaryShare` and as the
 * `delivery.cdk8s-ml.io/canary-share` annotation on the Service (or HTTPRoute, or
 * canary Ingress). A canary running the stable release (same image and same
 * `app.kubernetes.io/version`) is an ERROR, not a warning: it tests nothing and
 * usually means the new image was forgotten; after a promotion remove the canary,
 * and to compare two model versions on one server image, set `version`.
 *
 * @example
 * import { CanaryRelease, CanaryTraffic } from 'cdk8s-ml';
 *
 * // 10 % of the requests to v0.6.4, split by a Gateway API HTTPRoute.
 * new CanaryRelease(this, 'llm', {
 *   stable: { image: 'vllm/vllm-openai:v0.6.3', args: ['--model', '/mnt/models'], gpus: { count: 1 } },
 *   canary: { image: 'vllm/vllm-openai:v0.6.4', args: ['--model', '/mnt/models'], gpus: { count: 1 } },
 *   weight: 10,
 *   traffic: CanaryTraffic.gatewayApi({
 *     gateway: { name: 'ml-gateway', namespace: 'gateway-system' },
 *     hostnames: ['llm.example.com'],
 *   }),
 * });
 */
export class CanaryRelease extends Construct {
  /** The label telling the tracks apart. */
  public static readonly TRACK_LABEL = 'track';

  /** The base name. */
  public readonly name: string;
  /** The requested percent of requests for the canary. */
  public readonly weight: number;
  /** The percent of requests the canary actually gets (replica ratio: `100 * canary / total`). */
  public readonly canaryShare: number;
  /** The stable model server. */
  public readonly stable: MlModelServing;
  /** The canary model server, when defined. */
  public readonly canary?: MlModelServing;
  /** Stable replicas, with replica-ratio traffic. */
  public readonly stableReplicas?: number;
  /** Canary replicas, with replica-ratio traffic. */
  public readonly canaryReplicas?: number;
  /** The Service over both tracks, with replica-ratio traffic. */
  public readonly service?: kplus.Service;
  /** The Service of the stable track only (the stable MlModelServing's own). */
  public readonly stableService: kplus.Service;
  /** The Service of the canary track only (the canary MlModelServing's own). */
  public readonly canaryService?: kplus.Service;
  /** The weighted HTTPRoute, with Gateway API traffic. */
  public readonly httpRoute?: ApiObject;
  /** The Ingress to the stable Service, with ingress-nginx traffic. */
  public readonly ingress?: kplus.Ingress;
  /** The canary Ingress, with ingress-nginx traffic and a canary. */
  public readonly canaryIngress?: kplus.Ingress;
  /** The Argo Rollouts Rollout, with `rollout`. */
  public readonly rollout?: ApiObject;

  private readonly labels: { [key: string]: string };

  public constructor(scope: Construct, id: string, props: CanaryReleaseProps) {
    super(scope, id);
    requireProps(this, props, ['stable', 'traffic']);
    this.name = props.name ?? id;
    const suffixes = [...(props.stable?.name ? [] : ['-stable']), ...(props.canary && !props.canary.name ? ['-canary'] : [])];
    requireServiceName(this, 'name', this.name, suffixes);
    this.weight = props.weight ?? 0;
    requireInteger(this, 'weight', this.weight, 0, 100);
    if (!props.canary && this.weight > 0) {
      throw invalidProp(this, 'weight', `(${this.weight}) must be 0 when there is no canary`);
    }
    const appLabels = props.appLabels ?? { app: this.name };
    requireAppLabels(this, appLabels);
    if (Object.prototype.hasOwnProperty.call(appLabels, CanaryRelease.TRACK_LABEL)) {
      throw invalidProp(this, 'appLabels', `must not contain '${CanaryRelease.TRACK_LABEL}': it tells the tracks apart, and one value would select a single track`);
    }
    this.labels = { ...appLabels, ...MlLabels.of({ name: this.name, component: 'model-server' }) };
    if (props.rollout) {
      for (const prop of ['canary', 'weight'] as const) {
        if (props[prop] !== undefined) {
          throw invalidProp(this, prop, 'must not be set with rollout: Argo Rollouts makes the canary from each change of stable and sets the weight by its steps');
        }
      }
      const made = createCanaryRollout(this, {
        name: this.name,
        labels: this.labels,
        appLabels,
        server: props.stable,
        traffic: props.traffic,
        options: props.rollout,
        given: { servicePort: props.servicePort, serviceType: props.serviceType },
      });
      this.canaryShare = 0;
      this.stable = made.serving;
      this.stableService = made.serving.service;
      this.canaryService = made.canaryService;
      this.httpRoute = made.httpRoute;
      this.ingress = made.ingress;
      this.rollout = made.rollout;
      applyObjectMetadata(this, 'metadata', props.metadata);
      return;
    }
    const request: TrafficRequest = {
      weight: this.weight,
      hasCanary: props.canary !== undefined,
      given: {
        servicePort: props.servicePort,
        serviceType: props.serviceType,
        stableScaling: props.stable.scaling,
        canaryScaling: props.canary?.scaling,
      },
    };
    const plan = props.traffic._plan(this, request);
    this.canaryShare = plan.canaryShare;
    this.stableReplicas = plan.stableReplicas;
    this.canaryReplicas = plan.canaryReplicas;

    this.stable = asPropOf(this, 'stable', () => new MlModelServing(this, 'Stable', trackServingProps(this, props.stable, {
      prop: 'stable', defaultName: `${this.name}-stable`, trackKey: CanaryRelease.TRACK_LABEL, trackValue: 'stable', appLabels, scaling: plan.stableScaling,
    })));
    this.stableService = this.stable.service;
    if (props.canary) {
      const canaryProps = props.canary;
      this.canary = asPropOf(this, 'canary', () => new MlModelServing(this, 'Canary', trackServingProps(this, canaryProps, {
        prop: 'canary', defaultName: `${this.name}-canary`, trackKey: CanaryRelease.TRACK_LABEL, trackValue: 'canary', appLabels, scaling: plan.canaryScaling,
      })));
      this.canaryService = this.canary.service;
      this.requireCompatibleTracks(props.stable, props.canary);
    }

    const annotations = this.splitAnnotations();
    const split = { name: this.name, labels: this.labels, appLabels, annotations, weight: this.weight, stable: this.stable, canary: this.canary };
    const objects = props.traffic._render(this, split, request);
    this.service = objects.service;
    this.httpRoute = objects.httpRoute;
    this.ingress = objects.ingress;
    this.canaryIngress = objects.canaryIngress;
    applyObjectMetadata(this, 'metadata', props.metadata);
  }

  private requireCompatibleTracks(stableProps: MlModelServingProps, canaryProps: MlModelServingProps): void {
    const canary = this.canary!;
    if (canary.name === this.stable.name) {
      throw invalidProp(this, 'canary.name', `('${canary.name}') is also the stable track's name: the two tracks would overwrite each other's objects`);
    }
    if (canary.port !== this.stable.port) {
      throw invalidProp(this, 'canary.port', `(${canary.port}) must equal stable.port (${this.stable.port}): one Service or route serves both tracks`);
    }
    requireDistinctReleases(this,
      { prop: 'stable', image: stableProps.image, serving: this.stable },
      { prop: 'canary', image: canaryProps.image, serving: canary });
  }

  private splitAnnotations(): { [key: string]: string } {
    const share = Number(this.canaryShare.toFixed(2));
    const split = this.canaryReplicas !== undefined
      ? `canary runs ${this.canaryReplicas} of ${this.canaryReplicas + this.stableReplicas!} replicas behind one Service: ${share}% of requests for a requested ${this.weight}%`
      : `${share}% of requests to the canary by weight`;
    return {
      [CanaryAnnotations.REQUESTED_WEIGHT]: String(this.weight),
      [CanaryAnnotations.REALIZED_SHARE]: String(share),
      [CanaryAnnotations.SPLIT]: this.canary ? split : 'no canary: every request goes to the stable track',
    };
  }
}
