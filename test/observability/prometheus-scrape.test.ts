import { Chart, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  MlModelServing, MlModelServingProps, PrometheusScrape, PrometheusScrapeProps, PrometheusServerConfig,
  RelabelAction, ScrapeMode, ScrapeScheme, ScrapeTarget,
} from '../../src';
import { PodSecurity } from '../../src/core/security';
import { findObject, findObjects, synthAndValidate } from '../util';

const SELECTOR = {
  'app.kubernetes.io/name': 'bert',
  'app.kubernetes.io/instance': 'bert',
  'app.kubernetes.io/component': 'model-server',
};

function setup(servingProps: Partial<MlModelServingProps> = {}) {
  const chart = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
  const serving = new MlModelServing(chart, 'bert', { image: 'ml-model:v1', ...servingProps });
  return { chart, serving };
}

function scrape(servingProps: Partial<MlModelServingProps>, props: Omit<PrometheusScrapeProps, 'target'>) {
  const { chart, serving } = setup(servingProps);
  const s = new PrometheusScrape(chart, 'scrape', { target: ScrapeTarget.modelServing(serving), ...props });
  return { chart, serving, scrape: s, manifests: synthAndValidate(chart) };
}

/** A restricted-profile Deployment with one container port named `portName`. */
function exporter(chart: Chart, name: string, portName: string, port: number): kplus.Deployment {
  const deployment = new kplus.Deployment(chart, name, {
    metadata: { name },
    containers: [{
      image: 'exporter:1.0',
      ports: [{ name: portName, number: port }],
      resources: { cpu: { request: kplus.Cpu.millis(100), limit: kplus.Cpu.millis(200) } },
    }],
  });
  PodSecurity.restricted().applyTo(deployment);
  return deployment;
}

/** True when every matchLabel of `selector` is on `labels`. */
function selects(selector: { [k: string]: string }, labels: { [k: string]: string }): boolean {
  return Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);
}

describe('PrometheusScrape, annotations mode', () => {
  test('annotates the model server pod template with scrape, port, path and scheme', () => {
    const { manifests, scrape: s } = scrape({ metrics: { port: 9090, path: '/stats' } }, { mode: ScrapeMode.annotations() });
    const annotations = findObject(manifests, 'Deployment', 'bert').spec.template.metadata.annotations;
    expect(annotations).toEqual({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': '9090',
      'prometheus.io/path': '/stats',
      'prometheus.io/scheme': 'http',
    });
    expect([s.apiObject, s.job]).toEqual([undefined, undefined]);
    expect([s.portName, s.port, s.path]).toEqual(['metrics', 9090, '/stats']);
    expect(findObjects(manifests, 'ServiceMonitor')).toHaveLength(0);
  });

  test('without a metrics endpoint, scrapes the serving port (http) with the given path and scheme', () => {
    const { manifests } = scrape({}, { mode: ScrapeMode.annotations(), path: '/metrics/prom', scheme: ScrapeScheme.HTTPS });
    expect(findObject(manifests, 'Deployment', 'bert').spec.template.metadata.annotations).toEqual({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': '8080',
      'prometheus.io/path': '/metrics/prom',
      'prometheus.io/scheme': 'https',
    });
  });

  test('works on any cdk8s-plus workload', () => {
    const chart = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
    const deployment = exporter(chart, 'exporter', 'prom', 9100);
    new PrometheusScrape(chart, 'scrape', { target: ScrapeTarget.workload(deployment), mode: ScrapeMode.annotations() });
    const manifests = synthAndValidate(chart);
    expect(findObject(manifests, 'Deployment').spec.template.metadata.annotations).toMatchObject({
      'prometheus.io/scrape': 'true', 'prometheus.io/port': '9100', 'prometheus.io/path': '/metrics',
    });
  });
});

