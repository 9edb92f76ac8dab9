import { IConstruct } from 'constructs';
import {
  ML_CUSTOM_RESOURCES, PLATFORM_CUSTOM_RESOURCES, RbacRule, READ, READ_ONLY_CUSTOM_RESOURCES, rules, WORKLOADS, WRITE,
} from './rbac-rules';
import { invalidProp } from '../core/errors';
import { requireDnsSubdomain } from '../core/validation';

/** What every persona may be granted beyond its defaults. */
export interface PersonaOptions {
  /**
   * Secrets the persona may read (`get` on these names only). Secrets are never
   * granted otherwise: reading one reveals a credential, and `list` would reveal all.
   * @default - no Secret access
   */
  readonly secretNames?: string[];
}

const EVENTS: RbacRule[] = [
  { apiGroups: [''], resources: ['events'], verbs: [...READ] },
  { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: [...READ] },
];
const PODS_READ: RbacRule[] = [{ apiGroups: [''], resources: ['pods'], verbs: [...READ] }];
const LOGS: RbacRule[] = [{ apiGroups: [''], resources: ['pods/log'], verbs: ['get'] }];

/**
 * Who a namespace's Role is for, and so which rules it holds. Every persona is
 * least-privilege: named verbs and resources only (no `*`), no RBAC objects (no
 * escalation), no `pods/exec`, and Secrets only by name when asked.
 *
 * Whoever can create workloads (ML engineer, CI deployer) can run a pod that mounts
 * any Secret of the namespace, or an ExternalSecret that syncs any key its store
 * allows: treat their credentials like the namespace's Secrets, and keep
 * ClusterSecretStores limited to the namespaces that need them.
 *
 * @example
 * import { MlNamespace, MlPersonaRole, Persona } from 'cdk8s-ml';
 *
 * const ml = new MlNamespace(this, 'ml');
 * // ML engineers may also read the one Secret their jobs need.
 * new MlPersonaRole(ml, 'ml-engineers', {
 *   persona: Persona.mlEngineer({ secretNames: ['hf-token'] }),
 *   subjects: [kplus.Group.fromName(this, 'engineers', 'ml-engineers')],
 * });
 * new MlPersonaRole(ml, 'viewers', {
 *   persona: Persona.viewer(),
 *   subjects: [kplus.Group.fromName(this, 'viewers-group', 'ml-viewers')],
 * });
 */
export class Persona {
  /**
   * An ML engineer: manages model servers, training jobs and the ML tools' custom
   * resources (Ray, Kubeflow, KServe) in the namespace; reads pods, logs and events;
   * deletes pods to restart them. NetworkPolicies, ServiceAccounts and monitoring
   * objects are left to the CI deployer.
   */
  public static mlEngineer(options: PersonaOptions = {}): Persona {
    return new Persona('ml-engineer', [
      ...rules(WORKLOADS, WRITE),
      ...rules(ML_CUSTOM_RESOURCES, WRITE),
      ...rules(READ_ONLY_CUSTOM_RESOURCES, READ),
      { apiGroups: [''], resources: ['pods'], verbs: [...READ, 'delete'] },
      ...LOGS,
      ...EVENTS,
    ], options);
  }

  /** A viewer: reads workloads, the ML custom resources, pods and events; no logs, no Secrets. */
  public static viewer(options: PersonaOptions = {}): Persona {
    return new Persona('viewer', [
      ...rules(WORKLOADS, READ),
      ...rules(ML_CUSTOM_RESOURCES, READ),
      ...rules(PLATFORM_CUSTOM_RESOURCES, READ),
      ...rules(READ_ONLY_CUSTOM_RESOURCES, READ),
      ...PODS_READ,
      ...EVENTS,
    ], options);
  }

  /**
   * A CI deployer (`kubectl apply` of synthesized manifests): writes everything this
   * library emits into a namespace (workloads, ServiceAccounts, NetworkPolicies,
   * monitors, routes, ExternalSecrets, ML custom resources), but no RBAC objects and
   * no pods directly.
   */
  public static ciDeployer(options: PersonaOptions = {}): Persona {
    return new Persona('ci-deployer', [
      ...rules(WORKLOADS, WRITE),
      { apiGroups: [''], resources: ['serviceaccounts'], verbs: [...WRITE] },
      { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: [...WRITE] },
      ...rules(ML_CUSTOM_RESOURCES, WRITE),
      ...rules(PLATFORM_CUSTOM_RESOURCES, WRITE),
      ...rules(READ_ONLY_CUSTOM_RESOURCES, READ),
      ...PODS_READ,
      ...EVENTS,
    ], options);
  }

  /**
   * A notebook user: creates and deletes Kubeflow Notebooks and their workspace
   * volumes; reads pods, logs, Services and events.
   */
  public static notebookUser(options: PersonaOptions = {}): Persona {
    return new Persona('notebook-user', [
      { apiGroups: ['kubeflow.org'], resources: ['notebooks'], verbs: [...WRITE] },
      { apiGroups: [''], resources: ['persistentvolumeclaims'], verbs: [...WRITE] },
      { apiGroups: [''], resources: ['services'], verbs: [...READ] },
      ...PODS_READ,
      ...LOGS,
      ...EVENTS,
    ], options);
  }

  private constructor(
    /** The persona's name, used for its Role's default name, e.g. `ml-engineer`. */
    public readonly name: string,
    private readonly baseRules: RbacRule[],
    private readonly options: PersonaOptions,
  ) {}

  /** The rules, Secrets included when asked. @internal */
  public _rules(scope: IConstruct, prop: string): RbacRule[] {
    const names = this.options.secretNames;
    if (names === undefined) return this.baseRules;
    if (names.length === 0) {
      throw invalidProp(scope, `${prop}.secretNames`, 'is empty: leave it out for no Secret access, or name the Secrets');
    }
    names.forEach((n, i) => requireDnsSubdomain(scope, `${prop}.secretNames[${i}]`, n));
    return [...this.baseRules, { apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: [...new Set(names)] }];
  }
}
