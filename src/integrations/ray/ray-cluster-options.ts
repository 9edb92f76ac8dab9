import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { GcsFaultTolerance } from './gcs-fault-tolerance';
import { GpuOptions } from '../../core/resources';
import { WorkloadServiceAccount } from '../../core/service-account';
import { WorkloadPodOptions } from '../../core/workload-props';
import { VolumeMount } from '../../core/workload-volume';

/**
 * How the Ray autoscaler adds workers when demand is queued.
 * @see https://docs.ray.io/en/latest/cluster/kubernetes/user-guides/configuring-autoscaling.html
 */
export enum RayUpscalingMode {
  /** Upscaling is not rate-limited. */
  DEFAULT = 'Default',
  /** At most as many pending workers as the cluster has nodes. */
  CONSERVATIVE = 'Conservative',
}

/** The in-tree Ray autoscaler (v2), a sidecar of the head pod. */
export interface RayAutoscalerOptions {
  /**
   * How long a worker may use no Ray resources before it is removed.
   * @default Duration.seconds(60) - KubeRay's and Ray's default
   */
  readonly idleTimeout?: Duration;
  /**
   * @default RayUpscalingMode.DEFAULT
   */
  readonly upscalingMode?: RayUpscalingMode;
  /**
   * CPU and memory of the autoscaler sidecar (requests = limits).
   * @default - cpu 500m, memory 512Mi (KubeRay's defaults, AutoscalerOptions.resources)
   */
  readonly resources?: kplus.ContainerResources;
}

/** Options shared by the head and every worker group. */
export interface RayGroupOptions {
  /**
   * CPU and memory of the Ray container. Requests equal limits by default:
   * Ray schedules on the limits.
   * @default - head: cpu 2 / memory 8Gi; workers: cpu 4 / memory 16Gi
   */
  readonly resources?: kplus.ContainerResources;
  /**
   * Extra `ray start` parameters (without `--`), e.g. `{ 'object-store-memory': '2000000000' }`.
   * @default - none besides the construct's own
   */
  readonly rayStartParams?: { [param: string]: string };
  /**
   * Environment of this group's Ray container, added to the cluster's `env`.
   * @default - none
   */
  readonly env?: { [name: string]: kplus.EnvValue };
  /**
   * Volumes mounted into this group's Ray container.
   * @default - none besides /tmp
   */
  readonly mounts?: VolumeMount[];
}

/** The Ray head. */
export interface RayHeadOptions extends RayGroupOptions {
  /**
   * Logical CPUs the head offers to Ray tasks (`ray start --num-cpus`). 0 keeps
   * work off the head, whose GCS, dashboard and autoscaler must stay responsive
   * (Ray's recommendation for production clusters).
   * @default 0
   */
  readonly numCpus?: number;
  /**
   * Type of the head Service KubeRay creates.
   * @default kplus.ServiceType.CLUSTER_IP
   */
  readonly serviceType?: kplus.ServiceType;
}

/** One worker group (pods of the same shape, scaled together). */
export interface RayWorkerGroupOptions extends RayGroupOptions {
  /** Name of the group (an RFC 1123 label, unique in the cluster). */
  readonly groupName: string;
  /**
   * Fewest workers; the autoscaler never goes below.
   * @default 1
   */
  readonly minReplicas?: number;
  /**
   * Most workers. Above `minReplicas`, the group autoscales.
   * @default - minReplicas (a fixed-size group)
   */
  readonly maxReplicas?: number;
  /**
   * Workers at creation.
   * @default - minReplicas
   */
  readonly replicas?: number;
  /**
   * GPUs per worker (e.g. `{ count: 1 }`); Ray advertises them as `GPU` resources.
   * @default - none (a CPU group)
   */
  readonly gpus?: GpuOptions;
  /**
   * This group's idle timeout, overriding the autoscaler's.
   * @default - the autoscaler's idleTimeout
   */
  readonly idleTimeout?: Duration;
  /**
   * The group's image (e.g. a `-gpu` variant); must run the same Ray version.
   * @default - the cluster's image
   */
  readonly image?: string;
}

/** What a Ray cluster is made of; shared by RayCluster, RayJob and RayService. */
export interface RayClusterOptions extends WorkloadPodOptions {
  /**
   * The Ray image of every group, e.g. `rayproject/ray:2.52.0-py311`.
   */
  readonly image: string;
  /**
   * Accept `:latest` or untagged images.
   * @default false
   */
  readonly allowMutableImageTag?: boolean;
  /**
   * The Ray version (`spec.rayVersion`), which KubeRay uses to pick probes and features.
   * @default - the leading `x.y.z` of the image tag
   */
  readonly rayVersion?: string;
  /**
   * The head.
   * @default - numCpus 0, cpu 2 / memory 8Gi
   */
  readonly head?: RayHeadOptions;
  /**
   * Worker groups (CPU, GPU, ...).
   * @default - none: a head-only cluster
   */
  readonly workerGroups?: RayWorkerGroupOptions[];
  /**
   * The in-tree autoscaler (v2, Ray 2.10+).
   * @default - enabled with the defaults when any group has maxReplicas > minReplicas
   */
  readonly autoscaler?: RayAutoscalerOptions;
  /**
   * GCS fault tolerance: the head's metadata in an external Redis, so the cluster
   * survives a head restart.
   * @default - none: a head restart restarts every worker
   */
  readonly gcsFaultTolerance?: GcsFaultTolerance;
  /**
   * Environment of every Ray container.
   * @default - none
   */
  readonly env?: { [name: string]: kplus.EnvValue };
  /**
   * Environment of every Ray container from ConfigMaps or Secrets.
   * @default - none
   */
  readonly envFrom?: kplus.EnvFrom[];
  /**
   * The pods' identity; the head's autoscaler uses it (KubeRay binds its Role to it).
   * @default WorkloadServiceAccount.create()
   */
  readonly serviceAccount?: WorkloadServiceAccount;
  /**
   * Labels on every object and pod.
   * @default - none
   */
  readonly labels?: { [key: string]: string };
  /**
   * Annotations on every object.
   * @default - none
   */
  readonly annotations?: { [key: string]: string };
  /**
   * Annotations on the pods.
   * @default - none
   */
  readonly podAnnotations?: { [key: string]: string };
  /**
   * The `app.kubernetes.io/part-of` label.
   * @default - none
   */
  readonly partOf?: string;
  /**
   * Who may reach the dashboard / job API (8265), the Ray client (10001) and Serve
   * (8000). The cluster's own pods always reach each other on every port.
   * @default - nobody outside the cluster
   */
  readonly clientPeers?: kplus.INetworkPolicyPeer[];
  /**
   * Who may scrape the metrics port (8080).
   * @default - pods in any namespace (Prometheus's location is not known)
   */
  readonly metricsPeers?: kplus.INetworkPolicyPeer[];
  /**
   * Create a prometheus-operator PodMonitor for the metrics port.
   * @default true
   */
  readonly podMonitor?: boolean;
  /**
   * Labels of the PodMonitor, for a Prometheus that selects monitors by label
   * (kube-prometheus-stack: `{ release: '<its release name>' }`).
   * @default - the cluster's labels only
   */
  readonly monitorLabels?: { [key: string]: string };
}
