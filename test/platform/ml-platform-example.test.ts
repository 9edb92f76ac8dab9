import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App } from 'cdk8s';
import { build } from '../../examples/ml-platform';
import { REGISTRY } from '../../examples/ml-platform/cluster';
import { PolicyChecks, PolicySeverity } from '../../src';
import { assertRestricted, findObject, findObjects, synthAndValidate } from '../util';
import { NetworkPolicyEvaluator, selectorMatches } from '../util/network-policy-evaluator';
import { findPodSpecs } from '../util/pod-security';

// examples/ml-platform.ts as a cluster would run it: beyond schema validity, the
// selectors select, the namespaces exist, the pods fit the declared pools, traffic
// flows where it must and nowhere else, and the policy packs pass at synth.
describe('examples/ml-platform', () => {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'ml-platform-')) });
  build(app);
  const charts = Object.fromEntries(app.charts.map(c => [c.node.id, synthAndValidate(c)]));
  const all = Object.values(charts).flat();
  const namespaced = all.filter(o => o.metadata.namespace !== undefined);
  const pods = all.flatMap(o => findPodSpecs(o).map(p => ({ owner: `${o.kind}/${o.metadata.name}`, namespace: o.metadata.namespace, labels: p.metadata?.labels ?? {}, spec: p.spec })));
  const podsOf = (kind: string, name: string, group = 0) => {
    const o = findObject(all, kind, name);
    const found = findPodSpecs(o)[group];
    return { namespace: o.metadata.namespace as string, labels: found.metadata?.labels ?? {}, spec: found.spec };
  };

  test('one chart per owner, every object valid, every pod restricted', () => {
    expect(Object.keys(charts).sort()).toEqual([
      'ml-platform-cluster', 'ml-platform-gateway', 'ml-platform-observability', 'ml-platform-serving', 'ml-platform-training',
    ]);
    assertRestricted(all);
  });

  test('the policy packs pass at synth, with only the reasoned suppression and no warning', () => {
    const report = PolicyChecks.of(app).check();
    expect(report.failures).toEqual([]);
    expect(report.active.filter(f => f.severity !== PolicySeverity.INFO)).toEqual([]);
    expect(report.findings.filter(f => f.suppressed).map(f => `${f.ruleId} ${f.kind}/${f.name}`).sort())
      .toEqual(['SEC-002 RayCluster/ray']);
    // The training job runs on spot through Kueue's spot flavor: COST-002 knows it.
    expect(report.findings.filter(f => f.ruleId === 'COST-002').map(f => f.name).sort()).toEqual(['mlflow-db-upgrade', 'mlflow-gc']);
    expect(() => app.synth()).not.toThrow();
  });

  test('an ERROR finding fails the synth of the app', () => {
    const broken = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'ml-platform-broken-')) });
    build(broken);
    const serving = broken.charts.find(c => c.node.id === 'ml-platform-serving')!;
    new ApiObject(serving, 'debug', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'debug' },
      spec: { hostNetwork: true, containers: [{ name: 'sh', image: `${REGISTRY}/busybox:1.36` }] },
    });
    expect(() => broken.synth()).toThrow(/policy checks failed[\s\S]*SEC-003/);
  });

  test('every namespace an object lands in is created here, or is a controller\'s own', () => {
    const created = findObjects(all, 'Namespace').map(n => n.metadata.name).sort();
    expect(created).toEqual(['ml-serving', 'ml-training']);
    const external = ['default', 'gateway', 'monitoring', 'velero'];
    expect([...new Set(namespaced.map(o => o.metadata.namespace))].filter(ns => !created.includes(ns) && !external.includes(ns))).toEqual([]);
    // Roles and ServiceAccounts of the personas were placed in their MlNamespace, not left in default.
    expect(findObjects(charts['ml-platform-cluster'], 'Role').map(r => r.metadata.namespace).sort())
      .toEqual(['ml-serving', 'ml-serving', 'ml-serving', 'ml-training', 'ml-training', 'ml-training']);
  });

  test('every Service, PDB and monitor selects pods that exist, on ports they declare', () => {
    const select = (namespace: string, selector: any) => pods.filter(p => p.namespace === namespace && selectorMatches(selector, p.labels));
    for (const svc of findObjects(all, 'Service').filter(s => s.spec.selector)) {
      const backends = select(svc.metadata.namespace, { matchLabels: svc.spec.selector });
      expect([svc.metadata.name, backends.length > 0]).toEqual([svc.metadata.name, true]);
    }
    for (const pdb of findObjects(all, 'PodDisruptionBudget')) {
      expect([pdb.metadata.name, select(pdb.metadata.namespace, pdb.spec.selector).length > 0]).toEqual([pdb.metadata.name, true]);
    }
    for (const monitor of findObjects(all, 'PodMonitor')) {
      const namespaces = monitor.spec.namespaceSelector?.matchNames ?? [monitor.metadata.namespace];
      const targets = namespaces.flatMap((ns: string) => select(ns, monitor.spec.selector));
      expect([monitor.metadata.name, targets.length > 0]).toEqual([monitor.metadata.name, true]);
      const portNames = targets.flatMap((t: any) => t.spec.containers.flatMap((c: any) => (c.ports ?? []).map((p: any) => p.name)));
      for (const endpoint of monitor.spec.podMetricsEndpoints) expect(portNames).toContain(endpoint.port);
      // kube-prometheus-stack picks up only monitors with its release label.
      expect(monitor.metadata.labels.release).toBe('kube-prometheus-stack');
    }
    expect(findObject(all, 'ServiceMonitor', 'mlflow').metadata.labels.release).toBe('kube-prometheus-stack');
  });

  test('KEDA scales the Rollout that replaced the LLM Deployment; the HPA scales the classic server', () => {
    expect(findObject(all, 'ScaledObject').spec.scaleTargetRef).toEqual({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'llm' });
    expect(findObjects(all, 'Deployment').map(d => d.metadata.name).sort()).toEqual(['ml-model-serving', 'mlflow']);
    expect(findObject(all, 'HorizontalPodAutoscaler').spec).toMatchObject({
      scaleTargetRef: { kind: 'Deployment', name: 'ml-model-serving' }, minReplicas: 2, maxReplicas: 20,
    });
  });

  test('GPU pods land on the pool declared for them: serving on on-demand, training and Ray on spot', () => {
    const pool = (name: string) => findObject(charts['ml-platform-cluster'], 'NodePool', name).spec.template.spec;
    const tolerates = (spec: any, taints: any[]) => taints.every(t => (spec.tolerations ?? []).some((tol: any) =>
      tol.key === t.key && (tol.operator === 'Exists' || tol.value === t.value) && (!tol.effect || tol.effect === t.effect)));
    const requiredPools = (spec: any) => spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms
      .flatMap((t: any) => t.matchExpressions.filter((e: any) => e.key === 'karpenter.sh/nodepool').flatMap((e: any) => e.values));
    const llm = podsOf('Rollout', 'llm').spec;
    expect(tolerates(llm, pool('serving-gpu').taints)).toBe(true);
    expect(requiredPools(llm)).toEqual(['serving-gpu']);
    const rayGpu = podsOf('RayCluster', 'ray', 2).spec;
    expect(tolerates(rayGpu, pool('training-spot-gpu').taints)).toBe(true);
    expect(requiredPools(rayGpu)).toEqual(['training-spot-gpu']);
    // The job gets the spot pool's tolerations and node labels from Kueue at admission.
    const flavor = findObject(all, 'ResourceFlavor').spec;
    expect(flavor.nodeLabels['karpenter.sh/nodepool']).toBe('training-spot-gpu');
    expect(tolerates({ tolerations: flavor.tolerations }, pool('training-spot-gpu').taints)).toBe(true);
    const job = findObject(all, 'Job', 'distributed-training');
    expect(job.spec.suspend).toBe(true);
    expect(job.metadata.labels['kueue.x-k8s.io/queue-name']).toBe(findObject(all, 'LocalQueue').metadata.name);
    expect(findObject(all, 'LocalQueue').spec.clusterQueue).toBe(findObject(all, 'ClusterQueue').metadata.name);
  });

  test('every image of the governed namespaces comes from the signed registry', () => {
    const governed = findObject(all, 'ClusterPolicy').spec.rules[0].match.any[0].resources.namespaces;
    expect(governed.sort()).toEqual(['ml-serving', 'ml-training']);
    const images = pods.filter(p => governed.includes(p.namespace))
      .flatMap(p => [...p.spec.containers, ...(p.spec.initContainers ?? [])].map((c: any) => c.image));
    expect(images.length).toBeGreaterThan(8);
    expect(images.filter(i => !i.startsWith(`${REGISTRY}/`))).toEqual([]);
  });

  test('traffic: the gateway and Prometheus get in, the team\'s pods reach each other and HTTPS, nothing else', () => {
    const e = new NetworkPolicyEvaluator(all);
    const gateway = { namespace: 'gateway', labels: { 'gateway.networking.k8s.io/gateway-name': 'ml-gateway' } };
    const prometheus = { namespace: 'monitoring', labels: { 'app.kubernetes.io/name': 'prometheus' } };
    const internet = { namespace: 'x', labels: {}, external: true, ip: '52.216.0.10' };
    const llm = podsOf('Rollout', 'llm');
    const classic = podsOf('Deployment', 'ml-model-serving');
    const worker = podsOf('Job', 'distributed-training');
    const mlflow = podsOf('Deployment', 'mlflow');
    expect(e.allows({ from: gateway, to: llm, port: 8000 })).toBe(true);
    expect(e.allows({ from: gateway, to: classic, port: 8080 })).toBe(true);
    expect(e.allows({ from: prometheus, to: llm, port: 8000 })).toBe(true);
    expect(e.allows({ from: prometheus, to: classic, port: 8082 })).toBe(true);
    expect(e.allows({ from: prometheus, to: mlflow, port: 5000 })).toBe(true);
    expect(e.allows({ from: { namespace: 'default', labels: {} }, to: llm, port: 8000 })).toBe(false);
    expect(e.allows({ from: worker, to: llm, port: 8000 })).toBe(false);
    // The model download and the Hub; nothing but HTTPS leaves.
    expect(e.allows({ from: llm, to: internet, port: 443 })).toBe(true);
    expect(e.allows({ from: llm, to: internet, port: 22 })).toBe(false);
    // torchrun's rendezvous and NCCL's ephemeral ports between workers; MLflow tracking.
    expect(e.allows({ from: worker, to: worker, port: 29500 })).toBe(true);
    expect(e.allows({ from: worker, to: worker, port: 41234 })).toBe(true);
    expect(e.allows({ from: worker, to: mlflow, port: 5000 })).toBe(true);
    expect(e.allows({ from: mlflow, to: { namespace: 'x', labels: {}, external: true, ip: '10.0.12.7' }, port: 5432 })).toBe(true);
    // Ray's autoscaler (on the head) scales its worker groups through the API server's endpoints in the VPC.
    expect(e.allows({ from: podsOf('RayCluster', 'ray'), to: { namespace: 'x', labels: {}, external: true, ip: '10.0.100.20' }, port: 443 })).toBe(true);
    expect(e.allows({ from: llm, to: { namespace: 'x', labels: {}, external: true, ip: '10.0.100.20' }, port: 443 })).toBe(false);
  });

  test('the routes attach to the Gateway\'s HTTPS listener, which admits the serving namespace', () => {
    const listener = findObject(all, 'Gateway', 'ml-gateway').spec.listeners[0];
    for (const route of findObjects(all, 'HTTPRoute')) {
      expect(route.spec.parentRefs).toEqual([expect.objectContaining({ name: 'ml-gateway', namespace: 'gateway', sectionName: 'https' })]);
      expect(route.spec.hostnames).toEqual([listener.hostname]);
    }
    expect(listener.allowedRoutes.namespaces.selector.matchExpressions[0].values).toEqual(['ml-serving']);
  });

  test('no Secret values: every secret is an ExternalSecret from the cluster store', () => {
    expect(findObjects(all, 'Secret')).toEqual([]);
    expect(findObjects(all, 'ExternalSecret').map(s => s.spec.secretStoreRef)).toEqual([
      { name: 'aws-secrets', kind: 'ClusterSecretStore' }, { name: 'aws-secrets', kind: 'ClusterSecretStore' },
    ]);
  });
});
