// Kubeflow: a KServe InferenceService in Standard mode, a GPU Notebook with its
// workspace, a Katib Experiment tuning a training Job, and the namespace identity
// Kubeflow Pipelines runs steps as.
import { App, Chart, Size } from 'cdk8s';
import {
  InferenceService, KatibAlgorithm, KatibExperiment, KatibObjectiveType, KatibParameter, Notebook, PipelineRunner,
} from 'cdk8s-ml';

export function build(app: App): void {
  const chart = new Chart(app, 'kubeflow', { namespace: 'team-a', disableResourceNameHashes: true });

  new InferenceService(chart, 'sklearn-iris', {
    modelFormat: 'sklearn',
    storageUri: 'gs://kfserving-examples/models/sklearn/1.0/model',
    minReplicas: 2,
    maxReplicas: 6,
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
