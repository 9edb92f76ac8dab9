import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { bindModelSource, ModelSource } from './model-source';
import { createAutoscaler } from './serving-autoscaler';
import { createServingNetworkPolicy } from './serving-network-policy';
import { ServingScaling, ServingScalingMode } from './serving-scaling';
import { createDisruptionBudget, DisruptionBudgetOptions } from '../core/disruption-budget';
import { invalidProp } from '../core/errors';
import { requirePinnedImage, versionFromImage } from '../core/image';
import { MlLabels } from '../core/labels';
import { applyTopologySpread, TopologySpread } from '../core/placement';
import { PodTemplatePatch } from '../core/pod-template-patch';
import { MetricsEndpoint, prometheusScrapeAnnotations } from '../core/prometheus-annotations';
import { applyGpus, completeResources, GpuOptions, QosClass, qosClassOf, validateGpus } from '../core/resources';
import { ISchedulable, NodeRequirement, NodeToleration, SchedulableWorkload } from '../core/scheduling';
import { hardenPod, mountWritableTmp, PodIdentityOptions, secureContainerContext, securePodContext } from '../core/security';
import { requireDnsLabel, requireDnsSubdomain, requireInteger, requireLabelValue, requirePercentage, requirePort } from '../core/validation';

/** Properties of {@link MlModelServing}. */
export interface MlModelServingProps {
  /**
   * The model server image. `:latest` and untagged images are refused unless
   * `allowMutableImageTag` is set.
   */
  readonly image: string;
  /**
   * Accept `:latest` or untagged images.
   * @default false
   */
  readonly allowMutableImageTag?: boolean;
  /**
   * Name of every object (Deployment, Service, HPA, PDB, NetworkPolicy,
   * ServiceAccount) and the `app.kubernetes.io/name` label. An RFC 1123 label.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * The `app.kubernetes.io/version` label.
   * @default - the image tag (or digest prefix), so changing the image changes it
   */
  readonly version?: string;
  /**
   * The `app.kubernetes.io/part-of` label.
   * @default - none
   */
  readonly partOf?: string;
  /**
   * Extra labels on the pods and every object, e.g. the guide's `app: ml-model`.
   * Not part of any selector.
   * @default - none
   */
  readonly labels?: { [key: string]: string };
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
   * PriorityClass of the pods (e.g. a `PriorityClass.onlineServing()`'s name).
   * @default - the cluster's default priority
   */
  readonly priorityClassName?: string;
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
   * Entrypoint override.
   * @default - the image's entrypoint
   */
  readonly command?: string[];
  /**
   * Arguments.
   * @default - the image's arguments
   */
  readonly args?: string[];
  /**
   * Environment variables.
   * @default - none
   */
  readonly env?: { [name: string]: kplus.EnvValue };
  /**
   * Environment from ConfigMaps or Secrets.
   * @default - none
   */
  readonly envFrom?: kplus.EnvFrom[];

  /**
   * CPU, memory and ephemeral storage. Requests and limits are always both set.
   * @default - requests cpu 1 / memory 2Gi, limits cpu 2 / memory 4Gi (the guide's)
   */
  readonly resources?: kplus.ContainerResources;
  /**
   * Set limits equal to requests so the pods get the Guaranteed QoS class
   * (last to be evicted under node pressure).
   * @default false
   */
  readonly guaranteedQos?: boolean;
  /**
   * GPUs per replica.
   * @default - no GPUs
   */
  readonly gpus?: GpuOptions;

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
   * Time given to in-flight requests after SIGTERM.
   * @default Duration.seconds(60)
   */
  readonly terminationGracePeriod?: Duration;

  /**
   * Mount the ServiceAccount token into the pods.
   * @default false
   */
  readonly automountServiceAccountToken?: boolean;
  /**
   * UID, GID and fsGroup of the pods.
   * @default - 1000 / 1000 / 1000
   */
  readonly podIdentity?: PodIdentityOptions;
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
export class MlModelServing extends Construct implements ISchedulable {
  /** The name of every object. */
  public readonly name: string;
  /** The labels on every object and pod. */
  public readonly labels: { [key: string]: string };
  /** The labels that select the server's pods (Deployment, Service, PDB, spread). */
  public readonly selector: { [key: string]: string };
  /** The container port the server listens on. */
  public readonly port: number;
  /** The Service port. */
  public readonly servicePort: number;
  /** Fewest replicas that run. */
  public readonly minReplicas: number;
  /** Most replicas that run. */
  public readonly maxReplicas: number;
  /** The pods' QoS class. */
  public readonly qosClass: QosClass;
  /** The metrics endpoint announced to Prometheus, if any. */
  public readonly metrics?: MetricsEndpoint;
  /** GPUs per replica (0 for a CPU server). */
  public readonly gpuCount: number;

  /** The Deployment. */
  public readonly deployment: kplus.Deployment;
  /** The model server container. */
  public readonly container: kplus.Container;
  /** The ClusterIP (by default) Service in front of the pods. */
  public readonly service: kplus.Service;
  /** The HPA, when scaling is `autoscale`. */
  public readonly autoscaler?: kplus.HorizontalPodAutoscaler;
  /** The PodDisruptionBudget, when more than one replica can run. */
  public readonly disruptionBudget?: kplus.k8s.KubePodDisruptionBudget;
  /** The NetworkPolicy admitting traffic to the serving port only. */
  public readonly networkPolicy: kplus.NetworkPolicy;
  /** The pods' ServiceAccount. */
  public readonly serviceAccount: kplus.ServiceAccount;

  public constructor(scope: Construct, id: string, props: MlModelServingProps) {
    super(scope, id);
    this.name = props.name ?? id;
    requireDnsLabel(this, 'name', this.name);
    requirePinnedImage(this, 'image', props.image, props.allowMutableImageTag ?? false);
    this.port = props.port ?? 8080;
    this.servicePort = props.servicePort ?? 80;
    requirePort(this, 'port', this.port);
    requirePort(this, 'servicePort', this.servicePort);
    if (props.metrics) {
      requirePort(this, 'metrics.port', props.metrics.port);
      if (props.metrics.scheme !== undefined && !['http', 'https'].includes(props.metrics.scheme)) {
        throw invalidProp(this, 'metrics.scheme', `('${props.metrics.scheme}') must be 'http' or 'https'`);
      }
    }
    const containerName = props.containerName ?? 'model-server';
    requireDnsLabel(this, 'containerName', containerName);
    this.metrics = props.metrics;
    const revisionHistoryLimit = props.revisionHistoryLimit ?? 10;
    requireInteger(this, 'revisionHistoryLimit', revisionHistoryLimit, 0);
    const maxSurge = props.maxSurge ?? kplus.PercentOrAbsolute.percent(25);
    const maxUnavailable = props.maxUnavailable ?? kplus.PercentOrAbsolute.absolute(0);
    const minReady = props.minReady ?? Duration.seconds(0);
    const progressDeadline = props.progressDeadline ?? Duration.seconds(600);
    this.validateRollout(maxSurge, maxUnavailable, minReady, progressDeadline);

    const scaling = props.scaling ?? ServingScaling.autoscale();
    this.validateScaling(scaling);
    this.minReplicas = scaling.minReplicas;
    this.maxReplicas = scaling.maxReplicas;

    const version = props.version ?? versionFromImage(props.image);
    if (version) requireLabelValue(this, 'version', version);
    for (const [k, v] of Object.entries({ ...props.labels, ...props.selectorLabels })) {
      requireLabelValue(this, `labels['${k}']`, v);
    }
    const labelOptions = { name: this.name, version, component: 'model-server', partOf: props.partOf };
    this.selector = { ...MlLabels.selector(labelOptions), ...props.selectorLabels };
    this.labels = { ...props.labels, ...MlLabels.of(labelOptions), ...props.selectorLabels };

    const resources = completeResources(this, 'resources', props.resources, DEFAULT_RESOURCES, props.guaranteedQos ?? false);
    this.qosClass = qosClassOf(resources);
    this.gpuCount = validateGpus(this, 'gpus', props.gpus);

    this.serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', {
      metadata: { name: this.name, labels: this.labels },
      automountToken: false,
    });

    this.deployment = new kplus.Deployment(this, 'Deployment', {
      metadata: { name: this.name, labels: this.labels },
      podMetadata: {
        labels: this.labels,
        annotations: props.metrics ? prometheusScrapeAnnotations(props.metrics) : undefined,
      },
      select: false,
      replicas: scaling.mode === ServingScalingMode.FIXED ? scaling.minReplicas : undefined,
      strategy: kplus.DeploymentStrategy.rollingUpdate({ maxSurge, maxUnavailable }),
      minReady,
      progressDeadline,
      serviceAccount: this.serviceAccount,
      automountServiceAccountToken: props.automountServiceAccountToken ?? false,
      securityContext: securePodContext(props.podIdentity),
      terminationGracePeriod: props.terminationGracePeriod ?? Duration.seconds(60),
    });
    this.deployment.select(kplus.LabelSelector.of({ labels: this.selector }));

    this.container = this.deployment.addContainer({
      name: containerName,
      image: props.image,
      imagePullPolicy: props.allowMutableImageTag ? kplus.ImagePullPolicy.ALWAYS : kplus.ImagePullPolicy.IF_NOT_PRESENT,
      ports: this.containerPorts(props.metrics),
      command: props.command,
      args: props.args,
      envVariables: props.env,
      envFrom: props.envFrom,
      resources,
      securityContext: secureContainerContext(),
      ...this.probes(props),
    });
    mountWritableTmp(this.deployment, this.container);
    if (props.model) {
      bindModelSource(this, this.deployment, this.container, props.model, props.modelMountPath ?? '/mnt/models');
    }
    hardenPod(this.deployment);
    if (props.gpus && this.gpuCount > 0) applyGpus(this.deployment, 0, props.gpus);
    applyTopologySpread(this.deployment, this.selector, props.spread ?? [TopologySpread.acrossZones()]);
    const patch = PodTemplatePatch.of(this.deployment).setSpec('revisionHistoryLimit', revisionHistoryLimit);
    if (props.priorityClassName) {
      requireDnsSubdomain(this, 'priorityClassName', props.priorityClassName);
      patch.setPodSpec('priorityClassName', props.priorityClassName);
    }

    this.service = new kplus.Service(this, 'Service', {
      metadata: { name: this.name, labels: this.labels },
      type: props.serviceType ?? kplus.ServiceType.CLUSTER_IP,
      ports: [
        { name: 'http', port: this.servicePort, targetPort: this.port },
        // A separate metrics port is published too, so a ServiceMonitor can name it.
        ...(props.metrics && props.metrics.port !== this.port
          ? [{ name: 'metrics', port: props.metrics.port, targetPort: props.metrics.port }] : []),
      ],
    });
    for (const [k, v] of Object.entries(this.selector)) this.service.selectLabel(k, v);

    if (scaling.mode === ServingScalingMode.AUTOSCALE) {
      this.autoscaler = createAutoscaler(this, this.deployment, scaling);
    } else if (scaling.mode === ServingScalingMode.EXTERNAL) {
      // The external scaler owns spec.replicas; rendering one would fight it on every apply.
      this.deployment.markHasAutoscaler();
    }
    this.disruptionBudget = createDisruptionBudget(
      this, this.name, this.labels, this.selector, props.disruptionBudget, this.minReplicas, this.maxReplicas);

    const ports = [this.port, ...(props.metrics && props.metrics.port !== this.port ? [props.metrics.port] : [])];
    this.networkPolicy = createServingNetworkPolicy(this, ports, props.ingressFrom, props.egressTo);
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

  private validateScaling(scaling: ServingScaling): void {
    if (scaling.mode === ServingScalingMode.FIXED) {
      requireInteger(this, 'replicas', scaling.minReplicas, 0);
    } else {
      requireInteger(this, 'minReplicas', scaling.minReplicas, 1);
      requireInteger(this, 'maxReplicas', scaling.maxReplicas, 1);
      if (scaling.maxReplicas < scaling.minReplicas) {
        throw invalidProp(this, 'maxReplicas', `(${scaling.maxReplicas}) must be >= minReplicas (${scaling.minReplicas})`);
      }
    }
    const a = scaling.autoscaling;
    if (a.cpuUtilization !== undefined) requirePercentage(this, 'cpuUtilization', a.cpuUtilization);
    if (a.memoryUtilization !== undefined) requirePercentage(this, 'memoryUtilization', a.memoryUtilization);
    if (a.resourceMetrics === false && (a.extraMetrics ?? []).length === 0) {
      throw invalidProp(this, 'scaling', 'has no metric: resourceMetrics is false and extraMetrics is empty');
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

  /** Tolerate a node taint (e.g. a spot or GPU pool's). */
  public tolerate(toleration: NodeToleration): void {
    SchedulableWorkload.of(this.deployment).tolerate(toleration);
  }

  /** Require nodes matching all `requirements`. */
  public requireNodes(requirements: NodeRequirement[]): void {
    SchedulableWorkload.of(this.deployment).requireNodes(requirements);
  }

  /** Prefer nodes matching all `requirements`, with `weight` 1..100. */
  public preferNodes(weight: number, requirements: NodeRequirement[]): void {
    SchedulableWorkload.of(this.deployment).preferNodes(weight, requirements);
  }
}
