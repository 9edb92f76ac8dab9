import { IPolicyRule } from './policy-rule';
import { COST_RULES, ML_RULES, RELIABILITY_RULES, SECURITY_OPT_IN_RULES, SECURITY_RULES } from './rules';

/** Options of {@link PolicyPack.security}. */
export interface SecurityPackOptions {
  /**
   * Also require every image to be pinned by digest (SEC-004).
   * @default false
   */
  readonly requireImageDigest?: boolean;
}

/**
 * A named set of rules. The built-in packs: `security`, `reliability`, `ml` and
 * `cost`; `PolicyPack.custom` assembles your own rules (or a subset of ours).
 *
 * @example
 * import { MlModelServing, PolicyChecks, PolicyPack, PolicySeverity } from 'cdk8s-ml';
 *
 * // The four built-in packs, stricter than the default: warnings fail too.
 * PolicyChecks.of(this, {
 *   packs: [PolicyPack.security(), PolicyPack.reliability(), PolicyPack.ml(), PolicyPack.cost()],
 *   failOn: PolicySeverity.WARNING,
 *   printWarnings: false,
 * });
 * new MlModelServing(this, 'bert', { image: 'registry.example.com/ml/bert-server:1.4.2' });
 */
export class PolicyPack {
  /** Pod Security restricted, no token automount, no host access, no literal secrets (SEC-*). */
  public static security(options: SecurityPackOptions = {}): PolicyPack {
    return new PolicyPack('security', [...SECURITY_RULES, ...(options.requireImageDigest ? SECURITY_OPT_IN_RULES : [])]);
  }

  /** Probes, disruption budgets, zone spread, requests and limits, progress deadlines (REL-*). */
  public static reliability(): PolicyPack {
    return new PolicyPack('reliability', RELIABILITY_RULES);
  }

  /** GPUs, shared memory, autoscaler conflicts, spot tolerance, Ray cleanup, pool fit, quotas (ML-*). */
  public static ml(): PolicyPack {
    return new PolicyPack('ml', ML_RULES);
  }

  /** Idle GPUs and on-demand capacity where spot would do (COST-*). */
  public static cost(): PolicyPack {
    return new PolicyPack('cost', COST_RULES);
  }

  /** The four built-in packs with their default rules. */
  public static defaults(): PolicyPack[] {
    return [PolicyPack.security(), PolicyPack.reliability(), PolicyPack.ml(), PolicyPack.cost()];
  }

  /** A built-in pack by name (`security`, `reliability`, `ml`, `cost`); `security+digest` adds SEC-004. */
  public static named(name: string): PolicyPack {
    switch (name) {
      case 'security': return PolicyPack.security();
      case 'security+digest': return PolicyPack.security({ requireImageDigest: true });
      case 'reliability': return PolicyPack.reliability();
      case 'ml': return PolicyPack.ml();
      case 'cost': return PolicyPack.cost();
      default: throw new Error(`unknown policy pack '${name}': use security, security+digest, reliability, ml or cost`);
    }
  }

  /** A pack of your own rules. */
  public static custom(name: string, rules: IPolicyRule[]): PolicyPack {
    const seen = new Set<string>();
    for (const r of rules) {
      if (seen.has(r.id)) throw new Error(`PolicyPack '${name}': rule id ${r.id} appears twice`);
      seen.add(r.id);
    }
    return new PolicyPack(name, rules);
  }

  private constructor(
    /** The pack's name, as shown in reports. */
    public readonly name: string,
    /** Its rules. */
    public readonly rules: IPolicyRule[],
  ) {}
}
