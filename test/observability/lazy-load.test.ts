// Loading the library must not load the PromQL builder or the Grafana Foundation SDK
// (most of its load time): they are required when an alert, a KEDA query or a
// dashboard is built. Checked in a fresh Node process, since jest has its own loader.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');

/** The @grafana modules a fresh process has loaded after running `script` (CommonJS, src/ via ts-node). */
function grafanaModulesAfter(script: string): number {
  const program = `${script};
    console.log(Object.keys(require.cache).filter(k => k.includes('${path.sep}@grafana${path.sep}')).length);`;
  const out = execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', program], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.json') },
  });
  return Number(out.trim().split('\n').pop());
}

describe('import cost', () => {
  test('requiring the library loads neither @grafana/promql-builder nor @grafana/grafana-foundation-sdk', () => {
    expect(grafanaModulesAfter("require('./src')")).toBe(0);
  }, 60_000);

  test('building a dashboard and alerts loads them (the lazy proxies resolve)', () => {
    const built = grafanaModulesAfter(`
      const { App, Chart } = require('cdk8s');
      const ml = require('./src');
      const chart = new Chart(new App(), 'c', { namespace: 'ml' });
      const serving = new ml.MlModelServing(chart, 'bert', { image: 'bert:v1' });
      new ml.ModelServerAlerts(chart, 'alerts', { serving });
      new ml.MlDashboards(chart, 'dashboards');
      chart.toJson()`);
    expect(built).toBeGreaterThan(0);
  }, 60_000);
});

describe('import cost of the other bundled modules', () => {
  /** How many loaded module files' paths contain each of `parts`, after `script` in a fresh process. */
  function loadedAfter(script: string, parts: string[], viaTsNode = true): number[] {
    const program = `${script};
      console.log(JSON.stringify(${JSON.stringify(parts)}.map(p => Object.keys(require.cache).filter(k => k.includes(p)).length)));`;
    const args = viaTsNode ? ['-r', 'ts-node/register/transpile-only', '-e', program] : ['-e', program];
    const out = execFileSync(process.execPath, args, {
      cwd: ROOT, encoding: 'utf8', env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.json') },
    });
    return JSON.parse(out.trim().split('\n').pop()!);
  }
  const re2 = `${path.sep}@bufbuild${path.sep}re2${path.sep}`;

  test('requiring the library loads neither js-yaml nor RE2 (the CLI and regex props load them)', () => {
    expect(loadedAfter("require('./src')", [`${path.sep}js-yaml${path.sep}`, re2])).toEqual([0, 0]);
  }, 60_000);

  test('a model server with the default metric names does not load RE2; a custom error-code regex does', () => {
    const server = (metrics: string) => `
      const { App, Chart } = require('cdk8s');
      const ml = require('./src');
      const chart = new Chart(new App(), 'c', { namespace: 'ml' });
      new ml.MlModelServing(chart, 'bert', { image: 'bert:v1', metrics: ${metrics} });
      chart.toJson()`;
    expect(loadedAfter(server('{ port: 9090 }'), [re2])).toEqual([0]);
    expect(loadedAfter(server("{ port: 9090, names: { errorCodeRegex: '5..|429' } }"), [re2])[0]).toBeGreaterThan(0);
  }, 60_000);

  // `compile` bundles lib/ (scripts/bundle-lib.js); `npx projen build` compiles before the tests.
  const lib = path.join(ROOT, 'lib', 'index.js');
  const compiled = fs.existsSync(lib) && fs.statSync(lib).mtimeMs >= fs.statSync(path.join(ROOT, 'src', 'index.ts')).mtimeMs
    && fs.readFileSync(lib, 'utf-8').startsWith('// lib/ bundled by scripts/bundle-lib.js');
  (compiled || process.env.CI ? test : test.skip)('the compiled lib/index.js is one file that runs no module until an export is read', () => {
    expect(loadedAfter(`require(${JSON.stringify(lib)})`, [`${path.sep}node_modules${path.sep}`, `${path.sep}lib${path.sep}`], false)).toEqual([0, 1]);
    // Reading an export runs its area, which requires the peers it uses.
    expect(loadedAfter(`require(${JSON.stringify(lib)}).MlModelServing`, [`${path.sep}cdk8s-plus-27${path.sep}`], false)[0]).toBeGreaterThan(0);
  }, 60_000);
});
