import { ApiObject, Lazy } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { RAY_API_VERSION } from './crds';
import { RayClusterBuilder, requireRayName } from './ray-cluster-builder';
import { RayClusterOptions } from './ray-cluster-options';
import { ISchedulable } from '../../core/scheduling';
import { requireProps } from '../../core/validation';

/** Properties of {@link RayCluster}. */
export interface RayClusterProps extends RayClusterOptions {
  /**
   * Name of the RayCluster and its objects: an RFC 1035 label of at most 53
   * characters (KubeRay's MaxRayClusterNameLength).
   * @default - the construct id
   */
  readonly name?: string;
}

/**
 * A KubeRay `ray.io/v1` RayCluster: a head and worker groups (CPU and GPU) whose
 * pod templates are the core workload model's (restricted, requests = limits, GPUs
 * with their toleration, a token-less identity on the workers), the in-tree
 * autoscaler v2 as a restricted sidecar of the head when any group can grow, the
 * head at `num-cpus: 0`, optional GCS fault tolerance in an external Redis (its
 * password from a Secret), a PodMonitor on the metrics port, a PDB per worker
 * group of two or more, and a NetworkPolicy admitting the cluster's own pods
 * plus the listed clients.
 * @see https://docs.ray.io/en/latest/cluster/kubernetes/getting-started/raycluster-quick-start.html
 *
 * @example
 * import { RayCluster } from 'cdk8s-ml';
 *
 * // An autoscaling cluster: CPU workers always up, GPU workers from zero.
 * new RayCluster(this, 'ray-gpu', {
 *   image: 'rayproject/ray:2.52.0-py311',
 *   workerGroups: [
 *     { groupName: 'cpu', minReplicas: 2, maxReplicas: 6 },
 *     { groupName: 'gpu', image: 'rayproject/ray:2.52.0-py311-gpu', minReplicas: 0, maxReplicas: 4, gpus: { count: 1 } },
 *   ],
 *   autoscaler: { idleTimeout: Duration.minutes(5) },
 *   // Notebooks may connect to the head (Ray client, dashboard).
 *   clientPeers: [kplus.Pods.select(this, 'notebooks', { labels: { 'app.kubernetes.io/component': 'notebook' } })],
 * });
 */
export class RayCluster extends Construct {
  /** The RayCluster's name. */
  public readonly name: string;
  /** True when the autoscaler sidecar runs. */
  public readonly autoscaling: boolean;
  /** The labels that select every pod of the cluster. */
  public readonly podSelector: { [key: string]: string };
  /** The RayCluster custom resource. */
  public readonly apiObject: ApiObject;
  /** The head pods' ServiceAccount (the autoscaler's identity). */
  public readonly serviceAccount: kplus.IServiceAccount;
  /** The NetworkPolicy over the cluster's pods. */
  public readonly networkPolicy: kplus.NetworkPolicy;
  /** The PodMonitor, unless disabled. */
  public readonly podMonitor?: ApiObject;
  /** The PodDisruptionBudgets of worker groups of two or more. */
  public readonly disruptionBudgets: kplus.k8s.KubePodDisruptionBudget[];
  /** The head's Service, which KubeRay creates: `<name>-head-svc`. */
  public readonly headServiceName: string;
  /** @internal */
  public readonly _builder: RayClusterBuilder;

  public constructor(scope: Construct, id: string, props: RayClusterProps) {
    super(scope, id);
    requireProps(this, props, ['image']);
    this.name = props?.name ?? id;
    requireRayName(this, this.name, 53);
    const builder = new RayClusterBuilder(this, this.name, props);
    this._builder = builder;
    this.autoscaling = builder.autoscaling;
    this.podSelector = builder.podSelector;
    this.serviceAccount = builder.head.serviceAccount;
    this.headServiceName = `${this.name}-head-svc`;
    this.apiObject = new ApiObject(this, 'Resource', {
      apiVersion: RAY_API_VERSION,
      kind: 'RayCluster',
      metadata: builder.head._metadata(),
      spec: Lazy.any({ produce: () => builder.renderSpec() }),
    });
    this.networkPolicy = builder.createNetworkPolicy(this);
    this.podMonitor = builder.createPodMonitor(this);
    this.disruptionBudgets = builder.createDisruptionBudgets();
  }

  /** The head, to tolerate taints or require nodes. */
  public get head(): ISchedulable {
    return this._builder.head;
  }

  /** A worker group by name, to tolerate taints (a spot pool's) or require nodes. */
  public workerGroup(groupName: string): ISchedulable {
    const group = this._builder.workers.find(w => w.groupName === groupName);
    if (!group) throw new Error(`RayCluster '${this.node.path}': no worker group '${groupName}' (groups: ${this._builder.workers.map(w => w.groupName).join(', ') || 'none'})`);
    return group;
  }
}
