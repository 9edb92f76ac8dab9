// Ray on KubeRay: a GPU RayCluster that autoscales (in-tree autoscaler v2, head at
// num-cpus 0, GCS fault tolerance in Redis with the password from a Secret), a Ray
// Tune RayJob whose cluster is deleted a minute after it finishes, and a RayService
// serving an LLM with Serve autoscaling and an incremental upgrade.
import { App, Chart, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  GcsFaultTolerance, ModelServerAlerts, ModelServingDashboard, RayCluster, RayEntrypoint, RayJob, RayService, RayServiceUpgrade, ServeConfig,
  WorkloadTarget,
} from 'cdk8s-ml';

const RAY_IMAGE = 'rayproject/ray:2.52.0-py311';
const RAY_GPU_IMAGE = 'rayproject/ray:2.52.0-py311-gpu';

export function build(app: App): void {
  const chart = new Chart(app, 'ray', { namespace: 'ml', disableResourceNameHashes: true });

  new RayCluster(chart, 'ray-gpu', {
    image: RAY_IMAGE,
    workerGroups: [
      { groupName: 'cpu', minReplicas: 2, maxReplicas: 6 },
      { groupName: 'gpu', image: RAY_GPU_IMAGE, minReplicas: 0, maxReplicas: 4, gpus: { count: 1 } },
    ],
    autoscaler: { idleTimeout: Duration.minutes(5) },
    gcsFaultTolerance: GcsFaultTolerance.externalRedis({
      address: 'redis.ml.svc.cluster.local:6379',
      password: { secret: kplus.Secret.fromSecretName(chart, 'RedisAuth', 'ray-redis'), key: 'password' },
    }),
    clientPeers: [kplus.Pods.select(chart, 'Notebooks', { labels: { 'app.kubernetes.io/component': 'notebook' } })],
  });

  new RayJob(chart, 'tune-bert', {
    entrypoint: RayEntrypoint.tune({ script: 'tune_bert.py', storagePath: 's3://ml-checkpoints/tune/bert', args: ['--num-samples', '16'] }),
    runtimeEnv: { workingDir: 's3://ml-code/tune-bert.zip' },
    queueName: 'team-a',
    cluster: {
      image: RAY_GPU_IMAGE,
      workerGroups: [{ groupName: 'gpu', minReplicas: 4, gpus: { count: 1 } }],
    },
  });

  const llm = new RayService(chart, 'llm', {
    cluster: {
      image: RAY_GPU_IMAGE,
      workerGroups: [{ groupName: 'gpu', minReplicas: 1, maxReplicas: 4, gpus: { count: 1 } }],
    },
    serveConfig: ServeConfig.of([{
      name: 'llm',
      importPath: 'serve_llm:app',
      routePrefix: '/v1',
      runtimeEnv: { pip: ['vllm==0.6.3'] },
      deployments: [{
        name: 'VLLMDeployment',
        numGpus: 1,
        maxOngoingRequests: 32,
        autoscaling: { minReplicas: 1, maxReplicas: 4, targetOngoingRequests: 16 },
      }],
    }]),
    // Traffic moves in 25% steps while the new cluster grows: no second full set of GPUs.
    upgradeStrategy: RayServiceUpgrade.incremental({ gatewayClassName: 'istio', stepSizePercent: 25, interval: Duration.seconds(60), maxSurgePercent: 50 }),
  });
  // Alerts and a dashboard on Ray Serve's own metrics, scraped by the RayService's PodMonitor.
  const target = WorkloadTarget.fromRayService(llm);
  new ModelServerAlerts(chart, 'llm-alerts', { target, ruleLabels: { release: 'kube-prometheus-stack' } });
  new ModelServingDashboard(chart, 'llm-dashboard', { target });
}

if (require.main === module) {
  const app = new App();
  build(app);
  app.synth();
}
