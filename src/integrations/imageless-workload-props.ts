import * as kplus from 'cdk8s-plus-27';
import { GpuOptions } from '../core/resources';
import { WorkloadServiceAccount } from '../core/service-account';
import { VolumeMount } from '../core/workload-volume';

/**
 * The core workload props without the image, for workloads whose image is chosen
 * elsewhere (a KServe runtime, MLflow Projects' build). jsii forbids `Omit<>` in
 * public APIs, so the members are restated; their meaning is `MlWorkloadProps`'.
 */
export interface ImagelessWorkloadProps {
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
   * @default - per construct: none for a model server, one `nvidia.com/gpu` per training worker
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
