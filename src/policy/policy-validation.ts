import { loadManifests } from './manifest-files';
import { nameOf } from './model/manifest';
import { PolicyNodePool } from './policy-context';
import { PolicyEngine, PolicyTarget } from './policy-engine';
import { PolicyPack } from './policy-pack';
import { PolicyFinding } from './policy-report';
import { PolicySeverity } from './policy-rule';
import { PolicySuppression } from './suppressions';

/**
 * Properties of the validation plugin, as given under `properties:` of the
 * `validations:` entry in cdk8s.yaml.
 */
export interface PolicyValidationProps {
  /**
   * Packs by name: `security`, `security+digest`, `reliability`, `ml`, `cost`.
   * @default - all four default packs
   */
  readonly packs?: string[];
  /**
   * `error`, `warning` or `info`: findings at or above it fail `cdk8s synth`.
   * @default 'error'
   */
  readonly failOn?: string;
  /**
   * Node pools of the cluster besides the Karpenter NodePools in the manifests.
   * @default - none
   */
  readonly nodePools?: PolicyNodePool[];
  /**
   * Rules waived for every object, each with a reason.
   * @default - none
   */
  readonly suppressions?: PolicySuppression[];
}

/**
 * The policy packs as a cdk8s validation plugin: `cdk8s synth` runs them over the
 * synthesized manifests, prints the report (construct paths included), fails with a
 * non-zero exit when a finding reaches `failOn`, and writes the JSON report with
 * `--validation-reports-output-file`. In cdk8s.yaml:
 *
 * ```yaml
 * validations:
 *   - package: cdk8s-ml
 *     version: 1.2.3
 *     class: PolicyValidation
 *     properties:
 *       packs: [security, reliability, ml]
 * ```
 */
export class PolicyValidation {
  private readonly props: PolicyValidationProps;

  constructor(props: PolicyValidationProps = {}) {
    this.props = props;
    // Fail at load, before synth output is judged, on a misspelt pack or threshold.
    this.packs();
    this.failOn();
  }

  /**
   * Runs the packs; called by cdk8s-cli with its `ValidationContext` (typed loosely:
   * cdk8s-cli is a tool, not a dependency of this library).
   */
  public async validate(context: any): Promise<void> {
    const manifests: string[] = [...(context.manifests ?? [])];
    const loaded = loadManifests(manifests);
    const paths: { [name: string]: { path: string } } = context.metadata ?? {};
    const counts = new Map<string, number>();
    for (const t of loaded.targets) counts.set(nameOf(t.manifest), (counts.get(nameOf(t.manifest)) ?? 0) + 1);
    // cdk8s keys construct metadata by object name only; use it where the name is unique.
    const targets: PolicyTarget[] = loaded.targets.map((t) => {
      const name = nameOf(t.manifest);
      return paths[name] && counts.get(name) === 1 ? { ...t, constructPath: paths[name].path } : t;
    });
    const report = PolicyEngine._check(targets, {
      packs: this.packs(),
      failOn: this.failOn(),
      nodePools: this.props.nodePools,
      suppressions: this.props.suppressions,
    });
    for (const e of loaded.errors) context.logger?.log?.(`cdk8s-ml: ${e}`);

    const byRule = new Map<string, PolicyFinding[]>();
    for (const f of report.active) byRule.set(f.ruleId, [...(byRule.get(f.ruleId) ?? []), f]);
    for (const [id, findings] of byRule) {
      const first = findings[0];
      const resources = new Map<string, { resourceName: string; locations: string[]; manifestPath: string }>();
      for (const f of findings) {
        // The plain name lets cdk8s-cli add the construct path from its metadata; an
        // ambiguous name is qualified by kind and namespace instead.
        const unique = counts.get(f.name) === 1 && paths[f.name] !== undefined;
        const resourceName = unique ? f.name : `${f.kind}/${f.namespace ? `${f.namespace}/` : ''}${f.name}`;
        const key = `${f.source}\u0000${resourceName}`;
        const entry = resources.get(key) ?? { resourceName, locations: [], manifestPath: f.source ?? '' };
        entry.locations.push(`${f.kind} ${f.namespace ? `${f.namespace}/` : ''}${f.name}${f.location ? ` ${f.location}` : ''}: ${f.message}`);
        resources.set(key, entry);
      }
      context.report.addViolation({
        ruleName: `[${first.severity.toUpperCase()}] ${id} ${first.ruleName}`,
        recommendation: first.explanation,
        fix: first.fix,
        violatingResources: [...resources.values()],
      });
    }
    const summary = report.toJson().summary;
    context.report.submit(report.passed && loaded.errors.length === 0 ? 'success' : 'failure', {
      'Fail on': report.failOn,
      'Errors': String(summary.error),
      'Warnings': String(summary.warning),
      'Info': String(summary.info),
      'Suppressed': String(summary.suppressed),
    });
  }

  private packs(): PolicyPack[] | undefined {
    return this.props.packs?.map((n) => PolicyPack.named(n));
  }

  private failOn(): PolicySeverity {
    const value = this.props.failOn ?? 'error';
    const s = Object.values(PolicySeverity).find((v) => v === value);
    if (!s) throw new Error(`PolicyValidation: failOn must be error, warning or info (is '${value}')`);
    return s;
  }
}
