import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { PreStop } from './lifecycle';
import { IPriorityClass } from './priority';
import { GpuOptions } from './resources';
import { PodSecurity } from './security';
import { WorkloadServiceAccount } from './service-account';
import { VolumeMount } from './workload-volume';

/**
 * What every workload of this library is made of: its identity and metadata, and
 * its main container. Model servers, training jobs (every backend) and the
 * workloads built on them take these props, documented once here.
 */
export interface MlWorkloadProps {
  /**
   * The main container's image. `:latest` and untagged images are refused unless
   * `allowMutableImageTag` is set: every pod of a workload must run the same code.
   * @default - required, unless the workload has a default (a model server's `runtime`, a TrainJob's TrainingRuntime)
   */
  readonly image?: string;
  /**
   * Accept `:latest` or untagged images (the pull policy becomes Always).
   * @default false
   */
  readonly allowMutableImageTag?: boolean;
  /**
   * When the kubelet pulls the main container's image.
   * @default - IfNotPresent for pinned images, Always with `allowMutableImageTag`
   */
  readonly imagePullPolicy?: kplus.ImagePullPolicy;
  /**
   * Name of every object the workload creates and its `app.kubernetes.io/name`
   * label. An RFC 1123 label.
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
   * Extra labels on the pods and every object. Not part of any selector.
   * @default - none
   */
  readonly labels?: { [key: string]: string };
  /**
   * Annotations on every object the workload creates.
   * @default - none
   */
  readonly annotations?: { [key: string]: string };
  /**
   * Annotations on the pods only (e.g. for a service mesh or a log shipper).
   * @default - none
   */
  readonly podAnnotations?: { [key: string]: string };

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
   * Environment variables of the main container.
   * @default - none
   */
  readonly env?: { [name: string]: kplus.EnvValue };
  /**
   * Environment from ConfigMaps or Secrets (`kplus.Env.fromConfigMap`, `kplus.Env.fromSecret`).
   * @default - none
   */
  readonly envFrom?: kplus.EnvFrom[];

  /**
   * CPU, memory and ephemeral storage of the main container. Requests and limits
   * are always both set; a limit left out is the larger of the default and the request.
   * @default - per construct: a model server requests cpu 1 / memory 2Gi with limits cpu 2 / memory 4Gi (the guide's); a training worker requests = limits = cpu 4 / memory 8Gi
   */
  readonly resources?: kplus.ContainerResources;
  /**
   * Set limits equal to requests so the pods get the Guaranteed QoS class (last to
   * be evicted under node pressure, never CPU-throttled below the request).
   * @default - false for model servers, true for training workers
   */
  readonly guaranteedQos?: boolean;
  /**
   * GPUs (or another countable device) of the main container: the extended
   * resource in requests and limits, the toleration of the GPU taint, and the GPU
   * model as a required node label when named.
   * @default - no GPUs: a workload requests devices only when asked
   */
  readonly gpus?: GpuOptions;

  /**
   * Volumes mounted into the main container (datasets, caches, credentials,
   * ConfigMaps), each added to the pod once.
   * @default - none besides the construct's own (a writable /tmp, the model, ...)
   */
  readonly mounts?: VolumeMount[];
  /**
   * The pods' Kubernetes identity.
   * @default WorkloadServiceAccount.create() - a ServiceAccount named after the workload
   */
  readonly serviceAccount?: WorkloadServiceAccount;
}

/**
 * Pod-level settings of workloads whose pod template is this library's (every
 * workload except the TrainJob backend, whose runtime owns its pod).
 */
export interface WorkloadPodOptions {
  /**
   * Security contexts of the pods.
   * @default PodSecurity.restricted() - the restricted Pod Security Standard, UID/GID/fsGroup 1000
   */
  readonly podSecurity?: PodSecurity;
  /**
   * Mount the ServiceAccount token into the pods (only for pods that call the
   * Kubernetes API).
   * @default false
   */
  readonly automountServiceAccountToken?: boolean;
  /**
   * The pods' PriorityClass: a `PriorityClass` of this library, or an existing one
   * by `PriorityClassRef.fromName()`.
   * @default - the cluster's default priority
   */
  readonly priorityClass?: IPriorityClass;
  /**
   * Time between SIGTERM and SIGKILL: in-flight requests, or a checkpoint on
   * preemption. Must cover the preStop hook.
   * @default Duration.seconds(60)
   */
  readonly terminationGracePeriod?: Duration;
  /**
   * The main container's preStop hook, e.g. `PreStop.sleep(Duration.seconds(10))`
   * so endpoints are withdrawn before the server stops.
   * @default - none
   */
  readonly preStop?: PreStop;
  /**
   * Init containers, run to completion in order before the main container starts
   * (downloads, migrations, permission fixes).
   * @default - none
   */
  readonly initContainers?: ContainerSpec[];
  /**
   * Native sidecars (init containers with `restartPolicy: Always`, Kubernetes
   * 1.29+): started before the main container, stopped after it, and not blocking
   * a Job's completion.
   * @default - none
   */
  readonly sidecars?: ContainerSpec[];
}

/** An init container or sidecar of a workload, secured like its main container. */
export interface ContainerSpec {
  /** The container name; unique in the pod. */
  readonly name: string;
  /** The image; `:latest` and untagged images are refused unless `allowMutableImageTag`. */
  readonly image: string;
  /**
   * Accept `:latest` or untagged images.
   * @default false
   */
  readonly allowMutableImageTag?: boolean;
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
   * CPU, memory and ephemeral storage.
   * @default - requests cpu 100m / memory 128Mi, limits cpu 500m / memory 512Mi
   */
  readonly resources?: kplus.ContainerResources;
  /**
   * Volumes mounted into this container.
   * @default - none (a writable /tmp is always mounted)
   */
  readonly mounts?: VolumeMount[];
  /**
   * Ports the container listens on (sidecars).
   * @default - none
   */
  readonly ports?: kplus.ContainerPort[];
  /**
   * Readiness probe (sidecars only: init containers must not have probes).
   * @default - none
   */
  readonly readiness?: kplus.Probe;
  /**
   * Startup probe (sidecars only).
   * @default - none
   */
  readonly startup?: kplus.Probe;
}
