/**
 * jest's node environment, plus: a test that called `needs(...)` (prerequisites.ts)
 * because the CRDs or promtool are missing is reported as skipped, whatever its
 * assertions did without them. jest has no runtime skip; jest-circus reads
 * `test.status` after this handler runs on `test_done`, so setting it to 'skip' is one.
 * Each skip is appended to $CDK8S_ML_SKIP_LOG for the one-line summary printed by
 * jest-global-teardown.ts.
 */
import * as fs from 'fs';
import type { Circus } from '@jest/types';
import NodeEnvironment from 'jest-environment-node';
import { NEEDS_GLOBAL, Prerequisite } from './prerequisites';

export default class PrerequisiteAwareEnvironment extends NodeEnvironment {
  /** Needs declared outside any test (describe body, beforeAll): they apply to every later test of the file. */
  private fileNeeds = new Set<Prerequisite>();
  private inTest = false;

  private takeNeeds(): Set<Prerequisite> {
    const g = this.global as unknown as Record<string, unknown>;
    const found = (g[NEEDS_GLOBAL] as Set<Prerequisite> | undefined) ?? new Set<Prerequisite>();
    g[NEEDS_GLOBAL] = undefined;
    return found;
  }

  handleTestEvent(event: Circus.Event): void {
    if (event.name === 'test_start') {
      for (const n of this.takeNeeds()) this.fileNeeds.add(n);
      this.inTest = true;
    } else if (event.name === 'test_done' && this.inTest) {
      this.inTest = false;
      const needs = new Set([...this.fileNeeds, ...this.takeNeeds()]);
      if (needs.size === 0) return;
      event.test.status = 'skip';
      event.test.errors = [];
      const log = process.env.CDK8S_ML_SKIP_LOG;
      if (log) fs.appendFileSync(log, `${[...needs].join(',')}\n`);
    }
  }
}
