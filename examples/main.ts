// One cdk8s app made of every example in this folder: each `<name>.ts` exports
// `build(app)`, which adds that example's charts. Discovered by file name, so a new
// example needs no edit here. test/examples.test.ts builds and validates the same set.
import * as fs from 'fs';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { TargetCluster } from 'cdk8s-ml';

/** The example modules next to this file. */
export function exampleModules(): string[] {
  return fs.readdirSync(__dirname)
    .filter(f => f.endsWith('.ts') && !f.endsWith('.d.ts') && f !== 'main.ts')
    .sort()
    .map(f => path.join(__dirname, f));
}

/** Adds every example's charts to `app`. */
export function buildAll(app: App): void {
  for (const file of exampleModules()) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(file);
    if (typeof mod.build !== 'function') {
      throw new Error(`${path.basename(file)} must export build(app: App)`);
    }
    const before = new Set<Chart>(app.charts);
    mod.build(app);
    // Each example is a deployment of its own, shown side by side: its charts go to
    // their own cluster, so examples may reuse names (two examples of one App would
    // otherwise collide on every shared kind/namespace/name).
    for (const chart of app.charts.filter(c => !before.has(c) && TargetCluster.of(c) === 'default')) TargetCluster.mark(chart, path.basename(file, '.ts'));
  }
}

if (require.main === module) {
  const app = new App();
  buildAll(app);
  app.synth();
}