describe('PrometheusScrape, ServiceMonitor mode', () => {
  const { manifests, scrape: s } = scrape({ metrics: { port: 9090 } }, {
    mode: ScrapeMode.serviceMonitor({
      monitorLabels: { release: 'kube-prometheus-stack' },
      relabelings: [{ sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'node' }],
      metricRelabelings: [{ sourceLabels: ['__name__'], regex: 'go_.*', action: RelabelAction.DROP }],
    }),
    interval: Duration.seconds(30),
    scrapeTimeout: Duration.seconds(10),
  });
  const monitor = findObject(manifests, 'ServiceMonitor', 'bert');
  const service = findObject(manifests, 'Service', 'bert');

  test('selects the model server Service by its stable labels (not the version)', () => {
    expect(monitor.spec.selector).toEqual({ matchLabels: SELECTOR });
    expect(selects(monitor.spec.selector.matchLabels, service.metadata.labels)).toBe(true);
    expect(monitor.spec.selector.matchLabels['app.kubernetes.io/version']).toBeUndefined();
  });

  test('carries the labels the Prometheus instance selects monitors by', () => {
    expect(monitor.metadata.labels).toEqual({ ...SELECTOR, release: 'kube-prometheus-stack' });
    expect(monitor.metadata.namespace).toBe('ml');
  });

  test('scrapes the metrics port by name, added to the Service since it differs from the serving port', () => {
    expect(monitor.spec.endpoints).toEqual([{
      port: 'metrics',
      path: '/metrics',
      interval: '30s',
      scrapeTimeout: '10s',
      relabelings: [{ sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'node', action: 'replace' }],
      metricRelabelings: [{ sourceLabels: ['__name__'], regex: 'go_.*', action: 'drop' }],
    }]);
    expect(service.spec.ports).toEqual(expect.arrayContaining([{ name: 'metrics', port: 9090, targetPort: 9090 }]));
    const containerPorts = findObject(manifests, 'Deployment', 'bert').spec.template.spec.containers[0].ports;
    expect(containerPorts).toContainEqual({ name: 'metrics', containerPort: 9090 });
    expect(s.apiObject).toBeDefined();
  });

  test('metrics on the serving port: scrapes the existing http Service port, adds nothing', () => {
    const { manifests: m } = scrape({ metrics: { port: 8080 } }, { mode: ScrapeMode.serviceMonitor() });
    expect(findObject(m, 'ServiceMonitor', 'bert').spec.endpoints[0].port).toBe('http');
    expect(findObject(m, 'Service', 'bert').spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 8080 }]);
  });

  test('a blue-green pair gets one monitor per color, each selecting only its Service', () => {
    const chart = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
    const services = ['blue', 'green'].map(color => {
      const serving = new MlModelServing(chart, `bert-${color}`, { image: 'ml-model:v1', selectorLabels: { color } });
      new PrometheusScrape(chart, `scrape-${color}`, { target: ScrapeTarget.modelServing(serving), mode: ScrapeMode.serviceMonitor() });
      return serving;
    });
    const m = synthAndValidate(chart);
    for (const serving of services) {
      const colorMonitor = findObject(m, 'ServiceMonitor', serving.name);
      for (const other of services) {
        const svc = findObject(m, 'Service', other.name);
        expect(selects(colorMonitor.spec.selector.matchLabels, svc.metadata.labels)).toBe(other === serving);
      }
    }
  });

  test('a generic workload with its Service: selector from the Service labels, port by target port', () => {
    const chart = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
    const deployment = exporter(chart, 'feature-store', 'metrics', 9100);
    const storeService = new kplus.Service(chart, 'svc', {
      metadata: { name: 'feature-store', labels: { app: 'feature-store' } },
      selector: deployment,
      ports: [{ name: 'prom', port: 9100, targetPort: 9100 }],
    });
    new PrometheusScrape(chart, 'scrape', { target: ScrapeTarget.workload(deployment, { service: storeService }), mode: ScrapeMode.serviceMonitor() });
    const m = synthAndValidate(chart);
    const storeMonitor = findObject(m, 'ServiceMonitor', 'feature-store');
    expect(storeMonitor.spec.selector).toEqual({ matchLabels: { app: 'feature-store' } });
    expect(storeMonitor.spec.endpoints[0].port).toBe('prom');
  });
});

