export * from './ray';
export * from './mlflow';
export * from './kubeflow';
