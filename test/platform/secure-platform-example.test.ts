import { App } from 'cdk8s';
import { build } from '../../examples/secure-platform';
import { assertRestricted, findObject, findObjects, validateManifests } from '../util';
import { NetworkPolicyEvaluator } from '../util/network-policy-evaluator';

describe('examples/secure-platform', () => {
  const app = new App({ outdir: '/dev/null' });
  build(app);
  const charts = Object.fromEntries(app.charts.map(c => [c.node.id, c.toJson()]));
  const all = Object.values(charts).flat();

  test('every object validates; every pod is restricted', () => {
    expect(Object.keys(charts).sort()).toEqual(['secure-gateway', 'secure-ml', 'secure-platform']);
    validateManifests(all);
    assertRestricted(all);
  });

  test("the guide's cluster-config", () => {
    expect(findObject(charts['secure-platform'], 'ConfigMap', 'cluster-config').data)
      .toEqual({ 'cluster-name': 'production-cluster', 'environment': 'production', 'region': 'us-west-2' });
  });

  test('the Namespace has no namespace; everything else of the ML chart is in ml', () => {
    const ml = charts['secure-ml'];
    expect(findObject(ml, 'Namespace', 'ml').metadata.namespace).toBeUndefined();
    expect(ml.filter(o => o.kind !== 'Namespace').every(o => o.metadata.namespace === 'ml')).toBe(true);
  });

  test('the model server reads the ExternalSecret by reference, and no Secret value is synthesized', () => {
    const ml = charts['secure-ml'];
    const env = findObject(ml, 'Deployment', 'bert').spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: 'hf-token', key: 'HF_TOKEN' } } });
    expect(findObject(ml, 'ExternalSecret', 'hf-token').spec.secretStoreRef).toEqual({ name: 'ml-vault', kind: 'ClusterSecretStore' });
    expect(findObjects(all, 'Secret')).toEqual([]);
  });

  test('traffic: the gateway reaches bert on 8080, Prometheus on 9090, nothing else gets in', () => {
    const e = new NetworkPolicyEvaluator(all);
    const bert = { namespace: 'ml', labels: findObject(charts['secure-ml'], 'Deployment', 'bert').spec.template.metadata.labels };
    expect(e.allows({ from: { namespace: 'gateway', labels: {} }, to: bert, port: 8080 })).toBe(true);
    expect(e.allows({ from: { namespace: 'monitoring', labels: {} }, to: bert, port: 9090 })).toBe(true);
    expect(e.allows({ from: { namespace: 'default', labels: {} }, to: bert, port: 8080 })).toBe(false);
    expect(e.allows({ from: { namespace: 'gateway', labels: {} }, to: bert, port: 22 })).toBe(false);
    expect(e.allows({ from: { namespace: 'ml', labels: { app: 'notebook' } }, to: bert, port: 8080 })).toBe(false);
    // Egress: DNS only (no model download from the internet in this example).
    expect(e.allows({ from: bert, to: { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } }, port: 53, protocol: 'UDP' })).toBe(true);
    expect(e.allows({ from: bert, to: { namespace: 'x', labels: {}, external: true, ip: '1.1.1.1' }, port: 443 })).toBe(false);
  });

  test('the canary route attaches to the Gateway listener, which admits routes from ml', () => {
    const route = findObject(charts['secure-ml'], 'HTTPRoute', 'bert-next');
    expect(route.spec.parentRefs).toEqual([expect.objectContaining({ name: 'ml-gateway', namespace: 'gateway', sectionName: 'https' })]);
    const listener = findObject(charts['secure-gateway'], 'Gateway', 'ml-gateway').spec.listeners[0];
    expect(listener.allowedRoutes.namespaces.selector.matchExpressions[0].values).toEqual(['ml']);
    expect(route.spec.hostnames).toEqual([listener.hostname]);
  });

  test('image policy, personas, gateway and backups are there', () => {
    expect(findObject(charts['secure-platform'], 'ClusterPolicy', 'signed-ml-images').spec.rules).toHaveLength(2);
    expect(findObjects(charts['secure-ml'], 'Role').map(r => r.metadata.name).sort()).toEqual(['ci-deployer', 'ml-engineer', 'notebook-user', 'viewer']);
    expect(findObject(charts['secure-gateway'], 'Gateway', 'ml-gateway').metadata.namespace).toBe('gateway');
    expect(findObject(charts['secure-platform'], 'Schedule', 'ml-nightly').spec.template.includedNamespaces).toEqual(['ml']);
  });
});
