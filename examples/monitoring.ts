// The guide's monitoring section: its `prometheus-config` ConfigMap (completed with the
// full prometheus.io/* relabel set) and its four Grafana dashboards, plus model servers
// wired through each scrape mode, with alert rules, a per-server dashboard and KEDA
// autoscaling on request rate.
import { App, Chart, Duration } from 'cdk8s';
import {
  MlDashboards, MlModelServing, ModelServerAlerts, ModelServingDashboard, PrometheusScrape, PrometheusServerConfig,
  ScrapeMode, ScrapeTarget, ServingScaledObject, ServingScaling,
} from 'cdk8s-ml';

export function build(app: App): void {
  // Prometheus's own namespace: its configuration and Grafana's dashboards.
  const monitoring = new Chart(app, 'monitoring', { namespace: 'monitoring', disableResourceNameHashes: true });
  // Guide: prometheus-config with scrape_interval 15s and the kubernetes-pods job.
  const prometheusConfig = new PrometheusServerConfig(monitoring, 'prometheus-config');
  // Guide: cluster overview, application metrics, ML model metrics, resource utilization.
  new MlDashboards(monitoring, 'dashboards');

  const chart = new Chart(app, 'monitored-serving', { namespace: 'ml', disableResourceNameHashes: true });
  const operatorLabels = { release: 'kube-prometheus-stack' };

  // 1. Annotations: what the guide's kubernetes-pods job scrapes.
  const sentiment = new MlModelServing(chart, 'sentiment', { image: 'sentiment-model:v3', metrics: { port: 9090 } });
  new PrometheusScrape(chart, 'sentiment-scrape', { target: ScrapeTarget.modelServing(sentiment), mode: ScrapeMode.annotations() });

  // 2. prometheus-operator ServiceMonitor, with alerts and a dashboard (HPA of ours).
  // The monitor turns off the `prometheus.io/scrape` annotation of `metrics`, so the
  // kubernetes-pods job does not scrape bert a second time (likewise reranker below).
  const bert = new MlModelServing(chart, 'bert', { image: 'bert-classifier:v1.4.2', metrics: { port: 9090 } });
  new PrometheusScrape(chart, 'bert-scrape', {
    target: ScrapeTarget.modelServing(bert),
    mode: ScrapeMode.serviceMonitor({ monitorLabels: operatorLabels }),
    interval: Duration.seconds(30),
    scrapeTimeout: Duration.seconds(10),
  });
  new ModelServerAlerts(chart, 'bert-alerts', { serving: bert, ruleLabels: operatorLabels, gpuAlerts: false });
  // Next to the guide's four: Grafana's sidecar reads its own namespace by default.
  new ModelServingDashboard(monitoring, 'bert-dashboard', { serving: bert });

  // 3. A GPU server scraped by a PodMonitor and scaled by KEDA on requests per replica.
  const llm = new MlModelServing(chart, 'llm', {
    image: 'vllm/vllm-openai:v0.6.3',
    args: ['--model', '/mnt/models', '--port', '8080'],
    gpus: { count: 1, product: 'NVIDIA-A100-SXM4-40GB' },
    scaling: ServingScaling.external({ minReplicas: 1, maxReplicas: 6 }),
    startupTimeout: Duration.minutes(20),
    // Declared once; the alerts below and KEDA's default query read these names.
    // vLLM's HTTP metrics (prometheus-fastapi-instrumentator) carry `status="5xx"`.
    metrics: { port: 8080, names: { latencyHistogram: 'vllm:e2e_request_latency_seconds', statusCodeLabel: 'status' } },
  });
  new PrometheusScrape(chart, 'llm-scrape', {
    target: ScrapeTarget.modelServing(llm), mode: ScrapeMode.podMonitor({ monitorLabels: operatorLabels }), interval: Duration.seconds(15),
  });
  // KEDA takes over the replica count; the alerts follow its HPA (llm.hpaName).
  new ServingScaledObject(chart, 'llm-keda', {
    serving: llm,
    threshold: 8,
    fallback: { failureThreshold: 3, replicas: 3 },
  });
  new ModelServerAlerts(chart, 'llm-alerts', {
    serving: llm,
    ruleLabels: operatorLabels,
    p99LatencyThreshold: Duration.seconds(10),
  });

  // 4. A dedicated job in the guide's prometheus.yml.
  const reranker = new MlModelServing(chart, 'reranker', { image: 'reranker:v2.0.1', metrics: { port: 9090 } });
  new PrometheusScrape(chart, 'reranker-scrape', {
    target: ScrapeTarget.modelServing(reranker), mode: ScrapeMode.scrapeConfig(prometheusConfig), interval: Duration.seconds(30),
  });
}

if (require.main === module) {
  const app = new App();
  build(app);
  app.synth();
}
