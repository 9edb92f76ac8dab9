import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { MlModelServing, PolicyChecks, PolicyPack } from '../../src';
import { oncePerSynth } from '../../src/core/synth-rounds';

const outdir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'synth-rounds-'));

describe('App-wide checks run once per app.synth(), however many charts', () => {
  test('cdk8s validates the App once per chart plus once; the check runs on the first round only', () => {
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
