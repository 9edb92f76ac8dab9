import { Chart, Duration, Testing } from 'cdk8s';
import { parse } from 'yaml';
import {
  KubernetesSdRole, MlModelServing, PrometheusScrape, PrometheusServerConfig, RelabelAction, ScrapeMode, ScrapeScheme, ScrapeTarget,
} from '../../src';
import { findObject, synthAndValidate } from '../util';
import { promtoolTest, runPromtool, withHttpSd } from './util/promtool';

function guideConfig() {
  const chart = new Chart(Testing.app(), 'monitoring', { namespace: 'monitoring' });
  const config = new PrometheusServerConfig(chart, 'prometheus');
  const manifests = synthAndValidate(chart);
  const configMap = findObject(manifests, 'ConfigMap', 'prometheus-config');
  return { config, configMap, yml: parse(configMap.data['prometheus.yml']) };
}

/** A config with every feature: global settings, the guide's job, added jobs of all kinds. */
function fullConfig() {
  const chart = new Chart(Testing.app(), 'monitoring', { namespace: 'ml' });
  const config = new PrometheusServerConfig(chart, 'prometheus', {
    scrapeInterval: Duration.seconds(30),
    scrapeTimeout: Duration.seconds(10),
    evaluationInterval: Duration.minutes(1),
    externalLabels: { cluster: 'prod-eu' },
    jobs: [{
      jobName: 'kube-state-metrics',
      staticTargets: ['kube-state-metrics.kube-system.svc:8080'],
      metricRelabelings: [{ sourceLabels: ['__name__'], regex: 'kube_pod_container_status_.*', action: RelabelAction.KEEP }],
    }, {
      jobName: 'dcgm-exporter',
      scrapeInterval: Duration.minutes(1),
      scheme: ScrapeScheme.HTTPS,
      honorLabels: true,
      kubernetesSd: [{
        role: KubernetesSdRole.ENDPOINTS,
        namespaces: ['gpu-operator'],
        ownNamespace: true,
        selectors: [{ role: KubernetesSdRole.SERVICE, label: 'app=nvidia-dcgm-exporter' }],
        attachNodeMetadata: true,
      }],
      relabelings: [
        { sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'node' },
        { sourceLabels: ['__address__'], modulus: 4, targetLabel: '__tmp_hash', action: RelabelAction.HASHMOD },
        { sourceLabels: ['__tmp_hash'], regex: '0', action: RelabelAction.KEEP },
        { regex: 'pod_template_hash', action: RelabelAction.LABELDROP },
      ],
    }],
  });
  const serving = new MlModelServing(chart, 'bert', { image: 'ml-model:v1', metrics: { port: 9090 } });
  new PrometheusScrape(chart, 'scrape', { target: ScrapeTarget.modelServing(serving), mode: ScrapeMode.scrapeConfig(config) });
  const manifests = synthAndValidate(chart);
  return { config, yml: parse(findObject(manifests, 'ConfigMap', 'prometheus-config').data['prometheus.yml']) };
}

