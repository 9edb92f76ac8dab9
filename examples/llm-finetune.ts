// Fine-tuning an LLM on 4 nodes × 8 GPUs, on spot capacity that survives reclaims:
// - the launch is elastic (torchrun's c10d rendezvous through the job's headless
//   Service): a reclaimed worker is recreated under the same hostname (ignored by the
//   Job's podFailurePolicy, not counted), rejoins, and the group restarts from the
//   last checkpoint on a shared RWX volume;
// - Kueue admits the whole job at once, on spot GPUs first and on-demand GPUs when
//   spot quota is used up (the ClusterQueue's flavors, in order), at the priority of
//   a WorkloadPriorityClass;
// - a child's exit code reaches the pod (the exit-code contract), so a config error
//   (exit 2) fails the Job at once while an OOM-killed process (137) is retried.
// Kueue steers the admitted pods onto a flavor's nodes itself (nodeSelector and
// tolerations of the ResourceFlavor), so the job is not also pinned to a pool.
import { App, Chart, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  ClusterQueue, DistributedTrainingJob, GpuNodePool, LocalQueue, NcclDebugLevel, QueueingStrategy, ResourceFlavor,
  SpotNodePool, Torchrun, TrainingBackend, WorkloadPriorityClass,
} from 'cdk8s-ml';

export function build(app: App): void {
  // Cluster-scoped capacity: node pools, their Kueue flavors, the quota and priority.
  const cluster = new Chart(app, 'llm-finetune-cluster', { disableResourceNameHashes: true });
  const spotGpus = new SpotNodePool(cluster, 'llm-spot-gpu', { gpu: { maxGpus: 64, gpuNames: ['a100', 'h100'] } });
  const onDemandGpus = new GpuNodePool(cluster, 'llm-gpu', { maxGpus: 32, gpuNames: ['a100', 'h100'] });
  const spot = ResourceFlavor.fromNodePool(cluster, 'llm-spot', spotGpus);
  const onDemand = ResourceFlavor.fromNodePool(cluster, 'llm-on-demand', onDemandGpus);
  const queue = new ClusterQueue(cluster, 'llm-training', {
    flavors: [
      { flavor: spot, cpu: kplus.Cpu.units(512), memory: Size.tebibytes(4), gpus: 64 },
      { flavor: onDemand, cpu: kplus.Cpu.units(256), memory: Size.tebibytes(2), gpus: 32 },
    ],
    // Gang jobs must not be overtaken forever by smaller ones.
    queueingStrategy: QueueingStrategy.STRICT_FIFO,
  });
  const fineTuning = new WorkloadPriorityClass(cluster, 'llm-fine-tuning', { value: 1000, description: 'LLM fine-tuning' });

  // The team's namespace: its queue, the checkpoint volume and the job.
  const team = new Chart(app, 'llm-finetune', { namespace: 'ml', disableResourceNameHashes: true });
  new LocalQueue(team, 'llm-team', { clusterQueue: queue });
  // EFS (RWX): every worker, on any node, reads and writes the same checkpoints.
  // EFS access points ignore fsGroup: the access point's GID is given as groupId.
  const checkpoints = new kplus.PersistentVolumeClaim(team, 'llm-checkpoints', {
    accessModes: [kplus.PersistentVolumeAccessMode.READ_WRITE_MANY],
    storage: Size.tebibytes(1),
    storageClassName: 'efs-sc',
  });

  new DistributedTrainingJob(team, 'llama-finetune', {
    image: 'pytorch/pytorch:2.4.0-cuda12.1-cudnn9-runtime',
    workers: 4,
    gpus: { count: 8 },
    resources: {
      cpu: { request: kplus.Cpu.units(64), limit: kplus.Cpu.units(64) },
      memory: { request: Size.gibibytes(512), limit: Size.gibibytes(512) },
    },
    sharedMemory: Size.gibibytes(64),
    // Elastic by default: --rdzv-backend=c10d --nnodes=4:4 --max-restarts=3.
    torchrun: Torchrun.script('/app/finetune.py', { args: ['--resume-from', '$(CHECKPOINT_DIR)'], maxRestarts: 10 }),
    checkpoint: { claimName: checkpoints.name, groupId: 50000 },
    nccl: { heartbeatTimeout: Duration.minutes(5), debug: NcclDebugLevel.WARN },
    backend: TrainingBackend.indexedJob({
      nonRetriableExitCodes: [2],
      activeDeadline: Duration.days(2),
      ttlAfterFinished: Duration.days(3),
    }),
    queueName: 'llm-team',
    queuePriority: fineTuning,
  });
}

if (require.main === module) {
  const app = new App();
  build(app);
  app.synth();
}
