export * from './inference-service';
export * from './katib-experiment';
export * from './kubeflow-peers';
export * from './notebook';
export * from './pipeline-runner';