describe('PrometheusScrape, PodMonitor mode', () => {
  test('selects exactly the pods of the server, port by name', () => {
    const { manifests } = scrape({ metrics: { port: 9090, path: '/prom' } }, {
      mode: ScrapeMode.podMonitor({ name: 'bert-pods', honorLabels: true }), interval: Duration.minutes(1),
    });
    const monitor = findObject(manifests, 'PodMonitor', 'bert-pods');
    const podLabels = findObject(manifests, 'Deployment', 'bert').spec.template.metadata.labels;
    expect(monitor.spec.selector).toEqual({ matchLabels: SELECTOR });
    expect(selects(monitor.spec.selector.matchLabels, podLabels)).toBe(true);
    expect(monitor.spec.podMetricsEndpoints).toEqual([{ port: 'metrics', path: '/prom', interval: '1m', honorLabels: true }]);
    // A PodMonitor adds no Service port (the server publishes its metrics port itself).
    expect(findObject(manifests, 'Service', 'bert').spec.ports.map((p: any) => p.name)).toEqual(['http', 'metrics']);
  });

  test('an explicit selector that matches the pods is used as given', () => {
    const { manifests } = scrape({ labels: { app: 'ml-model' } }, { mode: ScrapeMode.podMonitor({ selector: { app: 'ml-model' } }) });
    expect(findObject(manifests, 'PodMonitor').spec.selector).toEqual({ matchLabels: { app: 'ml-model' } });
  });
});

describe('PrometheusScrape, scrape-config mode', () => {
  test('adds a pod-discovery job limited to the namespace and selector, keeping the metrics port', () => {
    const { chart, serving } = setup({ metrics: { port: 9090 } });
    const config = new PrometheusServerConfig(chart, 'prometheus');
    const s = new PrometheusScrape(chart, 'scrape', {
      target: ScrapeTarget.modelServing(serving),
      mode: ScrapeMode.scrapeConfig(config),
      interval: Duration.seconds(30),
      scrapeTimeout: Duration.seconds(5),
    });
    synthAndValidate(chart);
    expect(config.jobNames).toEqual(['kubernetes-pods', 'ml/bert']);
    const job = config.toConfig().scrape_configs[1];
    expect(job).toMatchObject({
      job_name: 'ml/bert',
      scrape_interval: '30s',
      scrape_timeout: '5s',
      metrics_path: '/metrics',
      kubernetes_sd_configs: [{
        role: 'pod',
        namespaces: { names: ['ml'] },
        selectors: [{ role: 'pod', label: 'app.kubernetes.io/name=bert,app.kubernetes.io/instance=bert,app.kubernetes.io/component=model-server' }],
      }],
    });
    expect(job.relabel_configs[0]).toEqual({ source_labels: ['__meta_kubernetes_pod_container_port_name'], regex: 'metrics', action: 'keep' });
    expect(s.job?.jobName).toBe('ml/bert');
    // The label selector string is exactly the pods' selector.
    const label = job.kubernetes_sd_configs[0].selectors[0].label as string;
    expect(Object.fromEntries(label.split(',').map(kv => kv.split('=')))).toEqual(SELECTOR);
  });

  test('a custom job name and extra relabelings', () => {
    const { chart, serving } = setup();
    const config = new PrometheusServerConfig(chart, 'prometheus', { podAnnotationJob: false });
    new PrometheusScrape(chart, 'scrape', {
      target: ScrapeTarget.modelServing(serving),
      mode: ScrapeMode.scrapeConfig(config, { jobName: 'bert', relabelings: [{ targetLabel: 'team', replacement: 'nlp' }] }),
    });
    const job = config.toConfig().scrape_configs[0];
    expect(job.job_name).toBe('bert');
    expect(job.relabel_configs.at(-1)).toEqual({ target_label: 'team', replacement: 'nlp', action: 'replace' });
  });
});

