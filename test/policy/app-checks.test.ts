import { ApiObject, App, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { container, deployment, gpuPod, hpa, job, pdb, podSpec, tweak } from './fixtures';
import { MlNamespace, MlPersonaRole, Persona, PolicyChecks, PolicyEngine, PolicyPack, TargetCluster } from '../../src';

/** Raw manifests added to a chart as they are. */
function add(chart: Chart, manifests: any[]): void {
  manifests.forEach((m, i) => new ApiObject(chart, `o${i}`, m));
}

const quota = (gpus: number) => ({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'gpus', namespace: 'ml' }, spec: { hard: { 'requests.nvidia.com/gpu': String(gpus) } } });

describe('checks of a whole app', () => {
  test('each target cluster is checked on its own: quotas and pools of one do not count for another', () => {
    const app = Testing.app();
    // Two clusters with one namespace name: each quota covers its own cluster's server.
    for (const name of ['eks', 'gke']) {
      const chart = new Chart(app, name, { namespace: 'ml' });
      TargetCluster.mark(chart, name);
      add(chart, [quota(10), deployment('llm', {}, gpuPod(1)), pdb('llm'), hpa('llm', 2, 10)]);
    }
    const report = PolicyEngine.checkApp(app, { packs: [PolicyPack.ml()] });
    expect(report.findings.filter((f) => f.ruleId === 'ML-008')).toEqual([]);
    expect(report.objectCount).toBe(8);

    // In one cluster the two servers share the quota, which is then too small.
    const one = Testing.app();
    add(new Chart(one, 'a', { namespace: 'ml' }), [quota(10), deployment('llm', {}, gpuPod(1)), pdb('llm'), hpa('llm', 2, 10)]);
    add(new Chart(one, 'b', { namespace: 'ml' }), [deployment('llm2', {}, gpuPod(1)), pdb('llm2'), hpa('llm2', 2, 10)]);
    expect(PolicyEngine.checkApp(one, { packs: [PolicyPack.ml()] }).findings.filter((f) => f.ruleId === 'ML-008').map((f) => f.message))
      .toEqual(["hard requests.nvidia.com/gpu is 10 but the namespace's workloads need 20 at maximum scale"]);
  });

  test('PolicyChecks.of(app) prints its warnings once, although cdk8s validates the app for each chart', () => {
    const app = new App({ outdir: '/tmp/cdk8s-ml-app-checks' });
    for (const id of ['a', 'b', 'c']) add(new Chart(app, id, { namespace: id }), [deployment('bert', { replicas: 3 }, podSpec({ topologySpreadConstraints: undefined })), pdb()]);
    PolicyChecks.of(app).addPack(PolicyPack.reliability());
    const writes: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((s: any) => { writes.push(String(s)); return true; });
    try {
      app.synth();
    } finally {
      spy.mockRestore();
    }
    const reports = writes.filter((w) => w.startsWith('cdk8s-ml policy:'));
    expect(reports).toHaveLength(1);
    expect(reports[0]).toContain('REL-004');
  });

  test('objects an MlNamespace places are checked (and compared) in its namespace, not the chart\'s', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'platform');
    for (const name of ['ml-training', 'ml-serving']) {
      const ns = new MlNamespace(chart, name);
      new MlPersonaRole(ns, 'viewers', { persona: Persona.viewer(), subjects: [kplus.Group.fromName(ns, 'group', 'ml-viewers')] });
    }
    // Same Role names in two namespaces: no duplicate at synth, and the checks see both namespaces.
    expect(() => app.synth()).not.toThrow();
    const report = PolicyEngine.checkApp(app, { packs: [PolicyPack.security()] });
    expect(report.objectCount).toBeGreaterThan(0);
    const roles = PolicyEngine._targetsOf(chart).map((t) => t.manifest).filter((m) => m.kind === 'Role');
    expect(roles.map((r) => r.metadata.namespace).sort()).toEqual(['ml-serving', 'ml-training']);
  });
});

