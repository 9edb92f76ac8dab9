import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ContainerModel } from '../../core/container-model';
import { PUBLIC_TYPE_NAME } from '../../core/errors';
import { MlWorkload, WorkloadTraits } from '../../core/ml-workload';
import { ResourceDefaults } from '../../core/resources';
import { MlWorkloadProps, WorkloadPodOptions } from '../../core/workload-props';

/** The label every pod of one Ray cluster carries (head and all worker groups). */
export const RAY_CLUSTER_LABEL = 'ray.cdk8s-ml.io/cluster';
/** The label naming the pod's group (`head` or the worker group's name). */
export const RAY_GROUP_LABEL = 'ray.cdk8s-ml.io/group';

/** What one Ray node group's pod is made of. @internal */
export interface RayNodeGroupProps extends MlWorkloadProps, WorkloadPodOptions {
  readonly clusterName: string;
  readonly groupName: string;
  readonly component: string;
  readonly defaultResources: ResourceDefaults;
  readonly ports: kplus.ContainerPort[];
  readonly containerName: string;
}

/**
 * One group of a Ray cluster (the head, or one worker group) as a workload of the
 * core model: its pod template is rendered by the pod model (restricted, requests
 * and limits, GPUs with their toleration, /tmp, identity, placement), and KubeRay
 * turns it into pods. Internal: users reach it as `ISchedulable` through
 * `RayCluster.head` and `RayCluster.workerGroup(name)`.
 *
 * KubeRay treats the first container as the Ray container: it writes the
 * `ray start` command (when none is given) and injects the liveness and readiness
 * probes and a memory-backed `/dev/shm` sized to the memory request
 * (kuberay ray-operator/controllers/ray/common/pod.go, BuildPod, initLivenessAndReadinessProbe,
 * addEmptyDir), so the template declares neither.
 * @internal
 */
export class RayNodeGroup extends MlWorkload {
  public readonly groupName: string;
  public readonly container: ContainerModel;

  public constructor(scope: Construct, id: string, props: RayNodeGroupProps) {
    super(scope, id, props);
    this.groupName = props.groupName;
    this.container = this._createMainContainer(props.containerName, { ports: props.ports }, props);
  }

  /** Errors name the user's construct (RayCluster, RayJob, RayService); the path names the group. */
  public get [PUBLIC_TYPE_NAME](): string {
    return this.node.scope?.constructor.name ?? 'RayCluster';
  }

  /** The group's pod template, rendered now (call lazily). */
  public renderTemplate(): any {
    return this._pod.renderTemplate({ labels: this.podLabels, ...this._podAnnotationsField() });
  }

  /** @internal */
  protected _traits(_id: string, props: MlWorkloadProps): WorkloadTraits {
    const p = props as RayNodeGroupProps;
    return {
      component: p.component,
      defaultResources: p.defaultResources,
      // Ray sizes its resources from the limits; Ray recommends requests = limits
      // (docs.ray.io, "Configuring Ray Pods": "set requests equal to limits").
      guaranteedQosByDefault: true,
      maxGpusPerNode: 16,
      selectorLabels: { [RAY_CLUSTER_LABEL]: p.clusterName, [RAY_GROUP_LABEL]: p.groupName },
      pod: p,
      defaultTerminationGrace: Duration.seconds(60),
    };
  }
}
