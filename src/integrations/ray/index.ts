export * from './gcs-fault-tolerance';
export * from './ray-cluster-options';
export * from './ray-cluster';
export * from './ray-entrypoint';
export * from './ray-job';
export * from './ray-service';
export * from './ray-service-upgrade';
export * from './serve-config';
