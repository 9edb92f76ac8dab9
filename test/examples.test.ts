import { App } from 'cdk8s';
import { validateManifests, assertRestricted } from './util';
import { buildAll, exampleModules } from '../examples/main';

// Every example app under examples/ builds, and every object it emits validates
// against its schema and the restricted pod profile: what `cdk8s synth` writes to
// examples/dist is what users copy.
describe('examples', () => {
  const app = new App({ outdir: '/dev/null' });
  buildAll(app);

  test('there are examples, each with at least one chart', () => {
    expect(exampleModules().length).toBeGreaterThanOrEqual(1);
    expect(app.charts.length).toBeGreaterThanOrEqual(exampleModules().length);
  });

  test.each(app.charts.map(c => [c.node.id, c] as const))('%s synthesizes valid, restricted-compliant manifests', (_id, chart) => {
    const manifests = chart.toJson();
    expect(manifests.length).toBeGreaterThan(0);
    validateManifests(manifests);
    assertRestricted(manifests);
  });
});
