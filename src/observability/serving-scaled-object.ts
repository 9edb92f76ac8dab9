import { ApiObject, Chart, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { WorkloadTarget } from './workload-target';
import { invalidProp } from '../core/errors';
import { applyObjectMetadata, ObjectMetadataOptions } from '../core/metadata-validation';
import { requireDnsSubdomain, requireInteger, requirePromQl } from '../core/validation';
import { MlModelServing } from '../serving/ml-model-serving';
import { KEDA_API_VERSION, ScaledObjectSpec } from './crds/keda-sh';
import { formatPromDuration } from './prometheus-duration';
import { deploymentPodRegex, promql, render, series } from './promql';

/** Rate window of the default query: a few scrapes, short enough to follow a burst. */
const DEFAULT_QUERY_WINDOW = Duration.minutes(2);

/** The ScaledObject of each server: KEDA's webhook refuses a second one for a Deployment. */
const SCALED = new WeakMap<object, ServingScaledObject>();

/** What KEDA does when the Prometheus query keeps failing. */
export interface ScalingFallback {
  /** Consecutive failed queries before the fallback applies. */
  readonly failureThreshold: number;
  /** Replicas to run meanwhile. */
  readonly replicas: number;
}

/** Properties of {@link ServingScaledObject}. */
export interface ServingScaledObjectProps {
  /**
   * The model server. KEDA creates and owns an HPA: the server's own is removed,
   * and its autoscaling bounds are the default bounds of the ScaledObject.
   */
  readonly serving?: MlModelServing;
  /**
   * The workload scaled, when it is not a MlModelServing of this library
   * (`WorkloadTarget.fromWorkload(deployment)`, `WorkloadTarget.fromReference(...)`).
   * Give this or `serving`.
   * @default - the server
   */
  readonly target?: WorkloadTarget;
  /**
   * Name of the ScaledObject (KEDA names its HPA `keda-hpa-<name>`).
   * @default - the server's name
   */
  readonly name?: string;
  /**
   * URL of the Prometheus KEDA queries.
   * @default 'http://prometheus-operated.monitoring.svc:9090' (prometheus-operator's Service in `monitoring`)
   */
  readonly serverAddress?: string;
  /**
   * The PromQL query; its value is divided by the replica count and compared with
   * `threshold` (KEDA's `AverageValue`), e.g. requests per second or queue depth.
   * @default - for a GPU server whose runtime recommends a signal, its queue depth
   * (e.g. `sum(vllm:num_requests_waiting{namespace, pod})`): GPU saturation shows as a
   * queue long before CPU moves; otherwise the total request rate
   * `sum(rate(<metrics.names.requestsCounter>{namespace, pod}[2m]))`
   */
  readonly query?: string;
  /**
   * Target value per replica, e.g. 20 requests per second.
   * @default - the runtime's recommended queue depth per replica when the default query is
   * the runtime's signal; required otherwise
   */
  readonly threshold?: number;
  /**
   * Value below which KEDA deactivates the scaler (only relevant with `minReplicas: 0`).
   * @default - KEDA's (0)
   */
  readonly activationThreshold?: number;
  /**
   * Fewest replicas: 0 (scale to zero below `activationThreshold`) or within the
   * server's bounds, which size its PodDisruptionBudget.
   * @default - the server's `minReplicas`
   */
  readonly minReplicas?: number;
  /**
   * Most replicas; at most the server's `maxReplicas`, which sizes its PodDisruptionBudget.
   * @default - the server's `maxReplicas`
   */
  readonly maxReplicas?: number;
  /**
   * How often KEDA evaluates the query.
   * @default Duration.seconds(30)
   */
  readonly pollingInterval?: Duration;
  /**
   * How long after the last activity KEDA scales to zero (with `minReplicas: 0`).
   * @default Duration.minutes(5)
   */
  readonly cooldownPeriod?: Duration;
  /**
   * Scale-down stabilization of KEDA's HPA; model servers are slow to start, so
   * flapping is expensive.
   * @default Duration.minutes(5)
   */
  readonly scaleDownStabilization?: Duration;
  /**
   * Replicas to run when the query keeps failing.
   * @default - none: the HPA keeps the current count
   */
  readonly fallback?: ScalingFallback;
  /**
   * Labels and annotations of every object this construct emits (the ScaledObject).
   * @default - none
   */
  readonly metadata?: ObjectMetadataOptions;
}

/**
 * Metric-driven autoscaling of a model server with KEDA: a `ScaledObject`
 * (keda.sh/v1alpha1) scaling the server's Deployment on a Prometheus query.
 *
 * KEDA makes its own HPA for the Deployment, so the server's own HPA
 * (`ServingScaling.autoscale()`) is removed and its alerts follow KEDA's HPA
 * (`serving.hpaName`); a fixed replica count is refused, since every apply would
 * reset it. The default query is the runtime's queue depth for a GPU server whose
 * runtime recommends one (vLLM's `vllm:num_requests_waiting`), else the request rate
 * of the server's declared counter (`metrics.names.requestsCounter`). One
 * ScaledObject per server, in the server's namespace (KEDA's own rules).
 *
 * @example
 * import { MlModelServing, ModelSource, ServingRuntime, ServingScaledObject, ServingScaling } from 'cdk8s-ml';
 *
 * // KEDA owns the replica count of this server: ServingScaling.external.
 * const llm = new MlModelServing(this, 'llm', {
 *   runtime: ServingRuntime.vllm({ servedModelName: 'llama-3.1-8b-instruct' }),
 *   model: ModelSource.fromPersistentVolumeClaim('llama-3-1-8b-weights'),
 *   gpus: { count: 1 },
 *   scaling: ServingScaling.external({ minReplicas: 1, maxReplicas: 6 }),
 *   startupTimeout: Duration.minutes(20),
 * });
 * // By default vLLM's queue depth per replica (vllm:num_requests_waiting) at the
 * // runtime's recommended target: GPUs saturate long before CPU moves.
 * new ServingScaledObject(this, 'llm-keda', {
 *   serving: llm,
 *   fallback: { failureThreshold: 3, replicas: 3 },
 * });
 */
export class ServingScaledObject extends Construct {
  /** The ScaledObject. */
  public readonly apiObject: ApiObject;
  /** Name of the HPA KEDA creates (for `ModelServerAlerts.hpaName`). */
  public readonly hpaName: string;
  /** The query scaled on. */
  public readonly query: string;
  /** Fewest replicas. */
  public readonly minReplicas: number;
  /** Most replicas. */
  public readonly maxReplicas: number;

  public constructor(scope: Construct, id: string, props: ServingScaledObjectProps) {
    super(scope, id);
    const serving = WorkloadTarget._of(this, props);
    if (serving._unscalable) throw invalidProp(this, 'target', `('${serving.name}') ${serving._unscalable}`);
    if (serving._serving && !serving._hasAutoscaler) {
      throw invalidProp(this, 'serving', `('${serving.name}') has a fixed replica count, which every apply would reset under KEDA. Create the MlModelServing with scaling: ServingScaling.autoscale(...) or ServingScaling.external(...)`);
    }
    if (!serving._serving && serving.hpaName !== undefined) {
      throw invalidProp(this, 'target', `('${serving.name}') is already scaled by HPA '${serving.hpaName}'; KEDA makes its own HPA and the two would fight: remove that one`);
    }
    const key = serving._scope ?? serving;
    const other = SCALED.get(key);
    if (other) {
      throw invalidProp(this, 'serving', `('${serving.name}') is already scaled by '${other.node.path}'; KEDA allows one ScaledObject per Deployment: put both queries in one`);
    }
    // KEDA scales only Deployments in the ScaledObject's own namespace.
    const [namespace, servingNamespace] = [Chart.of(this).namespace, serving.namespace ?? Chart.of(this).namespace];
    if (namespace !== servingNamespace) {
      throw invalidProp(this, 'serving', `('${serving.name}') is in namespace '${servingNamespace ?? '(none)'}' but the ScaledObject would be in '${namespace ?? '(none)'}'; create it in the server's chart`);
    }
    const name = props.name ?? serving.name;
    requireDnsSubdomain(this, 'name', name);
    this.minReplicas = props.minReplicas ?? serving.minReplicas;
    this.maxReplicas = props.maxReplicas ?? serving.maxReplicas;
    requireInteger(this, 'minReplicas', this.minReplicas, 0);
    requireInteger(this, 'maxReplicas', this.maxReplicas, 1);
    if (this.maxReplicas < this.minReplicas) {
      throw invalidProp(this, 'maxReplicas', `(${this.maxReplicas}) must be >= minReplicas (${this.minReplicas})`);
    }
    // The server's PodDisruptionBudget is sized for its own bounds: fewer pods could
    // make it block every drain, more would run without one.
    if (this.maxReplicas > serving.maxReplicas) {
      throw invalidProp(this, 'maxReplicas', `(${this.maxReplicas}) must not exceed the server's maxReplicas (${serving.maxReplicas}); raise it in the server's scaling`);
    }
    if (this.minReplicas !== 0 && this.minReplicas < serving.minReplicas) {
      throw invalidProp(this, 'minReplicas', `(${this.minReplicas}) must be 0 (scale to zero) or at least the server's minReplicas (${serving.minReplicas}); lower it in the server's scaling`);
    }
    // GPU servers scale on the runtime's queue signal unless told otherwise.
    const signal = props.query === undefined && serving.gpuCount > 0 ? serving._serving?._runtimeSpec?.scaling : undefined;
    const threshold = props.threshold ?? signal?.threshold;
    if (threshold === undefined) {
      throw invalidProp(this, 'threshold', 'is required unless the server is a GPU server whose runtime recommends a scaling signal');
    }
    if (!(threshold > 0) || !Number.isFinite(threshold)) {
      throw invalidProp(this, 'threshold', `(${threshold}) must be a positive number`);
    }
    if (props.activationThreshold !== undefined && !(props.activationThreshold >= 0)) {
      throw invalidProp(this, 'activationThreshold', `(${props.activationThreshold}) must not be negative`);
    }
    const serverAddress = props.serverAddress ?? 'http://prometheus-operated.monitoring.svc:9090';
    if (!/^https?:\/\/[^\s/]+/.test(serverAddress)) {
      throw invalidProp(this, 'serverAddress', `('${serverAddress}') must be an http(s) URL`);
    }
    const pollingInterval = this.seconds('pollingInterval', props.pollingInterval ?? Duration.seconds(30), 1);
    const cooldownPeriod = this.seconds('cooldownPeriod', props.cooldownPeriod ?? Duration.minutes(5), 0);
    // The HPA API caps stabilization windows at one hour.
    const stabilization = this.seconds('scaleDownStabilization', props.scaleDownStabilization ?? Duration.minutes(5), 0, 3600);
    if (props.fallback) {
      requireInteger(this, 'fallback.failureThreshold', props.fallback.failureThreshold, 1);
      requireInteger(this, 'fallback.replicas', props.fallback.replicas, this.minReplicas, this.maxReplicas);
    }
    this.query = props.query ?? (signal ? this.gaugeQuery(serving, signal.gauge) : this.defaultQuery(serving, serving.metricNames.requestsCounter!));
    this.requireScaleToZero(serving, props);
    if (this.query.trim() === '') throw invalidProp(this, 'query', 'must not be empty');
    requirePromQl(this, 'query', this.query);
    this.hpaName = `keda-hpa-${name}`;

    const spec: ScaledObjectSpec = {
      scaleTargetRef: { ...serving.workloadRef },
      minReplicaCount: this.minReplicas,
      maxReplicaCount: this.maxReplicas,
      pollingInterval,
      cooldownPeriod,
      fallback: props.fallback ? { failureThreshold: props.fallback.failureThreshold, replicas: props.fallback.replicas } : undefined,
      advanced: { horizontalPodAutoscalerConfig: { behavior: { scaleDown: { stabilizationWindowSeconds: stabilization } } } },
      triggers: [{
        type: 'prometheus',
        // AverageValue: the query's value divided by the replica count is held at `threshold`.
        metricType: 'AverageValue',
        metadata: {
          serverAddress,
          query: this.query,
          threshold: String(threshold),
          ...(props.activationThreshold !== undefined ? { activationThreshold: String(props.activationThreshold) } : {}),
        },
      }],
    };
    SCALED.set(key, this);
    // KEDA makes its own HPA: the server's is removed, and its alerts follow KEDA's.
    serving._replaceAutoscaler(this.hpaName);
    this.apiObject = new ApiObject(this, 'ScaledObject', {
      apiVersion: KEDA_API_VERSION,
      kind: 'ScaledObject',
      metadata: { name, labels: serving._serving?.labels ?? serving.selector },
      spec,
    });
    applyObjectMetadata(this, 'metadata', props.metadata);
  }

  private seconds(prop: string, d: Duration, min: number, max?: number): number {
    const s = d.toSeconds({ integral: false });
    requireInteger(this, prop, s, min, max);
    return s;
  }

  /**
   * Scale to zero: KEDA deactivates the workload while the query stays at or below
   * `activationThreshold`, and brings one replica back above it. The threshold is
   * asked for, not defaulted to 0: one stray request would otherwise wake the server.
   * Woken, the workload may run fewer pods than the server's own minimum, so a
   * `minAvailable` disruption budget could block every node drain.
   */
  private requireScaleToZero(serving: WorkloadTarget, props: ServingScaledObjectProps): void {
    if (this.minReplicas !== 0) return;
    if (props.activationThreshold === undefined) {
      throw invalidProp(this, 'activationThreshold', 'must be set with minReplicas 0: KEDA wakes the workload when the query exceeds it (0 would wake it on a single request)');
    }
    const pdb = serving._serving?.disruptionBudget;
    if (pdb && (pdb.toJson().spec as any).minAvailable !== undefined) {
      throw invalidProp(this, 'minReplicas', `(0) scales '${serving.name}' below its disruption budget's minAvailable: with fewer pods no node could be drained; give the server disruptionBudget: { maxUnavailable: 1 }`);
    }
  }

  /** The runtime's gauge summed over the target's pods (KEDA divides by the replicas). */
  private gaugeQuery(serving: WorkloadTarget, gauge: string): string {
    const namespace = serving.namespace ?? Chart.of(this).namespace;
    return render(promql.sum(series(gauge, [
      ...(namespace ? [promql.labelEq('namespace', namespace)] : []),
      promql.labelMatchRegexp('pod', deploymentPodRegex(serving.workloadRef.name)),
    ])));
  }

  private defaultQuery(serving: WorkloadTarget, counter: string): string {
    const namespace = serving.namespace ?? Chart.of(this).namespace;
    // The counter's name was checked where the server declared it.
    const selector = series(counter, [
      ...(namespace ? [promql.labelEq('namespace', namespace)] : []),
      promql.labelMatchRegexp('pod', deploymentPodRegex(serving.workloadRef.name)),
    ]);
    return render(promql.sum(promql.rate(selector.range(formatPromDuration(DEFAULT_QUERY_WINDOW)))));
  }
}
