import { ApiObject, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ModelSource } from './model-source';
import { RuntimeSpec } from './runtimes/runtime-spec';
import { ServingRuntime } from './runtimes/serving-runtime';
import { createAutoscaler } from './serving-autoscaler';
import { createServingHttpRoute, createServingIngress, ServingHttpRouteOptions, ServingIngressOptions } from './serving-exposure';
import { drainHook, progressDeadlineOf, serverProbes, validateRollout } from './serving-lifecycle';
import { createServingNetworkPolicy } from './serving-network-policy';
import { ServingScaling } from './serving-scaling';
import { AfterConversion } from '../core/after-conversion';
import { ContainerModel } from '../core/container-model';
import { createDisruptionBudget, DisruptionBudgetOptions } from '../core/disruption-budget';
import { invalidProp } from '../core/errors';
import { MlWorkload, WorkloadTraits } from '../core/ml-workload';
import { TopologySpread } from '../core/placement';
import { CLASSIC_METRIC_NAMES, MetricsEndpoint, prometheusScrapeAnnotations, resolveMetricNames, ServerMetricNames } from '../core/prometheus-annotations';
import { requireAbsolutePath, requireInteger, requireMetricsPath, requirePort, requireServiceName, requireWholeSeconds } from '../core/validation';
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
   * The model server software (vLLM, Triton, MLServer, TGI, TorchServe, custom):
   * image default, arguments, ports, probes, metrics and their names, `/dev/shm`,
   * writable caches, KEDA signal. Every prop set here still wins over the runtime's.
   * @default - none: a generic HTTP server described by these props
   */
  readonly runtime?: ServingRuntime;
  /**
   * Container port the server listens on.
   * @default - the runtime's, else 8080
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
   * @default - HTTP GET `livenessPath` on the serving port every 10s, 3 failures
   */
  readonly liveness?: kplus.Probe;
  /**
   * Path of the default liveness probe.
   * @default - the runtime's liveness path, else '/health'
   */
  readonly livenessPath?: string;
  /**
   * Readiness probe.
   * @default - HTTP GET `readinessPath` on the serving port every 5s
   */
  readonly readiness?: kplus.Probe;
  /**
   * Path of the default readiness probe (the model is loaded and can serve).
   * @default - the runtime's readiness path, else '/ready'
   */
  readonly readinessPath?: string;
  /**
   * Startup probe; liveness and readiness start only once it has passed, so slow
   * model loading does not get the container killed.
   * A probe given here is not counted in the derived progress deadline: set
   * `startupTimeout` (or `progressDeadline`) to cover it.
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
   * How long a rollout may make no progress before it is reported failed; at
   * least the startup budget (`startupTimeout`) plus `downloadTimeout`, or every
   * slow model load would be reported as a failed rollout.
   * @default - startupTimeout + downloadTimeout + 2 minutes for scheduling and the image pull, at least 600s
   */
  readonly progressDeadline?: Duration;
  /**
   * How long the model download (a storage initializer, or the runtime fetching a
   * model id) may take, counted in the progress deadline.
   * @default - 10 minutes with a model that is downloaded or a runtime, else 0
   */
  readonly downloadTimeout?: Duration;
  /**
   * How long a terminating pod keeps answering while Services, kube-proxy and load
   * balancers remove it (the default preStop `sleep`), so rollouts drop no request.
   * Ignored when `preStop` is set.
   * @default Duration.seconds(15)
   */
  readonly drainPeriod?: Duration;
  /**
   * How long in-flight requests may take to finish after SIGTERM (LLM generations
   * run long): the termination grace period must cover the preStop hook plus this.
   * @default Duration.seconds(30)
   */
  readonly inFlightTimeout?: Duration;
  /**
   * Expose the server through a Gateway API HTTPRoute.
   * @default - no route
   */
  readonly httpRoute?: ServingHttpRouteOptions;
  /**
   * Expose the server through an Ingress.
   * @default - no Ingress
   */
  readonly ingress?: ServingIngressOptions;
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
   * @default - the runtime's metrics endpoint and names; without a runtime, no scrape annotations
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
 *
 * @example
 * import { MlModelServing, ModelSource, ServingScaling } from 'cdk8s-ml';
 *
 * // Deployment, Service, HPA, PodDisruptionBudget, NetworkPolicy and ServiceAccount,
 * // restricted pods with probes, requests and limits.
 * const bert = new MlModelServing(this, 'bert', {
 *   image: 'registry.example.com/bert-server:1.4.2',
 *   gpus: { count: 1, product: 'NVIDIA-A100-SXM4-40GB' },
 *   model: ModelSource.fromStorageUri('s3://models/bert/7'),
 *   scaling: ServingScaling.autoscale({ minReplicas: 2, maxReplicas: 20 }),
 *   metrics: { port: 9090 },
 *   startupTimeout: Duration.minutes(8),
 * });
 * // The children are cdk8s-plus objects: keep composing.
 * bert.deployment.podMetadata.addAnnotation('team', 'search');
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
  /** The names of the server's metrics (declared in `metrics.names`, or the runtime's), for alerts, KEDA and dashboards. */
  public readonly metricNames: ServerMetricNames;
  /** The serving runtime, if any. */
  public readonly runtime?: ServingRuntime;
  /** The runtime resolved for this server. @internal */
  public readonly _runtimeSpec?: RuntimeSpec;
  private _autoscaler?: kplus.HorizontalPodAutoscaler;
  private externalHpaName?: string;
  /** The PodDisruptionBudget, when more than one replica can run. */
  public readonly disruptionBudget?: kplus.k8s.KubePodDisruptionBudget;
  /** The NetworkPolicy admitting traffic to the serving port only. */
  public readonly networkPolicy: kplus.NetworkPolicy;
  /** Whether `ingressFrom` restricts who may connect (a scraper must then be admitted). */
  public readonly ingressRestricted: boolean;
  /** How long a new pod may take to become ready: startup timeout plus download timeout (alerts wait it out). */
  public readonly startupBudget: Duration;
  /** The Ingress, when `ingress` is set. */
  public readonly ingress?: kplus.Ingress;
  /** The HTTPRoute, when `httpRoute` is set. */
  public readonly httpRoute?: ApiObject;

  public constructor(scope: Construct, id: string, props: MlModelServingProps) {
    super(scope, id, props);
    for (const [prop, d, min] of [['startupTimeout', props.startupTimeout, 0], ['downloadTimeout', props.downloadTimeout, 0],
      ['drainPeriod', props.drainPeriod, 0], ['inFlightTimeout', props.inFlightTimeout, 0], ['progressDeadline', props.progressDeadline, 1],
      ['minReady', props.minReady, 0]] as const) {
      requireWholeSeconds(this, prop, d, min);
    }
    props.preStop?._validate(this, 'preStop');
    // The name is also the Service's, which must start with a letter (RFC 1035).
    requireServiceName(this, 'name', this.name);
    const modelMountPath = props.modelMountPath ?? '/mnt/models';
    requireAbsolutePath(this, 'modelMountPath', modelMountPath);
    if (modelMountPath.replace(/\/+$/, '') === '/tmp') {
      throw invalidProp(this, 'modelMountPath', "('/tmp') is the writable /tmp every container gets; pick another path such as '/mnt/models'");
    }
    this.runtime = props.runtime;
    const rt = props.runtime?._resolve(this, {
      gpuCount: this.gpuCount, modelPath: props.model ? modelMountPath : undefined, serverName: this.name, port: props.port,
    });
    this._runtimeSpec = rt;
    this.port = props.port ?? rt?.port ?? 8080;
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
    // A runtime serving metrics on its API port follows a user-moved port.
    const runtimeMetrics: MetricsEndpoint | undefined = rt && {
      port: rt.metricsPort === rt.port ? this.port : rt.metricsPort, path: rt.metricsPath, names: rt.metricNames,
    };
    this.metrics = props.metrics ?? runtimeMetrics;
    const defaultNames = rt && !props.runtime!._classicNames ? rt.metricNames : CLASSIC_METRIC_NAMES;
    this.metricNames = resolveMetricNames(this, 'metrics.names.', props.metrics?.names, defaultNames);
    const revisionHistoryLimit = props.revisionHistoryLimit ?? 10;
    requireInteger(this, 'revisionHistoryLimit', revisionHistoryLimit, 0);
    const maxSurge = props.maxSurge ?? kplus.PercentOrAbsolute.percent(25);
    const maxUnavailable = props.maxUnavailable ?? kplus.PercentOrAbsolute.absolute(0);
    const minReady = props.minReady ?? Duration.seconds(0);
    const downloads = props.model !== undefined || props.runtime !== undefined;
    this.startupBudget = Duration.seconds((props.startupTimeout ?? Duration.minutes(10)).toSeconds()
      + (props.downloadTimeout ?? Duration.minutes(downloads ? 10 : 0)).toSeconds());
    const progressDeadline = progressDeadlineOf(this, props, this.startupBudget);
    validateRollout(this, maxSurge, maxUnavailable, minReady, progressDeadline);

    const scaling = (props.scaling ?? ServingScaling.autoscale())._bind(this);
    this.minReplicas = (props.scaling ?? ServingScaling.autoscale()).minReplicas;
    this.maxReplicas = (props.scaling ?? ServingScaling.autoscale()).maxReplicas;

    this._server = this._createMainContainer(props.containerName ?? 'model-server', {
      ports: [...this.containerPorts(this.metrics), ...(rt?.extraPorts ?? [])],
      ...serverProbes(this, this.port, props, rt),
      ...(rt ? {
        command: props.command ?? rt.command,
        args: props.args ?? rt.args,
        env: { ...props.runtime!._env(rt), ...props.env },
      } : {}),
    }, props);
    if (rt) props.runtime!._bind(this, this._server, rt);
    this._server.preStop = drainHook(this, props);
    if (props.model) props.model._bind(this, this._server, modelMountPath);
    (props.spread ?? [TopologySpread.acrossZones()]).forEach((spread, i) => this._pod.addSpread(`spread[${i}]`, spread, this.selector));

    this.deployment = new kplus.Deployment(this, 'Deployment', {
      metadata: this._metadata(),
      podMetadata: {
        labels: this.podLabels,
        ...this._podAnnotationsField(this.metrics ? prometheusScrapeAnnotations(this.metrics) : {}),
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
        ...(this.metrics && this.metrics.port !== this.port
          ? [{ name: 'metrics', port: this.metrics.port, targetPort: this.metrics.port }] : []),
        ...(rt?.extraPorts ?? []).map(p => ({ name: p.name, port: p.number, targetPort: p.number })),
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

    const ports = [
      this.port, ...(this.metrics && this.metrics.port !== this.port ? [this.metrics.port] : []), ...(rt?.extraPorts ?? []).map(p => p.number),
    ];
    this.networkPolicy = createServingNetworkPolicy(this, ports, props.ingressFrom, props.egressTo);
    this.ingressRestricted = props.ingressFrom !== undefined;
    if (props.httpRoute) {
      this.httpRoute = createServingHttpRoute(this, this._metadata(), this.service.name, this.servicePort, props.httpRoute);
    }
    if (props.ingress) this.ingress = createServingIngress(this, this._metadata(), this.service, this.servicePort, props.ingress);
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
      defaultImage: props.runtime?.image,
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

  private containerPorts(metrics?: MetricsEndpoint): kplus.ContainerPort[] {
    const ports: kplus.ContainerPort[] = [{ name: 'http', number: this.port }];
    if (metrics && metrics.port !== this.port) ports.push({ name: 'metrics', number: metrics.port });
    return ports;
  }
}
