// The guide's model-serving Deployment (`ml-model-serving`) and HPA (`ml-model-hpa`),
// as one MlModelServing, plus a GPU variant that loads its model from object storage.
import { App, Chart, Duration } from 'cdk8s';
import { MlModelServing, ModelSource, ServingScaling } from 'cdk8s-ml';

export function build(app: App): void {
  const chart = new Chart(app, 'model-serving', { namespace: 'ml', disableResourceNameHashes: true });

  // Guide: 3 replicas of ml-model, cpu 1/2, memory 2Gi/4Gi, /health and /ready on 8080,
  // and an HPA from 2 to 20 replicas on CPU 70% / memory 80% (the defaults).
  new MlModelServing(chart, 'ml-model-serving', {
    image: 'ml-model:v1', // the guide's ml-model:latest, pinned: :latest is refused
    labels: { app: 'ml-model' },
    scaling: ServingScaling.autoscale({ name: 'ml-model-hpa' }), // 2..20, CPU 70%, memory 80%
    metrics: { port: 8080, path: '/metrics' },
  });

  // A GPU variant: one NVIDIA A100 per replica, model downloaded before start-up.
  new MlModelServing(chart, 'llm-gpu', {
    image: 'vllm/vllm-openai:v0.6.3',
    args: ['--model', '/mnt/models', '--port', '8080'],
    gpus: { count: 1, product: 'NVIDIA-A100-SXM4-40GB' },
    model: ModelSource.fromStorageUri('s3://models/llama-3-8b'),
    scaling: ServingScaling.autoscale({ minReplicas: 2, maxReplicas: 8 }),
    startupTimeout: Duration.minutes(20),
  });
}

if (require.main === module) {
  const app = new App();
  build(app);
  app.synth();
}