describe('PrometheusScrape: one scraper per metrics port', () => {
  const scrapeAnnotation = (manifests: any[]) => findObject(manifests, 'Deployment', 'bert').spec.template.metadata.annotations?.['prometheus.io/scrape'];

  test.each<[string, (chart: Chart) => ScrapeMode]>([
    ['ServiceMonitor', () => ScrapeMode.serviceMonitor()],
    ['PodMonitor', () => ScrapeMode.podMonitor()],
    ['scrape-config', (chart) => ScrapeMode.scrapeConfig(new PrometheusServerConfig(chart, 'prometheus'))],
  ])('%s mode removes the annotations announcing the same port: one scrape path per workload', (_name, mode) => {
    const { chart, serving } = setup({ metrics: { port: 9090 } });
    expect(serving.deployment.podMetadata.toJson().annotations).toMatchObject({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9090' });
    new PrometheusScrape(chart, 'scrape', { target: ScrapeTarget.modelServing(serving), mode: mode(chart) });
    const manifests = synthAndValidate(chart);
    expect(scrapeAnnotation(manifests)).toBeUndefined();
    const annotations = findObject(manifests, 'Deployment').spec.template.metadata.annotations ?? {};
    expect(Object.keys(annotations).filter(k => k.startsWith('prometheus.io/'))).toEqual([]);
  });

  test('annotations announcing another port are left on', () => {
    const { chart, serving } = setup({ metrics: { port: 9090 } });
    new PrometheusScrape(chart, 'scrape', { target: ScrapeTarget.modelServing(serving), mode: ScrapeMode.podMonitor(), portName: 'http' });
    expect(scrapeAnnotation(synthAndValidate(chart))).toBe('true');
  });

  test('two ports of one target: annotations for one, a PodMonitor for the other', () => {
    const { chart, serving } = setup({ metrics: { port: 9090 } });
    const target = ScrapeTarget.modelServing(serving);
    new PrometheusScrape(chart, 'scrape', { target, mode: ScrapeMode.annotations() });
    new PrometheusScrape(chart, 'scrape-http', { target, mode: ScrapeMode.podMonitor(), portName: 'http' });
    const manifests = synthAndValidate(chart);
    expect(findObject(manifests, 'Deployment', 'bert').spec.template.metadata.annotations).toMatchObject({
      'prometheus.io/scrape': 'true', 'prometheus.io/port': '9090',
    });
    expect(findObject(manifests, 'PodMonitor', 'bert').spec.podMetricsEndpoints[0].port).toBe('http');
  });
});

describe('PrometheusScrape: monitors in another namespace than the target', () => {
  test('select the target\'s namespace; in the same namespace they need no namespace selector', () => {
    const app = Testing.app();
    const ml = new Chart(app, 'prod', { namespace: 'ml' });
    const monitoring = new Chart(app, 'monitoring', { namespace: 'monitoring' });
    const serving = new MlModelServing(ml, 'bert', { image: 'ml-model:v1', metrics: { port: 9090 } });
    const target = ScrapeTarget.modelServing(serving);
    new PrometheusScrape(monitoring, 'scrape', { target, mode: ScrapeMode.serviceMonitor() });
    new PrometheusScrape(ml, 'scrape-http', { target, mode: ScrapeMode.podMonitor(), portName: 'http' });
    const serviceMonitor = findObject(synthAndValidate(monitoring), 'ServiceMonitor', 'bert');
    expect(serviceMonitor.metadata.namespace).toBe('monitoring');
    expect(serviceMonitor.spec.namespaceSelector).toEqual({ matchNames: ['ml'] });
    const podMonitor = findObject(synthAndValidate(ml), 'PodMonitor', 'bert');
    expect(podMonitor.spec.namespaceSelector).toBeUndefined();
  });
});

describe('PrometheusScrape admits Prometheus through the NetworkPolicy', () => {
  test('a server open only to its gateway gets a rule for Prometheus on the metrics port alone', () => {
    const chart = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
    const gateway = kplus.Pods.select(chart, 'gateway', { labels: { app: 'gateway' } });
    const serving = new MlModelServing(chart, 'bert', { image: 'ml-model:v1', metrics: { port: 9090 }, ingressFrom: [gateway] });
    const prometheus = kplus.Pods.select(chart, 'prometheus', {
      labels: { 'app.kubernetes.io/name': 'prometheus' },
      namespaces: kplus.Namespaces.select(chart, 'monitoring', { names: ['monitoring'] }),
    });
    new PrometheusScrape(chart, 'scrape', { target: ScrapeTarget.modelServing(serving), mode: ScrapeMode.podMonitor(), allowFrom: prometheus });
    const ingress = findObject(synthAndValidate(chart), 'NetworkPolicy', 'bert').spec.ingress;
    expect(ingress).toHaveLength(2);
    expect(ingress[1]).toEqual({
      from: [{
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
      }],
      ports: [{ port: 9090, protocol: 'TCP' }],
    });
  });

  test('a workload without a NetworkPolicy of ours is refused', () => {
    const chart = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
    const deployment = exporter(chart, 'exporter', 'metrics', 9100);
    const prometheus = kplus.Pods.select(chart, 'prometheus', { labels: { app: 'prometheus' } });
    expect(() => new PrometheusScrape(chart, 'scrape', { target: ScrapeTarget.workload(deployment), mode: ScrapeMode.podMonitor(), allowFrom: prometheus }))
      .toThrow("PrometheusScrape 'prod/scrape': allowFrom needs a target with a NetworkPolicy of ours (ScrapeTarget.modelServing); 'exporter' has none");
  });
});
