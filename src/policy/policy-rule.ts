import { PolicyContext } from './policy-context';

/** How bad a finding is. Findings at or above the check's `failOn` fail it. */
export enum PolicySeverity {
  /** Breaks the cluster or its security: fails checks by default. */
  ERROR = 'error',
  /** Likely an outage or a waste; reported, fails only with `failOn: WARNING`. */
  WARNING = 'warning',
  /** Worth a look; reported, fails only with `failOn: INFO`. */
  INFO = 'info',
}

/** The rank of a severity, higher is worse. */
export function severityRank(s: PolicySeverity): number {
  return s === PolicySeverity.ERROR ? 3 : s === PolicySeverity.WARNING ? 2 : 1;
}

/** One object that breaks a rule, as a rule's check returns it. */
export interface PolicyViolation {
  /** The manifest (plain JSON object) that breaks the rule. */
  readonly object: any;
  /** What is wrong, naming the field, e.g. `container "server" has no readinessProbe`. */
  readonly message: string;
  /**
   * Dotted path of the offending field in the manifest.
   * @default - the object as a whole
   */
  readonly location?: string;
}

/**
 * A policy rule: a check over plain Kubernetes manifests, with what it means and
 * how to fix it. Implement it for rules of your own and pass them in a
 * `PolicyPack.custom(...)`.
 */
export interface IPolicyRule {
  /** Stable id used in reports and suppressions, e.g. `SEC-001`. */
  readonly id: string;
  /** A short kebab-case name, e.g. `pod-security-restricted`. */
  readonly name: string;
  /** The severity of every finding of this rule. */
  readonly severity: PolicySeverity;
  /** Why the rule exists: what goes wrong in the cluster when it is broken. */
  readonly explanation: string;
  /** How to comply. */
  readonly fix: string;
  /** False for rules no written reason can waive. */
  readonly suppressible: boolean;
  /** The violations in `context`; an empty array when it complies or does not apply. */
  check(context: PolicyContext): PolicyViolation[];
}

/** What a rule is made of, for {@link defineRule}. */
export interface RuleDefinition {
  readonly id: string;
  readonly name: string;
  readonly severity: PolicySeverity;
  readonly explanation: string;
  readonly fix: string;
  readonly suppressible?: boolean;
  readonly check: (context: PolicyContext) => PolicyViolation[];
}

/** A rule from its definition; suppressible unless it says otherwise. */
export function defineRule(def: RuleDefinition): IPolicyRule {
  return {
    id: def.id,
    name: def.name,
    severity: def.severity,
    explanation: def.explanation,
    fix: def.fix,
    suppressible: def.suppressible ?? true,
    check: def.check,
  };
}
