// Typed structs for the parts of the Kubeflow Training Operator v1 PyTorchJob
// (`kubeflow.org/v1`, CRD of training-operator v1.9.0) that we emit. Pod templates
// are raw Kubernetes JSON. Internal: rendered with cdk8s ApiObject.

export const PYTORCHJOB_API_VERSION = 'kubeflow.org/v1';
export const PYTORCHJOB_KIND = 'PyTorchJob';

/** `spec.pytorchReplicaSpecs.<Master|Worker>`. */
export interface PyTorchReplicaSpec {
  readonly replicas: number;
  readonly restartPolicy: string;
  readonly template: any;
}

/** `spec.elasticPolicy`. */
export interface PyTorchElasticPolicySpec {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly maxRestarts?: number;
  readonly rdzvBackend: string;
  readonly rdzvPort: number;
  /** autoscaling/v2 MetricSpecs: the operator scales Workers between min and max replicas with an HPA. */
  readonly metrics?: any[];
}

/** `spec.runPolicy.schedulingPolicy`: for gang schedulers (Volcano, coscheduling). */
export interface SchedulingPolicySpec {
  readonly minAvailable: number;
  readonly queue?: string;
  readonly priorityClass?: string;
}

/** `spec.runPolicy`. */
export interface RunPolicySpec {
  readonly cleanPodPolicy: string;
  readonly backoffLimit?: number;
  readonly activeDeadlineSeconds?: number;
  readonly ttlSecondsAfterFinished?: number;
  readonly suspend?: boolean;
  readonly schedulingPolicy?: SchedulingPolicySpec;
}

/** `spec` of a PyTorchJob. */
export interface PyTorchJobSpec {
  readonly nprocPerNode: string;
  readonly elasticPolicy?: PyTorchElasticPolicySpec;
  readonly runPolicy: RunPolicySpec;
  readonly pytorchReplicaSpecs: { [replicaType: string]: PyTorchReplicaSpec };
}
