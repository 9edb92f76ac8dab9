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

describe('import cost of the compiled, bundled lib/', () => {
  // `compile` bundles lib/ (scripts/bundle-lib.js); `npx projen build` compiles before the
  // tests (CI never skips). Fresh processes on lib/, which start in well under a second.
  const lib = path.join(ROOT, 'lib', 'index.js');
  const compiled = fs.existsSync(lib) && fs.statSync(lib).mtimeMs >= fs.statSync(path.join(ROOT, 'src', 'index.ts')).mtimeMs
    && fs.readFileSync(lib, 'utf-8').startsWith('// lib/ bundled by scripts/bundle-lib.js');
  const libTest = compiled || process.env.CI ? test : test.skip;

  /** How many loaded module files' paths contain each of `parts`, after `script` in a fresh process. */
  function loadedAfter(script: string, parts: string[]): number[] {
    const program = `const ml = require(${JSON.stringify(lib)}); ${script};
      console.log(JSON.stringify(${JSON.stringify(parts)}.map(p => Object.keys(require.cache).filter(k => k.includes(p)).length)));`;
    return JSON.parse(execFileSync(process.execPath, ['-e', program], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n').pop()!);
  }
  const sep = path.sep;

  libTest('requiring it loads one file and runs no module until an export is read', () => {
    expect(loadedAfter('', [`${sep}node_modules${sep}`, `${sep}lib${sep}`])).toEqual([0, 1]);
    // Reading an export runs its area, which requires the peers it uses.
    expect(loadedAfter('ml.MlModelServing', [`${sep}cdk8s-plus-27${sep}`])[0]).toBeGreaterThan(0);
  });

  libTest('a model server with the default metric names loads neither RE2 nor js-yaml; a custom error-code regex loads RE2', () => {
    const server = (metrics: string) => `
      const { App, Chart } = require('cdk8s');
      const chart = new Chart(new App(), 'c', { namespace: 'ml' });
      new ml.MlModelServing(chart, 'bert', { image: 'bert:v1', metrics: ${metrics} });
      chart.toJson()`;
    const vendored = [`${sep}vendor${sep}re2.js`, `${sep}vendor${sep}js-yaml.js`];
    expect(loadedAfter(server('{ port: 9090 }'), vendored)).toEqual([0, 0]);
    expect(loadedAfter(server("{ port: 9090, names: { errorCodeRegex: '5..|429' } }"), vendored)).toEqual([1, 0]);
  });

  libTest('the bundled RE2 and PromQL grammar refuse what they must', () => {
    const refusal = (code: string) => execFileSync(process.execPath, ['-e', `
      const { App, Chart } = require('cdk8s');
      const ml = require(${JSON.stringify(lib)});
      const chart = new Chart(new App(), 'c', { namespace: 'ml' });
      try { ${code}; console.log('accepted'); } catch (e) { console.log(e.message); }`], { cwd: ROOT, encoding: 'utf8' }).trim();
    expect(refusal("new ml.MlModelServing(chart, 'bert', { image: 'bert:v1', metrics: { port: 9090, names: { errorCodeRegex: '5(?=0)' } } })"))
      .toMatch(/errorCodeRegex \('5\(\?=0\)'\) is not an RE2 regular expression/);
    expect(refusal("new ml.GrafanaDashboard(chart, 'd', { title: 'T' }).addPanel(ml.DashboardPanel.stat({ title: 'p', queries: [{ expr: 'sum(rate(x[5m])' }] }))"))
      .toMatch(/is not valid PromQL: syntax error at character/);
  });

  libTest('the bundled Grafana SDK builds v1 dashboards; its v2 builders are left out', () => {
    const sdk = path.join(ROOT, 'lib', 'vendor', 'grafana-foundation-sdk.js');
    const out = execFileSync(process.execPath, ['-e', `
      const { dashboard, timeseries, stat } = require(${JSON.stringify(sdk)});
      const panel = new timeseries.PanelBuilder().title('p').build();
      const board = new dashboard.DashboardBuilder('d').build();
      console.log(JSON.stringify([panel.type, board.title, typeof timeseries.VisualizationBuilder, typeof stat.VisualizationBuilder]));`], { cwd: ROOT, encoding: 'utf8' });
    expect(JSON.parse(out.trim())).toEqual(['timeseries', 'd', 'undefined', 'undefined']);
  });
});
