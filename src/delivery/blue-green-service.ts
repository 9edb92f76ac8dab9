import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { BlueGreenRolloutOptions, createBlueGreenRollout } from './blue-green-rollout';
import { IdleColorDeployment, IdleColorPolicy } from './idle-color-policy';
import { requireAppLabels, requireDistinctReleases, requireSelectsPods, trackServingProps } from './release-tracks';
import { asPropOf, invalidProp } from '../core/errors';
import { MlLabels } from '../core/labels';
import { applyObjectMetadata, ObjectMetadataOptions } from '../core/metadata-validation';
import { requirePort, requireProps, requireServiceName } from '../core/validation';
import { MlModelServing, MlModelServingProps } from '../serving/ml-model-serving';

/** The two colors of a {@link BlueGreenService}. */
export enum BlueGreenColor {
  /** Pods labelled `version: blue`. */
  BLUE = 'blue',
  /** Pods labelled `version: green`. */
  GREEN = 'green',
}

/** Properties of {@link BlueGreenService}. */
export interface BlueGreenServiceProps {
  /**
   * Base name: the active Service's default name, and `<name>-blue` /
   * `<name>-green` name each color's objects.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * The blue color: a complete model server. Its `labels` and `selectorLabels` may
   * not set `version`, which this construct sets to `blue`.
   * @default - no blue color (only allowed while green is active)
   */
  readonly blue?: MlModelServingProps;
  /**
   * The green color, as `blue`.
   * @default - no green color (only allowed while blue is active)
   */
  readonly green?: MlModelServingProps;
  /**
   * The color the active Service sends live traffic to. Switching it is the
   * promotion; switching back is the rollback.
   */
  readonly activeColor: BlueGreenColor;
  /**
   * What runs of the other color.
   * @default IdleColorPolicy.keepWarm()
   */
  readonly idle?: IdleColorPolicy;
  /**
   * Labels both colors' pods carry, selected (with `version`) by the active and
   * preview Services.
   * @default { app: <name> } - the guide's `app: ml-model`
   */
  readonly appLabels?: { [key: string]: string };
  /**
   * Name of the active Service, e.g. the guide's `ml-model-service`.
   * @default - the name
   */
  readonly activeServiceName?: string;
  /**
   * Name of the preview Service, which selects the idle color.
   * @default '<name>-preview'
   */
  readonly previewServiceName?: string;
  /**
   * Port of the active and preview Services; they forward to the colors' `port`.
   * @default 80
   */
  readonly servicePort?: number;
  /**
   * Type of the active Service (the preview Service is always ClusterIP).
   * @default kplus.ServiceType.CLUSTER_IP
   */
  readonly serviceType?: kplus.ServiceType;
  /**
   * Run the release with Argo Rollouts: the `activeColor`'s server is then THE
   * server (its Deployment becomes a Rollout), the other color and `idle` must be
   * unset, and each change of its pod template comes up behind the preview Service
   * and is promoted (after the pre-promotion analysis) by Argo Rollouts. The
   * server's own Service selects every version's pods: send live traffic to the
   * active Service.
   * @default - no controller: two servers and a promotion per apply
   */
  readonly rollout?: BlueGreenRolloutOptions;
  /**
   * Labels and annotations of every object this construct emits, the colors' included (their pods take the colors' own `labels`).
   * @default - none
   */
  readonly metadata?: ObjectMetadataOptions;
}

/**
 * The guide's blue-green deployment: two complete model servers (one
 * MlModelServing per color, each with its own Deployment, probes, HPA, PDB,
 * NetworkPolicy and a Service of its own named after it), pods labelled
 * `version: blue|green`, an active Service (`app: ml-model, version: blue`) that
 * takes live traffic, and a preview Service selecting the idle color for tests
 * before promotion. No controller is needed: promotion and rollback are a change
 * of `activeColor` and an apply.
 *
 * Guards, at synth time: the active color must be defined and run at least one
 * replica; both colors serve on the same port; the Services select exactly the
 * pods of one color. Two colors running the same release (same image and same
 * `app.kubernetes.io/version`) are an ERROR, not a warning: such a pair tests
 * nothing and usually means the new image was forgotten; to serve two model
 * versions with one server image, set `version` on each color.
 *
 * @example
 * import { BlueGreenColor, BlueGreenService, IdleColorPolicy } from 'cdk8s-ml';
 *
 * // Blue serves; green is deployed beside it. Promote by setting activeColor to GREEN.
 * new BlueGreenService(this, 'ml-model', {
 *   blue: { image: 'registry.example.com/ml-model:1.4.0', metrics: { port: 9090 } },
 *   green: { image: 'registry.example.com/ml-model:1.5.0', metrics: { port: 9090 } },
 *   activeColor: BlueGreenColor.BLUE,
 *   // Keep the idle color at full size: switching back is instant.
 *   idle: IdleColorPolicy.keepWarm(),
 * });
 */
