// Delivery strategies for model servers: blue-green and canary releases. Rolling
// updates are MlModelServing's own (maxSurge, maxUnavailable, minReady, ...).
export { BlueGreenColor, BlueGreenService } from './blue-green-service';
export type { BlueGreenServiceProps } from './blue-green-service';
export { IdleColorPolicy } from './idle-color-policy';
export type { BlueGreenRolloutOptions } from './blue-green-rollout';
export { CanaryAnnotations, CanaryRelease } from './canary-release';
export type { CanaryReleaseProps } from './canary-release';
export { CanaryTraffic } from './canary-traffic';
export type { GatewayApiTrafficOptions, GatewayReference, IngressNginxTrafficOptions, ReplicaRatioOptions } from './canary-traffic';
// Argo Rollouts: steps and analysis for CanaryRelease (rollout) and BlueGreenService (rollout).
export { CanaryStep } from './canary-step';
export type { CanaryRolloutOptions } from './canary-rollout';
export { RolloutAnalysis } from './rollout-analysis';
export type { AnalysisTemplateReferenceOptions, ServerMetricsAnalysisOptions } from './rollout-analysis';
export { CanaryRoute } from './canary-route';
export type { CanaryRouteProps } from './canary-route';
export { WorkloadRollout } from './workload-rollout';
export type { WorkloadRolloutProps } from './workload-rollout';
export { WorkloadBlueGreenRollout } from './workload-blue-green-rollout';
export type { WorkloadBlueGreenRolloutProps } from './workload-blue-green-rollout';
