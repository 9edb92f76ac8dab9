// Typed structs for the part of LeaderWorkerSet (leaderworkerset.x-k8s.io/v1,
// kubernetes-sigs/lws v0.10) that MultiNodeServing emits, checked in tests against
// the official CRD schema.

export const LWS_API_VERSION = 'leaderworkerset.x-k8s.io/v1';

/** The label LWS puts on every pod of a set. */
export const LWS_NAME_LABEL = 'leaderworkerset.sigs.k8s.io/name';
/** The label holding a pod's index in its group; the leader is 0. */
export const LWS_WORKER_INDEX_LABEL = 'leaderworkerset.sigs.k8s.io/worker-index';

/** `spec.leaderWorkerTemplate`. */
export interface LeaderWorkerTemplate {
  readonly size: number;
  readonly restartPolicy: 'Default' | 'RecreateGroupOnPodRestart' | 'RecreateGroupAfterStart' | 'None';
  readonly leaderTemplate: unknown;
  readonly workerTemplate: unknown;
}

/** `spec`. */
export interface LeaderWorkerSetSpec {
  readonly replicas: number;
  readonly startupPolicy: 'LeaderCreated' | 'LeaderReady';
  readonly leaderWorkerTemplate: LeaderWorkerTemplate;
  readonly rolloutStrategy?: { readonly type: 'RollingUpdate'; readonly rollingUpdateConfiguration?: { readonly maxUnavailable?: number; readonly maxSurge?: number } };
}
