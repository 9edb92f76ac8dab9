import { Chart, Lazy } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { MlNamespace } from './ml-namespace';
import { Persona } from './persona';
import { invalidProp } from '../core/errors';
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
      const config = s.toSubjectConfiguration();
      if (this.subjects.some(e => sameSubject(e.toSubjectConfiguration(), config))) {
        throw invalidProp(this, 'subjects', `bind ${config.kind} '${config.name}' twice; give each subject once`);
      }
      this.subjects.push(s);
    }
    if (this.subjects.length > 0 && !this._binding) {
      this._binding = new kplus.k8s.KubeRoleBinding(this, 'Binding', {
        metadata: { name: this.name, namespace: this.namespace },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: this.name },
        subjects: Lazy.any({ produce: () => this.renderSubjects() }),
      });
    }
  }

  private serviceAccountNamespace(s: kplus.ISubject, c: kplus.SubjectConfiguration): string | undefined {
    const chartNamespace = Chart.of(s).namespace;
    // An explicit namespace (not the chart's default) wins; else where placement puts it.
    if (c.namespace !== undefined && c.namespace !== chartNamespace) return c.namespace;
    return MlNamespace.of(s)?.name ?? c.namespace ?? this.namespace ?? MlNamespace.namespaceOf(this);
  }

  private renderSubjects(): kplus.k8s.Subject[] {
    return this.subjects.map(s => {
      const c = s.toSubjectConfiguration();
      // A ServiceAccount subject needs its namespace; one created inside an
      // MlNamespace only learns it at synth.
      const namespace = c.kind === 'ServiceAccount' ? this.serviceAccountNamespace(s, c) : undefined;
      return { apiGroup: c.kind === 'ServiceAccount' ? undefined : c.apiGroup ?? 'rbac.authorization.k8s.io', kind: c.kind, name: c.name, namespace };
    });
  }
}

function sameSubject(a: kplus.SubjectConfiguration, b: kplus.SubjectConfiguration): boolean {
  return a.kind === b.kind && a.name === b.name && (a.namespace ?? '') === (b.namespace ?? '');
}
