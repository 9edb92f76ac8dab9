// promtool (Debian's prometheus package, binary only; fetched by scripts/fetch-promtool.sh)
// for the observability tests. Absent locally: the tests that need it are skipped, with one
// summary line for the whole run. Absent in CI (CI=true): they fail, since CI must run them.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { needs } from '../../util/prerequisites';

const DEFAULT = path.resolve(__dirname, '../../../.tools/prometheus/usr/bin/promtool');

/** Path of promtool, or undefined when not installed. */
export function promtoolPath(): string | undefined {
  const candidate = process.env.PROMTOOL ?? DEFAULT;
  return fs.existsSync(candidate) ? candidate : undefined;
}

/**
 * `test` when promtool is there. Otherwise the test declares it needs promtool: the jest
 * environment (test/util/jest-environment.ts) reports it as skipped and the run ends
 * with one line saying how to get it; under CI=true it fails, since CI must run it.
 */
export function promtoolTest(name: string, fn: (promtool: string) => void): void {
  const promtool = promtoolPath();
  if (promtool) {
    test(name, () => fn(promtool), 30_000);
  } else {
    test(name, () => needs('promtool'));
  }
}

/** Result of one promtool run. */
export interface PromtoolResult {
  readonly ok: boolean;
  readonly output: string;
}

/** Writes `files` (name -> object, rendered as YAML, or text) to a temp dir and runs promtool there. */
export function runPromtool(promtool: string, args: string[], files: { [name: string]: unknown }): PromtoolResult {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'promtool-'));
  try {
    for (const [name, content] of Object.entries(files)) {
      fs.writeFileSync(path.join(dir, name), typeof content === 'string' ? content : stringify(content));
    }
    try {
      const output = execFileSync(promtool, args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      return { ok: true, output };
    } catch (e: any) {
      return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A copy of a prometheus.yml object with every `kubernetes_sd_configs` entry replaced by
 * an equivalent `http_sd_configs` entry: Debian's promtool is built without Kubernetes
 * discovery and rejects the former. The Kubernetes blocks are checked separately.
 */
export function withHttpSd(config: any): any {
  const copy = JSON.parse(JSON.stringify(config));
  for (const job of copy.scrape_configs ?? []) {
    if (job.kubernetes_sd_configs) {
      job.http_sd_configs = job.kubernetes_sd_configs.map(() => ({ url: 'http://sd.invalid:8080/targets' }));
      delete job.kubernetes_sd_configs;
    }
  }
  return copy;
}

/** Expressions checked by `promtool check rules`, as recording rules of one group. */
export function exprsAsRuleFile(exprs: string[]): unknown {
  return { groups: [{ name: 'exprs', rules: exprs.map((expr, i) => ({ record: `check:expr_${i}`, expr })) }] };
}
