// The training team's chart of examples/ml-platform.ts: experiment tracking, a
// distributed fine-tuning job that survives spot reclaims, and a Ray cluster.
import { App, Chart, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Platform, PROMETHEUS_LABELS, REGISTRY, TRAINING } from './cluster';
import {
  DistributedTrainingJob, ExternalSecret, LocalQueue, MlflowArtifactStore, MlflowTrackingServer, NcclDebugLevel, Policy, RayCluster,
  Torchrun, TrainingBackend, WorkloadServiceAccount,
} from 'cdk8s-ml';

export function trainingChart(app: App, platform: Platform): Chart {
  const chart = new Chart(app, 'ml-platform-training', { namespace: TRAINING, disableResourceNameHashes: true });

  // Guide "Integration with ML Tools > MLflow > Tracking, Model Registry": the
  // database URI (with its password) comes from AWS Secrets Manager, artifacts go
  // to S3 with the server's IAM role; only this namespace's pods may call it.
  const db = new ExternalSecret(chart, 'mlflow-postgres', {
    store: platform.secrets,
    refreshInterval: Duration.hours(1),
    data: [{ secretKey: 'uri', remoteKey: 'ml/mlflow/postgres', property: 'uri' }],
  });
  const mlflow = new MlflowTrackingServer(chart, 'mlflow', {
    image: `${REGISTRY}/mlflow:v3.6.0`,
    backendStore: { secret: db.secret, key: 'uri' },
    artifactStore: MlflowArtifactStore.s3('s3://acme-ml-artifacts/mlflow'),
    serviceAccount: WorkloadServiceAccount.awsIamRole('arn:aws:iam::123456789012:role/mlflow-artifacts'),
    monitorLabels: PROMETHEUS_LABELS, // kube-prometheus-stack selects monitors by its release label
  });
  db.restartOnChange(mlflow.deployment);

  // Guide "ML/AI Workloads > Distributed Training": its 4-worker job made to
  // survive spot. Elastic torchrun (c10d rendezvous through the headless Service):
  // a reclaimed worker is recreated under its hostname and the group resumes from
  // the last checkpoint on the shared EFS volume. Kueue admits the whole job on the
  // spot flavor (and steers its pods there), at the training priority.
  new LocalQueue(chart, 'training', { clusterQueue: platform.trainingQueue });
  const checkpoints = new kplus.PersistentVolumeClaim(chart, 'checkpoints', {
    accessModes: [kplus.PersistentVolumeAccessMode.READ_WRITE_MANY],
    storage: Size.tebibytes(1),
    storageClassName: 'efs-sc',
  });
  new DistributedTrainingJob(chart, 'distributed-training', {
    image: `${REGISTRY}/training-worker:2.4.0-cuda12.1`,
    workers: 4,
    gpus: { count: 4 },
    resources: {
      cpu: { request: kplus.Cpu.units(24), limit: kplus.Cpu.units(24) },
      memory: { request: Size.gibibytes(160), limit: Size.gibibytes(160) },
    },
    sharedMemory: Size.gibibytes(32),
    torchrun: Torchrun.script('/app/train.py', { args: ['--resume-from', '$(CHECKPOINT_DIR)'], maxRestarts: 10 }),
    checkpoint: { claimName: checkpoints.name, groupId: 50000 },
    env: { MLFLOW_TRACKING_URI: kplus.EnvValue.fromValue(mlflow.trackingUri) },
    nccl: { heartbeatTimeout: Duration.minutes(5), debug: NcclDebugLevel.WARN },
    backend: TrainingBackend.indexedJob({
      nonRetriableExitCodes: [2], // a configuration error fails the Job at once
      activeDeadline: Duration.days(2),
      ttlAfterFinished: Duration.days(3),
      priorityClass: platform.trainingPriority,
    }),
    queueName: 'training',
  });

  // Guide "Integration with ML Tools > Ray > Ray Cluster, Ray Tune": an autoscaling
  // cluster for tuning and batch inference; its GPU workers on spot (Ray retries
  // the tasks of a lost node), head and CPU workers on the general pool.
  const ray = new RayCluster(chart, 'ray', {
    image: `${REGISTRY}/ray:2.52.0-py311`,
    workerGroups: [
      { groupName: 'cpu', minReplicas: 2, maxReplicas: 6 },
      { groupName: 'gpu', image: `${REGISTRY}/ray:2.52.0-py311-gpu`, minReplicas: 0, maxReplicas: 4, gpus: { count: 1 } },
    ],
    autoscaler: { idleTimeout: Duration.minutes(5) },
    monitorLabels: PROMETHEUS_LABELS,
  });
  platform.trainingSpotGpus.schedule(ray.workerGroup('gpu'));
  Policy.of(ray).suppress('SEC-002', "the head's autoscaler sidecar calls the Kubernetes API to scale the worker groups; its token is the head's only");
  return chart;
}
