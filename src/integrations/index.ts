export * from './ray';
export * from './mlflow';
