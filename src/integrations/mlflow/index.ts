export * from './mlflow-artifact-store';
export * from './mlflow-auth';
export * from './mlflow-tracking-server';
export type { MlflowRegistryModelOptions } from '../../serving/model-source';
export * from './mlflow-project-job-template';
