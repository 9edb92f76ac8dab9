import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ModelSource } from './model-source';
import { createAutoscaler } from './serving-autoscaler';
import { createServingNetworkPolicy } from './serving-network-policy';
import { ServingScaling } from './serving-scaling';
import { AfterConversion } from '../core/after-conversion';
import { ContainerModel } from '../core/container-model';
import { createDisruptionBudget, DisruptionBudgetOptions } from '../core/disruption-budget';
import { invalidProp } from '../core/errors';
import { MlWorkload, WorkloadTraits } from '../core/ml-workload';
import { TopologySpread } from '../core/placement';
import { MetricsEndpoint, prometheusScrapeAnnotations, resolveMetricNames, ServerMetricNames } from '../core/prometheus-annotations';
import { requireAbsolutePath, requireInteger, requireMetricsPath, requirePort, requireServiceName } from '../core/validation';
import { MlWorkloadProps, WorkloadPodOptions } from '../core/workload-props';

/** Properties of {@link MlModelServing}. */
export interface MlModelServingProps extends MlWorkloadProps, WorkloadPodOptions {
  /**
   * Extra labels on the pods that are also part of the Deployment's selector, the
   * Service's selector and the PDB's, e.g. `version: blue` for one color of a
   * blue-green pair. Immutable once deployed, like every selector.
   * @default - none
   */
  readonly selectorLabels?: { [key: string]: string };

  /**
   * Name of the server container, e.g. `ml-model` for the guide's
   * `kubectl set image deployment/ml-model-serving ml-model=ml-model:v2`.
   * @default 'model-server'
   */
  readonly containerName?: string;
  /**
   * Container port the server listens on.
   * @default 8080
   */
  readonly port?: number;
  /**
   * Port of the Service.
   * @default 80
   */
  readonly servicePort?: number;
  /**
   * Type of the Service.
   * @default kplus.ServiceType.CLUSTER_IP
   */
  readonly serviceType?: kplus.ServiceType;
  /**
   * Liveness probe.
   * @default - HTTP GET /health on the serving port every 10s, 3 failures
   */
  readonly liveness?: kplus.Probe;
  /**
   * Readiness probe.
   * @default - HTTP GET /ready on the serving port every 5s
   */
  readonly readiness?: kplus.Probe;
  /**
   * Startup probe; liveness and readiness start only once it has passed, so slow
   * model loading does not get the container killed.
   * @default - HTTP GET /health every 10s for up to `startupTimeout`
   */
  readonly startup?: kplus.Probe;
  /**
   * How long the default startup probe waits for the model to load.
   * @default Duration.minutes(10)
   */
  readonly startupTimeout?: Duration;

  /**
   * How the replica count is decided.
   * @default ServingScaling.autoscale() - HPA 2..20 on CPU 70% / memory 80%
   */
  readonly scaling?: ServingScaling;
  /**
   * The PodDisruptionBudget, created whenever more than one replica can run.
   * @default - maxUnavailable 1
   */
  readonly disruptionBudget?: DisruptionBudgetOptions;
  /**
   * Topology spread constraints over the server's pods.
   * @default [TopologySpread.acrossZones()] - soft spread over zones
   */
  readonly spread?: TopologySpread[];

  /**
   * Extra pods during a rolling update.
   * @default PercentOrAbsolute.percent(25)
   */
  readonly maxSurge?: kplus.PercentOrAbsolute;
  /**
   * Pods that may be unavailable during a rolling update; 0 means zero downtime.
   * @default PercentOrAbsolute.absolute(0)
   */
  readonly maxUnavailable?: kplus.PercentOrAbsolute;
  /**
   * How long a new pod must be ready before it counts as available.
   * @default Duration.seconds(0)
   */
  readonly minReady?: Duration;
  /**
   * How long a rollout may make no progress before it is reported failed.
   * @default Duration.seconds(600)
   */
  readonly progressDeadline?: Duration;
  /**
   * Old ReplicaSets kept for `kubectl rollout undo`.
   * @default 10
   */
  readonly revisionHistoryLimit?: number;
  /**
   * Who may connect to the serving (and metrics) port. Nothing else is admitted.
   * @default - anyone, in or outside the cluster
   */
  readonly ingressFrom?: kplus.INetworkPolicyPeer[];
  /**
   * Restrict egress to these peers (plus DNS on port 53, without which nothing
   * resolves). Mind what the server needs: model downloads, tracing, feature stores.
   * @default - egress unrestricted
   */
  readonly egressTo?: kplus.INetworkPolicyPeer[];

