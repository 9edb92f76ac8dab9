import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { PUBLIC_TYPE_NAME } from '../../core/errors';
import { MlWorkload, WorkloadTraits } from '../../core/ml-workload';
import { MlWorkloadProps, WorkloadPodOptions } from '../../core/workload-props';

// KubeRay's default submitter requests (common/job.go GetDefaultSubmitterContainer:
// 500m / 200Mi, limits 1 / 1Gi); ours requests 256Mi, as `ray job submit` imports Ray.
const SUBMITTER_RESOURCES = {
  cpuRequest: kplus.Cpu.millis(500), cpuLimit: kplus.Cpu.units(1), memoryRequest: Size.mebibytes(256), memoryLimit: Size.gibibytes(1),
};

/**
 * The K8sJobMode submitter pod of a RayJob (`spec.submitterPodTemplate`) as a pod
 * model: restricted, sized, token-less, `restartPolicy: Never` (a Job's pod).
 * Its container has no command, so KubeRay writes `ray job submit ...`
 * (rayjob_controller.go configureSubmitterContainer).
 * @internal
 */
export class RayJobSubmitter extends MlWorkload {
  public constructor(scope: Construct, id: string, props: MlWorkloadProps & WorkloadPodOptions) {
    super(scope, id, props);
    this._createMainContainer('ray-job-submitter', {}, props);
    this._pod.extraFields.restartPolicy = 'Never';
  }

  /** Errors name the RayJob. */
  public get [PUBLIC_TYPE_NAME](): string {
    return 'RayJob';
  }

  /** @internal */
  protected _traits(_id: string, props: MlWorkloadProps): WorkloadTraits {
    return { component: 'ray-job-submitter', defaultResources: SUBMITTER_RESOURCES, guaranteedQosByDefault: false, maxGpusPerNode: 0, pod: props as WorkloadPodOptions };
  }
}
