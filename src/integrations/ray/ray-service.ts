import { ApiObject, Lazy } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { RAY_API_VERSION } from './crds';
import { RAY_PORTS, RayClusterBuilder, requireRayName } from './ray-cluster-builder';
import { RayClusterOptions } from './ray-cluster-options';
import { RAY_SERVE_METRIC_NAMES } from './ray-serve-metrics';
import { RayServiceUpgrade } from './ray-service-upgrade';
import { ServeConfig } from './serve-config';
import { invalidProp } from '../../core/errors';
import { MlLabels } from '../../core/labels';
import { resolveMetricNames, ServerMetricNames } from '../../core/prometheus-annotations';

/** Properties of {@link RayService}. */
export interface RayServiceProps {
  /**
   * The RayService's name: an RFC 1035 label of at most 47 characters (KubeRay's MaxRayServiceNameLength).
   * @default - the construct id
   */
  readonly name?: string;
  /** The Ray cluster serving the applications. */
  readonly cluster: RayClusterOptions;
  /** The Serve applications. */
  readonly serveConfig: ServeConfig;
  /**
   * How cluster spec changes roll out.
   * @default RayServiceUpgrade.newCluster() - KubeRay's default; needs twice the resources while upgrading
   */
  readonly upgradeStrategy?: RayServiceUpgrade;
  /**
   * Type of the Serve Service KubeRay creates (`<name>-serve-svc`, port 8000).
   * @default kplus.ServiceType.CLUSTER_IP
   */
  readonly serveServiceType?: kplus.ServiceType;
  /**
   * Who may call Serve (8000) and the dashboard (8265), besides the operator.
   * @default - the cluster's clientPeers (nobody outside the cluster when unset)
   */
  readonly servePeers?: kplus.INetworkPolicyPeer[];
  /**
   * The KubeRay operator's pods, which poll the dashboard (8265) for the applications' status.
   * @default - pods labelled `app.kubernetes.io/name: kuberay-operator` in any namespace
   */
  readonly operatorPeer?: kplus.INetworkPolicyPeer;
  /**
   * The names of the Serve metrics, for alerts and dashboards
   * (`WorkloadTarget.fromRayService`): Ray Serve's built-in ones unless given, e.g.
   * counters without `_total` on older Ray, or an application's own histogram.
   * @default - Ray Serve's (`ray_serve_num_http_requests_total`, `ray_serve_http_request_latency_ms`, ...)
   */
  readonly metricNames?: ServerMetricNames;
}

/**
 * A KubeRay `ray.io/v1` RayService: Ray Serve applications (a typed
 * {@link ServeConfig}) on a cluster whose head and worker groups are the core
 * model's pods, with the Serve port on every pod (KubeRay's Serve Service needs
 * a port named `serve`), an upgrade strategy (incremental where the operator
 * has it), a NetworkPolicy admitting callers to Serve and the operator to the
 * dashboard, a PodMonitor and PDBs.
 * @see https://docs.ray.io/en/latest/serve/production-guide/kubernetes.html
 *
 * @example
 * import { RayService, RayServiceUpgrade, ServeConfig } from 'cdk8s-ml';
 *
 * // An LLM on Ray Serve, one GPU per replica, autoscaled on ongoing requests.
 * new RayService(this, 'llm', {
 *   cluster: {
 *     image: 'rayproject/ray:2.52.0-py311-gpu',
 *     workerGroups: [{ groupName: 'gpu', minReplicas: 1, maxReplicas: 4, gpus: { count: 1 } }],
 *   },
 *   serveConfig: ServeConfig.of([{
 *     name: 'llm',
 *     importPath: 'serve_llm:app',
 *     runtimeEnv: { pip: ['vllm==0.6.3'] },
 *     deployments: [{ name: 'VLLMDeployment', numGpus: 1, autoscaling: { minReplicas: 1, maxReplicas: 4, targetOngoingRequests: 16 } }],
 *   }]),
 *   upgradeStrategy: RayServiceUpgrade.newCluster(),
 * });
 */
