import { Chart, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { RayService, RayServiceProps, RayServiceUpgrade, ServeConfig } from '../../src';
import { findObject, synthAndValidate } from '../util';

const IMAGE = 'rayproject/ray:2.52.0-py311-gpu';
const CLUSTER = { image: IMAGE, workerGroups: [{ groupName: 'gpu', minReplicas: 1, maxReplicas: 4, gpus: { count: 1 } }] };
const SERVE = ServeConfig.of([{
  name: 'llm',
  importPath: 'llm.app:deployment',
  routePrefix: '/v1',
  runtimeEnv: { pip: ['vllm==0.6.3'] },
  deployments: [{ name: 'VLLMDeployment', numGpus: 1, maxOngoingRequests: 32, autoscaling: { minReplicas: 1, maxReplicas: 4, targetOngoingRequests: 16 } }],
}]);

function synth(props: Partial<RayServiceProps> = {}) {
  const chart = new Chart(Testing.app(), 'ray', { namespace: 'ml' });
  const service = new RayService(chart, 'llm', { cluster: CLUSTER, serveConfig: SERVE, ...props });
  const manifests = synthAndValidate(chart);
  return { service, manifests, rs: findObject(manifests, 'ray.io/v1/RayService', 'llm') };
}

describe('RayService', () => {
  test('typed Serve config: applications, deployments, autoscaling on target_ongoing_requests', () => {
    const { rs } = synth();
    expect(JSON.parse(rs.spec.serveConfigV2)).toEqual({
      applications: [{
        name: 'llm',
        import_path: 'llm.app:deployment',
        route_prefix: '/v1',
        runtime_env: { pip: ['vllm==0.6.3'] },
        deployments: [{
          name: 'VLLMDeployment',
          max_ongoing_requests: 32,
          ray_actor_options: { num_gpus: 1 },
          autoscaling_config: { min_replicas: 1, max_replicas: 4, target_ongoing_requests: 16 },
        }],
      }],
    });
  });

  test('the Serve port (named serve, 8000) is on every pod; default upgrade NewCluster', () => {
    const { rs, service } = synth();
    const spec = rs.spec.rayClusterConfig;
    for (const t of [spec.headGroupSpec.template, spec.workerGroupSpecs[0].template]) {
      expect(t.spec.containers[0].ports).toContainEqual({ name: 'serve', containerPort: 8000, protocol: 'TCP' });
    }
    expect(rs.spec.upgradeStrategy).toEqual({ type: 'NewCluster' });
    expect(service.serveServiceName).toBe('llm-serve-svc');
  });

  test('incremental upgrade through a Gateway, and the Serve Service type', () => {
    const { rs } = synth({
      upgradeStrategy: RayServiceUpgrade.incremental({ gatewayClassName: 'istio', stepSizePercent: 25, interval: Duration.seconds(30), maxSurgePercent: 50 }),
      serveServiceType: kplus.ServiceType.LOAD_BALANCER,
    });
    expect(rs.spec.upgradeStrategy).toEqual({
      type: 'NewClusterWithIncrementalUpgrade',
      clusterUpgradeOptions: { gatewayClassName: 'istio', stepSizePercent: 25, intervalSeconds: 30, maxSurgePercent: 50 },
    });
    expect(rs.spec.serveService).toEqual({ spec: { type: 'LoadBalancer' } });
  });

  test('NetworkPolicy: callers reach Serve and the dashboard, the operator the dashboard', () => {
    const chart = new Chart(Testing.app(), 'ray', { namespace: 'ml' });
    new RayService(chart, 'llm', { cluster: CLUSTER, serveConfig: SERVE, servePeers: [kplus.Pods.select(chart, 'Gw', { labels: { app: 'gateway' } })] });
    const np = findObject(synthAndValidate(chart), 'NetworkPolicy');
    expect(np.spec.ingress).toContainEqual({
      from: [{ podSelector: { matchLabels: { app: 'gateway' } } }],
      ports: [{ port: 8000, protocol: 'TCP' }, { port: 8265, protocol: 'TCP' }],
    });
  });

  const make = (props: Partial<RayServiceProps>) => () => new RayService(new Chart(Testing.app(), 'ray'), 'svc', { cluster: CLUSTER, serveConfig: SERVE, ...props });
  test.each([
    [{ name: 's'.repeat(48) }, "RayService 'ray/svc': name ('ssssssssssssssssssssssssssssssssssssssssssssssss') must be an RFC 1035 label"],
    [{ cluster: { image: IMAGE, workerGroups: [{ groupName: 'gpu', minReplicas: 2, gpus: { count: 1 } }] }, upgradeStrategy: RayServiceUpgrade.incremental({ gatewayClassName: 'istio', stepSizePercent: 10, interval: Duration.seconds(10) }) },
      "RayService 'ray/svc': upgradeStrategy incremental needs the autoscaler"],
    [{ upgradeStrategy: RayServiceUpgrade.incremental({ gatewayClassName: 'istio', stepSizePercent: 60, interval: Duration.seconds(10), maxSurgePercent: 50 }) },
      "RayService 'ray/svc': upgradeStrategy.stepSizePercent (60) must be <= maxSurgePercent (50)"],
    [{ serveConfig: ServeConfig.of([]) }, "RayService 'ray/svc': serveConfig needs at least one application"],
    [{ serveConfig: ServeConfig.of([{ name: 'a', importPath: 'a:app' }, { name: 'b', importPath: 'b:app' }]) }, "RayService 'ray/svc': serveConfig.applications[1].routePrefix ('/') is used by another application"],
    [{ serveConfig: ServeConfig.of([{ name: 'a', importPath: 'a:app', deployments: [{ name: 'D', numReplicas: 2, autoscaling: { minReplicas: 1, maxReplicas: 2 } }] }]) },
      "RayService 'ray/svc': serveConfig.applications[0].deployments[0].numReplicas and autoscaling are mutually exclusive"],
    [{ serveConfig: ServeConfig.of([{ name: 'a', importPath: 'a:app', deployments: [{ name: 'D', maxOngoingRequests: 4, autoscaling: { minReplicas: 1, maxReplicas: 2, targetOngoingRequests: 8 } }] }]) },
      "RayService 'ray/svc': serveConfig.applications[0].deployments[0].maxOngoingRequests (4) must be >= autoscaling.targetOngoingRequests (8)"],
    [{ serveConfig: ServeConfig.of([{ name: 'a', importPath: 'a:app', deployments: [{ name: 'D', numGpus: 1, autoscaling: { minReplicas: 1, maxReplicas: 8 } }] }]) },
      "RayService 'ray/svc': serveConfig needs 8 GPUs at the deployments' maximum replicas, but the cluster's worker groups offer at most 4"],
  ])('%#: error', (props, message) => {
    expect(make(props as Partial<RayServiceProps>)).toThrow(message);
  });
});