export class BlueGreenService extends Construct {
  /** The label telling the colors apart (the guide's). */
  public static readonly COLOR_LABEL = 'version';

  /** The base name. */
  public readonly name: string;
  /** The color taking live traffic. */
  public readonly activeColor: BlueGreenColor;
  /** The other color. */
  public readonly idleColor: BlueGreenColor;
  /** The blue model server, when deployed. */
  public readonly blue?: MlModelServing;
  /** The green model server, when deployed. */
  public readonly green?: MlModelServing;
  /** The active color's model server. */
  public readonly active: MlModelServing;
  /** The idle color's model server, unless absent or removed. */
  public readonly idle?: MlModelServing;
  /** The Service taking live traffic: `appLabels` + `version: <activeColor>`. */
  public readonly activeService: kplus.Service;
  /** The Service selecting the idle color, when it is deployed. */
  public readonly previewService?: kplus.Service;
  /** The active Service's selector. */
  public readonly activeSelector: { [key: string]: string };
  /** The Argo Rollouts Rollout, with `rollout`. */
  public readonly rollout?: ApiObject;

  public constructor(scope: Construct, id: string, props: BlueGreenServiceProps) {
    super(scope, id);
    requireProps(this, props, ['activeColor']);
    this.name = props.name ?? id;
    const suffixes = [
      ...(props.previewServiceName ? [] : ['-preview']),
      ...(props.blue && !props.blue.name ? ['-blue'] : []),
      ...(props.green && !props.green.name ? ['-green'] : []),
    ];
    requireServiceName(this, 'name', this.name, suffixes);
    const colors = Object.values(BlueGreenColor) as string[];
    if (!colors.includes(props.activeColor)) {
      throw invalidProp(this, 'activeColor', `('${props.activeColor}') must be one of ${colors.map(c => `'${c}'`).join(', ')}`);
    }
    this.activeColor = props.activeColor;
    this.idleColor = this.activeColor === BlueGreenColor.BLUE ? BlueGreenColor.GREEN : BlueGreenColor.BLUE;
    const appLabels = props.appLabels ?? { app: this.name };
    requireAppLabels(this, appLabels);
    if (Object.prototype.hasOwnProperty.call(appLabels, BlueGreenService.COLOR_LABEL)) {
      throw invalidProp(this, 'appLabels', `must not contain '${BlueGreenService.COLOR_LABEL}': the Services add it per color, and one value would select both colors`);
    }
    const servicePort = props.servicePort ?? 80;
    requirePort(this, 'servicePort', servicePort);
    if (props.rollout) {
      const other = this.idleColor;
      if (this.colorProps(props, other) !== undefined) {
        throw invalidProp(this, other, `must not be set with rollout: Argo Rollouts runs the new version as the preview of ${this.activeColor}'s server`);
      }
      if (props.idle !== undefined) throw invalidProp(this, 'idle', 'must not be set with rollout: Argo Rollouts scales the old version down after scaleDownDelay');
      const server = this.colorProps(props, this.activeColor);
      if (!server) throw invalidProp(this, this.activeColor, 'is not defined, but it is the activeColor: the active Service would select no pods');
      this.active = asPropOf(this, this.activeColor, () => new MlModelServing(this, 'Server', {
        ...server, name: server.name ?? `${this.name}-server`, labels: { ...server.labels, ...appLabels },
      }));
      if (this.activeColor === BlueGreenColor.BLUE) this.blue = this.active; else this.green = this.active;
      // Argo Rollouts adds the ReplicaSet's hash to both selectors.
      this.activeSelector = { ...appLabels };
      requireSelectsPods(this, 'active Service', this.activeSelector, this.active, this.activeColor);
      this.activeService = this.createService('ActiveService', props.activeServiceName ?? this.name,
        this.activeSelector, servicePort, props.serviceType ?? kplus.ServiceType.CLUSTER_IP, appLabels);
      this.previewService = this.createService('PreviewService', props.previewServiceName ?? `${this.name}-preview`,
        this.activeSelector, servicePort, kplus.ServiceType.CLUSTER_IP, appLabels);
      this.rollout = createBlueGreenRollout(this, this.active, props.rollout,
        { active: this.activeService.name, preview: this.previewService.name }, { ...appLabels, ...MlLabels.of({ name: this.name, component: 'model-server' }) });
      applyObjectMetadata(this, 'metadata', props.metadata);
      return;
    }
    const idle = (props.idle ?? IdleColorPolicy.keepWarm())._bind(this);

    const activeProps = this.colorProps(props, this.activeColor);
    if (!activeProps) {
      throw invalidProp(this, this.activeColor, 'is not defined, but it is the activeColor: the active Service would select no pods');
    }
    const idleProps = idle ? this.colorProps(props, this.idleColor) : undefined;

    this.active = this.createColor(this.activeColor, activeProps, appLabels);
    if (this.active.minReplicas < 1) {
      throw invalidProp(this, `${this.activeColor}.scaling`, `(${this.active.minReplicas} replicas) must run at least one replica: ${this.activeColor} is the activeColor`);
    }
    if (idle && idleProps) {
      this.idle = this.createColor(this.idleColor, idleProps, appLabels, idle);
      this.requireCompatibleColors(activeProps, idleProps);
    }
    this.blue = this.activeColor === BlueGreenColor.BLUE ? this.active : this.idle;
    this.green = this.activeColor === BlueGreenColor.GREEN ? this.active : this.idle;

    this.activeSelector = { ...appLabels, [BlueGreenService.COLOR_LABEL]: this.activeColor };
    requireSelectsPods(this, 'active Service', this.activeSelector, this.active, this.activeColor);
    this.activeService = this.createService('ActiveService', props.activeServiceName ?? this.name,
      this.activeSelector, servicePort, props.serviceType ?? kplus.ServiceType.CLUSTER_IP, appLabels);

    if (this.idle) {
      const previewSelector = { ...appLabels, [BlueGreenService.COLOR_LABEL]: this.idleColor };
      requireSelectsPods(this, 'preview Service', previewSelector, this.idle, this.idleColor);
      this.previewService = this.createService('PreviewService', props.previewServiceName ?? `${this.name}-preview`,
        previewSelector, servicePort, kplus.ServiceType.CLUSTER_IP, appLabels);
    }
    applyObjectMetadata(this, 'metadata', props.metadata);
  }

