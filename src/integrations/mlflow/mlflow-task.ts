import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { PUBLIC_TYPE_NAME } from '../../core/errors';
import { MlWorkload, WorkloadTraits } from '../../core/ml-workload';
import { MlWorkloadProps, WorkloadPodOptions } from '../../core/workload-props';

const TASK_RESOURCES = {
  cpuRequest: kplus.Cpu.millis(100), cpuLimit: kplus.Cpu.units(1), memoryRequest: Size.mebibytes(256), memoryLimit: Size.gibibytes(1),
};

/** A run-to-completion MLflow command (db upgrade, gc) as a pod model. @internal */
export interface MlflowTaskProps extends MlWorkloadProps, WorkloadPodOptions {
  readonly component: string;
}

/**
 * A batch pod of the tracking server (the schema migration Job, the `gc`
 * CronJob): the server's image, env and identity, restricted, sized small.
 * @internal
 */
export class MlflowTask extends MlWorkload {
  public readonly container: kplus.Container;
  public readonly workload: kplus.Job | kplus.CronJob;

  public constructor(scope: Construct, id: string, props: MlflowTaskProps, make: (metadata: any) => kplus.Job | kplus.CronJob) {
    super(scope, id, props);
    this._createMainContainer('mlflow', {}, props);
    this.workload = make({ metadata: this._metadata(), podMetadata: { labels: this.podLabels, ...this._podAnnotationsField() }, select: false });
    [this.container] = this._pod.bindTo(this.workload);
  }

  /** Errors name the tracking server. */
  public get [PUBLIC_TYPE_NAME](): string {
    return 'MlflowTrackingServer';
  }

  /** @internal */
  protected _traits(_id: string, props: MlWorkloadProps): WorkloadTraits {
    const p = props as MlflowTaskProps;
    return { component: p.component, defaultResources: TASK_RESOURCES, guaranteedQosByDefault: false, maxGpusPerNode: 0, pod: p };
  }
}
