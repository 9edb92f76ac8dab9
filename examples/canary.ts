// The guide's canary deployment: `ml-model-canary`, one replica of ml-model:v2 next
// to the three replicas of ml-model-serving, under one Service, so a quarter of
// the requests reach the new version (the replica ratio). Then its promotion, and
// the precise variant with a Gateway API HTTPRoute.
//
// dist/canary.k8s.yaml and dist/canary-promoted.k8s.yaml are the same release
// before and after promotion: apply one OR the other. Aborting is `weight: 0`.
import { App, Chart } from 'cdk8s';
import { CanaryRelease, CanaryTraffic, ServingScaling, TargetCluster } from 'cdk8s-ml';

export function build(app: App): void {
  // Guide: ml-model-serving (3 replicas, v1) + ml-model-canary (1 replica, v2) behind
  // the `ml-model` Service selecting `app: ml-model`. 25% of 4 replicas is exactly 1;
  // the realized share is annotated on the Service (delivery.cdk8s-ml.io/canary-share).
  const canary = new Chart(app, 'canary', { namespace: 'ml', disableResourceNameHashes: true });
  new CanaryRelease(canary, 'ml-model', {
    stable: { name: 'ml-model-serving', image: 'ml-model:v1' },
    canary: { image: 'ml-model:v2' }, // named ml-model-canary
    weight: 25,
    traffic: CanaryTraffic.replicaRatio({ totalReplicas: 4 }),
  });

  // Promotion: the canary's image becomes the stable one and the canary goes away;
  // ml-model-serving rolls over to v2 (a rolling update) with all 4 replicas.
  const promoted = new Chart(app, 'canary-promoted', { namespace: 'ml', disableResourceNameHashes: true });
  // The state after promotion, applied instead of the chart above.
  TargetCluster.mark(promoted, 'canary-promoted');
  new CanaryRelease(promoted, 'ml-model', {
    stable: { name: 'ml-model-serving', image: 'ml-model:v2' },
    traffic: CanaryTraffic.replicaRatio({ totalReplicas: 4 }),
  });

  // The precise way: exact 10% by an HTTPRoute on a shared Gateway, each track
  // autoscaled on its own (the canary from 1 to 4 replicas).
  const gateway = new Chart(app, 'canary-gateway', { namespace: 'ml', disableResourceNameHashes: true });
  new CanaryRelease(gateway, 'llm', {
    stable: { image: 'vllm/vllm-openai:v0.6.2', args: ['--model', '/mnt/models'] },
    canary: {
      image: 'vllm/vllm-openai:v0.6.3',
      args: ['--model', '/mnt/models'],
      scaling: ServingScaling.autoscale({ minReplicas: 1, maxReplicas: 4 }),
    },
    weight: 10,
    traffic: CanaryTraffic.gatewayApi({
      gateway: { name: 'ml-gateway', namespace: 'gateway-system', sectionName: 'https' },
      hostnames: ['llm.models.example.com'],
    }),
  });
}

if (require.main === module) {
  const app = new App();
  build(app);
  app.synth();
}