  private colorProps(props: BlueGreenServiceProps, color: BlueGreenColor): MlModelServingProps | undefined {
    return color === BlueGreenColor.BLUE ? props.blue : props.green;
  }

  private createColor(color: BlueGreenColor, props: MlModelServingProps, appLabels: { [key: string]: string },
    idle?: IdleColorDeployment): MlModelServing {
    const id = color === BlueGreenColor.BLUE ? 'Blue' : 'Green';
    return asPropOf(this, color, () => new MlModelServing(this, id, trackServingProps(this, props, {
      prop: color,
      defaultName: `${this.name}-${color}`,
      trackKey: BlueGreenService.COLOR_LABEL,
      trackValue: color,
      appLabels,
      scaling: idle?.scaling,
      dropDisruptionBudget: idle?.dropDisruptionBudget,
    })));
  }

  private requireCompatibleColors(activeProps: MlModelServingProps, idleProps: MlModelServingProps): void {
    const idle = this.idle!;
    if (idle.name === this.active.name) {
      throw invalidProp(this, `${this.idleColor}.name`, `('${idle.name}') is also ${this.activeColor}'s name: the two colors would overwrite each other's objects`);
    }
    if (idle.port !== this.active.port) {
      throw invalidProp(this, `${this.idleColor}.port`, `(${idle.port}) must equal ${this.activeColor}.port (${this.active.port}): a promotion only switches the Service's selector, not its target port`);
    }
    requireDistinctReleases(this,
      { prop: this.activeColor, image: activeProps.image, serving: this.active },
      { prop: this.idleColor, image: idleProps.image, serving: idle });
  }

  private createService(id: string, name: string, selector: { [key: string]: string }, port: number,
    type: kplus.ServiceType, appLabels: { [key: string]: string }): kplus.Service {
    const prop = id === 'ActiveService' ? 'activeServiceName' : 'previewServiceName';
    requireServiceName(this, prop, name);
    for (const [color, serving] of [[this.activeColor, this.active], [this.idleColor, this.idle]] as const) {
      if (serving?.name === name) {
        throw invalidProp(this, prop, `('${name}') is the name of ${color}'s own Service: pick another name or rename ${color}`);
      }
    }
    if (id === 'PreviewService' && name === this.activeService.name) {
      throw invalidProp(this, prop, `('${name}') is also the active Service's name`);
    }
    const service = new kplus.Service(this, id, {
      metadata: { name, labels: { ...appLabels, ...MlLabels.of({ name: this.name, component: 'model-server' }) } },
      type,
      ports: [{ name: 'http', port, targetPort: this.active.port }],
    });
    for (const [k, v] of Object.entries(selector)) service.selectLabel(k, v);
    return service;
  }
}
