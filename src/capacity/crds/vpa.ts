// Typed shape of the VerticalPodAutoscaler we emit (autoscaling.k8s.io/v1), after the
// CRD in ../shared/crds/autoscaling.k8s.io_verticalpodautoscalers.yaml. Internal.

export const VPA_API_VERSION = 'autoscaling.k8s.io/v1';

export interface VpaContainerPolicySpec {
  readonly containerName: string;
  readonly mode?: string;
  readonly controlledResources?: string[];
  readonly controlledValues?: string;
  readonly minAllowed?: { [resource: string]: string };
  readonly maxAllowed?: { [resource: string]: string };
}

export interface VpaSpec {
  readonly targetRef: { readonly apiVersion?: string; readonly kind: string; readonly name: string };
  readonly updatePolicy: { readonly updateMode: string; readonly minReplicas?: number };
  readonly resourcePolicy?: { readonly containerPolicies: VpaContainerPolicySpec[] };
}
