// The serving team's chart of examples/ml-platform.ts: an LLM released by canary
// with analysis and scaled by KEDA, and a classic model server scaled by its HPA.
import { App, Chart, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { GATEWAY, Platform, REGISTRY, SERVING } from './cluster';
import {
  CanaryRelease, CanaryStep, CanaryTraffic, ExternalSecret, MlModelServing, ModelSource, RolloutAnalysis, ServingRuntime,
  ServingScaledObject, ServingScaling, VerticalPodAutoscaler, VpaTarget, WorkloadServiceAccount,
} from 'cdk8s-ml';

/** kube-prometheus-stack's Prometheus, which Argo Rollouts' analyses and KEDA query. */
export const PROMETHEUS = 'http://kube-prometheus-stack-prometheus.monitoring.svc:9090';

/** The servers, for the observability chart. */
export interface Servers {
  readonly llm: MlModelServing;
  readonly classic: MlModelServing;
}

export function servingChart(app: App, platform: Platform): { chart: Chart; servers: Servers } {
  const chart = new Chart(app, 'ml-platform-serving', { namespace: SERVING, disableResourceNameHashes: true });
  const fromGateway = [kplus.Namespaces.select(chart, 'gateway-pods', { names: [GATEWAY] })];

  // Guide "Security > Secrets management" and "Secrets rotation": the Hugging Face
  // token for the gated model, re-read hourly; the YAML holds only its path.
  const hfToken = new ExternalSecret(chart, 'hf-token', {
    store: platform.secrets,
    refreshInterval: Duration.hours(1),
    data: [{ secretKey: 'HF_TOKEN', remoteKey: 'ml/huggingface', property: 'token' }],
  });

  // Guide "Deployment Strategies > Canary Deployment", with a controller: vLLM (the
  // runtime preset: args, probes, metric names, /dev/shm) behind the platform
  // Gateway; each new image gets 10% -> 30% -> 60% of requests, each step held
  // until the canary pods' error ratio and time to first token pass, else rolled back.
  const analysis = RolloutAnalysis.serverMetrics({
    prometheusAddress: PROMETHEUS,
    maxErrorRatio: 0.02,
    maxP95TimeToFirstToken: Duration.millis(800),
    timeToFirstTokenHistogram: 'vllm:time_to_first_token_seconds',
    count: 5,
    interval: Duration.minutes(1),
  });
  const llm = new CanaryRelease(chart, 'llm', {
    stable: {
      runtime: ServingRuntime.vllm({ image: `${REGISTRY}/vllm-openai:v0.6.3`, servedModelName: 'llama-3.1-8b-instruct', maxModelLen: 16384 }),
      model: ModelSource.fromHuggingFace('meta-llama/Llama-3.1-8B-Instruct', {
        revision: '0e9e39f249a16976918f6564b8830bc894c89659',
        tokenSecret: hfToken.secretName,
        sizeLimit: Size.gibibytes(40),
        initializerImage: `${REGISTRY}/kserve-storage-initializer:v0.15.2`,
      }),
      gpus: { count: 1 },
      resources: {
        cpu: { request: kplus.Cpu.units(8), limit: kplus.Cpu.units(8) },
        memory: { request: Size.gibibytes(48), limit: Size.gibibytes(48) },
      },
      startupTimeout: Duration.minutes(15),
      progressDeadline: Duration.minutes(25),
      scaling: ServingScaling.external({ minReplicas: 2, maxReplicas: 8 }),
      priorityClass: platform.servingPriority,
      ingressFrom: fromGateway,
    },
    traffic: CanaryTraffic.gatewayApi({ gateway: platform.gateway.parentRef('https'), hostnames: ['models.example.com'], pathPrefix: '/v1' }),
    rollout: {
      steps: [
        CanaryStep.weight(10), CanaryStep.analysis(analysis),
        CanaryStep.weight(30), CanaryStep.analysis(analysis),
        CanaryStep.weight(60), CanaryStep.analysis(analysis),
        CanaryStep.weight(100),
      ],
    },
  });
  platform.servingGpus.schedule(llm.stable);
  // Guide "Auto-scaling", on the signal that matters for an LLM: vLLM's queue depth
  // per replica (GPUs saturate long before CPU moves).
  new ServingScaledObject(chart, 'llm-scaling', { serving: llm.stable, serverAddress: PROMETHEUS });

  // Guide "ML/AI Workloads > Model Serving" and "Auto-scaling": the classic server
  // (MLServer over a scikit-learn model from S3, read with the pod's IAM role), 2 to
  // 20 replicas on CPU 70% / memory 80%; "Rolling Update": a new image rolls out
  // with no replica down (maxUnavailable 0) and a PodDisruptionBudget for drains.
  const classic = new MlModelServing(chart, 'ml-model-serving', {
    runtime: ServingRuntime.mlserver({ image: `${REGISTRY}/mlserver:1.6.1` }),
    model: ModelSource.fromS3('s3://acme-ml-models/churn/7', {
      sizeLimit: Size.gibibytes(2), region: 'us-west-2', initializerImage: `${REGISTRY}/kserve-storage-initializer:v0.15.2`,
    }),
    serviceAccount: WorkloadServiceAccount.awsIamRole('arn:aws:iam::123456789012:role/ml-model-reader'),
    resources: {
      cpu: { request: kplus.Cpu.units(1), limit: kplus.Cpu.units(2) },
      memory: { request: Size.gibibytes(2), limit: Size.gibibytes(4) },
    },
    scaling: ServingScaling.autoscale({ minReplicas: 2, maxReplicas: 20 }),
    priorityClass: platform.servingPriority,
    ingressFrom: fromGateway,
    httpRoute: { gatewayName: platform.gateway.name, gatewayNamespace: GATEWAY, sectionName: 'https', hostnames: ['models.example.com'], pathPrefix: '/churn' },
  });
  // Guide "Best Practices > Performance > Vertical pod autoscaling" and "Right-sizing":
  // recommendations only (kubectl describe vpa), as the HPA scales on CPU and memory.
  new VerticalPodAutoscaler(chart, 'ml-model-serving-vpa', { name: 'ml-model-serving', target: VpaTarget.modelServing(classic) });
  return { chart, servers: { llm: llm.stable, classic } };
}
