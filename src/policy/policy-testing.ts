import { Chart } from 'cdk8s';
import { PolicyCheckOptions, PolicyEngine } from './policy-engine';
import { PolicyPack } from './policy-pack';
import { PolicyReport } from './policy-report';
import { podSecurityRestricted } from './rules/pod-security-restricted';

/** Options of {@link PolicyTesting.expectChartToPass}. */
export interface PolicyTestingOptions extends PolicyCheckOptions {
  /**
   * Also validate built-in kinds against the Kubernetes OpenAPI schemas when the
   * `kubernetes-models` package (4.x) is installed in the project running the tests.
   * @default true
   */
  readonly schemas?: boolean;
  /**
   * Always check the Pod Security Standard restricted profile (SEC-001), even when
   * `packs` leaves the security pack out.
   * @default true
   */
  readonly restricted?: boolean;
}

/**
 * Assertions for users' own tests (jest, vitest, mocha: they throw): a chart passes
 * the policy packs, so a snapshot-tested chart also gets checked for what a
 * snapshot cannot see.
 *
 * @example
 * import { MlModelServing, PolicyPack, PolicyTesting, ServingScaling } from 'cdk8s-ml';
 *
 * new MlModelServing(this, 'bert', {
 *   image: 'registry.example.com/ml/bert-server:1.4.2',
 *   scaling: ServingScaling.autoscale({ minReplicas: 2, maxReplicas: 8 }),
 * });
 * // In a unit test of the chart (jest, vitest, mocha): throws the readable report
 * // unless the chart passes the packs and the restricted Pod Security profile.
 * PolicyTesting.expectChartToPass(this, { packs: PolicyPack.defaults() });
 */
export class PolicyTesting {
  /**
   * Throws an Error with the readable report unless `chart` passes. Runs the Pod
   * Security restricted profile (SEC-001, in the security pack) and, where
   * `kubernetes-models` is installed, schema validation of built-in kinds.
   * Returns the report (with warnings) when it passes.
   */
  public static expectChartToPass(chart: Chart, options: PolicyTestingOptions = {}): PolicyReport {
    const packs = options.packs ?? PolicyPack.defaults();
    const withRestricted = (options.restricted ?? true) && !packs.some((p) => p.rules.some((r) => r.id === podSecurityRestricted.id))
      ? [...packs, PolicyPack.custom('restricted', [podSecurityRestricted])]
      : packs;
    const report = PolicyEngine.checkChart(chart, { ...options, packs: withRestricted });
    const schemaProblems = options.schemas ?? true ? PolicyTesting.schemaProblems(Object.values(chart.toJson())) : [];
    if (!report.passed || schemaProblems.length > 0) {
      const parts = [!report.passed ? report.toText() : '', schemaProblems.length > 0 ? `schema validation failed:\n  ${schemaProblems.join('\n  ')}` : ''];
      throw new Error(`chart '${chart.node.path}' does not pass its policies\n${parts.filter(Boolean).join('\n\n')}`);
    }
    return report;
  }

  /** The policy report of a chart, for assertions of your own. */
  public static report(chart: Chart, options: PolicyCheckOptions = {}): PolicyReport {
    return PolicyEngine.checkChart(chart, options);
  }

  /** Schema errors of built-in kinds, `[]` when kubernetes-models is not installed. */
  private static schemaProblems(manifests: any[]): string[] {
    const out: string[] = [];
    for (const m of manifests) {
      const apiVersion = String(m?.apiVersion ?? '');
      const module = loadModels(apiVersion);
      const cls = module?.[m?.kind];
      if (!cls || cls.apiVersion !== apiVersion) continue;
      try {
        new cls(m).validate();
      } catch (e) {
        out.push(`${m.kind}/${m.metadata?.name}: ${(e as Error).message.split('\n')[0]}`);
      }
    }
    return out;
  }

  private constructor() {}
}

const cache = new Map<string, any>();

/** `kubernetes-models/<group>/<version>` (core is `v1`), or undefined when absent. */
function loadModels(apiVersion: string): any {
  if (cache.has(apiVersion)) return cache.get(apiVersion);
  let mod: any;
  try {
    // Optional: only present in projects that install it; resolved from the caller's tree.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require(require.resolve(`kubernetes-models/${apiVersion}`, { paths: [process.cwd(), __dirname] }));
  } catch {
    mod = undefined;
  }
  cache.set(apiVersion, mod);
  return mod;
}