export class RayService extends Construct {
  public readonly name: string;
  /** The RayService custom resource. */
  public readonly apiObject: ApiObject;
  /** The Serve Service KubeRay creates. */
  public readonly serveServiceName: string;
  /** The NetworkPolicy over the cluster's pods. */
  public readonly networkPolicy: kplus.NetworkPolicy;
  /** The PodMonitor, unless disabled. */
  public readonly podMonitor?: ApiObject;
  /** The names of the Serve metrics (declared in `metricNames`, or Ray Serve's), read by alerts and dashboards. */
  public readonly metricNames: ServerMetricNames;
  /** @internal */
  public readonly _builder: RayClusterBuilder;

  public constructor(scope: Construct, id: string, props: RayServiceProps) {
    super(scope, id);
    if (!props || typeof props !== 'object') throw invalidProp(this, 'props', 'are required');
    this.name = props.name ?? id;
    requireRayName(this, this.name, 47);
    if (!props.serveConfig) throw invalidProp(this, 'serveConfig', 'is required');
    this.metricNames = resolveMetricNames(this, 'metricNames.', props.metricNames, RAY_SERVE_METRIC_NAMES);
    const builder = new RayClusterBuilder(this, this.name, props.cluster, { serve: true, propPrefix: 'cluster.' });
    this._builder = builder;
    const upgrade = props.upgradeStrategy ?? RayServiceUpgrade.newCluster();
    if (upgrade._needsAutoscaler && !builder.autoscaling) {
      throw invalidProp(this, 'upgradeStrategy', 'incremental needs the autoscaler: give a worker group maxReplicas > minReplicas, or cluster.autoscaler');
    }
    const renderedUpgrade = upgrade._render(this);
    const serveConfig = props.serveConfig._render(this);
    const gpus = props.serveConfig.maxGpus;
    // Serve replicas' GPUs are Ray logical GPUs, which only the worker groups' GPUs provide.
    const capacity = (props.cluster.workerGroups ?? []).reduce((sum, g) => sum + (g.gpus?.count ?? 0) * (g.maxReplicas ?? g.minReplicas ?? 1), 0);
    if (gpus > capacity) {
      throw invalidProp(this, 'serveConfig', `needs ${gpus} GPUs at the deployments' maximum replicas, but the cluster's worker groups offer at most ${capacity}`);
    }
    this.serveServiceName = `${this.name}-serve-svc`;
    this.apiObject = new ApiObject(this, 'Resource', {
      apiVersion: RAY_API_VERSION,
      kind: 'RayService',
      metadata: {
        name: this.name,
        labels: { ...props.cluster.labels, ...MlLabels.of({ name: this.name, component: 'ray-service', partOf: props.cluster.partOf }) },
        ...(props.cluster.annotations ? { annotations: { ...props.cluster.annotations } } : {}),
      },
      spec: Lazy.any({
        produce: () => ({
          serveConfigV2: serveConfig,
          upgradeStrategy: renderedUpgrade,
          ...(props.serveServiceType ? { serveService: { spec: { type: props.serveServiceType } } } : {}),
          rayClusterConfig: builder.renderSpec(),
        }),
      }),
    });
    const operator = props.operatorPeer ?? kplus.Pods.select(this, 'Operator', {
      labels: { 'app.kubernetes.io/name': 'kuberay-operator' },
      namespaces: kplus.Namespaces.all(this, 'OperatorNamespaces'),
    });
    const rules = [
      { peer: operator, ports: [RAY_PORTS.dashboard] },
      ...(props.servePeers ?? []).map(peer => ({ peer, ports: [RAY_PORTS.serve, RAY_PORTS.dashboard] })),
    ];
    this.networkPolicy = builder.createNetworkPolicy(this, rules);
    this.podMonitor = builder.createPodMonitor(this);
    builder.createDisruptionBudgets();
  }
}