describe('rule false positives fixed', () => {
  const check = (manifests: any[], packs = PolicyPack.defaults()) => PolicyEngine.checkManifests(manifests, { packs });

  test('COST-002 counts a job admitted by Kueue on a spot ResourceFlavor as running on spot', () => {
    const queued = tweak(job('finetune'), (j) => { j.metadata.labels = { 'kueue.x-k8s.io/queue-name': 'team' }; });
    const kueue = (spot: boolean) => [
      { apiVersion: 'kueue.x-k8s.io/v1beta2', kind: 'LocalQueue', metadata: { name: 'team', namespace: 'ml' }, spec: { clusterQueue: 'training' } },
      {
        apiVersion: 'kueue.x-k8s.io/v1beta2',
        kind: 'ClusterQueue',
        metadata: { name: 'training' },
        spec: { resourceGroups: [{ coveredResources: ['cpu'], flavors: [{ name: 'gpu', resources: [{ name: 'cpu', nominalQuota: '64' }] }] }] },
      },
      {
        apiVersion: 'kueue.x-k8s.io/v1beta2',
        kind: 'ResourceFlavor',
        metadata: { name: 'gpu' },
        spec: { nodeLabels: { 'karpenter.sh/capacity-type': spot ? 'spot' : 'on-demand' } },
      },
    ];
    const cost = (manifests: any[]) => check(manifests, [PolicyPack.cost()]).findings.filter((f) => f.ruleId === 'COST-002').map((f) => f.name);
    expect(cost([queued, ...kueue(true)])).toEqual([]);
    expect(cost([queued, ...kueue(false)])).toEqual(['finetune']);
    expect(cost([job('finetune'), ...kueue(true)])).toEqual(['finetune']);
  });

  test('SEC-005 leaves variables that name a location alone (…_PATH, …_FILE, …_DIR)', () => {
    const env = [
      { name: 'MLFLOW_AUTH_CONFIG_PATH', value: '/etc/mlflow/auth.ini' },
      { name: 'AWS_SHARED_CREDENTIALS_FILE', value: '/var/run/aws/credentials' },
      { name: 'TOKEN_DIR', value: '/var/run/tokens' },
      { name: 'HF_TOKEN', value: 'hf_abc' },
    ];
    const found = check([deployment('bert', {}, podSpec({}, { env })), pdb()], [PolicyPack.security()]).findings.filter((f) => f.ruleId === 'SEC-005');
    expect(found.map((f) => f.message)).toEqual(['container "server" sets HF_TOKEN to a literal value']);
  });

  test('ML-003 asks a startup probe only of GPU servers (ports) and GPU containers a liveness probe could kill while loading', () => {
    const worker = container({
      name: 'worker',
      ports: undefined,
      readinessProbe: undefined,
      livenessProbe: undefined,
      startupProbe: undefined,
      resources: { requests: { 'cpu': '1', 'memory': '1Gi', 'nvidia.com/gpu': '1' }, limits: { 'cpu': '1', 'memory': '1Gi', 'nvidia.com/gpu': '1' } },
    });
    const lws = {
      apiVersion: 'leaderworkerset.x-k8s.io/v1',
      kind: 'LeaderWorkerSet',
      metadata: { name: 'big', namespace: 'ml' },
      spec: { replicas: 1, leaderWorkerTemplate: { size: 2, workerTemplate: { spec: { ...gpuPod(1), containers: [worker] } } } },
    };
    expect(check([lws], [PolicyPack.ml()]).findings.filter((f) => f.ruleId === 'ML-003')).toEqual([]);
    const withLiveness = { ...worker, livenessProbe: { httpGet: { path: '/health', port: 8080 } } };
    const workerTemplate = { spec: { ...gpuPod(1), containers: [withLiveness] } };
    const lws2 = { ...lws, spec: { ...lws.spec, leaderWorkerTemplate: { size: 2, workerTemplate } } };
    expect(check([lws2], [PolicyPack.ml()]).findings.filter((f) => f.ruleId === 'ML-003').map((f) => f.message))
      .toEqual(['workerTemplate: GPU container "worker" has no startupProbe']);
  });
});
