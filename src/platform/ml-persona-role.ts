import { Lazy } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { MlNamespace } from './ml-namespace';
import { Persona } from './persona';
import { renderSubject, requireNewSubject } from './rbac-subjects';
import { requireDnsLabel, requireProps } from '../core/validation';

/** Properties of {@link MlPersonaRole}. */
export interface MlPersonaRoleProps {
  /** Who the Role is for. */
  readonly persona: Persona;
  /**
   * Users, groups or ServiceAccounts bound to the Role (`kplus.User.fromName`,
   * `kplus.Group.fromName`, a `kplus.ServiceAccount`). More with `bind()`.
   * @default - none: the Role is created without a RoleBinding until `bind()` is called
   */
  readonly subjects?: kplus.ISubject[];
  /**
   * The Role's (and RoleBinding's) name.
   * @default - the persona's name, e.g. `ml-engineer`
   */
  readonly name?: string;
  /**
   * The namespace the Role grants access to.
   * @default - the enclosing MlNamespace's, else the chart's
   */
  readonly namespace?: string;
}

/**
 * A namespaced Role for one persona (ML engineer, viewer, CI deployer, notebook
 * user) and the RoleBinding of its subjects. The rules are least-privilege: see
 * {@link Persona}.
 *
 * @example
 * import { MlNamespace, MlPersonaRole, Persona } from 'cdk8s-ml';
 *
 * const ml = new MlNamespace(this, 'ml');
 * // The CI pipeline deploys into the namespace with its own ServiceAccount.
 * const deployer = new kplus.ServiceAccount(ml, 'ci-deployer-sa', {
 *   metadata: { name: 'ci-deployer' },
 *   automountToken: false,
 * });
 * new MlPersonaRole(ml, 'ci', { persona: Persona.ciDeployer(), subjects: [deployer] });
 * new MlPersonaRole(ml, 'notebook-users', {
 *   persona: Persona.notebookUser(),
 *   subjects: [kplus.Group.fromName(this, 'researchers', 'ml-researchers')],
 * });
 */
export class MlPersonaRole extends Construct {
  /** The Role's name. */
  public readonly name: string;
  /** The Role. */
  public readonly role: kplus.k8s.KubeRole;
  private _binding?: kplus.k8s.KubeRoleBinding;
  private readonly subjects: kplus.ISubject[] = [];
  private readonly namespace?: string;

  public constructor(scope: Construct, id: string, props: MlPersonaRoleProps) {
    super(scope, id);
    requireProps(this, props, ['persona']);
    this.name = props.name ?? props.persona.name;
    requireDnsLabel(this, 'name', this.name);
    if (props.namespace !== undefined) requireDnsLabel(this, 'namespace', props.namespace);
    this.namespace = props.namespace;
    this.role = new kplus.k8s.KubeRole(this, 'Role', {
      metadata: { name: this.name, namespace: this.namespace },
      rules: props.persona._rules(this, 'persona'),
    });
    this.bind(...props.subjects ?? []);
  }

  /** The RoleBinding, created by the first subject (a binding without subjects grants nothing). */
  public get binding(): kplus.k8s.KubeRoleBinding | undefined {
    return this._binding;
  }

  /** Binds more users, groups or ServiceAccounts to the Role. */
  public bind(...subjects: kplus.ISubject[]): void {
    for (const s of subjects) {
      requireNewSubject(this, 'subjects', this.subjects, s);
      this.subjects.push(s);
    }
    if (this.subjects.length > 0 && !this._binding) {
      this._binding = new kplus.k8s.KubeRoleBinding(this, 'Binding', {
        metadata: { name: this.name, namespace: this.namespace },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: this.name },
        subjects: Lazy.any({ produce: () => this.subjects.map(s => renderSubject(s, this.namespace ?? MlNamespace.namespaceOf(this))) }),
      });
    }
  }
}
