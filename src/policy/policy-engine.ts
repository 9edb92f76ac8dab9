import { ApiObject, App, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { isObject, nameOf, namespaceOf, objectKey } from './model/manifest';
import { PolicyContext, PolicyNodePool } from './policy-context';
import { PolicyPack } from './policy-pack';
import { PolicyFinding, PolicyReport } from './policy-report';
import { PolicySeverity } from './policy-rule';
import { parseSuppressAnnotation, Policy, PolicySuppression, requireSuppression, SUPPRESS_ANNOTATION } from './suppressions';
import { runSynthPreparations, TargetCluster } from '../core/unique-objects';

/** Options of every policy check. */
export interface PolicyCheckOptions {
  /**
   * The packs to run.
   * @default PolicyPack.defaults() - security, reliability, ml and cost
   */
  readonly packs?: PolicyPack[];
  /**
   * Findings at or above this severity fail the check.
   * @default PolicySeverity.ERROR
   */
  readonly failOn?: PolicySeverity;
  /**
   * Rules waived for every object, each with a reason.
   * @default - none
   */
  readonly suppressions?: PolicySuppression[];
  /**
   * Node pools of the cluster besides the Karpenter NodePools in the manifests.
   * @default - none
   */
  readonly nodePools?: PolicyNodePool[];
}

/** A manifest with what is known about where it came from. @internal */
export interface PolicyTarget {
  readonly manifest: any;
  readonly constructPath?: string;
  readonly source?: string;
  readonly suppressions?: PolicySuppression[];
}

const INVALID_SUPPRESSION = {
  id: 'POL-000',
  name: 'valid-suppression',
  explanation: 'A suppression must name a rule that can be waived and say why in words; otherwise nobody can review it.',
  fix: `Write the annotation as ${SUPPRESS_ANNOTATION}: '[{"id":"REL-004","reason":"single-zone cluster"}]', with a reason of at least 10 characters, and do not suppress unsuppressible rules.`,
};

/**
 * Runs policy packs over manifests, charts or whole apps.
 *
 * @example
 * import { MlModelServing, PolicyEngine, PolicyPack } from 'cdk8s-ml';
 *
 * new MlModelServing(this, 'bert', { image: 'registry.example.com/ml/bert-server:1.4.2' });
 * // Check now, without failing synth: e.g. to post the findings on a pull request.
 * const report = PolicyEngine.checkChart(this, { packs: [PolicyPack.security(), PolicyPack.reliability()] });
 * const comment = report.toText();
 */
export class PolicyEngine {
  /** Checks plain manifests (e.g. parsed YAML). */
  public static checkManifests(manifests: any[], options: PolicyCheckOptions = {}): PolicyReport {
    return PolicyEngine._check(manifests.map((manifest) => ({ manifest })), options);
  }

  /** Checks the objects of one chart, with their construct paths and code suppressions. */
  public static checkChart(chart: Chart, options: PolicyCheckOptions = {}): PolicyReport {
    return PolicyEngine._check(PolicyEngine._targetsOf(chart), options);
  }

  /**
   * Checks the charts of an app together (quotas and pools span charts), each
   * target cluster on its own (`TargetCluster.mark`): one cluster's node pools do
   * not schedule, nor its quotas admit, another cluster's pods.
   */
  public static checkApp(app: App, options: PolicyCheckOptions = {}): PolicyReport {
    return PolicyEngine._checkCharts(app.charts, options);
  }

  /** Checks charts together, grouped by target cluster, as one report. @internal */
  public static _checkCharts(charts: Chart[], options: PolicyCheckOptions): PolicyReport {
    const clusters = new Map<string, Chart[]>();
    for (const c of charts) clusters.set(TargetCluster.of(c), [...(clusters.get(TargetCluster.of(c)) ?? []), c]);
    const reports = [...clusters.values()].map((group) => PolicyEngine._check(group.flatMap((c) => PolicyEngine._targetsOf(c)), options));
    if (reports.length === 1) return reports[0];
    return new PolicyReport(reports.flatMap((r) => r.findings), options.failOn ?? PolicySeverity.ERROR,
      reports.reduce((n, r) => n + r.objectCount, 0));
  }

  /** The objects of one chart as check targets. @internal */
  public static _targetsOf(chart: Chart): PolicyTarget[] {
    // Synth-time decisions (MlNamespace's placement) first: chart and App checks
    // run before their children's validations.
    runSynthPreparations(chart);
    return chart.node.findAll()
      .filter((c: IConstruct): c is ApiObject => c instanceof ApiObject && Chart.of(c) === chart)
      .map((o) => ({ manifest: o.toJson(), constructPath: o.node.path, suppressions: Policy._suppressionsFor(o) }));
  }

  /** @internal */
  public static _check(targets: PolicyTarget[], options: PolicyCheckOptions): PolicyReport {
    for (const s of options.suppressions ?? []) requireSuppression(undefined, s.ruleId, s.reason);
    const packs = options.packs ?? PolicyPack.defaults();
    const byObject = new Map<any, PolicyTarget>();
    // By identity, and by kind/namespace/name for rules written in other jsii
    // languages, whose violations carry copies of the manifests.
    const byKey = new Map<string, PolicyTarget>();
    for (const t of targets) {
      if (!isObject(t.manifest)) continue;
      byObject.set(t.manifest, t);
      if (!byKey.has(objectKey(t.manifest))) byKey.set(objectKey(t.manifest), t);
    }
    const targetOf = (obj: any) => byObject.get(obj) ?? byKey.get(objectKey(obj));
    const context = new PolicyContext(targets.map((t) => t.manifest), { nodePools: options.nodePools });
    const findings: PolicyFinding[] = [];
    const base = (obj: any, t: PolicyTarget | undefined) => ({
      kind: String(obj?.kind ?? '<no kind>'),
      name: nameOf(obj),
      ...(namespaceOf(obj) ? { namespace: namespaceOf(obj) } : {}),
      ...(t?.constructPath ? { constructPath: t.constructPath } : {}),
      ...(t?.source ? { source: t.source } : {}),
    });

    // Waivers per object: code suppressions, then the annotation (checked for validity).
    const waivers = new Map<any, PolicySuppression[]>();
    for (const t of targets) {
      if (!isObject(t.manifest)) continue;
      const parsed = parseSuppressAnnotation(t.manifest.metadata?.annotations?.[SUPPRESS_ANNOTATION]);
      for (const problem of parsed.problems) {
        findings.push({
          ruleId: INVALID_SUPPRESSION.id,
          ruleName: INVALID_SUPPRESSION.name,
          severity: PolicySeverity.ERROR,
          message: problem,
          explanation: INVALID_SUPPRESSION.explanation,
          fix: INVALID_SUPPRESSION.fix,
          location: `metadata.annotations.${SUPPRESS_ANNOTATION}`,
          suppressed: false,
          ...base(t.manifest, t),
        });
      }
      waivers.set(t.manifest, [...(t.suppressions ?? []), ...parsed.entries.map((e) => ({ ruleId: e.id, reason: e.reason }))]);
    }

    const seen = new Set<string>();
    for (const pack of packs) {
      for (const rule of pack.rules) {
        if (seen.has(rule.id)) continue; // a rule in two packs runs once
        seen.add(rule.id);
        for (const v of rule.check(context)) {
          const t = targetOf(v.object);
          const waiver = rule.suppressible
            ? [...(waivers.get(t?.manifest) ?? []), ...(options.suppressions ?? [])].find((s) => s.ruleId === rule.id)
            : undefined;
          findings.push({
            ruleId: rule.id,
            ruleName: rule.name,
            severity: rule.severity,
            message: v.message,
            explanation: rule.explanation,
            fix: rule.fix,
            ...(v.location ? { location: v.location } : {}),
            suppressed: waiver !== undefined,
            ...(waiver ? { suppressionReason: waiver.reason } : {}),
            ...base(v.object, t),
          });
        }
      }
    }
    return new PolicyReport(findings, options.failOn ?? PolicySeverity.ERROR, context.objects.length);
  }
}
