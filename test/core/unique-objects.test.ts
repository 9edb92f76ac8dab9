import { App, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { CanaryRelease, CanaryTraffic, MlModelServing, PriorityClass, TargetCluster } from '../../src';
import { synthAndValidate } from '../util';

describe('the same kind/namespace/name twice in one App is refused at synth, naming both constructs', () => {
  test('two model servers of one name in two charts of one namespace', () => {
    const app = new App();
    const a = new Chart(app, 'team-a', { namespace: 'ml' });
    const b = new Chart(app, 'team-b', { namespace: 'ml' });
    new MlModelServing(a, 'bert', { image: 'ml-model:v1' });
    new MlModelServing(b, 'bert', { image: 'ml-model:v2' });
    expect(() => Testing.synth(a)).toThrow("Deployment 'ml/bert' (apps) is emitted twice: by 'team-a/bert/Deployment' and by 'team-b/bert/Deployment'");
  });

  test('a user object clashing with one of ours', () => {
    const chart = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
    new MlModelServing(chart, 'bert', { image: 'ml-model:v1' });
    new kplus.k8s.KubeService(chart, 'mine', { metadata: { name: 'bert' }, spec: { ports: [{ port: 80 }] } });
    expect(() => Testing.synth(chart)).toThrow("Service 'ml/bert' (core) is emitted twice: by 'prod/bert/Service' and by 'prod/mine'");
  });

  test('cluster-scoped objects collide across namespaces and charts; two global defaults too', () => {
    const app = new App();
    const a = new Chart(app, 'a', { namespace: 'one' });
    const b = new Chart(app, 'b', { namespace: 'two' });
    PriorityClass.onlineServing(a, 'serving');
    PriorityClass.onlineServing(b, 'serving');
    expect(() => Testing.synth(a)).toThrow("cluster-scoped PriorityClass 'ml-online-serving' (scheduling.k8s.io) is emitted twice: by 'a/serving' and by 'b/serving'");
    const app2 = new App();
    new PriorityClass(new Chart(app2, 'x'), 'one', { value: 1, globalDefault: true });
    new PriorityClass(new Chart(app2, 'y'), 'two', { value: 2, globalDefault: true });
    expect(() => Testing.synth(Chart.of(app2.node.findChild('x')))).toThrow("PriorityClass 'two' ('y/two') and 'one' ('x/one') are both globalDefault: a cluster has one default priority");
  });

  test('the same names in other namespaces, or in charts marked for different clusters, are fine', () => {
    const app = new App();
    const a = new Chart(app, 'a', { namespace: 'one' });
    const b = new Chart(app, 'b', { namespace: 'two' });
    new MlModelServing(a, 'bert', { image: 'ml-model:v1' });
    new MlModelServing(b, 'bert', { image: 'ml-model:v1' });
    expect(synthAndValidate(a).length).toBeGreaterThan(0);
    const app2 = new App();
    const gke = new Chart(app2, 'gke');
    const eks = new Chart(app2, 'eks');
    TargetCluster.mark(gke, 'gke');
    TargetCluster.mark(eks, 'eks');
    PriorityClass.onlineServing(gke, 'serving');
    PriorityClass.onlineServing(eks, 'serving');
    expect(synthAndValidate(eks).length).toBe(1);
    expect(TargetCluster.of(gke)).toBe('gke');
  });
});

test('a chart namespace the API server would reject is refused by the first construct in it', () => {
  const chart = new Chart(Testing.app(), 'prod', { namespace: 'ML_Team' });
  expect(() => new MlModelServing(chart, 'bert', { image: 'ml-model:v1' }))
    .toThrow("MlModelServing 'prod/bert': namespace of chart 'prod' ('ML_Team') must be a valid RFC 1123 DNS label");
  expect(() => new PriorityClass(chart, 'p', { value: 1 })).toThrow("PriorityClass 'prod/p': namespace of chart 'prod' ('ML_Team') must be a valid RFC 1123 DNS label");
});

test("a canary's shared Service selecting another construct's pods is refused at synth", () => {
  const chart = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
  new CanaryRelease(chart, 'ml-model', { stable: { image: 'ml-model:v1' }, traffic: CanaryTraffic.replicaRatio({ totalReplicas: 2 }) });
  new kplus.Deployment(chart, 'legacy', { podMetadata: { labels: { app: 'ml-model' } }, containers: [{ image: 'old:v1', securityContext: { ensureNonRoot: true } }] });
  expect(() => Testing.synth(chart)).toThrow("Service 'ml/ml-model' of 'prod/ml-model' selects {\"app\":\"ml-model\"}, which also matches the pods of Deployment 'prod/legacy': they would receive its traffic");
});
