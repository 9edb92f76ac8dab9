// The guide's cost section made real: spot capacity for ML, without writing Node
// objects (nodes register themselves; what a platform team applies is a node pool).
//
// `spot-capacity`: on EKS with Karpenter, a spot GPU NodePool (with an on-demand GPU
// pool as the server's fallback), a model server that prefers spot, a distributed
// training job that requires it, priority classes, a quota and container defaults
// for the namespace, and a recommendation-only VPA for right-sizing.
// `spot-capacity-gke`: the same workloads on GKE Spot VMs, through the guide's
// `cloud.google.com/gke-spot` label and taint; nothing is emitted for the nodes.
import { App, Chart, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  CapacityType, DistributedTrainingJob, GpuNodePool, INodePool, LimitRange, MlModelServing, NodePoolAffinity,
  PriorityClass, ResourceQuota, ServingScaling, SpotNodePool, TargetCluster, Torchrun, TrainingBackend, VerticalPodAutoscaler, VpaTarget,
} from 'cdk8s-ml';

/** The workloads, identical on every cloud: only the pool they are scheduled onto differs. */
function workloads(chart: Chart, spotGpus: INodePool): void {
  const serving = PriorityClass.onlineServing(chart, 'serving-priority');
  const training = PriorityClass.training(chart, 'training-priority');

  // Spot first, any other GPU node it tolerates when spot capacity is gone: a
  // preferred affinity and the tolerations, no required term. Several replicas and
  // the PodDisruptionBudget ride out a reclaimed node.
  const server = new MlModelServing(chart, 'llm', {
    image: 'vllm/vllm-openai:v0.6.3',
    args: ['--model', '/mnt/models', '--port', '8080'],
    gpus: { count: 1 },
    scaling: ServingScaling.autoscale({ minReplicas: 3, maxReplicas: 12 }),
    startupTimeout: Duration.minutes(20),
    priorityClass: serving,
  });
  spotGpus.schedule(server, { affinity: NodePoolAffinity.preferred() });

  // Training is cheap to interrupt when it checkpoints and its launch is elastic
  // (torchrun's c10d rendezvous: a replaced worker rejoins): spot only, low priority.
  const job = new DistributedTrainingJob(chart, 'bert-finetune', {
    image: 'pytorch/pytorch:2.4.0-cuda12.1-cudnn9-runtime',
    workers: 2,
    gpus: { count: 1 },
    torchrun: Torchrun.script('/app/train.py'),
    backend: TrainingBackend.indexedJob({ priorityClass: training }),
  });
  spotGpus.schedule(job);

  // The namespace's budget: GPUs included, and defaults for containers that set none.
  new ResourceQuota(chart, 'ml-quota', {
    requests: { cpu: kplus.Cpu.units(64), memory: Size.gibibytes(512) },
    limits: { cpu: kplus.Cpu.units(128), memory: Size.gibibytes(1024) },
    gpus: 16,
    objectCounts: { pods: 200, loadBalancers: 0 },
  });
  new LimitRange(chart, 'ml-defaults');

  // Right-sizing: recommendations only (kubectl describe vpa llm). An active mode is
  // refused here, because the server's HPA scales on the same CPU and memory.
  new VerticalPodAutoscaler(chart, 'llm-vpa', { name: 'llm', target: VpaTarget.modelServing(server) });
}

export function build(app: App): void {
  const eks = new Chart(app, 'spot-capacity', { namespace: 'ml', disableResourceNameHashes: true });
  const spotGpus = new SpotNodePool(eks, 'gpu-spot', {
    gpu: { maxGpus: 16 },
    instanceFamilies: ['g5', 'g6'], // many instance types: more spot markets to draw from
    expireAfter: Duration.days(7),
    weight: 50,
  });
  // The on-demand fallback the server may land on; the training job never does.
  new GpuNodePool(eks, 'gpu-on-demand', {
    capacityTypes: [CapacityType.ON_DEMAND],
    maxGpus: 4,
    instanceFamilies: ['g5', 'g6'],
    weight: 10,
  });
  workloads(eks, spotGpus);

  // Same workloads on GKE Spot VMs (a GPU node pool created with --spot and the
  // guide's --node-taints cloud.google.com/gke-spot=true:NoSchedule).
  const gke = new Chart(app, 'spot-capacity-gke', { namespace: 'ml', disableResourceNameHashes: true });
  // The same app on another cloud: another cluster, so the same names are no conflict.
  TargetCluster.mark(gke, 'spot-capacity-gke');
  workloads(gke, SpotNodePool.gke(gke, 'gke-spot', { poolName: 'l4-spot' }));
}

if (require.main === module) {
  const app = new App();
  build(app);
  app.synth();
}
