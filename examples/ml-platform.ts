// The whole Kubernetes ML guide as one platform, section by section, split into the
// charts a platform team and its ML teams would own (each block names the guide
// section it implements):
// - ml-platform-cluster: cluster config, Karpenter pools (CPU, on-demand GPUs for
//   serving, spot GPUs for training), priority classes, the Kueue queue, the ML
//   namespaces (restricted, default-deny, quotas, RBAC personas), External Secrets,
//   signed images only, Velero backups;  ml-platform-gateway: the Gateway;
// - ml-platform-training: MLflow tracking, an elastic distributed training job on
//   spot with checkpoints, admitted by Kueue, and a Ray cluster;
// - ml-platform-serving: vLLM canaried with analysis through the Gateway and scaled
//   by KEDA, and the guide's classic model server with its HPA (and VPA advice);
// - ml-platform-observability: PodMonitors, alerts, dashboards.
// The policy packs check the whole app at synth (`cdk8s synth` fails on an ERROR);
// in examples/main.ts's shared app that is every example, each as its own cluster.
import { App } from 'cdk8s';
import { platformCharts } from './ml-platform/cluster';
import { observabilityChart } from './ml-platform/observability';
import { servingChart } from './ml-platform/serving';
import { trainingChart } from './ml-platform/training';
import { PolicyChecks, PolicyPack } from 'cdk8s-ml';

export function build(app: App): void {
  const platform = platformCharts(app);
  trainingChart(app, platform);
  const { servers } = servingChart(app, platform);
  observabilityChart(app, servers);

  PolicyChecks.of(app)
    .addPack(PolicyPack.security())
    .addPack(PolicyPack.reliability())
    .addPack(PolicyPack.ml())
    .addPack(PolicyPack.cost());
}

if (require.main === module) {
  const app = new App();
  build(app);
  app.synth();
}
