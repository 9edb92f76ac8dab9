import { IConstruct } from 'constructs';
import { invalidProp } from '../core/errors';

/**
 * A Pod Security Standard level for a namespace, enforced by the built-in Pod
 * Security Admission controller. `restricted` is the only level without a reason:
 * a lower one is an explicit, reviewable exception.
 * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/
 *
 * @example
 * import { MlNamespace, PodSecurityStandard } from 'cdk8s-ml';
 *
 * // Restricted is the default; anything weaker says why, on the Namespace.
 * new MlNamespace(this, 'vendor-tools', {
 *   podSecurity: PodSecurityStandard.baseline('vendor labelling tool image runs as root; ticket SEC-231'),
 *   podSecurityVersion: 'v1.31',
 * });
 */
export class PodSecurityStandard {
  /** The restricted profile: non-root, no privilege escalation, all capabilities dropped, seccomp. */
  public static restricted(): PodSecurityStandard {
    return new PodSecurityStandard('restricted');
  }

  /**
   * The baseline profile (no host namespaces, no privileged containers), for
   * workloads that cannot run restricted, e.g. images that must run as root.
   * @param reason why restricted is not possible (recorded on the Namespace)
   */
  public static baseline(reason: string): PodSecurityStandard {
    return new PodSecurityStandard('baseline', reason);
  }

  /**
   * No restrictions: host paths, host network, privileged containers. Only for
   * system agents that need the node (backup agents, etcd snapshots, device plugins).
   * @param reason why host access is needed (recorded on the Namespace)
   */
  public static privileged(reason: string): PodSecurityStandard {
    return new PodSecurityStandard('privileged', reason);
  }

  private constructor(
    /** The level's name as Pod Security Admission spells it: `restricted`, `baseline` or `privileged`. */
    public readonly level: string,
    /** Why the namespace runs below restricted; undefined for restricted. */
    public readonly reason?: string,
  ) {}

  /** Throws when a lower level has an empty reason. @internal */
  public _validate(scope: IConstruct, prop: string): void {
    if (this.reason !== undefined && this.reason.trim() === '') {
      throw invalidProp(scope, prop, `(${this.level}) needs a reason: say why the namespace cannot run the restricted profile`);
    }
  }
}
