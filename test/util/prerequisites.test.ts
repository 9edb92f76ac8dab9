import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import PrerequisiteAwareEnvironment from './jest-environment';
import globalTeardown from './jest-global-teardown';
import { hasCrdFiles, needs, NEEDS_GLOBAL } from './prerequisites';

// The fresh-clone path: tests that need the CRDs or promtool are reported as skipped
// (never passed on unvalidated output, never failed obscurely) and one line says how to
// get them. The environment and the teardown are exercised directly here; running
// `CDK8S_ML_CRDS_DIR=<empty dir> npx jest` exercises them for real.

const saved = { ...process.env };
afterEach(() => {
  for (const k of ['CI', 'CDK8S_ML_CRDS_DIR', 'PROMTOOL', 'CDK8S_ML_SKIP_LOG']) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
  (globalThis as Record<string, unknown>)[NEEDS_GLOBAL] = undefined;
  jest.restoreAllMocks();
});

function tmpdir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-ml-prereq-'));
}

describe('needs()', () => {
  test('records the prerequisite for the running test; under CI=true it fails with how to get it', () => {
    delete process.env.CI;
    needs('promtool');
    expect([...((globalThis as Record<string, unknown>)[NEEDS_GLOBAL] as Set<string>)]).toEqual(['promtool']);
    (globalThis as Record<string, unknown>)[NEEDS_GLOBAL] = undefined;
    process.env.CI = 'true';
    expect(() => needs('crds')).toThrow("CI=true but official CRDs not found: set CDK8S_ML_CRDS_DIR, check out ../shared/crds, or run 'npx projen crds:fetch'");
  });

  test('an empty CRD folder counts as missing', () => {
    const dir = tmpdir();
    expect(hasCrdFiles(dir)).toBe(false);
    fs.writeFileSync(path.join(dir, 'x.yaml'), '');
    expect(hasCrdFiles(dir)).toBe(true);
    expect(hasCrdFiles(path.join(dir, 'absent'))).toBe(false);
  });
});

describe('jest environment', () => {
  // handleTestEvent only touches `global` and its own fields, so it runs on a stand-in.
  function env(): any {
    const e = Object.create(PrerequisiteAwareEnvironment.prototype);
    Object.assign(e, { global: {}, fileNeeds: new Set(), inTest: false });
    return e;
  }
  const testObj = (): any => ({ status: undefined, errors: [new Error('Received function did not throw')] });

  test('a test that needed a missing prerequisite is reported as skipped, its errors dropped, and logged once', () => {
    const log = path.join(tmpdir(), 'skipped.log');
    fs.writeFileSync(log, '');
    process.env.CDK8S_ML_SKIP_LOG = log;
    const e = env();
    const t = testObj();
    e.handleTestEvent({ name: 'test_start', test: t });
    e.global[NEEDS_GLOBAL] = new Set(['crds']);
    t.status = 'done';
    e.handleTestEvent({ name: 'test_done', test: t });
    expect(t.status).toBe('skip');
    expect(t.errors).toEqual([]);
    // The next test needed nothing: untouched.
    const next = testObj();
    e.handleTestEvent({ name: 'test_start', test: next });
    next.status = 'done';
    e.handleTestEvent({ name: 'test_done', test: next });
    expect(next.status).toBe('done');
    expect(next.errors).toHaveLength(1);
    expect(fs.readFileSync(log, 'utf8')).toBe('crds\n');
  });

  test('needs declared outside a test (describe body, beforeAll) apply to every later test of the file', () => {
    delete process.env.CDK8S_ML_SKIP_LOG;
    const e = env();
    e.global[NEEDS_GLOBAL] = new Set(['promtool']);
    for (let i = 0; i < 2; i++) {
      const t = testObj();
      e.handleTestEvent({ name: 'test_start', test: t });
      t.status = 'done';
      e.handleTestEvent({ name: 'test_done', test: t });
      expect(t.status).toBe('skip');
    }
  });
});

describe('global teardown', () => {
  test('prints ONE line with the count per missing prerequisite and how to get it', () => {
    const dir = tmpdir();
    const log = path.join(dir, 'skipped.log');
    fs.writeFileSync(log, 'crds\ncrds,promtool\ncrds\n');
    const empty = tmpdir();
    process.env.CDK8S_ML_SKIP_LOG = log;
    process.env.CDK8S_ML_CRDS_DIR = empty;
    process.env.PROMTOOL = path.join(empty, 'no-promtool');
    const out = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    globalTeardown();
    expect(out).toHaveBeenCalledTimes(1);
    const line = String(out.mock.calls[0][0]).trim();
    expect(line.split('\n')).toHaveLength(1);
    expect(line).toBe(`[cdk8s-ml] 3 test(s) skipped, official CRDs not found: set CDK8S_ML_CRDS_DIR, check out ../shared/crds, or run 'npx projen crds:fetch' (needs internet) (looked in ${empty}); `
      + "1 test(s) skipped, promtool not found: run 'npx projen tools:promtool' (or set PROMTOOL)");
    expect(fs.existsSync(dir)).toBe(false); // the log is cleaned up
  });

  test('silent when everything is there', () => {
    const crds = tmpdir();
    fs.writeFileSync(path.join(crds, 'x.yaml'), '');
    process.env.CDK8S_ML_CRDS_DIR = crds;
    process.env.PROMTOOL = path.join(crds, 'x.yaml'); // exists
    delete process.env.CDK8S_ML_SKIP_LOG;
    const out = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    globalTeardown();
    expect(out).not.toHaveBeenCalled();
  });
});
