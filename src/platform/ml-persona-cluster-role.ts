import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { keepNamespace, MlNamespace } from './ml-namespace';
import { Persona } from './persona';
import { renderSubject, requireNewSubject } from './rbac-subjects';
import { makeClusterScoped } from '../capacity/cluster-scoped';
import { invalidProp } from '../core/errors';
import { requireDnsLabel, requireDnsSubdomain, requireProps } from '../core/validation';

/** Properties of {@link MlPersonaClusterRole}. */
export interface MlPersonaClusterRoleProps {
  /** Who the ClusterRole is for. */
  readonly persona: Persona;
  /**
   * The ClusterRole's name.
   * @default - `cdk8s-ml-<persona>`, e.g. `cdk8s-ml-ml-engineer`
   */
  readonly name?: string;
}

/**
 * One persona's rules as a ClusterRole, defined once and granted namespace by
 * namespace with {@link bindIn} (a RoleBinding to a ClusterRole grants it in that
 * namespace only). There is no cluster-wide binding on purpose: it would grant the
 * persona in every namespace, `kube-system` included.
 *
 * @example
 * import { MlNamespace, MlPersonaClusterRole, Persona } from 'cdk8s-ml';
 *
 * // One ClusterRole for the persona, bound namespace by namespace (never cluster-wide).
 * const engineers = new MlPersonaClusterRole(this, 'engineers', { persona: Persona.mlEngineer() });
 * const ml = new MlNamespace(this, 'ml');
 * const research = new MlNamespace(this, 'research');
 * engineers.bindIn(ml, kplus.Group.fromName(this, 'ml-engineers', 'ml-engineers'));
 * engineers.bindIn(research, kplus.Group.fromName(this, 'researchers', 'ml-researchers'));
 */
export class MlPersonaClusterRole extends Construct {
  /** The ClusterRole's name. */
  public readonly name: string;
  /** The ClusterRole. */
  public readonly clusterRole: kplus.k8s.KubeClusterRole;
  /** The RoleBindings, one per namespace. */
  public readonly bindings: kplus.k8s.KubeRoleBinding[] = [];
  private readonly bound = new Map<string, kplus.ISubject[]>();

  public constructor(scope: Construct, id: string, props: MlPersonaClusterRoleProps) {
    super(scope, id);
    requireProps(this, props, ['persona']);
    this.name = props.name ?? `cdk8s-ml-${props.persona.name}`;
    requireDnsSubdomain(this, 'name', this.name);
    this.clusterRole = new kplus.k8s.KubeClusterRole(this, 'ClusterRole', {
      metadata: { name: this.name },
      rules: props.persona._rules(this, 'persona'),
    });
    makeClusterScoped(this.clusterRole);
  }

  /** Grants the persona to `subjects` in an MlNamespace. */
  public bindIn(namespace: MlNamespace, ...subjects: kplus.ISubject[]): kplus.k8s.KubeRoleBinding {
    return this.bindInNamespace(namespace.name, ...subjects);
  }

  /** Grants the persona to `subjects` in the namespace of this name. */
  public bindInNamespace(namespace: string, ...subjects: kplus.ISubject[]): kplus.k8s.KubeRoleBinding {
    requireDnsLabel(this, `bindInNamespace('${namespace}')`, namespace);
    if (subjects.length === 0) throw invalidProp(this, `bindInNamespace('${namespace}')`, 'has no subjects: name the users, groups or ServiceAccounts');
    if (this.bound.has(namespace)) {
      throw invalidProp(this, `bindInNamespace('${namespace}')`, 'is called twice for one namespace: give all its subjects in one call');
    }
    const list: kplus.ISubject[] = [];
    subjects.forEach(s => { requireNewSubject(this, `bindInNamespace('${namespace}')`, list, s); list.push(s); });
    this.bound.set(namespace, list);
    const binding = new kplus.k8s.KubeRoleBinding(this, `Binding-${namespace}`, {
      metadata: { name: this.name, namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: this.name },
      subjects: list.map(s => renderSubject(s, namespace)),
    });
    // Bound where asked, even when that is the chart's namespace inside an MlNamespace.
    keepNamespace(binding);
    this.bindings.push(binding);
    return binding;
  }
}
