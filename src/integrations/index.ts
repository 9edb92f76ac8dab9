export * from './ray';
export * from './mlflow';
export * from './kubeflow';
export * from './imageless-workload-props';
