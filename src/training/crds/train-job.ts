// Typed structs for the parts of the Kubeflow Trainer v2 TrainJob
// (`trainer.kubeflow.org/v1alpha1`) that we emit. Internal: rendered with cdk8s ApiObject.

export const TRAINJOB_API_VERSION = 'trainer.kubeflow.org/v1alpha1';
export const TRAINJOB_KIND = 'TrainJob';

/** `spec.runtimeRef`. */
export interface RuntimeRefSpec {
  readonly apiGroup: string;
  readonly kind: string;
  readonly name: string;
}

/** `spec.trainer`. */
export interface TrainerSpec {
  readonly image?: string;
  readonly command?: string[];
  readonly args?: string[];
  readonly env?: any[];
  readonly numNodes: number;
  readonly numProcPerNode: number;
  readonly resourcesPerNode: { requests: { [k: string]: string }; limits: { [k: string]: string } };
}

/** One entry of `spec.podSpecOverrides`. */
export interface PodSpecOverrideSpec {
  readonly targetJobs: { name: string }[];
  readonly serviceAccountName?: string;
  readonly nodeSelector?: { [k: string]: string };
  readonly tolerations?: any[];
  readonly volumes?: any[];
  readonly containers?: { name: string; volumeMounts?: any[]; envFrom?: any[] }[];
}

/** `spec` of a TrainJob. */
export interface TrainJobSpec {
  readonly runtimeRef: RuntimeRefSpec;
  readonly suspend?: boolean;
  readonly labels?: { [k: string]: string };
  readonly trainer: TrainerSpec;
  readonly podSpecOverrides: PodSpecOverrideSpec[];
}
