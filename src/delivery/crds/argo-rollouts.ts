// Typed structs for the parts of Argo Rollouts' `Rollout` and `AnalysisTemplate`
// (argoproj.io/v1alpha1) this library emits, checked in tests against the official
// CRDs (argoproj.io_rollouts.yaml, argoproj.io_analysistemplates.yaml).
// Field reference: https://argo-rollouts.readthedocs.io/en/stable/features/specification/

export const ARGO_ROLLOUTS_API_VERSION = 'argoproj.io/v1alpha1';

/** `templates[]` of an analysis reference. */
export interface RolloutAnalysisTemplateRef {
  readonly templateName: string;
  readonly clusterScope?: boolean;
}

/** `args[]` of an analysis reference: a value, or the pod-template hash of a ReplicaSet. */
export interface RolloutAnalysisArg {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: { readonly podTemplateHashValue?: 'Stable' | 'Latest'; readonly fieldRef?: { readonly fieldPath: string } };
}

/** A step's `analysis`, the canary's background `analysis`, or a blue-green pre/post-promotion analysis. */
export interface RolloutAnalysisRef {
  readonly templates: RolloutAnalysisTemplateRef[];
  readonly args?: RolloutAnalysisArg[];
  /** Background analysis only: the step (index) at which it starts. */
  readonly startingStep?: number;
}

/** `strategy.canary.steps[]`: exactly one field set. */
export interface RolloutCanaryStep {
  readonly setWeight?: number;
  /** `{}` pauses until promoted; `duration` is a Go duration string or seconds. */
  readonly pause?: { readonly duration?: string };
  readonly analysis?: RolloutAnalysisRef;
}

/** `strategy.canary`. */
export interface RolloutCanaryStrategy {
  readonly stableService?: string;
  readonly canaryService?: string;
  readonly steps?: RolloutCanaryStep[];
  readonly analysis?: RolloutAnalysisRef;
  readonly maxSurge?: string | number;
  readonly maxUnavailable?: string | number;
  readonly trafficRouting?: {
    /** Traffic router plugins by name, e.g. `argoproj-labs/gatewayAPI`; their config is free-form. */
    readonly plugins?: { [plugin: string]: unknown };
    readonly nginx?: { readonly stableIngress: string };
  };
  readonly abortScaleDownDelaySeconds?: number;
}

/** `strategy.blueGreen`. */
export interface RolloutBlueGreenStrategy {
  readonly activeService: string;
  readonly previewService?: string;
  readonly autoPromotionEnabled?: boolean;
  readonly autoPromotionSeconds?: number;
  readonly prePromotionAnalysis?: RolloutAnalysisRef;
  readonly postPromotionAnalysis?: RolloutAnalysisRef;
  readonly previewReplicaCount?: number;
  readonly scaleDownDelaySeconds?: number;
  readonly maxUnavailable?: string | number;
}

/** `spec` of a Rollout. */
export interface RolloutSpec {
  readonly replicas?: number;
  readonly selector: { readonly matchLabels: { [key: string]: string } };
  readonly template: unknown;
  readonly minReadySeconds?: number;
  readonly progressDeadlineSeconds?: number;
  /** Abort (and so roll back) when the progress deadline passes, instead of only reporting it. */
  readonly progressDeadlineAbort?: boolean;
  readonly revisionHistoryLimit?: number;
  readonly strategy: { readonly canary?: RolloutCanaryStrategy; readonly blueGreen?: RolloutBlueGreenStrategy };
}

/** `spec.metrics[]` of an AnalysisTemplate, Prometheus provider only. */
export interface AnalysisMetric {
  readonly name: string;
  /** Go duration between measurements, e.g. `1m`. */
  readonly interval?: string;
  readonly initialDelay?: string;
  readonly count?: number;
  readonly failureLimit?: number;
  readonly inconclusiveLimit?: number;
  readonly consecutiveErrorLimit?: number;
  readonly successCondition?: string;
  readonly failureCondition?: string;
  readonly provider: { readonly prometheus: { readonly address: string; readonly query: string; readonly timeout?: number } };
}

/** `spec` of an AnalysisTemplate or ClusterAnalysisTemplate. */
export interface AnalysisTemplateSpec {
  readonly args?: { readonly name: string; readonly value?: string }[];
  readonly metrics: AnalysisMetric[];
}
