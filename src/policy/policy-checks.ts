import { App, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { PolicyCheckOptions, PolicyEngine } from './policy-engine';
import { PolicyPack } from './policy-pack';
import { PolicyReport } from './policy-report';
import { PolicySuppression, requireSuppression } from './suppressions';
import { oncePerSynth } from '../core/synth-rounds';

/** Options of {@link PolicyChecks.of}. */
export interface PolicyChecksOptions extends PolicyCheckOptions {
  /**
   * Print findings that do not fail the check (warnings, info) to stderr at synth.
   * @default true
   */
  readonly printWarnings?: boolean;
}

const registry = new WeakMap<IConstruct, PolicyChecks>();

/**
 * Runs policy packs when the app synthesizes: `app.synth()` (and `cdk8s synth`)
 * fails with the readable report when a finding reaches `failOn`. Attach to an App
 * to check all its charts together (quotas and pools span charts), or to one Chart.
 *
 * @example
 * import { MlModelServing, PolicyChecks, PolicyPack, ServingScaling } from 'cdk8s-ml';
 *
 * // `cdk8s synth` fails with the readable report when a finding reaches ERROR.
 * PolicyChecks.of(this, { printWarnings: false })
 *   .addPack(PolicyPack.security({ requireImageDigest: true }))
 *   .addPack(PolicyPack.reliability())
 *   .addPack(PolicyPack.ml());
 * new MlModelServing(this, 'bert', {
 *   image: 'registry.example.com/ml/bert-server@sha256:3f2a7c9d8e1b4a6f5c0d9e8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f',
 *   scaling: ServingScaling.autoscale({ minReplicas: 2, maxReplicas: 8 }),
 * });
 */
export class PolicyChecks {
  /** The checks of `scope` (an App or a Chart), created on first use; options are taken on that first call only. */
  public static of(scope: IConstruct, options?: PolicyChecksOptions): PolicyChecks {
    let checks = registry.get(scope);
    if (checks && options !== undefined) {
      throw new Error(`PolicyChecks.of: '${scope.node.path}' already has policy checks; give options on the first call only`);
    }
    if (!checks) {
      checks = new PolicyChecks(scope, options);
      registry.set(scope, checks);
    }
    return checks;
  }

  private readonly packs: PolicyPack[] = [];
  private readonly suppressions: PolicySuppression[] = [];

  private readonly options: PolicyChecksOptions;
  private printed?: string;

  private constructor(private readonly scope: IConstruct, options: PolicyChecksOptions = {}) {
    this.options = options;
    if (!(scope instanceof App) && !(scope instanceof Chart)) {
      throw new Error(`PolicyChecks.of: '${scope.node.path}' must be an App or a Chart`);
    }
    for (const p of options.packs ?? []) this.packs.push(p);
    for (const s of options.suppressions ?? []) this.suppress(s.ruleId, s.reason);
    // The packs render every object of the App: once per synth (src/core/synth-rounds.ts).
    const app = scope.node.root;
    scope.node.addValidation({ validate: app instanceof App ? oncePerSynth(app, () => this.validate()) : () => this.validate() });
  }

  /** Adds a pack (a pack already added is ignored). */
  public addPack(pack: PolicyPack): PolicyChecks {
    if (!this.packs.some((p) => p.name === pack.name)) this.packs.push(pack);
    return this;
  }

  /** Waives a rule for every object checked here, with a reason. */
  public suppress(ruleId: string, reason: string): PolicyChecks {
    requireSuppression(this.scope, ruleId, reason);
    this.suppressions.push({ ruleId, reason });
    return this;
  }

  /** Runs the packs now and returns the report (what synth does). */
  public check(): PolicyReport {
    const charts = this.scope instanceof App ? this.scope.charts : [this.scope as Chart];
    return PolicyEngine._checkCharts(charts, {
      ...this.options,
      packs: this.packs.length > 0 ? this.packs : PolicyPack.defaults(),
      suppressions: this.suppressions,
    });
  }

  private validate(): string[] {
    const report = this.check();
    if (!report.passed) return [`policy checks failed\n${report.toText()}`];
    // Outside synth() (a chart's toJson() per chart), each call validates again: print once.
    const text = report.toText();
    if ((this.options.printWarnings ?? true) && report.active.length > 0 && text !== this.printed) process.stderr.write(`${text}\n`);
    this.printed = text;
    return [];
  }
}
