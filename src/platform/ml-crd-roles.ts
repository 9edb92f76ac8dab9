import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  CLUSTER_READ_ONLY, ML_CUSTOM_RESOURCES, PLATFORM_CUSTOM_RESOURCES, READ, READ_ONLY_CUSTOM_RESOURCES, rules, WRITE,
} from './rbac-rules';
import { makeClusterScoped } from '../capacity/cluster-scoped';
import { requireDnsSubdomain } from '../core/validation';

const AGGREGATE = 'rbac.authorization.k8s.io/aggregate-to-';

/** Properties of {@link MlCrdRoles}. */
export interface MlCrdRolesProps {
  /**
   * Prefix of the two ClusterRoles' names (`<prefix>-edit`, `<prefix>-view`).
   * @default 'cdk8s-ml'
   */
  readonly namePrefix?: string;
}

/**
 * Extends the built-in `admin`, `edit` and `view` ClusterRoles to the custom
 * resources this library emits (Ray, Kubeflow, KServe, LeaderWorkerSet,
 * prometheus-operator, KEDA, VPA, Gateway API routes, ExternalSecrets, Argo
 * Rollouts), through aggregation labels: whoever holds `edit` in a namespace can
 * manage them there, `view` can read them. Kueue queues and Karpenter node pools
 * stay read-only for both (they are the platform team's); the cluster-scoped ones
 * are readable only where `view` is bound cluster-wide (a ClusterRoleBinding).
 * Secrets are never added.
 * @see https://kubernetes.io/docs/reference/access-authn-authz/rbac/#aggregated-clusterroles
 *
 * @example
 * import { MlCrdRoles } from 'cdk8s-ml';
 *
 * // Extends the built-in admin, edit and view ClusterRoles to Ray, Kubeflow, KServe,
 * // KEDA, ... objects, so `edit` in a namespace can manage a RayJob there.
 * new MlCrdRoles(this, 'crd-roles');
 */
export class MlCrdRoles extends Construct {
  /** The ClusterRole aggregated into `admin` and `edit`. */
  public readonly edit: kplus.k8s.KubeClusterRole;
  /** The ClusterRole aggregated into `view`. */
  public readonly view: kplus.k8s.KubeClusterRole;

  public constructor(scope: Construct, id: string, props: MlCrdRolesProps = {}) {
    super(scope, id);
    const prefix = props.namePrefix ?? 'cdk8s-ml';
    requireDnsSubdomain(this, 'namePrefix', prefix);
    const readOnly = [...READ_ONLY_CUSTOM_RESOURCES, ...CLUSTER_READ_ONLY];
    // admin aggregates only `aggregate-to-admin` roles and edit only
    // `aggregate-to-edit` ones (aggregation is not transitive for our roles), so the
    // edit role carries both labels, and its own read verbs.
    this.edit = new kplus.k8s.KubeClusterRole(this, 'Edit', {
      metadata: { name: `${prefix}-edit`, labels: { [`${AGGREGATE}admin`]: 'true', [`${AGGREGATE}edit`]: 'true' } },
      rules: [...rules([...ML_CUSTOM_RESOURCES, ...PLATFORM_CUSTOM_RESOURCES], WRITE), ...rules(readOnly, READ)],
    });
    this.view = new kplus.k8s.KubeClusterRole(this, 'View', {
      metadata: { name: `${prefix}-view`, labels: { [`${AGGREGATE}view`]: 'true' } },
      rules: rules([...ML_CUSTOM_RESOURCES, ...PLATFORM_CUSTOM_RESOURCES, ...readOnly], READ),
    });
    makeClusterScoped(this.edit);
    makeClusterScoped(this.view);
  }
}
