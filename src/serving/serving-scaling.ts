import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { invalidProp } from '../core/errors';
import { requireInteger } from '../core/validation';

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

/** What a scaling choice does to a model server's Deployment. @internal */
export interface ScalingBinding {
  /** `spec.replicas`, or undefined when an autoscaler owns it. */
  readonly replicas?: number;
  /** Another controller owns the replica count: the Deployment renders none. */
  readonly external: boolean;
  /** The HPA options, when the server's own HPA scales it. */
  readonly autoscaling?: AutoscalingOptions;
}

/**
 * How many replicas a model server runs: an HPA (the guide's default), a fixed
 * count, or left to an external scaler such as KEDA (which makes its own HPA, so we
 * must not).
 *
 * @example
 * import { MlModelServing, ServingScaling } from 'cdk8s-ml';
 *
 * // An HPA on CPU and memory, slow to scale down.
 * new MlModelServing(this, 'bert', {
 *   image: 'registry.example.com/bert-server:1.4.2',
 *   scaling: ServingScaling.autoscale({ minReplicas: 3, maxReplicas: 30, cpuUtilization: 60, scaleDownStabilization: Duration.minutes(10) }),
 * });
 *
 * // Exactly two replicas, no autoscaler.
 * new MlModelServing(this, 'reranker', {
 *   image: 'registry.example.com/reranker:0.8.0',
 *   scaling: ServingScaling.fixed(2),
 * });
 */
export class ServingScaling {
  /** An autoscaling/v2 HPA: the guide's 2..20 replicas on CPU 70% / memory 80% by default. */
  public static autoscale(options: AutoscalingOptions = {}): ServingScaling {
    return new ServingScaling(options.minReplicas ?? 2, options.maxReplicas ?? 20, { external: false, autoscaling: options }, scope => {
      requireInteger(scope, 'scaling.minReplicas', options.minReplicas ?? 2, 1);
      requireInteger(scope, 'scaling.maxReplicas', options.maxReplicas ?? 20, 1);
      if ((options.maxReplicas ?? 20) < (options.minReplicas ?? 2)) {
        throw invalidProp(scope, 'scaling.maxReplicas', `(${options.maxReplicas ?? 20}) must be >= minReplicas (${options.minReplicas ?? 2})`);
      }
      // Above 100 is valid: a target over the request makes sense when limits exceed requests.
      if (options.cpuUtilization !== undefined) requireInteger(scope, 'scaling.cpuUtilization', options.cpuUtilization, 1);
      if (options.memoryUtilization !== undefined) requireInteger(scope, 'scaling.memoryUtilization', options.memoryUtilization, 1);
      if (options.resourceMetrics === false && (options.extraMetrics ?? []).length === 0) {
        throw invalidProp(scope, 'scaling', 'has no metric: resourceMetrics is false and extraMetrics is empty');
      }
      // The HPA API takes stabilization windows of 0 to 3600 whole seconds.
      for (const prop of ['scaleDownStabilization', 'scaleUpStabilization'] as const) {
        const window = options[prop];
        if (window !== undefined) requireInteger(scope, `scaling.${prop}`, window.toSeconds({ integral: false }), 0, 3600);
      }
    });
  }

  /**
   * A fixed number of replicas, no autoscaler.
   * @param replicas the replica count; default 3 (the guide's Deployment)
   */
  public static fixed(replicas: number = 3): ServingScaling {
    return new ServingScaling(replicas, replicas, { external: false, replicas }, scope => {
      requireInteger(scope, 'scaling.replicas', replicas, 0);
    });
  }

  /** Replicas owned by an external scaler (KEDA ScaledObject, a custom controller). */
  public static external(options: ExternalScalingOptions): ServingScaling {
    return new ServingScaling(options.minReplicas, options.maxReplicas, { external: true }, scope => {
      requireInteger(scope, 'scaling.minReplicas', options.minReplicas, 0);
      requireInteger(scope, 'scaling.maxReplicas', options.maxReplicas, 1);
      if (options.maxReplicas < options.minReplicas) {
        throw invalidProp(scope, 'scaling.maxReplicas', `(${options.maxReplicas}) must be >= minReplicas (${options.minReplicas})`);
      }
    });
  }

  private constructor(
    /** Fewest replicas that run. */
    public readonly minReplicas: number,
    /** Most replicas that run. */
    public readonly maxReplicas: number,
    private readonly binding: ScalingBinding,
    private readonly validate: (scope: IConstruct) => void,
  ) {}

  /** Validates the choice for a server and says what it does to the Deployment. @internal */
  public _bind(scope: IConstruct): ScalingBinding {
    this.validate(scope);
    return this.binding;
  }
}