  /**
   * Metrics endpoint announced with `prometheus.io/*` pod annotations.
   * @default - no scrape annotations
   */
  readonly metrics?: MetricsEndpoint;
  /**
   * Where the model comes from, mounted read-only at `modelMountPath`.
   * @default - the model is in the image
   */
  readonly model?: ModelSource;
  /**
   * Where the model is mounted in the server.
   * @default '/mnt/models'
   */
  readonly modelMountPath?: string;
}

const DEFAULT_RESOURCES = {
  cpuRequest: kplus.Cpu.units(1),
  cpuLimit: kplus.Cpu.units(2),
  memoryRequest: Size.gibibytes(2),
  memoryLimit: Size.gibibytes(4),
};

/**
 * A production model server: the guide's `ml-model-serving` Deployment and
 * `ml-model-hpa` with everything they leave out. Deployment + Service, probes
 * (with a startup probe for slow model loads), requests and limits, GPUs, HPA v2,
 * PodDisruptionBudget, zone spreading, zero-downtime rolling updates, a
 * NetworkPolicy, a token-less ServiceAccount, metrics annotations, and the
 * restricted Pod Security Standard.
 */
export class MlModelServing extends MlWorkload {
  /** The container port the server listens on. */
  public readonly port: number;
  /** The Service port. */
  public readonly servicePort: number;
  /** Fewest replicas that run. */
  public readonly minReplicas: number;
  /** Most replicas that run. */
  public readonly maxReplicas: number;
  /** The metrics endpoint announced to Prometheus, if any. */
  public readonly metrics?: MetricsEndpoint;

  /** The Deployment. */
  public readonly deployment: kplus.Deployment;
  /** The model server container, as cdk8s-plus renders it (add env, mounts, ports here). */
  public readonly container: kplus.Container;
  /** The model server container of the workload model. @internal */
  public readonly _server: ContainerModel;
  /** The ClusterIP (by default) Service in front of the pods. */
  public readonly service: kplus.Service;
  /** The names of the server's metrics (declared in `metrics.names`), for alerts, KEDA and dashboards. */
  public readonly metricNames: ServerMetricNames;
  private _autoscaler?: kplus.HorizontalPodAutoscaler;
  private externalHpaName?: string;
  /** The PodDisruptionBudget, when more than one replica can run. */
  public readonly disruptionBudget?: kplus.k8s.KubePodDisruptionBudget;
  /** The NetworkPolicy admitting traffic to the serving port only. */
  public readonly networkPolicy: kplus.NetworkPolicy;

