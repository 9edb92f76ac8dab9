import { App, Chart, Testing } from 'cdk8s';
import { ClusterConfig, TargetCluster } from '../../src';
import { findObject, synthAndValidate } from '../util';

describe('ClusterConfig', () => {
  test("the guide's cluster-config ConfigMap, with extra keys", () => {
    const c = new Chart(Testing.app(), 'platform');
    new ClusterConfig(c, 'cluster', { clusterName: 'production-cluster', environment: 'production', region: 'us-west-2', data: { cloud: 'aws' } });
    expect(findObject(synthAndValidate(c), 'ConfigMap', 'cluster-config')).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cluster-config' },
      data: { 'cluster-name': 'production-cluster', 'environment': 'production', 'region': 'us-west-2', 'cloud': 'aws' },
      immutable: false,
    });
  });

  test('of() finds it from any chart of the app; labels and get', () => {
    const app = new App({ outdir: '/dev/null' });
    const platform = new Chart(app, 'platform');
    const ml = new Chart(app, 'ml');
    expect(ClusterConfig.of(ml)).toBeUndefined();
    const config = new ClusterConfig(platform, 'cluster', { clusterName: 'prod', environment: 'production', region: 'eu-west-1' });
    expect(ClusterConfig.of(ml)).toBe(config);
    expect(config.labels()).toEqual({ 'cdk8s-ml.io/cluster': 'prod', 'cdk8s-ml.io/environment': 'production', 'topology.kubernetes.io/region': 'eu-west-1' });
    expect(config.get('region')).toBe('eu-west-1');
    expect(() => config.get('zone')).toThrow("ClusterConfig 'platform/cluster': get('zone') is not a key of the cluster config (keys: cluster-name, environment, region)");
    new ClusterConfig(ml, 'again', { clusterName: 'prod', environment: 'production', region: 'eu-west-1' });
    expect(() => ClusterConfig.of(ml)).toThrow("ClusterConfig.of('ml'): the app has 2 ClusterConfigs for one cluster (platform/cluster, ml/again); keep one per cluster, or mark the charts of another cluster with TargetCluster.mark");
  });

  test('of() finds the config of its own cluster when the app models several (TargetCluster)', () => {
    const app = new App({ outdir: '/dev/null' });
    const eks = new Chart(app, 'eks');
    const gke = new Chart(app, 'gke');
    TargetCluster.mark(gke, 'gke');
    const eksConfig = new ClusterConfig(eks, 'cluster', { clusterName: 'eks-prod', environment: 'production', region: 'us-west-2' });
    const gkeConfig = new ClusterConfig(gke, 'cluster', { clusterName: 'gke-prod', environment: 'production', region: 'europe-west4' });
    expect(ClusterConfig.of(eks)).toBe(eksConfig);
    expect(ClusterConfig.of(gke)).toBe(gkeConfig);
    expect(ClusterConfig.of(new Chart(app, 'eks-ml'))).toBe(eksConfig);
  });

  test('errors', () => {
    const c = () => new Chart(Testing.app(), 'p');
    const base = { clusterName: 'prod', environment: 'production', region: 'us-west-2' };
    expect(() => new ClusterConfig(c(), 'x', { ...base, data: { region: 'x' } }))
      .toThrow("ClusterConfig 'p/x': data['region'] is set by a typed prop (clusterName, environment, region); give it there");
    expect(() => new ClusterConfig(c(), 'x', { ...base, data: { 'a b': 'x' } })).toThrow("ClusterConfig 'p/x': data['a b'] is not a valid ConfigMap key: alphanumerics, '-', '_' and '.'");
    expect(() => new ClusterConfig(c(), 'x', { ...base, data: { 'registry-token': 'abc' } }))
      .toThrow("ClusterConfig 'p/x': data['registry-token'] looks like a credential: ConfigMaps are not secret; keep it in the secrets manager and reference it with an ExternalSecret");
    expect(() => new ClusterConfig(c(), 'x', { ...base, environment: '' })).toThrow("ClusterConfig 'p/x': environment must not be empty");
    expect(() => new ClusterConfig(c(), 'x', { ...base, clusterName: 'prod cluster' })).toThrow("ClusterConfig 'p/x': clusterName ('prod cluster') must be a valid label value");
  });
});
