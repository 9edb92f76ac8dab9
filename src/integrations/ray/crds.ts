// Typed structs for the parts of KubeRay's `ray.io/v1` RayCluster, RayJob and
// RayService that we emit (CRDs of ray-project/kuberay feeaf72, the files in
// ../shared/crds). Pod templates are the workload model's raw JSON. Internal:
// rendered with cdk8s ApiObject.

export const RAY_API_VERSION = 'ray.io/v1';

/** `spec.autoscalerOptions`. */
export interface RayAutoscalerOptionsSpec {
  readonly version: string;
  readonly idleTimeoutSeconds: number;
  readonly upscalingMode: string;
  readonly imagePullPolicy: string;
  readonly resources: { requests: { [k: string]: string }; limits: { [k: string]: string } };
  readonly securityContext: any;
  readonly volumeMounts?: { name: string; mountPath: string }[];
}

/** `{ valueFrom: { secretKeyRef } }` of `gcsFaultToleranceOptions.redisPassword`. */
export interface RaySecretValueSpec {
  readonly valueFrom: { secretKeyRef: { name: string; key: string } };
}

/** `spec.gcsFaultToleranceOptions` (the Redis backend). */
export interface RayGcsFaultToleranceSpec {
  readonly redisAddress: string;
  readonly redisPassword?: RaySecretValueSpec;
  readonly redisUsername?: RaySecretValueSpec;
  readonly externalStorageNamespace?: string;
}

/** `spec.headGroupSpec`. */
export interface RayHeadGroupSpec {
  readonly rayStartParams: { [k: string]: string };
  readonly serviceType?: string;
  readonly template: any;
}

/** One of `spec.workerGroupSpecs`. */
export interface RayWorkerGroupSpec {
  readonly groupName: string;
  readonly replicas: number;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly idleTimeoutSeconds?: number;
  readonly rayStartParams: { [k: string]: string };
  readonly template: any;
}

/** `spec` of a RayCluster, `spec.rayClusterSpec` of a RayJob, `spec.rayClusterConfig` of a RayService. */
export interface RayClusterSpecJson {
  readonly rayVersion?: string;
  readonly enableInTreeAutoscaling: boolean;
  readonly autoscalerOptions?: RayAutoscalerOptionsSpec;
  readonly gcsFaultToleranceOptions?: RayGcsFaultToleranceSpec;
  readonly headGroupSpec: RayHeadGroupSpec;
  readonly workerGroupSpecs: RayWorkerGroupSpec[];
}
