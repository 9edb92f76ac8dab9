// Loading the library must not load the PromQL builder or the Grafana Foundation SDK
// (most of its load time): they are required when an alert, a KEDA query or a
// dashboard is built. Checked in a fresh Node process, since jest has its own loader.
import { execFileSync } from 'child_process';
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
