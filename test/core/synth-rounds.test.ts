import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, Testing, Yaml } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { MlModelServing, MlNamespace, Policy, PolicyChecks, PolicyPack } from '../../src';
import { oncePerSynth } from '../../src/core/synth-rounds';

const outdir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'synth-rounds-'));

describe('App-wide checks run once per app.synth(), however many charts', () => {
  test('cdk8s validates the App once per chart plus once; the check runs on the second round only', () => {
    const app = new App({ outdir: outdir() });
    const charts = ['a', 'b', 'c'].map(id => new Chart(app, id));
    let plain = 0;
    let once = 0;
    app.node.addValidation({ validate: () => { plain++; return []; } });
    app.node.addValidation({ validate: oncePerSynth(app, () => { once++; return []; }) });
    app.synth();
    expect(plain).toBe(charts.length + 1);
    expect(once).toBe(1);
    app.synthYaml();
    expect(plain).toBe(2 * (charts.length + 1));
    expect(once).toBe(2);
    // Outside synth(), each chart's own rendering is a round of its own.
    Testing.synth(charts[0]);
    Testing.synth(charts[1]);
    expect(once).toBe(4);
  });

  test('a duplicate added after one synth is refused by the next', () => {
    const app = new App({ outdir: outdir() });
    const chart = new Chart(app, 'prod', { namespace: 'ml' });
    new MlModelServing(chart, 'bert', { image: 'ml-model:v1' });
    app.synth();
    new kplus.k8s.KubeService(chart, 'mine', { metadata: { name: 'bert' }, spec: { ports: [{ port: 80 }] } });
    expect(() => app.synth()).toThrow("Service 'ml/bert' (core) is emitted twice: by 'prod/bert/Service' and by 'prod/mine'");
    // ...and again (a failed synth leaves no state behind).
    expect(() => app.synth()).toThrow('is emitted twice');
  });

  test('policy checks run once per synth and still fail it', () => {
    const app = new App({ outdir: outdir() });
    const charts = ['a', 'b'].map(id => new Chart(app, id, { namespace: 'ml' }));
    new MlModelServing(charts[0], 'bert', { image: 'registry.example.com/bert:1.0' });
    const checks = PolicyChecks.of(app, { printWarnings: false, packs: [PolicyPack.security()] });
    app.synth();
    new ApiObject(charts[1], 'debug', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'debug' }, spec: { hostNetwork: true, containers: [{ name: 'sh', image: 'busybox:1.36' }] } });
    const spy = jest.spyOn(checks, 'check');
    expect(() => app.synth()).toThrow('policy checks failed');
    expect(spy).toHaveBeenCalledTimes(1);
    expect(() => Testing.synth(charts[0])).toThrow('policy checks failed');
    expect(spy).toHaveBeenCalledTimes(2);
  });
});

/** One App: two charts, a namespace that places its objects, a suppression stamped at synth. */
function platform(dir: string): App {
  const app = new App({ outdir: dir });
  const a = new Chart(app, 'a');
  const b = new Chart(app, 'b', { namespace: 'ml' });
  const team = new MlNamespace(a, 'team');
  const bert = new MlModelServing(team, 'bert', { image: 'registry.example.com/bert:1.0' });
  Policy.of(bert).suppress('REL-006', 'model loads in 90s on warm nodes; probe budget is an upper bound');
  new MlModelServing(b, 'gpt', { image: 'registry.example.com/gpt:1.0' });
  return app;
}

describe('inside app.synth() the output is what the App-wide check rendered', () => {
  test('the files app.synth() writes equal each chart rendered afresh (placement and stamps included)', () => {
    const dir = outdir();
    const app = platform(dir);
    app.synth();
    const fresh = platform(outdir());
    for (const chart of fresh.charts) {
      const written = fs.readFileSync(path.join(dir, `${chart.node.id}.k8s.yaml`), 'utf-8');
      expect(written).toEqual(Yaml.stringify(...chart.toJson()));
    }
    expect(fs.readFileSync(path.join(dir, 'a.k8s.yaml'), 'utf-8')).toContain('namespace: team');
    expect(fs.readFileSync(path.join(dir, 'a.k8s.yaml'), 'utf-8')).toContain('REL-006');
  });

  test('each object renders once per synth; a change between two synths reaches the second', () => {
    const dir = outdir();
    const app = platform(dir);
    const deployment = app.node.findAll().find((c): c is ApiObject => c instanceof ApiObject && c.kind === 'Deployment')!;
    const render = deployment.toJson;
    let renders = 0;
    deployment.toJson = function (this: ApiObject) { renders++; return render.call(this); };
    app.synth();
    expect(renders).toBe(1);
    deployment.metadata.addLabel('team', 'nlp');
    app.synth();
    expect(renders).toBe(2);
    expect(fs.readFileSync(path.join(dir, 'a.k8s.yaml'), 'utf-8')).toContain('team: nlp');
    // Outside synth() every rendering is fresh.
    deployment.toJson();
    deployment.toJson();
    expect(renders).toBe(4);
  });

  test('should cdk8s validate only once per synth, the check runs after it and fails it', () => {
    const app = new App({ outdir: outdir() });
    const chart = new Chart(app, 'prod', { namespace: 'ml' });
    new MlModelServing(chart, 'bert', { image: 'ml-model:v1' });
    new kplus.k8s.KubeService(chart, 'mine', { metadata: { name: 'bert' }, spec: { ports: [{ port: 80 }] } });
    // A chart rendered without validating the App again.
    const spy = jest.spyOn(App as any, '_synthChart').mockImplementation((c: any) =>
      c.node.findAll().filter((o: unknown): o is ApiObject => o instanceof ApiObject).map((o: ApiObject) => o.toJson()));
    try {
      expect(() => app.synth()).toThrow("Service 'ml/bert' (core) is emitted twice: by 'prod/bert/Service' and by 'prod/mine'");
    } finally {
      spy.mockRestore();
    }
  });
});
