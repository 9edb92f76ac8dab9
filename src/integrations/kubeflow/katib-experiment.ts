import { ApiObject, Lazy, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { invalidProp } from '../../core/errors';
import { MlWorkload, WorkloadTraits } from '../../core/ml-workload';
import { requireInteger } from '../../core/validation';
import { MlWorkloadProps, WorkloadPodOptions } from '../../core/workload-props';

/** Whether the objective metric is maximized or minimized. */
export enum KatibObjectiveType {
  MAXIMIZE = 'maximize',
  MINIMIZE = 'minimize',
}

/**
 * A Katib search algorithm (`algorithm.algorithmName`).
 * @see https://www.kubeflow.org/docs/components/katib/user-guides/hp-tuning/configure-algorithm/
 */
export enum KatibAlgorithm {
  RANDOM = 'random',
  GRID = 'grid',
  BAYESIAN_OPTIMIZATION = 'bayesianoptimization',
  TPE = 'tpe',
  MULTIVARIATE_TPE = 'multivariate-tpe',
  CMAES = 'cmaes',
  HYPERBAND = 'hyperband',
}

/**
 * One hyperparameter of the search space.
 *
 * @example
 * import { KatibExperiment, KatibObjectiveType, KatibParameter } from 'cdk8s-ml';
 *
 * new KatibExperiment(this, 'resnet-search', {
 *   image: 'ghcr.io/acme/resnet-train:v2',
 *   command: ['python', 'train.py'],
 *   args: ['--lr=${trialParameters.lr}', '--layers=${trialParameters.layers}', '--optimizer=${trialParameters.optimizer}'],
 *   objectiveMetric: 'val_loss',
 *   objectiveType: KatibObjectiveType.MINIMIZE,
 *   parameters: [
 *     KatibParameter.double('lr', 0.0001, 0.1),
 *     KatibParameter.int('layers', 18, 50),
 *     KatibParameter.categorical('optimizer', ['sgd', 'adam']),
 *   ],
 *   maxTrials: 12,
 * });
 */
export class KatibParameter {
  /** A real number in [min, max]. */
  public static double(name: string, min: number, max: number, step?: number): KatibParameter {
    return new KatibParameter(name, 'double', { min: String(min), max: String(max), ...(step !== undefined ? { step: String(step) } : {}) }, [min, max]);
  }

  /** An integer in [min, max]. */
  public static int(name: string, min: number, max: number): KatibParameter {
    return new KatibParameter(name, 'int', { min: String(min), max: String(max) }, [min, max], true);
  }

  /** One of the given values. */
  public static categorical(name: string, values: string[]): KatibParameter {
    return new KatibParameter(name, 'categorical', { list: [...values] });
  }

  private constructor(
    /** The parameter's name; referenced in the trial's args as `${trialParameters.<name>}`. */
    public readonly name: string,
    private readonly type: string,
    private readonly space: any,
    private readonly range?: [number, number],
    private readonly integral = false,
  ) {}

  /** @internal */
  public _render(scope: Construct, prop: string): any {
    if (!/^[a-zA-Z][a-zA-Z0-9_-]*$/.test(this.name ?? '')) throw invalidProp(scope, `${prop}.name`, `('${this.name}') must start with a letter: alphanumerics, '_' or '-'`);
    if (this.range) {
      const [min, max] = this.range;
      if (this.integral && !(Number.isInteger(min) && Number.isInteger(max))) throw invalidProp(scope, prop, `(${this.name}) int bounds must be integers`);
      if (!(min < max)) throw invalidProp(scope, prop, `(${this.name}) min (${min}) must be < max (${max})`);
    } else if (!this.space.list?.length) {
      throw invalidProp(scope, prop, `(${this.name}) needs at least one value`);
    }
    return { name: this.name, parameterType: this.type, feasibleSpace: this.space };
  }
}

/** Properties of {@link KatibExperiment}. */
export interface KatibExperimentProps extends MlWorkloadProps, WorkloadPodOptions {
  /** The metric the trials print (`<name>=<value>` on stdout, Katib's default StdOut collector). */
  readonly objectiveMetric: string;
  readonly objectiveType: KatibObjectiveType;
  /**
   * Stop the experiment when a trial reaches this value.
   * @default - run maxTrials
   */
  readonly goal?: number;
  /**
   * @default KatibAlgorithm.RANDOM
   */
  readonly algorithm?: KatibAlgorithm;
  /** The search space; each parameter is passed to the trial as `${trialParameters.<name>}` in `args`. */
  readonly parameters: KatibParameter[];
  /**
   * Trials run at once.
   * @default 3
   */
  readonly parallelTrials?: number;
  /**
   * Trials in total.
   * @default 12
   */
  readonly maxTrials?: number;
  /**
   * Failed trials before the experiment fails.
   * @default 3
   */
  readonly maxFailedTrials?: number;
}

const DEFAULT_RESOURCES = {
  cpuRequest: kplus.Cpu.units(2), cpuLimit: kplus.Cpu.units(2), memoryRequest: Size.gibibytes(4), memoryLimit: Size.gibibytes(4),
};

/**
 * A Katib `kubeflow.org/v1beta1` Experiment: hyperparameter tuning over a
 * batch/v1 Job trial template whose pod is the core model's (restricted,
 * requests = limits, GPUs). Each parameter is a trial parameter referenced in
 * the training container's `args` as `${trialParameters.<name>}`. Katib's
 * metrics-collector sidecar is injected by its webhook with Katib's own
 * security settings (katib-config).
 * @see https://www.kubeflow.org/docs/components/katib/user-guides/hp-tuning/configure-experiment/
 *
 * @example
 * import { KatibAlgorithm, KatibExperiment, KatibObjectiveType, KatibParameter } from 'cdk8s-ml';
 *
 * // Bayesian search over the learning rate and batch size of a GPU training Job.
 * new KatibExperiment(this, 'bert-lr', {
 *   image: 'ghcr.io/acme/bert-train:v3',
 *   command: ['python', 'train.py'],
 *   args: ['--lr=${trialParameters.lr}', '--batch-size=${trialParameters.batchSize}'],
 *   gpus: { count: 1 },
 *   objectiveMetric: 'eval_accuracy',
 *   objectiveType: KatibObjectiveType.MAXIMIZE,
 *   goal: 0.92,
 *   algorithm: KatibAlgorithm.BAYESIAN_OPTIMIZATION,
 *   parameters: [KatibParameter.double('lr', 0.00001, 0.001), KatibParameter.categorical('batchSize', ['16', '32', '64'])],
 *   parallelTrials: 3,
 *   maxTrials: 24,
 * });
 */
export class KatibExperiment extends MlWorkload {
  public readonly apiObject: ApiObject;

  public constructor(scope: Construct, id: string, props: KatibExperimentProps) {
    super(scope, id, props);
    if (!/^[a-zA-Z_][a-zA-Z0-9_.-]*$/.test(props.objectiveMetric ?? '')) throw invalidProp(this, 'objectiveMetric', `('${props.objectiveMetric}') must be a metric name`);
    const parallel = props.parallelTrials ?? 3;
    const max = props.maxTrials ?? 12;
    const maxFailed = props.maxFailedTrials ?? 3;
    requireInteger(this, 'parallelTrials', parallel, 1);
    requireInteger(this, 'maxTrials', max, 1);
    requireInteger(this, 'maxFailedTrials', maxFailed, 0);
    if (parallel > max) throw invalidProp(this, 'parallelTrials', `(${parallel}) must be <= maxTrials (${max})`);
    if (!props.parameters?.length) throw invalidProp(this, 'parameters', 'needs at least one parameter');
    const parameters = props.parameters.map((p, i) => p._render(this, `parameters[${i}]`));
    const names = parameters.map(p => p.name);
    if (new Set(names).size !== names.length) throw invalidProp(this, 'parameters', 'names must be unique');
    const args = [...(props.command ?? []), ...(props.args ?? [])].join(' ');
    for (const n of names) {
      if (!args.includes(`\${trialParameters.${n}}`)) throw invalidProp(this, 'args', `never reference parameter '${n}' as \${trialParameters.${n}}: every trial would train the same model`);
    }
    const algorithm = props.algorithm ?? KatibAlgorithm.RANDOM;
    if (algorithm === KatibAlgorithm.GRID && parameters.some(p => p.parameterType === 'double' && !p.feasibleSpace.step)) {
      throw invalidProp(this, 'parameters', 'of type double need a step for the grid algorithm');
    }
    this._createMainContainer('training', {}, props);
    this._pod.extraFields.restartPolicy = 'Never';

    this.apiObject = new ApiObject(this, 'Resource', {
      apiVersion: 'kubeflow.org/v1beta1',
      kind: 'Experiment',
      metadata: this._metadata(),
      spec: Lazy.any({
        produce: () => ({
          objective: {
            type: props.objectiveType,
            objectiveMetricName: props.objectiveMetric,
            ...(props.goal !== undefined ? { goal: props.goal } : {}),
          },
          algorithm: { algorithmName: algorithm },
          parallelTrialCount: parallel,
          maxTrialCount: max,
          maxFailedTrialCount: maxFailed,
          parameters,
          trialTemplate: {
            primaryContainerName: 'training',
            trialParameters: names.map(n => ({ name: n, reference: n })),
            trialSpec: {
              apiVersion: 'batch/v1',
              kind: 'Job',
              spec: { backoffLimit: 0, template: this._pod.renderTemplate({ labels: this.podLabels, ...this._podAnnotationsField() }) },
            },
          },
        }),
      }),
    });
  }

  /** @internal */
  protected _traits(_id: string, props: MlWorkloadProps): WorkloadTraits {
    return {
      component: 'training-worker', defaultResources: DEFAULT_RESOURCES, guaranteedQosByDefault: true, maxGpusPerNode: 8, pod: props as WorkloadPodOptions,
    };
  }
}
