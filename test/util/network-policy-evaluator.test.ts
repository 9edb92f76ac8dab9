import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import * as fc from 'fast-check';
import { Connection, NetworkPolicyEvaluator, PodEndpoint, selectorMatches } from './network-policy-evaluator';
import { MlModelServing, MlNamespace } from '../../src';

function pod(namespace: string, labels: { [k: string]: string } = {}, extra: Partial<PodEndpoint> = {}): PodEndpoint {
  return { namespace, labels, ...extra };
}
const np = (namespace: string, name: string, spec: object) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec });
const DENY_ALL = np('ml', 'deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });

describe('NetworkPolicyEvaluator', () => {
  test('no policy: everything allowed; default-deny: nothing in or out of the namespace', () => {
    const none = new NetworkPolicyEvaluator([]);
    expect(none.allows({ from: pod('a'), to: pod('b'), port: 80 })).toBe(true);
    const deny = new NetworkPolicyEvaluator([DENY_ALL]);
    expect(deny.allows({ from: pod('other'), to: pod('ml', { app: 'x' }), port: 80 })).toBe(false);
    expect(deny.allows({ from: pod('ml', { app: 'x' }), to: pod('other'), port: 80 })).toBe(false);
    expect(deny.allows({ from: pod('ml'), to: pod('ml'), port: 80 })).toBe(false);
    expect(deny.allows({ from: pod('other'), to: pod('elsewhere'), port: 80 })).toBe(true);
  });

  test('peers: podSelector alone is the policy namespace; namespaceSelector; both; ipBlock with except', () => {
    const e = new NetworkPolicyEvaluator([
      np('ml', 'p', {
        podSelector: { matchLabels: { app: 'server' } },
        ingress: [{
          from: [
            { podSelector: { matchLabels: { role: 'client' } } },
            { namespaceSelector: { matchLabels: { team: 'search' } } },
            { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['prometheus'] }] } },
            { ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } },
          ],
        }],
      }),
    ], { search: { team: 'search' } });
    const server = pod('ml', { app: 'server' });
    const to = (from: PodEndpoint) => e.allows({ from, to: server, port: 8080 });
    expect(to(pod('ml', { role: 'client' }))).toBe(true);
    expect(to(pod('other', { role: 'client' }))).toBe(false);
    expect(to(pod('search', {}))).toBe(true);
    expect(to(pod('monitoring', { app: 'prometheus' }))).toBe(true);
    expect(to(pod('monitoring', { app: 'grafana' }))).toBe(false);
    expect(to(pod('x', {}, { external: true, ip: '10.2.3.4' }))).toBe(true);
    expect(to(pod('x', {}, { external: true, ip: '10.1.3.4' }))).toBe(false);
    expect(to(pod('x', {}, { external: true, ip: '192.168.0.1' }))).toBe(false);
    // Pods the policy does not select stay open.
    expect(e.allows({ from: pod('other'), to: pod('ml', { app: 'db' }), port: 5432 })).toBe(true);
  });

  test('ports: number, protocol (TCP default), named, endPort; rule without ports matches all; policyTypes default', () => {
    const e = new NetworkPolicyEvaluator([
      np('ml', 'p', {
        podSelector: {},
        ingress: [{ ports: [{ port: 8080 }, { port: 53, protocol: 'UDP' }, { port: 'metrics' }, { port: 30000, endPort: 30010 }] }],
      }),
      np('ml', 'egress', { podSelector: { matchLabels: { app: 'a' } }, egress: [{ to: [{ podSelector: {} }] }] }),
    ]);
    const c = (port: number, protocol?: 'TCP' | 'UDP', namedPorts?: { [n: string]: number }): Connection => ({ from: pod('x'), to: pod('ml', {}, { namedPorts }), port, protocol });
    expect(e.allows(c(8080))).toBe(true);
    expect(e.allows(c(8080, 'UDP'))).toBe(false);
    expect(e.allows(c(53, 'UDP'))).toBe(true);
    expect(e.allows(c(53))).toBe(false);
    expect(e.allows(c(9090, 'TCP', { metrics: 9090 }))).toBe(true);
    expect(e.allows(c(9090))).toBe(false);
    expect(e.allows(c(30005))).toBe(true);
    expect(e.allows(c(30011))).toBe(false);
    // The egress-only policy (policyTypes defaulted to Ingress+Egress) isolates app=a for egress.
    expect(e.egressAllowed({ from: pod('ml', { app: 'a' }), to: pod('ml'), port: 1 })).toBe(true);
    expect(e.egressAllowed({ from: pod('ml', { app: 'a' }), to: pod('other'), port: 1 })).toBe(false);
    expect(e.egressAllowed({ from: pod('ml', { app: 'b' }), to: pod('other'), port: 1 })).toBe(true);
  });

  test('selectorMatches', () => {
    expect(selectorMatches({}, {})).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: 'a', operator: 'NotIn', values: ['1'] }] }, {})).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: 'a', operator: 'DoesNotExist' }] }, { a: '1' })).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'a', operator: 'Exists' }] }, { a: '' })).toBe(true);
    expect(() => selectorMatches({ matchExpressions: [{ key: 'a', operator: 'Gt' }] }, {})).toThrow('unknown selector operator Gt');
  });
});

