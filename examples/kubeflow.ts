// Kubeflow: a KServe InferenceService in Standard mode, a second one served by a
// restricted ServingRuntime of our own (MLServer's MLflow runtime), a GPU Notebook
// with its workspace, a Katib Experiment tuning a training Job, and the namespace
// identity Kubeflow Pipelines runs steps as.
import { App, Chart, Size } from 'cdk8s';
import {
  InferenceService, KatibAlgorithm, KatibExperiment, KatibObjectiveType, KatibParameter, KServeServingRuntime, Notebook,
  PipelineRunner, ServingRuntime,
} from 'cdk8s-ml';

export function build(app: App): void {
  const chart = new Chart(app, 'kubeflow', { namespace: 'team-a', disableResourceNameHashes: true });

  new InferenceService(chart, 'sklearn-iris', {
    modelFormat: 'sklearn',
    storageUri: 'gs://kfserving-examples/models/sklearn/1.0/model',
    minReplicas: 2,
    maxReplicas: 6,
  });

  // The runtime's kserve-container (image, probes, writable caches, restricted context)
  // is what KServe merges the predictor into; the model lands in /mnt/models.
  const mlflowRuntime = new KServeServingRuntime(chart, 'mlflow-runtime', { runtime: ServingRuntime.mlflow() });
  new InferenceService(chart, 'churn', {
    modelFormat: 'mlflow',
    modelFormatVersion: '2',
    servingRuntime: mlflowRuntime,
    storageUri: 's3://acme-ml-artifacts/mlflow/1/models/m-churn/artifacts',
    minReplicas: 2,
    maxReplicas: 4,
  });

  new Notebook(chart, 'alice', {
    image: 'kubeflownotebookswg/jupyter-pytorch-cuda-full:v1.9.0',
    gpus: { count: 1 },
    workspaceSize: Size.gibibytes(50),
  });

  new KatibExperiment(chart, 'bert-lr', {
    image: 'ghcr.io/acme/bert-train:v3',
    command: ['python', 'train.py'],
    args: ['--lr=${trialParameters.lr}', '--batch-size=${trialParameters.batchSize}'],
    gpus: { count: 1 },
    objectiveMetric: 'eval_accuracy',
    objectiveType: KatibObjectiveType.MAXIMIZE,
    goal: 0.92,
    algorithm: KatibAlgorithm.BAYESIAN_OPTIMIZATION,
    parameters: [KatibParameter.double('lr', 0.00001, 0.001), KatibParameter.categorical('batchSize', ['16', '32', '64'])],
    parallelTrials: 3,
    maxTrials: 24,
  });

  new PipelineRunner(chart, 'pipeline-runner');
}

if (require.main === module) {
  const app = new App();
  build(app);
  app.synth();
}
