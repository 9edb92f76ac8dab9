// LLM serving on GPUs, the way the serving runtimes wire it.
//
// `llm-serving`: on EKS with Karpenter, an H100 spot pool (p5: 8 GPUs a node); a
// vLLM OpenAI-compatible server of Llama 3.1 70B over 2 GPUs per replica (tensor
// parallelism), its weights on a read-only PVC; KEDA scaling on vLLM's queue depth;
// exposure through a Gateway API HTTPRoute; the LLM alerts (queue, TTFT, KV cache)
// as a PrometheusRule; a dashboard with TTFT, tokens/s, queue and KV cache. Next to it,
// a Triton Inference Server whose model repository is downloaded from S3 with the
// pod's IAM role (no keys in the YAML), and Llama 3.1 405B across two H100 nodes per
// replica (a LeaderWorkerSet: Ray head and worker, tensor parallelism over each
// node's 8 GPUs, pipeline parallelism over the nodes).
import { App, Chart, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  GpuNodePool, MlModelServing, ModelServerAlerts, ModelServingDashboard, ModelSource, MultiNodeServing, NodePoolAffinity, ServingRuntime,
  ServingScaledObject, ServingScaling, SpotNodePool, WorkloadServiceAccount,
} from 'cdk8s-ml';

export function build(app: App): void {
  const chart = new Chart(app, 'llm-serving', { namespace: 'llm', disableResourceNameHashes: true });

  const h100Spot = new SpotNodePool(chart, 'h100-spot', {
    gpu: { maxGpus: 32 },
    instanceFamilies: ['p5'],
    expireAfter: Duration.days(7),
  });

  const llama = new MlModelServing(chart, 'llama', {
    runtime: ServingRuntime.vllm({ servedModelName: 'llama-3.1-70b-instruct', maxModelLen: 32768 }),
    model: ModelSource.fromPersistentVolumeClaim('llama-3-1-70b-weights'),
    // H100s by the pool's instance family (p5): Karpenter cannot launch for the
    // nvidia.com/gpu.product label, which appears only once a node runs.
    gpus: { count: 2 },
    resources: {
      cpu: { request: kplus.Cpu.units(16), limit: kplus.Cpu.units(16) },
      memory: { request: Size.gibibytes(160), limit: Size.gibibytes(160) },
    },
    // Loading 140 GB of weights over the network takes a while; alerts and the
    // progress deadline wait it out.
    startupTimeout: Duration.minutes(20),
    // Long generations: a minute to finish in-flight requests after the drain.
    inFlightTimeout: Duration.minutes(1),
    terminationGracePeriod: Duration.seconds(90),
    scaling: ServingScaling.external({ minReplicas: 2, maxReplicas: 8 }),
    httpRoute: { gatewayName: 'inference', gatewayNamespace: 'gateways', hostnames: ['llm.example.com'], pathPrefix: '/v1' },
  });
  // Spot H100s first; replicas and the PodDisruptionBudget ride out a reclaimed node.
  h100Spot.schedule(llama, { affinity: NodePoolAffinity.preferred() });

  // vLLM's queue depth (vllm:num_requests_waiting) per replica: GPUs saturate long
  // before CPU moves. The threshold is the runtime's recommended target.
  new ServingScaledObject(chart, 'llama-scaling', { serving: llama });
  new ModelServerAlerts(chart, 'llama-alerts', {
    serving: llama,
    ruleLabels: { release: 'kube-prometheus-stack' },
    alertLabels: { team: 'llm-platform' },
    ttftP95Threshold: Duration.seconds(3),
    pendingPeriods: { ModelServerHighErrorRatio: Duration.minutes(5) },
  });
  new ModelServingDashboard(chart, 'llama-dashboard', { serving: llama, folder: 'LLM' });

  // On-demand GPUs for what does not run on spot: Triton on L40S/L4 nodes, and the
  // 405B model on H100 nodes (p5), where a reclaim would restart its whole group.
  const onDemandGpus = new GpuNodePool(chart, 'gpu-on-demand', { instanceFamilies: ['g6e', 'g6'], maxGpus: 8 });
  const h100 = new GpuNodePool(chart, 'h100-on-demand', { instanceFamilies: ['p5'], maxGpus: 32 });

  // Triton over a model repository in S3, fetched with the pod's IAM role (IRSA).
  const triton = new MlModelServing(chart, 'triton', {
    runtime: ServingRuntime.triton(),
    model: ModelSource.fromS3('s3://ml-models-prod/triton/repository', { sizeLimit: Size.gibibytes(30), region: 'us-east-1' }),
    serviceAccount: WorkloadServiceAccount.awsIamRole('arn:aws:iam::123456789012:role/triton-model-reader'),
    gpus: { count: 1 },
    resources: { memory: { request: Size.gibibytes(16), limit: Size.gibibytes(16) } },
    scaling: ServingScaling.autoscale({ minReplicas: 2, maxReplicas: 6 }),
  });

  // Larger than one node: 2 nodes x 8 H100 per replica, on on-demand capacity
  // (a reclaimed spot node would restart the whole group).
  const llama405b = new MultiNodeServing(chart, 'llama-405b', {
    runtime: ServingRuntime.vllm({ servedModelName: 'llama-3.1-405b-instruct' }),
    model: ModelSource.fromPersistentVolumeClaim('llama-3-1-405b-weights'),
    // H100s by the pool's instance family, as above.
    gpus: { count: 8 },
    resources: {
      cpu: { request: kplus.Cpu.units(64), limit: kplus.Cpu.units(64) },
      memory: { request: Size.gibibytes(900), limit: Size.gibibytes(900) },
    },
    nodesPerReplica: 2,
    startupTimeout: Duration.minutes(45),
  });
  onDemandGpus.schedule(triton);
  h100.schedule(llama405b);
}