  public constructor(scope: Construct, id: string, props: MlModelServingProps) {
    super(scope, id, props);
    // The name is also the Service's, which must start with a letter (RFC 1035).
    requireServiceName(this, 'name', this.name);
    this.port = props.port ?? 8080;
    this.servicePort = props.servicePort ?? 80;
    requirePort(this, 'port', this.port);
    requirePort(this, 'servicePort', this.servicePort);
    if (props.metrics) {
      requirePort(this, 'metrics.port', props.metrics.port);
      if (props.metrics.scheme !== undefined && !['http', 'https'].includes(props.metrics.scheme)) {
        throw invalidProp(this, 'metrics.scheme', `('${props.metrics.scheme}') must be 'http' or 'https'`);
      }
      if (props.metrics.path !== undefined) requireMetricsPath(this, 'metrics.path', props.metrics.path);
    }
    if (props.metrics && props.metrics.port !== this.port && props.metrics.port === this.servicePort) {
      throw invalidProp(this, 'servicePort', `(${this.servicePort}) is also metrics.port, which the Service publishes too; a Service port may be used once`);
    }
    this.metrics = props.metrics;
    this.metricNames = resolveMetricNames(this, 'metrics.names.', props.metrics?.names);
    const revisionHistoryLimit = props.revisionHistoryLimit ?? 10;
    requireInteger(this, 'revisionHistoryLimit', revisionHistoryLimit, 0);
    const maxSurge = props.maxSurge ?? kplus.PercentOrAbsolute.percent(25);
    const maxUnavailable = props.maxUnavailable ?? kplus.PercentOrAbsolute.absolute(0);
    const minReady = props.minReady ?? Duration.seconds(0);
    const progressDeadline = props.progressDeadline ?? Duration.seconds(600);
    this.validateRollout(maxSurge, maxUnavailable, minReady, progressDeadline);

    const scaling = (props.scaling ?? ServingScaling.autoscale())._bind(this);
    this.minReplicas = (props.scaling ?? ServingScaling.autoscale()).minReplicas;
    this.maxReplicas = (props.scaling ?? ServingScaling.autoscale()).maxReplicas;

    this._server = this._createMainContainer(props.containerName ?? 'model-server', {
      ports: this.containerPorts(props.metrics),
      ...this.probes(props),
    }, props);
    const modelMountPath = props.modelMountPath ?? '/mnt/models';
    requireAbsolutePath(this, 'modelMountPath', modelMountPath);
    if (modelMountPath.replace(/\/+$/, '') === '/tmp') {
      throw invalidProp(this, 'modelMountPath', "('/tmp') is the writable /tmp every container gets; pick another path such as '/mnt/models'");
    }
    if (props.model) props.model._bind(this, this._server, modelMountPath);
    (props.spread ?? [TopologySpread.acrossZones()]).forEach((spread, i) => this._pod.addSpread(`spread[${i}]`, spread, this.selector));

    this.deployment = new kplus.Deployment(this, 'Deployment', {
      metadata: this._metadata(),
      podMetadata: {
        labels: this.podLabels,
        ...this._podAnnotationsField(props.metrics ? prometheusScrapeAnnotations(props.metrics) : {}),
      },
      select: false,
      replicas: scaling.replicas,
      strategy: kplus.DeploymentStrategy.rollingUpdate({ maxSurge, maxUnavailable }),
      minReady,
      progressDeadline,
    });
    this.deployment.select(kplus.LabelSelector.of({ labels: this.selector }));
    [this.container] = this._pod.bindTo(this.deployment);
    AfterConversion.of(this.deployment)._addStage(manifest => {
      manifest.spec.revisionHistoryLimit = revisionHistoryLimit;
    });

    this.service = new kplus.Service(this, 'Service', {
      metadata: this._metadata(),
      type: props.serviceType ?? kplus.ServiceType.CLUSTER_IP,
      ports: [
        { name: 'http', port: this.servicePort, targetPort: this.port },
        // A separate metrics port is published too, so a ServiceMonitor can name it.
        ...(props.metrics && props.metrics.port !== this.port
          ? [{ name: 'metrics', port: props.metrics.port, targetPort: props.metrics.port }] : []),
      ],
    });
    for (const [k, v] of Object.entries(this.selector)) this.service.selectLabel(k, v);

    if (scaling.autoscaling) {
      this._autoscaler = createAutoscaler(this, this.deployment, scaling.autoscaling, this.minReplicas, this.maxReplicas);
    } else if (scaling.external) {
      // The external scaler owns spec.replicas; rendering one would fight it on every apply.
      this.deployment.markHasAutoscaler();
    }
    this.disruptionBudget = createDisruptionBudget(
      this, this._metadata(), this.selector, props.disruptionBudget, this.minReplicas, this.maxReplicas);

    const ports = [this.port, ...(props.metrics && props.metrics.port !== this.port ? [props.metrics.port] : [])];
    this.networkPolicy = createServingNetworkPolicy(this, ports, props.ingressFrom, props.egressTo);
  }

