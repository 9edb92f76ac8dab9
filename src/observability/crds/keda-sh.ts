// Typed subset of KEDA's ScaledObject (keda.sh/v1alpha1). Internal: configured through
// ServingScaledObject's props; tests validate the output against the official CRD.

/** The API group/version of ScaledObject. */
export const KEDA_API_VERSION = 'keda.sh/v1alpha1';

/** One trigger. KEDA's trigger metadata values are all strings. */
export interface ScaledObjectTrigger {
  readonly type: string;
  readonly metricType?: string;
  readonly metadata: { [key: string]: string };
}

/** `spec` of a ScaledObject. */
export interface ScaledObjectSpec {
  readonly scaleTargetRef: { readonly apiVersion: string; readonly kind: string; readonly name: string };
  readonly minReplicaCount: number;
  readonly maxReplicaCount: number;
  readonly pollingInterval: number;
  readonly cooldownPeriod: number;
  readonly fallback?: { readonly failureThreshold: number; readonly replicas: number };
  readonly advanced?: {
    readonly horizontalPodAutoscalerConfig?: {
      readonly behavior?: { readonly scaleDown?: { readonly stabilizationWindowSeconds?: number } };
    };
  };
  readonly triggers: ScaledObjectTrigger[];
}
