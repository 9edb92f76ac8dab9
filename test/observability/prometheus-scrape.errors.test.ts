import { Chart, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import * as fc from 'fast-check';
import {
  KubernetesSdRole, MlModelServing, MlModelServingProps, PrometheusScrape, PrometheusScrapeProps, PrometheusServerConfig,
  PrometheusServerConfigProps, RelabelAction, ScrapeJob, ScrapeMode, ScrapeTarget,
} from '../../src';
import { isPromDuration, promDurationMillis } from './util/prom-duration';

function chart() {
  return new Chart(Testing.app(), 'prod', { namespace: 'ml' });
}

function scrape(props: Partial<PrometheusScrapeProps>, servingProps: Partial<MlModelServingProps> = {}) {
  const c = chart();
  const serving = new MlModelServing(c, 'bert', { image: 'ml-model:v1', ...servingProps });
  return () => new PrometheusScrape(c, 'scrape', { target: ScrapeTarget.modelServing(serving), mode: ScrapeMode.serviceMonitor(), ...props });
}

describe('PrometheusScrape rejects bad input at synth time', () => {
  test.each<[string, Partial<PrometheusScrapeProps>, Partial<MlModelServingProps>, string]>([
    ['sub-millisecond interval', { interval: Duration.millis(1500.5) }, {},
      "PrometheusScrape 'prod/scrape': interval (1500.5ms) must be a whole number of milliseconds: Prometheus durations have no smaller unit"],
    ['fractional-millisecond interval', { interval: Duration.seconds(1.0005) }, {},
      "PrometheusScrape 'prod/scrape': interval (1000.5ms) must be a whole number of milliseconds"],
    ['zero interval', { interval: Duration.seconds(0) }, {},
      "PrometheusScrape 'prod/scrape': interval ('0s') must be longer than zero"],
    ['zero timeout', { scrapeTimeout: Duration.millis(0) }, {},
      "PrometheusScrape 'prod/scrape': scrapeTimeout ('0s') must be longer than zero"],
    ['timeout above interval', { interval: Duration.seconds(10), scrapeTimeout: Duration.seconds(30) }, {},
      "PrometheusScrape 'prod/scrape': scrapeTimeout ('30s') must not exceed the scrape interval ('10s')"],
    ['interval with annotations', { mode: ScrapeMode.annotations(), interval: Duration.seconds(30) }, {},
      "PrometheusScrape 'prod/scrape': interval is not supported by the annotations mode: the scraping job's setting applies; use a monitor or scrape-config mode"],
    ['unknown port name', { portName: 'prom' }, { metrics: { port: 9090 } },
      "PrometheusScrape 'prod/scrape': portName ('prom') is not a named container port of 'bert' (named ports: http, metrics)"],
    ['relative path', { path: 'metrics' }, {},
      "PrometheusScrape 'prod/scrape': path ('metrics') must be a URL path starting with '/', without whitespace, '?' or '#'"],
    ['selector not matching the Service', { mode: ScrapeMode.serviceMonitor({ selector: { app: 'other' } }) }, {},
      "PrometheusScrape 'prod/scrape': selector ({\"app\":\"other\"}) does not match the labels of the Service of 'bert'"],
    ['selector not matching the pods', { mode: ScrapeMode.podMonitor({ selector: { 'app.kubernetes.io/name': 'gpt' } }) }, {},
      "PrometheusScrape 'prod/scrape': selector ({\"app.kubernetes.io/name\":\"gpt\"}) does not match the labels of the pods of 'bert'"],
    ['empty explicit selector', { mode: ScrapeMode.podMonitor({ selector: {} }) }, {},
      "PrometheusScrape 'prod/scrape': selector is empty: a monitor with an empty selector scrapes every pod in the namespace; label the target's pods"],
    ['invalid monitor name', { mode: ScrapeMode.podMonitor({ name: 'Bert_Pods' }) }, {},
      "PrometheusScrape 'prod/scrape': name ('Bert_Pods') must be a valid RFC 1123 DNS subdomain"],
    ['invalid monitor label value', { mode: ScrapeMode.serviceMonitor({ monitorLabels: { release: 'kube prometheus' } }) }, {},
      "PrometheusScrape 'prod/scrape': monitorLabels['release'] ('kube prometheus') must be a valid label value"],
    ['replace without target label', { mode: ScrapeMode.serviceMonitor({ relabelings: [{ sourceLabels: ['a'] }] }) }, {},
      "PrometheusScrape 'prod/scrape': relabelings[0].targetLabel is required by the 'replace' action"],
    ['hashmod without modulus', { mode: ScrapeMode.podMonitor({ relabelings: [{ targetLabel: 'h', action: RelabelAction.HASHMOD }] }) }, {},
      "PrometheusScrape 'prod/scrape': relabelings[0].modulus (undefined) must be a positive integer for the 'hashmod' action"],
    ['invalid regex', { mode: ScrapeMode.podMonitor({ metricRelabelings: [{ regex: '(go_', action: RelabelAction.DROP }] }) }, {},
      "PrometheusScrape 'prod/scrape': metricRelabelings[0].regex ('(go_') is not an RE2 regular expression (what Prometheus uses)"],
    ['invalid source label', { mode: ScrapeMode.podMonitor({ relabelings: [{ sourceLabels: ['app.kubernetes.io/name'], action: RelabelAction.KEEP }] }) }, {},
      "PrometheusScrape 'prod/scrape': relabelings[0].sourceLabels ('app.kubernetes.io/name') must be valid label names"],
  ])('%s', (_name, props, servingProps, message) => {
    expect(scrape(props, servingProps)).toThrow(message);
  });

  test('a workload without a Service cannot get a ServiceMonitor', () => {
    const c = chart();
    const d = new kplus.Deployment(c, 'exporter', { metadata: { name: 'exporter' }, containers: [{ image: 'exporter:1', ports: [{ name: 'metrics', number: 9100 }] }] });
    expect(() => new PrometheusScrape(c, 'scrape', { target: ScrapeTarget.workload(d), mode: ScrapeMode.serviceMonitor() }))
      .toThrow("PrometheusScrape 'prod/scrape': target ('exporter') has no Service; give one with ScrapeTarget.workload(workload, { service }) or use a PodMonitor");
  });

  test('a Service without labels cannot be selected', () => {
    const c = chart();
    const d = new kplus.Deployment(c, 'exporter', { metadata: { name: 'exporter' }, containers: [{ image: 'exporter:1', ports: [{ name: 'metrics', number: 9100 }] }] });
    const service = new kplus.Service(c, 'svc', { selector: d, ports: [{ name: 'metrics', port: 9100 }] });
    expect(() => new PrometheusScrape(c, 'scrape', { target: ScrapeTarget.workload(d, { service }), mode: ScrapeMode.serviceMonitor() }))
      .toThrow("PrometheusScrape 'prod/scrape': selector is empty: a monitor with an empty selector scrapes every Service in the namespace; label the target's Service");
  });

  test('a foreign Service lacking the metrics port is not modified but refused', () => {
    const c = chart();
    const d = new kplus.Deployment(c, 'exporter', { metadata: { name: 'exporter' }, containers: [{ image: 'exporter:1', ports: [{ name: 'metrics', number: 9100 }] }] });
    const service = new kplus.Service(c, 'svc', { metadata: { name: 'exporter', labels: { app: 'exporter' } }, selector: d, ports: [{ name: 'web', port: 80, targetPort: 8080 }] });
    expect(() => new PrometheusScrape(c, 'scrape', { target: ScrapeTarget.workload(d, { service }), mode: ScrapeMode.serviceMonitor() }))
      .toThrow("PrometheusScrape 'prod/scrape': portName ('metrics', container port 9100) is not a named port of Service 'exporter' (ports: web:80); add it to the Service or use a PodMonitor");
  });

  test('pods without a metrics or http port need the port named', () => {
    const c = chart();
    const d = new kplus.Deployment(c, 'exporter', { metadata: { name: 'exporter' }, containers: [{ image: 'exporter:1', ports: [{ name: 'a', number: 1 }, { name: 'b', number: 2 }] }] });
    expect(() => new PrometheusScrape(c, 'scrape', { target: ScrapeTarget.workload(d), mode: ScrapeMode.podMonitor() }))
      .toThrow("PrometheusScrape 'prod/scrape': portName is required: 'exporter' has no container port named 'metrics' or 'http' (named ports: a, b)");
  });

  test('a second scrape of the same port is refused (every series would be counted twice)', () => {
    const c = chart();
    const serving = new MlModelServing(c, 'bert', { image: 'ml-model:v1', metrics: { port: 9090 } });
    const target = ScrapeTarget.modelServing(serving);
    new PrometheusScrape(c, 'scrape', { target, mode: ScrapeMode.serviceMonitor() });
    expect(() => new PrometheusScrape(c, 'again', { target, mode: ScrapeMode.podMonitor() }))
      .toThrow("PrometheusScrape 'prod/again': portName ('metrics', 9090) of 'bert' is already scraped by 'prod/scrape'; a second scrape would count every series twice");
  });

  test('pods announce one port by annotations', () => {
    const c = chart();
    const serving = new MlModelServing(c, 'bert', { image: 'ml-model:v1', metrics: { port: 9090 } });
    const target = ScrapeTarget.modelServing(serving);
    new PrometheusScrape(c, 'scrape', { target, mode: ScrapeMode.annotations() });
    expect(() => new PrometheusScrape(c, 'again', { target, mode: ScrapeMode.annotations(), portName: 'http' }))
      .toThrow("PrometheusScrape 'prod/again': mode cannot announce a second port of 'bert' by annotations (pods carry one prometheus.io/port; 'prod/scrape' announces 9090); use a PodMonitor or scrape-config mode");
  });

  test('a monitor in a namespace cannot find a target whose chart has none', () => {
    const app = Testing.app();
    const serving = new MlModelServing(new Chart(app, 'plain'), 'bert', { image: 'ml-model:v1' });
    const monitoring = new Chart(app, 'monitoring', { namespace: 'monitoring' });
    expect(() => new PrometheusScrape(monitoring, 'scrape', { target: ScrapeTarget.modelServing(serving), mode: ScrapeMode.podMonitor() }))
      .toThrow("PrometheusScrape 'monitoring/scrape': target ('bert') has no namespace (its chart sets none) while the monitor would be in 'monitoring'; create the PrometheusScrape in the target's chart");
  });

  test('the scrape-config job must not clash with an existing one', () => {
    const c = chart();
    const serving = new MlModelServing(c, 'bert', { image: 'ml-model:v1' });
    const config = new PrometheusServerConfig(c, 'prometheus');
    expect(() => new PrometheusScrape(c, 'scrape', { target: ScrapeTarget.modelServing(serving), mode: ScrapeMode.scrapeConfig(config, { jobName: 'kubernetes-pods' }) }))
      .toThrow("PrometheusServerConfig 'prod/prometheus': jobs['kubernetes-pods'] is defined twice; job names must be unique");
  });
});

describe('monitor selectors (property-based)', () => {
  const POD_LABELS = {
    'app.kubernetes.io/name': 'bert',
    'app.kubernetes.io/instance': 'bert',
    'app.kubernetes.io/component': 'model-server',
    'app.kubernetes.io/version': 'v1',
    'app.kubernetes.io/managed-by': 'cdk8s-ml',
  };
  const keys = fc.subarray(Object.keys(POD_LABELS), { minLength: 1 });

  test('a non-empty subset of the pods\' labels is accepted as the PodMonitor selector', () => {
    fc.assert(fc.property(keys, (picked) => {
      const selector = Object.fromEntries(picked.map(k => [k, POD_LABELS[k as keyof typeof POD_LABELS]]));
      const s = scrape({ mode: ScrapeMode.podMonitor({ selector }) }, { version: 'v1' })();
      expect(s.apiObject!.toJson().spec.selector).toEqual({ matchLabels: selector });
    }), { numRuns: 25 });
  });

  test('a selector with any label the pods lack, or with another value, is refused', () => {
    const stranger = fc.oneof(
      fc.tuple(fc.constantFrom(...Object.keys(POD_LABELS)), fc.constantFrom('gpt', 'v2', 'x')),
      fc.tuple(fc.constantFrom('app', 'team', 'tier'), fc.constantFrom('bert', 'ml')),
    );
    fc.assert(fc.property(keys, stranger, (picked, [k, v]) => {
      const selector = { ...Object.fromEntries(picked.map(p => [p, POD_LABELS[p as keyof typeof POD_LABELS]])), [k]: v };
      expect(scrape({ mode: ScrapeMode.podMonitor({ selector }) }, { version: 'v1' })).toThrow('does not match the labels of the pods');
    }), { numRuns: 25 });
  });
});

describe('PrometheusServerConfig rejects bad input at synth time', () => {
  const k8sJob = (over: Partial<ScrapeJob>): ScrapeJob => ({ jobName: 'j', kubernetesSd: [{ role: KubernetesSdRole.POD }], ...over });
  test.each<[string, PrometheusServerConfigProps, string]>([
    ['bad global interval', { scrapeInterval: Duration.millis(0.5) },
      "PrometheusServerConfig 'prod/prometheus': scrapeInterval (0.5ms) must be a whole number of milliseconds"],
    ['global timeout above interval', { scrapeInterval: Duration.seconds(15), scrapeTimeout: Duration.seconds(20) },
      "PrometheusServerConfig 'prod/prometheus': scrapeTimeout ('20s') must not exceed the scrape interval ('15s')"],
    ['bad evaluation interval', { evaluationInterval: Duration.seconds(0) },
      "PrometheusServerConfig 'prod/prometheus': evaluationInterval ('0s') must be longer than zero"],
    ['bad external label name', { externalLabels: { 'k8s-cluster': 'a' } },
      "PrometheusServerConfig 'prod/prometheus': externalLabels key ('k8s-cluster') must be a valid Prometheus label name"],
    ['bad config map name', { name: 'Prometheus Config' },
      "PrometheusServerConfig 'prod/prometheus': name ('Prometheus Config') must be a valid RFC 1123 DNS subdomain"],
    ['job without targets', { jobs: [{ jobName: 'empty' }] },
      "PrometheusServerConfig 'prod/prometheus': jobs['empty'] ('empty') has no targets: give kubernetesSd or staticTargets"],
    ['empty job name', { jobs: [k8sJob({ jobName: '' })] },
      "PrometheusServerConfig 'prod/prometheus': jobs[''].jobName ('') must be non-empty without surrounding spaces"],
    ['job timeout above the global interval', { jobs: [k8sJob({ scrapeTimeout: Duration.minutes(1) })] },
      "PrometheusServerConfig 'prod/prometheus': jobs['j'].scrapeTimeout ('1m') must not exceed the scrape interval ('15s')"],
    ['job with a bad interval', { jobs: [k8sJob({ scrapeInterval: Duration.millis(10.5) })] },
      "PrometheusServerConfig 'prod/prometheus': jobs['j'].scrapeInterval (10.5ms) must be a whole number of milliseconds"],
    ['relative metrics path', { jobs: [k8sJob({ metricsPath: 'metrics' })] },
      "PrometheusServerConfig 'prod/prometheus': jobs['j'].metricsPath ('metrics') must be a URL path starting with '/', without whitespace, '?' or '#'"],
    ['static target without port', { jobs: [{ jobName: 's', staticTargets: ['http://ksm'] }] },
      "PrometheusServerConfig 'prod/prometheus': jobs['s'].staticTargets ('http://ksm') must be host:port"],
    ['selector role not allowed', { jobs: [k8sJob({ kubernetesSd: [{ role: KubernetesSdRole.POD, selectors: [{ role: KubernetesSdRole.SERVICE, label: 'a=b' }] }] })] },
      "PrometheusServerConfig 'prod/prometheus': jobs['j'].kubernetesSd[0].selectors role 'service' is not allowed with discovery role 'pod' (allowed: pod)"],
    ['empty selector', { jobs: [k8sJob({ kubernetesSd: [{ role: KubernetesSdRole.POD, selectors: [{ role: KubernetesSdRole.POD }] }] })] },
      "PrometheusServerConfig 'prod/prometheus': jobs['j'].kubernetesSd[0].selectors entries need a label or a field selector"],
    ['label selector without operator', { jobs: [k8sJob({ kubernetesSd: [{ role: KubernetesSdRole.POD, selectors: [{ role: KubernetesSdRole.POD, label: 'app bert' }] }] })] },
      "PrometheusServerConfig 'prod/prometheus': jobs['j'].kubernetesSd[0].selectors label ('app bert') must be a Kubernetes label selector such as 'app=bert,tier!=batch' or 'env in (prod, staging)'"],
    ['label selector with a bad value', { jobs: [k8sJob({ kubernetesSd: [{ role: KubernetesSdRole.POD, selectors: [{ role: KubernetesSdRole.POD, label: 'app=my bert' }] }] })] },
      "PrometheusServerConfig 'prod/prometheus': jobs['j'].kubernetesSd[0].selectors label ('app=my bert') must be a Kubernetes label selector"],
    ['field selector without operator', { jobs: [k8sJob({ kubernetesSd: [{ role: KubernetesSdRole.POD, selectors: [{ role: KubernetesSdRole.POD, field: 'status.phase' }] }] })] },
      "PrometheusServerConfig 'prod/prometheus': jobs['j'].kubernetesSd[0].selectors field ('status.phase') must be a Kubernetes field selector such as 'status.phase=Running'"],
    ['selector role twice', {
      jobs: [k8sJob({
        kubernetesSd: [{ role: KubernetesSdRole.POD, selectors: [{ role: KubernetesSdRole.POD, label: 'a=b' }, { role: KubernetesSdRole.POD, field: 'status.phase=Running' }] }],
      })],
    }, "PrometheusServerConfig 'prod/prometheus': jobs['j'].kubernetesSd[0].selectors has role 'pod' twice; join its terms with commas in one entry"],
    ['node metadata on services', { jobs: [k8sJob({ kubernetesSd: [{ role: KubernetesSdRole.SERVICE, attachNodeMetadata: true }] })] },
      "PrometheusServerConfig 'prod/prometheus': jobs['j'].kubernetesSd[0].attachNodeMetadata is only supported with roles pod, endpoints, endpointslice"],
    ['bad relabel target label', { jobs: [k8sJob({ relabelings: [{ sourceLabels: ['a'], targetLabel: 'my-label' }] })] },
      "PrometheusServerConfig 'prod/prometheus': jobs['j'].relabelings[0].targetLabel ('my-label') must be a valid label name"],
  ])('%s', (_name, props, message) => {
    expect(() => new PrometheusServerConfig(chart(), 'prometheus', props)).toThrow(message);
  });
});

describe('Kubernetes SD selectors (property-based)', () => {
  const name = fc.stringMatching(/^[a-z0-9]([a-z0-9._-]{0,10}[a-z0-9])?$/);
  const key = fc.tuple(fc.option(fc.constantFrom('app.kubernetes.io/', 'example.com/'), { nil: undefined }), name).map(([p, n]) => `${p ?? ''}${n}`);
  const term = fc.oneof(
    fc.tuple(key, fc.constantFrom('=', '==', '!='), fc.oneof(name, fc.constant(''))).map(([k, op, v]) => `${k}${op}${v}`),
    fc.tuple(fc.constantFrom('', '!'), key).map(([neg, k]) => `${neg}${k}`),
    fc.tuple(key, fc.constantFrom('in', 'notin'), fc.array(name, { minLength: 1, maxLength: 3 })).map(([k, op, vs]) => `${k} ${op} (${vs.join(', ')})`),
  );
  const config = (label: string) => new PrometheusServerConfig(chart(), 'p', {
    podAnnotationJob: false,
    jobs: [{ jobName: 'j', kubernetesSd: [{ role: KubernetesSdRole.POD, selectors: [{ role: KubernetesSdRole.POD, label }] }] }],
  });

  test('label selectors in Kubernetes syntax are accepted and rendered as given', () => {
    fc.assert(fc.property(fc.array(term, { minLength: 1, maxLength: 4 }), (terms) => {
      const label = terms.join(',');
      expect(config(label).toConfig().scrape_configs[0].kubernetes_sd_configs[0].selectors).toEqual([{ role: 'pod', label }]);
    }), { numRuns: 50 });
  });

  test('stray words, operators or characters after a valid term are refused', () => {
    const bad = fc.tuple(term, fc.constantFrom(' x y', '=a=b', '(', ';', '*')).map(([t, junk]) => `${t}${junk}`);
    fc.assert(fc.property(bad, (label) => {
      expect(() => config(label)).toThrow('must be a Kubernetes label selector');
    }), { numRuns: 50 });
  });
});

describe('Prometheus durations (property-based)', () => {
  const rendered = (d: Duration) => new PrometheusServerConfig(chart(), 'p', { scrapeInterval: d, podAnnotationJob: false }).toConfig().global.scrape_interval;

  test('any whole number of milliseconds is written as a Prometheus duration of the same length', () => {
    const UNITS: Array<[number, (n: number) => Duration]> = [
      [365 * 864e5, n => Duration.days(365 * n)], [6048e5, n => Duration.days(7 * n)], [864e5, Duration.days],
      [36e5, Duration.hours], [6e4, Duration.minutes], [1e3, Duration.seconds], [1, Duration.millis],
    ];
    const part = fc.tuple(fc.integer({ min: 0, max: UNITS.length - 1 }), fc.integer({ min: 1, max: 999 }));
    fc.assert(fc.property(fc.array(part, { minLength: 1, maxLength: 7 }), (parts) => {
      const ms = parts.reduce((sum, [u, n]) => sum + UNITS[u][0] * n, 0);
      const text = rendered(Duration.millis(ms));
      expect(isPromDuration(text)).toBe(true);
      expect(promDurationMillis(text)).toBe(ms);
    }));
  });

  test('as Prometheus writes them: largest units first, weeks and years only when exact', () => {
    expect(rendered(Duration.seconds(15))).toBe('15s');
    expect(rendered(Duration.minutes(90))).toBe('1h30m');
    expect(rendered(Duration.days(7))).toBe('1w');
    expect(rendered(Duration.days(90))).toBe('90d');
    expect(rendered(Duration.days(365))).toBe('1y');
    expect(rendered(Duration.millis(1500))).toBe('1s500ms');
  });

  test('fractions of a millisecond are refused', () => {
    const fraction = fc.tuple(fc.integer({ min: 0, max: 100000 }), fc.integer({ min: 1, max: 9 })).map(([n, f]) => n + f / 10);
    fc.assert(fc.property(fraction, (ms) => {
      expect(() => new PrometheusServerConfig(chart(), 'p', { scrapeInterval: Duration.millis(ms) }))
        .toThrow(`scrapeInterval (${ms}ms) must be a whole number of milliseconds`);
    }));
  });
});

describe('a NetworkPolicy that would block the declared scraper', () => {
  const gateway = () => kplus.Pods.select(chart(), 'gw', { labels: { app: 'gateway' } });

  test('a server restricted to its ingressFrom peers needs allowFrom (or the statement that Prometheus is admitted)', () => {
    expect(scrape({}, { ingressFrom: [gateway()] }))
      .toThrow("PrometheusScrape 'prod/scrape': allowFrom is needed: 'bert' admits only its ingressFrom peers, so Prometheus's scrapes of port 8080 would be blocked");
    expect(scrape({ scraperAdmitted: true }, { ingressFrom: [gateway()] })).not.toThrow();
  });

  test('with allowFrom, the scraper is admitted to the metrics port', () => {
    const c = chart();
    const serving = new MlModelServing(c, 'bert', { image: 'ml-model:v1', ingressFrom: [kplus.Pods.select(c, 'gw', { labels: { app: 'gateway' } })], metrics: { port: 9090 } });
    const prometheus = kplus.Pods.select(c, 'prom', { labels: { 'app.kubernetes.io/name': 'prometheus' } });
    new PrometheusScrape(c, 'scrape', { target: ScrapeTarget.modelServing(serving), mode: ScrapeMode.podMonitor(), allowFrom: prometheus });
    const policy = Testing.synth(c).find(m => m.kind === 'NetworkPolicy');
    expect(policy.spec.ingress.some((r: any) => r.from?.[0]?.podSelector?.matchLabels?.['app.kubernetes.io/name'] === 'prometheus'
      && r.ports.some((p: any) => p.port === 9090))).toBe(true);
  });
});
