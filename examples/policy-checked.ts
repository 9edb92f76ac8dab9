// Policy checks on a chart, three ways over the same rules:
// - in code: PolicyChecks on this chart makes `app.synth()` throw a readable report
//   when a finding reaches ERROR (so the shared `cdk8s synth` of examples/ checks it);
// - as a cdk8s validation plugin: examples/policy-checked/cdk8s.yaml synthesizes this
//   chart alone with `validations:` (PolicyValidation), failing `cdk8s synth` there;
// - from the CLI: `npx cdk8s-ml check dist/policy-checked.k8s.yaml`.
// Set POLICY_EXAMPLE_BREAK=1 to add a pod that breaks SEC-003 and watch all three fail
// (with POLICY_EXAMPLE_IN_CODE=0 the in-code check steps aside so the plugin reports).
import { ApiObject, App, Chart, Duration, JsonPatch } from 'cdk8s';
import { GpuNodePool, MlModelServing, Policy, PolicyChecks, PolicyPack, ServingScaling } from 'cdk8s-ml';

export function build(app: App): Chart {
  const chart = new Chart(app, 'policy-checked', { namespace: 'ml', disableResourceNameHashes: true });
  // On the chart, not the app: the other examples are judged by their own tests.
  if (process.env.POLICY_EXAMPLE_IN_CODE !== '0') {
    PolicyChecks.of(chart, { printWarnings: false })
      .addPack(PolicyPack.security())
      .addPack(PolicyPack.reliability())
      .addPack(PolicyPack.ml())
      .addPack(PolicyPack.cost());
  }

  const llm = new MlModelServing(chart, 'llm', {
    image: 'vllm/vllm-openai:v0.6.3',
    args: ['--model', '/mnt/models', '--port', '8080'],
    gpus: { count: 1 },
    scaling: ServingScaling.autoscale({ minReplicas: 2, maxReplicas: 6 }),
    startupTimeout: Duration.minutes(15),
  });
  // REL-006: the 15-minute startup budget would outlast the Deployment's default
  // 10-minute progress deadline and mark a slow but healthy rollout failed.
  ApiObject.of(llm.deployment).addJsonPatch(JsonPatch.add('/spec/progressDeadlineSeconds', 1200));

  // Two GPU replicas around the clock on purpose: COST-001 (idle GPUs at a fixed
  // count) is waived with the reason, which also lands on the objects as an
  // annotation, so the plugin and `cdk8s-ml check` honour it too.
  const reranker = new MlModelServing(chart, 'reranker', {
    image: 'registry.example.com/reranker:2.3.0',
    gpus: { count: 1 },
    scaling: ServingScaling.fixed(2),
  });
  Policy.of(reranker).suppress('COST-001', 'p99 latency SLO needs two warm GPU replicas at night; cold starts take 6 minutes');
  ApiObject.of(reranker.deployment).addJsonPatch(JsonPatch.add('/spec/progressDeadlineSeconds', 900));

  // Both servers run on one Karpenter GPU pool capped at 8 GPUs: at maximum scale
  // they need 6 + 2, which the capacity report shows against the pool's limit.
  const gpus = new GpuNodePool(chart, 'gpu', { maxGpus: 8, instanceFamilies: ['g5', 'g6'] });
  gpus.schedule(llm);
  gpus.schedule(reranker);

  if (process.env.POLICY_EXAMPLE_BREAK === '1') {
    new ApiObject(chart, 'debug', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'debug' },
      spec: { hostNetwork: true, containers: [{ name: 'sh', image: 'busybox:1.36' }] },
    });
  }
  return chart;
}

if (require.main === module) {
  const app = new App();
  build(app);
  app.synth();
}
