export * from './gcs-fault-tolerance';
export * from './ray-cluster-options';
export * from './ray-cluster';
