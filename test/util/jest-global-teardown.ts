/**
 * After the run: ONE line saying which prerequisites were missing, how many tests were
 * skipped for each, and how to get them. Silent when nothing is missing.
 */
import * as fs from 'fs';
import * as path from 'path';
import { HOW_TO_GET, Prerequisite, hasCrdFiles, resolveCrdsDir } from './prerequisites';

function promtoolMissing(): boolean {
  const candidate = process.env.PROMTOOL ?? path.resolve(__dirname, '../../.tools/prometheus/usr/bin/promtool');
  return !fs.existsSync(candidate);
}

export default function globalTeardown(): void {
  const log = process.env.CDK8S_ML_SKIP_LOG;
  const counts: Record<Prerequisite, number> = { crds: 0, promtool: 0 };
  if (log && fs.existsSync(log)) {
    for (const line of fs.readFileSync(log, 'utf8').split('\n').filter(Boolean)) {
      for (const what of line.split(',') as Prerequisite[]) counts[what] = (counts[what] ?? 0) + 1;
    }
    fs.rmSync(path.dirname(log), { recursive: true, force: true });
  }
  const missing: Record<Prerequisite, boolean> = { crds: !hasCrdFiles(resolveCrdsDir()), promtool: promtoolMissing() };
  const parts = (Object.keys(counts) as Prerequisite[])
    .filter((what) => missing[what] || counts[what] > 0)
    .map((what) => `${counts[what]} test(s) skipped, ${HOW_TO_GET[what]}${what === 'crds' ? ` (looked in ${resolveCrdsDir()})` : ''}`);
  // eslint-disable-next-line no-console
  if (parts.length > 0) console.log(`\n[cdk8s-ml] ${parts.join('; ')}`);
}
