// Progressive delivery with Argo Rollouts: an LLM server canaried 10% -> 30% -> 60%
// -> 100% through a Gateway, each step held until an analysis of the canary pods'
// error ratio and time to first token passes (a bad canary rolls back by itself),
// and a blue-green release whose preview is analysed before promotion.
//
// Needs the Argo Rollouts controller and, for the canary, its Gateway API plugin
// (argoproj-labs/gatewayAPI, registered in the argo-rollouts-config ConfigMap, with
// RBAC to patch HTTPRoutes). A release is a change of the server's image: apply the
// same chart with the new image and Argo Rollouts walks the steps.
//
// The pre-promotion analysis needs requests to the preview (e.g. a smoke-test Job
// through the preview Service): without any it is inconclusive and the rollout pauses.
//
// Without a controller (the last charts): one synthesized chart per weight, applied
// in turn by a pipeline that checks its own gates between them.
import { App, Chart, Duration } from 'cdk8s';
import {
  BlueGreenColor, BlueGreenService, CanaryRelease, CanaryStep, CanaryTraffic, MlModelServingProps, RolloutAnalysis, ServingScaling, TargetCluster,
} from 'cdk8s-ml';

const PROMETHEUS = 'http://prometheus-operated.monitoring.svc:9090';

// vLLM's OpenAI server: HTTP metrics from prometheus-fastapi-instrumentator
// (`http_requests_total{status="5xx"}`), engine metrics prefixed `vllm:`.
// https://docs.vllm.ai/en/latest/serving/metrics.html
const llm = (image: string): MlModelServingProps => ({
  image,
  args: ['--model', '/mnt/models', '--port', '8000'],
  port: 8000,
  gpus: { count: 1 },
  scaling: ServingScaling.autoscale({ minReplicas: 2, maxReplicas: 8 }),
  metrics: { port: 8000, names: { statusCodeLabel: 'status', errorCodeRegex: '5..' } },
});

export function build(app: App): void {
  const canaryChart = new Chart(app, 'progressive-canary', { namespace: 'ml', disableResourceNameHashes: true });
  const analysis = RolloutAnalysis.serverMetrics({
    prometheusAddress: PROMETHEUS,
    maxErrorRatio: 0.02,
    maxP95Latency: Duration.seconds(20),
    maxP95TimeToFirstToken: Duration.millis(800),
    timeToFirstTokenHistogram: 'vllm:time_to_first_token_seconds',
    maxQueueLength: 10,
    queueLengthGauge: 'vllm:num_requests_waiting',
    count: 5,
    interval: Duration.minutes(1),
  });
  new CanaryRelease(canaryChart, 'llm', {
    stable: llm('vllm/vllm-openai:v0.6.3'),
    traffic: CanaryTraffic.gatewayApi({
      gateway: { name: 'ml-gateway', namespace: 'gateway-system', sectionName: 'https' },
      hostnames: ['llm.models.example.com'],
    }),
    rollout: {
      steps: [
        CanaryStep.weight(10), CanaryStep.analysis(analysis),
        CanaryStep.weight(30), CanaryStep.analysis(analysis),
        CanaryStep.weight(60), CanaryStep.analysis(analysis),
        CanaryStep.weight(100),
      ],
    },
    metadata: { labels: { team: 'nlp' } },
  });

  const blueGreenChart = new Chart(app, 'progressive-blue-green', { namespace: 'ml', disableResourceNameHashes: true });
  new BlueGreenService(blueGreenChart, 'ml-model', {
    activeColor: BlueGreenColor.BLUE,
    blue: { image: 'ml-model:v2', metrics: { port: 9090 } },
    rollout: {
      prePromotionAnalysis: RolloutAnalysis.serverMetrics({ prometheusAddress: PROMETHEUS, name: 'preview', maxErrorRatio: 0.01 }),
      autoPromotion: true,
      scaleDownDelay: Duration.minutes(5),
    },
  });

  // Controller-free: the same release as one chart per weight. The pipeline applies
  // progressive-step-10, checks its gates (e.g. the AnalysisTemplate's queries, or
  // ModelServerAlerts silent for a while), then -30, -60, and finally promotes (the
  // stable image becomes v0.6.3 and the canary goes away); aborting is weight 0.
  for (const weight of [10, 30, 60]) {
    const step = new Chart(app, `progressive-step-${weight}`, { namespace: 'ml', disableResourceNameHashes: true });
    // Each step is the same release at another weight: applied one after another, never together.
    TargetCluster.mark(step, `progressive-step-${weight}`);
    new CanaryRelease(step, 'llm', {
      stable: llm('vllm/vllm-openai:v0.6.2'),
      canary: llm('vllm/vllm-openai:v0.6.3'),
      weight,
      traffic: CanaryTraffic.gatewayApi({ gateway: { name: 'ml-gateway', namespace: 'gateway-system', sectionName: 'https' }, hostnames: ['llm.models.example.com'] }),
    });
  }
}

if (require.main === module) {
  const app = new App();
  build(app);
  app.synth();
}