describe('MlNamespace and workloads, evaluated', () => {
  function platform() {
    const c = new Chart(Testing.app(), 'prod');
    const ns = new MlNamespace(c, 'ml', {
      allowIngressFrom: [{ namespace: 'ingress-nginx', podLabels: { 'app.kubernetes.io/name': 'ingress-nginx' }, ports: [8080] }],
      allowMonitoringFrom: { namespace: 'monitoring', ports: [9090] },
    });
    const bert = new MlModelServing(ns, 'bert', {
      image: 'bert:1.0.0',
      metrics: { port: 9090 },
      ingressFrom: [kplus.Pods.select(c, 'nginx', { labels: { 'app.kubernetes.io/name': 'ingress-nginx' }, namespaces: kplus.Namespaces.select(c, 'nginx-ns', { names: ['ingress-nginx'] }) })],
    });
    return { manifests: Testing.synth(c), bert };
  }
  const { manifests, bert } = platform();
  const e = new NetworkPolicyEvaluator(manifests);
  const server = pod('ml', bert.selector);
  const nginx = pod('ingress-nginx', { 'app.kubernetes.io/name': 'ingress-nginx' });

  test("the server's declared peer reaches its port; nothing else reaches it", () => {
    expect(bert.port).toBe(8080);
    expect(e.allows({ from: nginx, to: server, port: bert.port })).toBe(true);
    expect(e.allows({ from: nginx, to: server, port: 22 })).toBe(false);
    expect(e.allows({ from: pod('ingress-nginx', { app: 'other' }), to: server, port: bert.port })).toBe(false);
    expect(e.allows({ from: pod('default', { 'app.kubernetes.io/name': 'ingress-nginx' }), to: server, port: bert.port })).toBe(false);
    expect(e.allows({ from: pod('ml', { app: 'neighbour' }), to: server, port: bert.port })).toBe(false);
  });

  test('egress: only DNS to kube-dns', () => {
    expect(e.allows({ from: server, to: pod('kube-system', { 'k8s-app': 'kube-dns' }), port: 53, protocol: 'UDP' })).toBe(true);
    expect(e.allows({ from: server, to: pod('kube-system', { 'k8s-app': 'kube-dns' }), port: 53 })).toBe(true);
    expect(e.allows({ from: server, to: pod('kube-system', { 'k8s-app': 'kube-dns' }), port: 443 })).toBe(false);
    expect(e.allows({ from: server, to: pod('kube-system', { 'k8s-app': 'metrics-server' }), port: 53, protocol: 'UDP' })).toBe(false);
    expect(e.allows({ from: server, to: pod('x', {}, { external: true, ip: '8.8.8.8' }), port: 443 })).toBe(false);
  });

  const labelArb = fc.dictionary(fc.constantFrom('app', 'role', 'app.kubernetes.io/name', 'k8s-app', 'team'),
    fc.constantFrom('a', 'b', 'ingress-nginx', 'kube-dns', 'prometheus', 'bert'), { maxKeys: 3 });
  const nsArb = fc.constantFrom('ml', 'ingress-nginx', 'monitoring', 'kube-system', 'default');
  // The declared peers and targets often, random pods otherwise: both outcomes must come up.
  const endpointArb = fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom(nginx, server, pod('monitoring', { app: 'prometheus' }), pod('kube-system', { 'k8s-app': 'kube-dns' }), pod('ml', { app: 'notebook' })) },
    { weight: 1, arbitrary: fc.record({ namespace: nsArb, labels: labelArb }) },
  );
  const connArb = fc.record({
    from: endpointArb,
    to: endpointArb, // The declared ports often, any port sometimes: allowed cases must come up.
    port: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(53, 8080, 9090) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 65535 }) }),
    protocol: fc.constantFrom<'TCP' | 'UDP'>('TCP', 'UDP'),
  });

  test('property: default-deny denies every connection into or out of the namespace, except DNS egress', () => {
    const chart = new Chart(Testing.app(), 'p');
    new MlNamespace(chart, 'ml');
    const nsOnly = new NetworkPolicyEvaluator(Testing.synth(chart));
    fc.assert(fc.property(connArb, (c) => {
      const dns = c.to.namespace === 'kube-system' && c.to.labels['k8s-app'] === 'kube-dns' && c.port === 53;
      const expected = c.to.namespace !== 'ml' && (c.from.namespace !== 'ml' || dns);
      expect(nsOnly.allows(c)).toBe(expected);
    }), { numRuns: 500 });
  });

  test('property: with the server, the allowed connections are exactly the declared peers', () => {
    let admittedIntoMl = 0;
    let deniedIntoMl = 0;
    fc.assert(fc.property(connArb, (c) => {
      const selected = (p: PodEndpoint, sel: { [k: string]: string }) => Object.entries(sel).every(([k, v]) => p.labels[k] === v);
      const isNginx = c.from.namespace === 'ingress-nginx' && c.from.labels['app.kubernetes.io/name'] === 'ingress-nginx';
      const isPrometheus = c.from.namespace === 'monitoring';
      const isDns = c.to.namespace === 'kube-system' && c.to.labels['k8s-app'] === 'kube-dns' && c.port === 53;
      // Egress side: only ml pods are restricted, and only DNS leaves them.
      const egress = c.from.namespace !== 'ml' || isDns;
      // Ingress side: ml pods admit the ingress controller on 8080 and Prometheus on
      // 9090 (the namespace allowances); the server also admits nginx on its port.
      const ingress = c.to.namespace !== 'ml'
        || (isNginx && c.port === 8080 && c.protocol === 'TCP')
        || (isPrometheus && c.port === 9090 && c.protocol === 'TCP')
        // MlModelServing admits its ingressFrom peers on the metrics port as well.
        || (isNginx && selected(c.to, bert.selector) && [bert.port, 9090].includes(c.port) && c.protocol === 'TCP');
      expect(e.allows(c)).toBe(egress && ingress);
      if (egress && ingress && c.to.namespace === 'ml') admittedIntoMl++;
      if (!(egress && ingress) && c.to.namespace === 'ml') deniedIntoMl++;
    }), { numRuns: 1000 });
    // The generator reaches the declared peers, not only denials (about 16 admissions expected per run).
    expect(admittedIntoMl).toBeGreaterThan(0);
    expect(deniedIntoMl).toBeGreaterThan(0);
  });
});
