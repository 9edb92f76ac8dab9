import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';

/** Options of the HorizontalPodAutoscaler (autoscaling/v2) of a model server. */
export interface AutoscalingOptions {
  /**
   * Name of the HPA, e.g. the guide's `ml-model-hpa`.
   * @default - the model server's name
   */
  readonly name?: string;
  /**
   * Lower bound of replicas.
   * @default 2
   */
  readonly minReplicas?: number;
  /**
   * Upper bound of replicas.
   * @default 20
   */
  readonly maxReplicas?: number;
  /**
   * Target average CPU utilization, percent of the request.
   * @default 70
   */
  readonly cpuUtilization?: number;
  /**
   * Target average memory utilization, percent of the request.
   * @default 80
   */
  readonly memoryUtilization?: number;
  /**
   * Scale on CPU and memory utilization. Turn off to scale on `extraMetrics` alone,
   * e.g. when a VerticalPodAutoscaler manages CPU and memory.
   * @default true
   */
  readonly resourceMetrics?: boolean;
  /**
   * More metrics (pods, object, external), e.g. requests per second per pod.
   * @default - none
   */
  readonly extraMetrics?: kplus.Metric[];
  /**
   * How long load must stay low before scaling down; model servers are slow to
   * start, so flapping is expensive.
   * @default Duration.minutes(5)
   */
  readonly scaleDownStabilization?: Duration;
  /**
   * How long load must stay high before scaling up.
   * @default Duration.seconds(0)
   */
  readonly scaleUpStabilization?: Duration;
}

/** Options of {@link ServingScaling.external}. */
export interface ExternalScalingOptions {
  /** The fewest replicas the external scaler keeps (sizes the PodDisruptionBudget). */
  readonly minReplicas: number;
  /** The most replicas the external scaler allows. */
  readonly maxReplicas: number;
}

/** How the replicas of a model server are decided. */
export enum ServingScalingMode {
  /** A HorizontalPodAutoscaler of ours. */
  AUTOSCALE = 'autoscale',
  /** A fixed replica count. */
  FIXED = 'fixed',
  /** Another controller (e.g. KEDA) owns the replica count; no HPA, no `replicas`. */
  EXTERNAL = 'external',
}

/**
 * How many replicas a model server runs: an HPA (the guide's default), a fixed
 * count, or left to an external scaler such as KEDA (which makes its own HPA, so we
 * must not).
 */
export class ServingScaling {
  /** An autoscaling/v2 HPA: the guide's 2..20 replicas on CPU 70% / memory 80% by default. */
  public static autoscale(options: AutoscalingOptions = {}): ServingScaling {
    return new ServingScaling(ServingScalingMode.AUTOSCALE, options.minReplicas ?? 2, options.maxReplicas ?? 20, options);
  }

  /**
   * A fixed number of replicas, no autoscaler.
   * @param replicas the replica count; default 3 (the guide's Deployment)
   */
  public static fixed(replicas: number = 3): ServingScaling {
    return new ServingScaling(ServingScalingMode.FIXED, replicas, replicas, {});
  }

  /** Replicas owned by an external scaler (KEDA ScaledObject, a custom controller). */
  public static external(options: ExternalScalingOptions): ServingScaling {
    return new ServingScaling(ServingScalingMode.EXTERNAL, options.minReplicas, options.maxReplicas, {});
  }

  private constructor(
    public readonly mode: ServingScalingMode,
    public readonly minReplicas: number,
    public readonly maxReplicas: number,
    public readonly autoscaling: AutoscalingOptions,
  ) {}
}
