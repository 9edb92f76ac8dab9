export * from './inference-service';
export * from './katib-experiment';
export * from './notebook';
export * from './pipeline-runner';
