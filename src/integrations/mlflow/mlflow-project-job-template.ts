import { Chart, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { AfterConversion } from '../../core/after-conversion';
import { invalidProp } from '../../core/errors';
import { MlWorkload, WorkloadTraits } from '../../core/ml-workload';
import { requireDnsLabel, requireInteger, requireWholeSeconds } from '../../core/validation';
import { MlWorkloadProps, WorkloadPodOptions } from '../../core/workload-props';

/** Properties of {@link MlflowProjectJobTemplate}. */
export interface MlflowProjectJobTemplateProps extends MlWorkloadProps, WorkloadPodOptions {
  /**
   * The repository MLflow pushes the project's image to (`repository-uri` of the
   * backend config), e.g. `registry.example.com/ml/projects`.
   */
  readonly repositoryUri: string;
  /**
   * The namespace the Jobs run in (MLflow reads `metadata.namespace` of the template).
   * @default - the chart's namespace
   */
  readonly namespace?: string;
  /**
   * The kube context `mlflow run` uses.
   * @default - in-cluster config or the current context
   */
  readonly kubeContext?: string;
  /**
   * Retries of a failed run.
   * @default 0 - a failed MLflow run is failed
   */
  readonly backoffLimit?: number;
  /**
   * Time a finished Job is kept.
   * @default Duration.hours(1)
   */
  readonly ttlAfterFinished?: Duration;
}

// MLflow overwrites the Job name and the first container's name, image and command
// (mlflow/projects/kubernetes.py _get_kubernetes_job_definition); these are placeholders.
const PLACEHOLDER_IMAGE = 'mlflow-project:replaced-by-mlflow';
const DEFAULT_RESOURCES = {
  cpuRequest: kplus.Cpu.units(1), cpuLimit: kplus.Cpu.units(2), memoryRequest: Size.gibibytes(2), memoryLimit: Size.gibibytes(4),
};

/**
 * The Kubernetes Job template MLflow Projects' Kubernetes backend fills in
 * (`mlflow run --backend kubernetes --backend-config kubernetes_config.json`):
 * the pod is the core model's (restricted, sized, GPUs, mounts, identity), MLflow
 * replaces the Job name and the container's name, image and command and appends
 * `MLFLOW_TRACKING_URI`, `MLFLOW_RUN_ID` and `MLFLOW_EXPERIMENT_ID`. Emitted as a
 * ConfigMap with `job-template.yaml` and `kubernetes_config.json` (mount it where
 * `mlflow run` executes); no Job is applied.
 * @see https://mlflow.org/docs/latest/ml/projects/#run-an-mlflow-project-on-kubernetes
 *
 * @example
 * import { MlflowProjectJobTemplate } from 'cdk8s-ml';
 *
 * // `mlflow run --backend kubernetes --backend-config kubernetes_config.json` runs each
 * // project as a restricted, sized GPU Job built from this template.
 * new MlflowProjectJobTemplate(this, 'train', {
 *   repositoryUri: 'registry.example.com/ml/projects',
 *   gpus: { count: 1 },
 *   ttlAfterFinished: Duration.hours(6),
 * });
 */
export class MlflowProjectJobTemplate extends MlWorkload {
  /** The ConfigMap holding the template and the backend config. */
  public readonly configMap: kplus.ConfigMap;
  /** The namespace of the Jobs. */
  public readonly namespace: string;

  public constructor(scope: Construct, id: string, props: MlflowProjectJobTemplateProps) {
    super(scope, id, props === undefined ? props : { ...props, image: PLACEHOLDER_IMAGE });
    // MLflow Projects builds and pushes the image and writes it into the template.
    if (props.image !== undefined) throw invalidProp(this, 'image', 'is chosen by MLflow Projects (the image it builds and pushes to repositoryUri); remove it');
    const namespace = props.namespace ?? Chart.of(this).namespace;
    if (!namespace) throw invalidProp(this, 'namespace', 'is required (MLflow reads it from the template) when the chart has none');
    requireDnsLabel(this, 'namespace', namespace);
    this.namespace = namespace;
    if (!/^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)+$/.test(props.repositoryUri ?? '')) {
      throw invalidProp(this, 'repositoryUri', `('${props.repositoryUri}') must be an image repository without a tag`);
    }
    const backoffLimit = props.backoffLimit ?? 0;
    requireInteger(this, 'backoffLimit', backoffLimit, 0);
    const ttlAfterFinished = props.ttlAfterFinished ?? Duration.hours(1);
    requireWholeSeconds(this, 'ttlAfterFinished', ttlAfterFinished, 0);
    const ttl = ttlAfterFinished.toSeconds();
    this._createMainContainer('mlflow-project', {}, props);
    this._pod.extraFields.restartPolicy = 'Never';
    this.configMap = new kplus.ConfigMap(this, 'ConfigMap', {
      metadata: this._metadata(`${this.name}-job-template`),
      data: {
        'job-template.yaml': '',
        'kubernetes_config.json': JSON.stringify({
          ...(props.kubeContext ? { 'kube-context': props.kubeContext } : {}),
          'repository-uri': props.repositoryUri,
          'kube-job-template-path': 'job-template.yaml',
        }, undefined, 2),
      },
    });
    // Rendered at synth, so placement added later (tolerate, requireNodes) reaches the template.
    AfterConversion.of(this.configMap)._addStage(manifest => {
      manifest.data['job-template.yaml'] = JSON.stringify(this.renderJob(backoffLimit, ttl), undefined, 2);
    });
  }

  /** The Job template as MLflow reads it. */
  public renderJob(backoffLimit = 0, ttlSeconds = 3600): any {
    return {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: this.name, namespace: this.namespace, labels: this.labels },
      spec: {
        backoffLimit,
        ttlSecondsAfterFinished: ttlSeconds,
        template: this._pod.renderTemplate({ labels: this.podLabels, ...this._podAnnotationsField() }),
      },
    };
  }

  /** @internal */
  protected _traits(_id: string, props: MlWorkloadProps): WorkloadTraits {
    return {
      component: 'mlflow-project', defaultResources: DEFAULT_RESOURCES, guaranteedQosByDefault: false, maxGpusPerNode: 8, pod: props as WorkloadPodOptions,
    };
  }
}