  /** @internal */
  protected _traits(_id: string, props: MlModelServingProps): WorkloadTraits {
    return {
      component: 'model-server',
      defaultResources: DEFAULT_RESOURCES,
      guaranteedQosByDefault: false,
      maxGpusPerNode: 16,
      selectorLabels: props.selectorLabels,
      pod: props,
      defaultTerminationGrace: Duration.seconds(60),
    };
  }

  /** The server's own HPA, when scaling is `autoscale` and no external scaler replaced it. */
  public get autoscaler(): kplus.HorizontalPodAutoscaler | undefined {
    return this._autoscaler;
  }

  /**
   * The name of the HorizontalPodAutoscaler that scales the server: its own, or the
   * one KEDA creates once a `ServingScaledObject` took over; undefined for a fixed
   * replica count.
   */
  public get hpaName(): string | undefined {
    return this.externalHpaName ?? this._autoscaler?.name;
  }

  /**
   * Hands the replica count to an external scaler (KEDA), which creates its own
   * HPA `hpaName`: the server's HPA is removed, so the two never fight. A fixed
   * replica count is refused (every apply would reset it).
   * @internal
   */
  public _replaceAutoscaler(hpaName: string): void {
    if (this._autoscaler) {
      this.node.tryRemoveChild(this._autoscaler.node.id);
      this._autoscaler = undefined;
      this.deployment.markHasAutoscaler();
    }
    this.externalHpaName = hpaName;
  }

  /** Refuses rollouts Kubernetes would reject or that could never progress. */
  private validateRollout(
    maxSurge: kplus.PercentOrAbsolute, maxUnavailable: kplus.PercentOrAbsolute, minReady: Duration, progressDeadline: Duration,
  ): void {
    for (const [prop, value] of [['maxSurge', maxSurge], ['maxUnavailable', maxUnavailable]] as const) {
      const v = value.value;
      const percent = typeof v === 'string' ? Number(v.replace('%', '')) : undefined;
      if (percent !== undefined ? !(Number.isInteger(percent) && percent >= 0 && percent <= 100) : !(Number.isInteger(v) && v >= 0)) {
        throw invalidProp(this, prop, `(${v}) must be a whole number >= 0 or a percentage from 0% to 100%`);
      }
    }
    if (maxSurge.isZero() && maxUnavailable.isZero()) {
      throw invalidProp(this, 'maxSurge', 'and maxUnavailable cannot both be 0: the rollout could never replace a pod');
    }
    if (progressDeadline.toSeconds() <= minReady.toSeconds()) {
      throw invalidProp(this, 'progressDeadline', `(${progressDeadline.toSeconds()}s) must be greater than minReady (${minReady.toSeconds()}s)`);
    }
  }

  private containerPorts(metrics?: MetricsEndpoint): kplus.ContainerPort[] {
    const ports: kplus.ContainerPort[] = [{ name: 'http', number: this.port }];
    if (metrics && metrics.port !== this.port) ports.push({ name: 'metrics', number: metrics.port });
    return ports;
  }

  private probes(props: MlModelServingProps): Pick<kplus.ContainerProps, 'liveness' | 'readiness' | 'startup'> {
    const period = 10;
    const startupTimeout = props.startupTimeout ?? Duration.minutes(10);
    const startupFailures = Math.ceil(startupTimeout.toSeconds() / period);
    if (startupFailures < 1) {
      throw invalidProp(this, 'startupTimeout', `(${startupTimeout.toSeconds()}s) must be at least ${period}s`);
    }
    return {
      liveness: props.liveness ?? kplus.Probe.fromHttpGet('/health', {
        port: this.port, periodSeconds: Duration.seconds(period), timeoutSeconds: Duration.seconds(5), failureThreshold: 3,
      }),
      readiness: props.readiness ?? kplus.Probe.fromHttpGet('/ready', {
        port: this.port, periodSeconds: Duration.seconds(5), timeoutSeconds: Duration.seconds(5), failureThreshold: 3,
      }),
      startup: props.startup ?? kplus.Probe.fromHttpGet('/health', {
        port: this.port, periodSeconds: Duration.seconds(period), timeoutSeconds: Duration.seconds(5), failureThreshold: startupFailures,
      }),
    };
  }
}
