// Composition in one chart, as the README shows it: an LLM server canaried through a
// Gateway, both tracks on a spot GPU pool, scraped by a PodMonitor, alerted on and
// scaled by KEDA, with the metric names declared once, on the server.
import { App, Chart, Duration } from 'cdk8s';
import {
  CanaryRelease, CanaryTraffic, MlModelServingProps, ModelServerAlerts, PreStop, PrometheusScrape, ScrapeMode, ScrapeTarget,
  ServingScaledObject, SpotNodePool,
} from 'cdk8s-ml';

export function build(app: App): void {
  const chart = new Chart(app, 'composition', { namespace: 'ml', disableResourceNameHashes: true });

  const server: MlModelServingProps = {
    image: 'vllm/vllm-openai:v0.6.3',
    args: ['--model', '/mnt/models', '--port', '8080'],
    gpus: { count: 1 },
    startupTimeout: Duration.minutes(20),
    progressDeadline: Duration.minutes(30),
    preStop: PreStop.sleep(Duration.seconds(10)),
    // Declared once: the PodMonitor, the alerts and KEDA's query all read it.
    metrics: { port: 8080, names: { requestsCounter: 'vllm:request_success_total', latencyHistogram: 'vllm:e2e_request_latency_seconds' } },
  };
  const release = new CanaryRelease(chart, 'llm', {
    stable: server,
    canary: { ...server, image: 'vllm/vllm-openai:v0.6.4' },
    weight: 10,
    traffic: CanaryTraffic.gatewayApi({ gateway: { name: 'ml-gateway', namespace: 'gateway-system' }, hostnames: ['llm.example.com'] }),
  });

  const spot = new SpotNodePool(chart, 'spot-gpus', { gpu: { maxGpus: 16 } });
  for (const track of [release.stable, release.canary!]) {
    spot.schedule(track);
    new PrometheusScrape(chart, `${track.node.id}-scrape`, { target: ScrapeTarget.modelServing(track), mode: ScrapeMode.podMonitor() });
    new ModelServerAlerts(chart, `${track.node.id}-alerts`, { serving: track });
  }
  // KEDA takes over the stable track's HPA; its alerts follow KEDA's HPA.
  new ServingScaledObject(chart, 'llm-keda', { serving: release.stable, threshold: 20 });
}

if (require.main === module) {
  const app = new App();
  build(app);
  app.synth();
}
