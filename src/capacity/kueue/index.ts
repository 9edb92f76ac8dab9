// Kueue: quota, queues and admission priorities for batch jobs (kueue.x-k8s.io/v1beta2).
export { ClusterQueue, QueueingStrategy } from './cluster-queue';
export type { ClusterQueueProps, FlavorQuota } from './cluster-queue';
export { LocalQueue } from './local-queue';
export type { ILocalQueue, LocalQueueProps } from './local-queue';
export { ResourceFlavor } from './resource-flavor';
export type { ResourceFlavorProps } from './resource-flavor';
export { WorkloadPriorityClass } from './workload-priority-class';
export type { WorkloadPriorityClassProps } from './workload-priority-class';
