import { PolicySeverity, severityRank } from './policy-rule';

/** One rule broken by one object. */
export interface PolicyFinding {
  /** The rule id, e.g. `REL-001`. */
  readonly ruleId: string;
  /** The rule's kebab-case name. */
  readonly ruleName: string;
  /** The rule's severity. */
  readonly severity: PolicySeverity;
  /** What is wrong. */
  readonly message: string;
  /** Why the rule exists. */
  readonly explanation: string;
  /** How to comply. */
  readonly fix: string;
  /** The object's kind. */
  readonly kind: string;
  /** The object's name. */
  readonly name: string;
  /**
   * The object's namespace.
   * @default - none (cluster-scoped, or set at apply time)
   */
  readonly namespace?: string;
  /**
   * The construct path of the object, when it was made in this cdk8s app.
   * @default - unknown (YAML from elsewhere)
   */
  readonly constructPath?: string;
  /**
   * The file the object was read from.
   * @default - not read from a file
   */
  readonly source?: string;
  /**
   * Dotted path of the offending field.
   * @default - the object as a whole
   */
  readonly location?: string;
  /** Whether a suppression with a reason waives this finding. */
  readonly suppressed: boolean;
  /**
   * The reason given for the suppression.
   * @default - not suppressed
   */
  readonly suppressionReason?: string;
}

function label(s: PolicySeverity): string {
  return s.toUpperCase();
}

function objectLabel(f: PolicyFinding): string {
  return `${f.kind} ${f.namespace ? `${f.namespace}/` : ''}${f.name}`;
}

/**
 * The findings of one check, and what they mean for its outcome.
 *
 * @example
 * import { MlModelServing, PolicyEngine, PolicyReport, PolicySeverity } from 'cdk8s-ml';
 *
 * new MlModelServing(this, 'bert', { image: 'registry.example.com/ml/bert-server:1.4.2' });
 * const report: PolicyReport = PolicyEngine.checkChart(this, { failOn: PolicySeverity.WARNING });
 * // False when a finding reaches failOn; `report.failures` are those findings.
 * const passed = report.passed;
 * // The readable report (rule, object, why, how to fix) for a CI job's log, and every
 * // finding as JSON, suppressed ones with their reasons, for an artifact.
 * const text = report.toText();
 * const findings = report.toJson();
 */
export class PolicyReport {
  /** Every finding, suppressed ones included. */
  public readonly findings: PolicyFinding[];
  /** The severity at or above which a finding fails the check. */
  public readonly failOn: PolicySeverity;
  /** How many objects were checked. */
  public readonly objectCount: number;

  constructor(findings: PolicyFinding[], failOn: PolicySeverity, objectCount: number) {
    this.findings = findings;
    this.failOn = failOn;
    this.objectCount = objectCount;
  }

  /** Findings not waived by a suppression. */
  public get active(): PolicyFinding[] {
    return this.findings.filter((f) => !f.suppressed);
  }

  /** Active findings at or above `failOn`. */
  public get failures(): PolicyFinding[] {
    return this.active.filter((f) => severityRank(f.severity) >= severityRank(this.failOn));
  }

  /** True when no active finding is at or above `failOn`. */
  public get passed(): boolean {
    return this.failures.length === 0;
  }

  /** A readable report: a summary line, then each broken rule with its objects, why and how to fix. */
  public toText(): string {
    const active = this.active;
    const count = (s: PolicySeverity) => active.filter((f) => f.severity === s).length;
    const suppressed = this.findings.length - active.length;
    const lines = [
      `cdk8s-ml policy: ${this.passed ? 'PASSED' : 'FAILED'} (${this.objectCount} objects): ${count(PolicySeverity.ERROR)} errors, `
      + `${count(PolicySeverity.WARNING)} warnings, ${count(PolicySeverity.INFO)} info, ${suppressed} suppressed; failing on ${this.failOn} and above`,
    ];
    const byRule = new Map<string, PolicyFinding[]>();
    const ordered = [...active].sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || a.ruleId.localeCompare(b.ruleId));
    for (const f of ordered) byRule.set(f.ruleId, [...(byRule.get(f.ruleId) ?? []), f]);
    for (const [id, fs] of byRule) {
      const first = fs[0];
      lines.push('', `${label(first.severity)} ${id} ${first.ruleName} (${fs.length})`);
      for (const f of fs) {
        const where = [f.constructPath ? `[${f.constructPath}]` : '', f.source ? `(${f.source})` : ''].filter(Boolean).join(' ');
        lines.push(`  - ${objectLabel(f)}${where ? ` ${where}` : ''}: ${f.message}${f.location ? ` (at ${f.location})` : ''}`);
      }
      lines.push(`  why: ${first.explanation}`, `  fix: ${first.fix}`);
    }
    const waived = this.findings.filter((f) => f.suppressed);
    if (waived.length > 0) {
      lines.push('', 'Suppressed:');
      for (const f of waived) lines.push(`  - ${f.ruleId} ${objectLabel(f)}: ${f.suppressionReason}`);
    }
    return lines.join('\n');
  }

  /** The report as plain JSON: summary and every finding. */
  public toJson(): any {
    const active = this.active;
    return {
      passed: this.passed,
      failOn: this.failOn,
      objects: this.objectCount,
      summary: {
        error: active.filter((f) => f.severity === PolicySeverity.ERROR).length,
        warning: active.filter((f) => f.severity === PolicySeverity.WARNING).length,
        info: active.filter((f) => f.severity === PolicySeverity.INFO).length,
        suppressed: this.findings.length - active.length,
      },
      findings: this.findings.map((f) => ({ ...f })),
    };
  }
}
