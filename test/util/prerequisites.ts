/**
 * Test prerequisites that do not come with `npm ci`: the official CRDs and promtool.
 *
 * On a fresh clone without them, a test that needs one calls `needs(...)`; the jest
 * environment (jest-environment.ts) then reports that test as skipped instead of
 * passing or failing for the wrong reason, and the global teardown prints ONE summary
 * line saying how to get them. Under CI=true nothing is skipped: CI must run them all.
 */
import * as fs from 'fs';
import * as path from 'path';

export type Prerequisite = 'crds' | 'promtool';

const REPO = path.resolve(__dirname, '../..');

/** Where `npx projen crds:fetch` puts the CRDs (gitignored `.tools/`). */
export const FETCHED_CRDS_DIR = path.join(REPO, '.tools', 'crds');

/**
 * Where CRDs are read from: `$CDK8S_ML_CRDS_DIR` if set, else the sibling checkout
 * `../shared/crds`, else what `npx projen crds:fetch` downloaded into `.tools/crds`.
 */
export function resolveCrdsDir(): string {
  if (process.env.CDK8S_ML_CRDS_DIR) return path.resolve(process.env.CDK8S_ML_CRDS_DIR);
  const shared = path.resolve(REPO, '../shared/crds');
  return !fs.existsSync(shared) && fs.existsSync(FETCHED_CRDS_DIR) ? FETCHED_CRDS_DIR : shared;
}

/** True when `dir` holds at least one CRD file. */
export function hasCrdFiles(dir: string): boolean {
  return fs.existsSync(dir) && fs.statSync(dir).isDirectory() && fs.readdirSync(dir).some((f) => /\.ya?ml$/.test(f));
}

/** How to get each prerequisite: the text of the summary line. */
export const HOW_TO_GET: Record<Prerequisite, string> = {
  crds: "official CRDs not found: set CDK8S_ML_CRDS_DIR, check out ../shared/crds, or run 'npx projen crds:fetch' (needs internet)",
  promtool: "promtool not found: run 'npx projen tools:promtool' (or set PROMTOOL)",
};

/** The global the jest environment reads (shared between the test's VM context and the environment). */
export const NEEDS_GLOBAL = '__cdk8sMlNeeds';

/**
 * Declares that the running test (or, outside a test, every test of this file) needs
 * a missing prerequisite. Under CI=true it throws instead: CI must have everything.
 */
export function needs(what: Prerequisite): void {
  if (process.env.CI === 'true') throw new Error(`CI=true but ${HOW_TO_GET[what]}`);
  const g = globalThis as Record<string, unknown>;
  const set = (g[NEEDS_GLOBAL] ??= new Set<Prerequisite>()) as Set<Prerequisite>;
  set.add(what);
}

/**
 * `describe` when the official CRDs are there; otherwise one placeholder test that needs
 * them (reported skipped and counted in the summary line), and `fn` is not run, so a
 * block may read the CRDs at collection time.
 */
export function describeWithCrds(name: string, fn: () => void): void {
  if (hasCrdFiles(resolveCrdsDir())) describe(name, fn);
  else describe(name, () => test('needs the official CRDs', () => needs('crds')));
}
