import { ApiObject, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { MlModelServing, MlNamespace, PodSecurityStandard, PriorityClass } from '../../src';
import { findObject, findObjects, synthAndValidate } from '../util';

function chart(namespace?: string): Chart {
  return new Chart(Testing.app(), 'prod', { namespace });
}

describe('MlNamespace', () => {
  test('restricted Pod Security labels, no metadata.namespace on the Namespace, even in a namespaced chart', () => {
    const c = chart('default-ns');
    new MlNamespace(c, 'ml');
    const manifests = synthAndValidate(c);
    const ns = findObject(manifests, 'Namespace', 'ml');
    expect(ns.metadata.namespace).toBeUndefined();
    expect(ns.metadata.labels).toEqual({
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/enforce-version': 'latest',
      'pod-security.kubernetes.io/audit': 'restricted',
      'pod-security.kubernetes.io/audit-version': 'latest',
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/warn-version': 'latest',
    });
    expect(ns.metadata.annotations).toBeUndefined();
    // The Namespace comes first, so `kubectl apply -f` creates it before its objects.
    expect(manifests[0].kind).toBe('Namespace');
  });

  test('a lower level records its reason; audit and warn stay restricted; version pinned', () => {
    const c = chart();
    new MlNamespace(c, 'legacy', { podSecurity: PodSecurityStandard.baseline('vendor image runs as root'), podSecurityVersion: 'v1.31' });
    const ns = findObject(synthAndValidate(c), 'Namespace', 'legacy');
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('baseline');
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce-version']).toBe('v1.31');
    expect(ns.metadata.labels['pod-security.kubernetes.io/audit']).toBe('restricted');
    expect(ns.metadata.labels['pod-security.kubernetes.io/warn']).toBe('restricted');
    expect(ns.metadata.annotations).toEqual({ 'cdk8s-ml.io/pod-security-reason': 'vendor image runs as root' });
  });

  test('default-deny for ingress and egress, DNS egress only to kube-dns on 53', () => {
    const c = chart();
    new MlNamespace(c, 'ml');
    const manifests = synthAndValidate(c);
    const policies = findObjects(manifests, 'NetworkPolicy');
    expect(policies.map(p => p.metadata.name).sort()).toEqual(['allow-dns-egress', 'default-deny']);
    expect(findObject(manifests, 'NetworkPolicy', 'default-deny')).toMatchObject({
      metadata: { namespace: 'ml' },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
    expect(findObject(manifests, 'NetworkPolicy', 'default-deny').spec.ingress).toBeUndefined();
    expect(findObject(manifests, 'NetworkPolicy', 'default-deny').spec.egress).toBeUndefined();
    expect(findObject(manifests, 'NetworkPolicy', 'allow-dns-egress').spec).toEqual({
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
        ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
      }],
    });
  });

  test('DNS elsewhere, on its own port (OpenShift)', () => {
    const c = chart();
    new MlNamespace(c, 'ml', { dns: { namespace: 'openshift-dns', podLabels: { 'dns.operator.openshift.io/daemonset-dns': 'default' }, ports: [5353] } });
    expect(findObject(synthAndValidate(c), 'NetworkPolicy', 'allow-dns-egress').spec.egress).toEqual([{
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'openshift-dns' } }, podSelector: { matchLabels: { 'dns.operator.openshift.io/daemonset-dns': 'default' } } }],
      ports: [{ protocol: 'UDP', port: 5353 }, { protocol: 'TCP', port: 5353 }],
    }]);
  });

  test('ingress-controller and monitoring allowances', () => {
    const c = chart();
    new MlNamespace(c, 'ml', {
      allowIngressFrom: [{ namespace: 'ingress-nginx', podLabels: { 'app.kubernetes.io/name': 'ingress-nginx' }, ports: [8080] }, { namespace: 'gateway' }],
      allowMonitoringFrom: { namespace: 'monitoring', ports: [9090] },
    });
    const manifests = synthAndValidate(c);
    expect(findObject(manifests, 'NetworkPolicy', 'allow-from-ingress-nginx').spec).toEqual({
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [{
        from: [{
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } },
          podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } },
        }],
        ports: [{ protocol: 'TCP', port: 8080 }],
      }],
    });
    expect(findObject(manifests, 'NetworkPolicy', 'allow-from-gateway').spec.ingress).toEqual([
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'gateway' } } }] },
    ]);
    expect(findObject(manifests, 'NetworkPolicy', 'allow-from-monitoring').spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 9090 }]);
  });

  test('default quota: no GPUs, no LoadBalancers; LimitRange defaults; custom GPU quota', () => {
    const c = chart();
    new MlNamespace(c, 'ml');
    new MlNamespace(c, 'gpu-team', { quota: { gpus: 8 }, limitRange: { name: 'defaults' } });
    const manifests = synthAndValidate(c);
    const quotas = findObjects(manifests, 'ResourceQuota');
    expect(quotas.find(q => q.metadata.namespace === 'ml').spec.hard).toEqual({ 'requests.nvidia.com/gpu': '0', 'services.loadbalancers': '0' });
    expect(quotas.find(q => q.metadata.namespace === 'gpu-team').spec.hard).toEqual({ 'requests.nvidia.com/gpu': '8' });
    const limits = findObjects(manifests, 'LimitRange');
    expect(limits.map(l => `${l.metadata.namespace}/${l.metadata.name}`).sort()).toEqual(['gpu-team/defaults', 'ml/ml-limits']);
    expect(limits[0].spec.limits[0]).toMatchObject({ type: 'Container', defaultRequest: { cpu: '100m', memory: '256Mi' }, default: { cpu: '1', memory: '1024Mi' } });
  });

  test('constructs created in it are placed in it at synth; explicit namespaces and cluster-scoped kinds are kept', () => {
    const c = chart('other');
    const ns = new MlNamespace(c, 'ml');
    const serving = new MlModelServing(ns, 'bert', { image: 'bert:1.0.0' });
    new kplus.ConfigMap(ns, 'explicit', { metadata: { name: 'explicit', namespace: 'elsewhere' } });
    PriorityClass.preemptible(ns, 'preemptible');
    new kplus.ConfigMap(c, 'outside', { metadata: { name: 'outside' } });
    // Added after the namespace's constructor: still placed.
    new kplus.ConfigMap(serving, 'late', { metadata: { name: 'late' } });
    const manifests = synthAndValidate(c);
    for (const kind of ['Deployment', 'Service', 'ServiceAccount', 'PodDisruptionBudget', 'HorizontalPodAutoscaler']) {
      for (const obj of findObjects(manifests, kind)) expect(`${kind} ${obj.metadata.namespace}`).toBe(`${kind} ml`);
    }
    expect(findObjects(manifests, 'NetworkPolicy').every(p => p.metadata.namespace === 'ml')).toBe(true);
    expect(findObject(manifests, 'ConfigMap', 'late').metadata.namespace).toBe('ml');
    expect(findObject(manifests, 'ConfigMap', 'explicit').metadata.namespace).toBe('elsewhere');
    expect(findObject(manifests, 'ConfigMap', 'outside').metadata.namespace).toBe('other');
    expect(findObject(manifests, 'PriorityClass').metadata.namespace).toBeUndefined();
    expect(findObject(manifests, 'Namespace').metadata.namespace).toBeUndefined();
    // Synthesizing twice patches once.
    expect(Testing.synth(c)).toEqual(manifests);
  });

  test('nested namespaces: the innermost one places; of() and namespaceOf()', () => {
    const c = chart('base');
    const outer = new MlNamespace(c, 'outer');
    const inner = new MlNamespace(outer, 'inner');
    const cm = new kplus.ConfigMap(inner, 'cm', { metadata: { name: 'cm' } });
    const manifests = synthAndValidate(c);
    expect(findObject(manifests, 'ConfigMap', 'cm').metadata.namespace).toBe('inner');
    expect(MlNamespace.of(cm)).toBe(inner);
    expect(MlNamespace.of(outer)).toBe(outer);
    expect(MlNamespace.of(c)).toBeUndefined();
    expect(MlNamespace.namespaceOf(ApiObject.of(cm))).toBe('inner');
    expect(MlNamespace.namespaceOf(c)).toBe('base');
  });

  test('addLabel, e.g. the Sigstore opt-in', () => {
    const c = chart();
    const ns = new MlNamespace(c, 'ml', { labels: { team: 'search' } });
    ns.addLabel('policy.sigstore.dev/include', 'true');
    const obj = findObject(synthAndValidate(c), 'Namespace');
    expect(obj.metadata.labels).toMatchObject({ 'team': 'search', 'policy.sigstore.dev/include': 'true' });
  });

  test('errors', () => {
    expect(() => new MlNamespace(chart(), 'ML')).toThrow("MlNamespace 'prod/ML': name ('ML') must be a valid RFC 1123 DNS label");
    expect(() => new MlNamespace(chart(), 'ml', { podSecurity: PodSecurityStandard.privileged(' ') }))
      .toThrow("MlNamespace 'prod/ml': podSecurity (privileged) needs a reason: say why the namespace cannot run the restricted profile");
    expect(() => new MlNamespace(chart(), 'ml', { podSecurityVersion: '1.31' }))
      .toThrow("MlNamespace 'prod/ml': podSecurityVersion ('1.31') must be 'latest' or 'v1.<minor>', e.g. 'v1.31'");
    expect(() => new MlNamespace(chart(), 'ml', { labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } }))
      .toThrow("MlNamespace 'prod/ml': labels['pod-security.kubernetes.io/enforce'] is set by MlNamespace: use podSecurity and podSecurityVersion");
    expect(() => new MlNamespace(chart(), 'ml').addLabel('pod-security.kubernetes.io/warn', 'baseline'))
      .toThrow("MlNamespace 'prod/ml': addLabel('pod-security.kubernetes.io/warn') cannot change a label set by MlNamespace: use podSecurity and podSecurityVersion");
    expect(() => new MlNamespace(chart(), 'ml', { allowIngressFrom: [{ namespace: 'ml' }] }))
      .toThrow("MlNamespace 'prod/ml': allowIngressFrom[0].namespace ('ml') is this namespace: pods of a namespace are opened to each other by their own NetworkPolicies");
    expect(() => new MlNamespace(chart(), 'ml', { allowIngressFrom: [{ namespace: 'a' }, { namespace: 'a' }] }))
      .toThrow("MlNamespace 'prod/ml': allowIngressFrom[1].namespace ('a') is allowed twice; give each namespace once");
    expect(() => new MlNamespace(chart(), 'ml', { allowMonitoringFrom: { namespace: 'monitoring', ports: [] } }))
      .toThrow("MlNamespace 'prod/ml': allowMonitoringFrom.ports is empty: leave it out to allow every port, or list at least one");
    expect(() => new MlNamespace(chart(), 'ml', { allowMonitoringFrom: { namespace: 'monitoring', ports: [0] } }))
      .toThrow("MlNamespace 'prod/ml': allowMonitoringFrom.ports[0] (0) must be between 1 and 65535");
    expect(() => new MlNamespace(chart(), 'ml', { quota: { gpus: 1, namespace: 'x' } }))
      .toThrow("MlNamespace 'prod/ml': quota.namespace ('x') must be left out: it is the namespace's own ('ml')");
    expect(() => new MlNamespace(chart(), 'ml', { quota: { gpus: -1 } })).toThrow("ResourceQuota 'prod/ml/Quota': gpus (-1) must be >= 0");
  });
});