describe('PrometheusServerConfig: the guide\'s prometheus-config ConfigMap', () => {
  const { config, configMap, yml } = guideConfig();

  test('reproduces the guide: 15s interval, kubernetes-pods job on pods, keep on prometheus.io/scrape', () => {
    expect(configMap.metadata.name).toBe('prometheus-config');
    expect(Object.keys(configMap.data)).toEqual(['prometheus.yml']);
    expect(yml.global).toEqual({ scrape_interval: '15s' });
    expect(yml.scrape_configs.map((j: any) => j.job_name)).toEqual(['kubernetes-pods']);
    const job = yml.scrape_configs[0];
    expect(job.kubernetes_sd_configs).toEqual([{ role: 'pod' }]);
    expect(job.relabel_configs[0]).toEqual({
      source_labels: ['__meta_kubernetes_pod_annotation_prometheus_io_scrape'], regex: 'true', action: 'keep',
    });
    expect(config.scrapeInterval.toSeconds()).toBe(15);
  });

  test('implements the whole annotation convention: scheme, path, port rewrite, labels', () => {
    const rules = yml.scrape_configs[0].relabel_configs;
    expect(rules).toContainEqual({ source_labels: ['__meta_kubernetes_pod_annotation_prometheus_io_scheme'], regex: '(https?)', target_label: '__scheme__', action: 'replace' });
    expect(rules).toContainEqual({ source_labels: ['__meta_kubernetes_pod_annotation_prometheus_io_path'], regex: '(.+)', target_label: '__metrics_path__', action: 'replace' });
    expect(rules).toContainEqual({
      source_labels: ['__address__', '__meta_kubernetes_pod_annotation_prometheus_io_port'],
      regex: '([^:]+)(?::\\d+)?;(\\d+)',
      replacement: '$1:$2',
      target_label: '__address__',
      action: 'replace',
    });
    expect(rules).toContainEqual({ regex: '__meta_kubernetes_pod_label_(.+)', action: 'labelmap' });
    expect(rules).toContainEqual({ source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace', action: 'replace' });
    expect(rules).toContainEqual({ source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod', action: 'replace' });
  });

  test('the port rewrite regex does what the convention says (host:any + port -> host:port)', () => {
    const rule = yml.scrape_configs[0].relabel_configs.find((r: any) => r.target_label === '__address__');
    const rewrite = (address: string, port: string) => `${address};${port}`.replace(new RegExp(`^(?:${rule.regex})$`), '$1:$2');
    expect(rewrite('10.1.2.3:8080', '9090')).toBe('10.1.2.3:9090');
    expect(rewrite('10.1.2.3', '9090')).toBe('10.1.2.3:9090');
  });

  test('the YAML text is generated from the typed config', () => {
    expect(parse(config.toYaml())).toEqual(config.toConfig());
  });

  promtoolTest('promtool check config accepts it (Kubernetes SD swapped for HTTP SD)', (promtool) => {
    const result = runPromtool(promtool, ['check', 'config', 'prometheus.yml'], { 'prometheus.yml': withHttpSd(yml) });
    expect(result.output).toContain('SUCCESS');
    expect(result.ok).toBe(true);
  });
});

describe('PrometheusServerConfig with every option', () => {
  const { yml } = fullConfig();

  test('renders global settings and all jobs', () => {
    expect(yml.global).toEqual({ scrape_interval: '30s', scrape_timeout: '10s', evaluation_interval: '1m', external_labels: { cluster: 'prod-eu' } });
    expect(yml.scrape_configs.map((j: any) => j.job_name)).toEqual(['kubernetes-pods', 'kube-state-metrics', 'dcgm-exporter', 'ml/bert']);
    expect(yml.scrape_configs[1].static_configs).toEqual([{ targets: ['kube-state-metrics.kube-system.svc:8080'] }]);
    expect(yml.scrape_configs[2].kubernetes_sd_configs).toEqual([{
      role: 'endpoints',
      namespaces: { own_namespace: true, names: ['gpu-operator'] },
      selectors: [{ role: 'service', label: 'app=nvidia-dcgm-exporter' }],
      attach_metadata: { node: true },
    }]);
  });

  promtoolTest('promtool check config accepts it', (promtool) => {
    const result = runPromtool(promtool, ['check', 'config', 'prometheus.yml'], { 'prometheus.yml': withHttpSd(yml) });
    expect(result.output).toContain('SUCCESS');
    expect(result.ok).toBe(true);
  });

  promtoolTest('the check can fail: promtool rejects a broken copy', (promtool) => {
    const broken = withHttpSd(yml);
    broken.scrape_configs[1].relabel_configs = [{ action: 'hashmod', source_labels: ['a'] }];
    const result = runPromtool(promtool, ['check', 'config', 'prometheus.yml'], { 'prometheus.yml': broken });
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/modulus|target_label/);
  });

  // Debian's promtool cannot check kubernetes_sd_configs, so every block is checked here
  // against the fields Prometheus documents for kubernetes_sd_config.
  test('every Kubernetes SD block uses only documented fields and values', () => {
    const ROLES = ['node', 'service', 'pod', 'endpoints', 'endpointslice', 'ingress'];
    const DOCUMENTED = ['api_server', 'role', 'kubeconfig_file', 'namespaces', 'selectors', 'attach_metadata',
      'basic_auth', 'authorization', 'oauth2', 'proxy_url', 'no_proxy', 'proxy_from_environment', 'proxy_connect_header',
      'follow_redirects', 'enable_http2', 'tls_config'];
    const blocks = yml.scrape_configs.flatMap((j: any) => j.kubernetes_sd_configs ?? []);
    expect(blocks.length).toBe(3);
    for (const sd of blocks) {
      for (const key of Object.keys(sd)) expect(DOCUMENTED).toContain(key);
      expect(ROLES).toContain(sd.role);
      if (sd.namespaces) {
        for (const key of Object.keys(sd.namespaces)) expect(['own_namespace', 'names']).toContain(key);
        if ('own_namespace' in sd.namespaces) expect(typeof sd.namespaces.own_namespace).toBe('boolean');
        for (const n of sd.namespaces.names ?? []) expect(n).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      }
      for (const s of sd.selectors ?? []) {
        for (const key of Object.keys(s)) expect(['role', 'label', 'field']).toContain(key);
        expect(ROLES).toContain(s.role);
        expect(s.label ?? s.field).toBeDefined();
        if (s.label) {
          for (const term of s.label.split(',')) expect(term).toMatch(/^[A-Za-z0-9./_-]+(=|!=|==)[A-Za-z0-9._-]*$/);
        }
      }
      if (sd.attach_metadata) expect(sd.attach_metadata).toEqual({ node: expect.any(Boolean) });
    }
  });
});
