import { ApiObject, App, Chart, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { MlModelServing, Policy, PolicyChecks, PolicyPack, PolicySeverity, PolicyTesting } from '../../src';
import { synthAndValidate } from '../util';

/**
 * A model server of this library whose Deployment breaks REL-006: its own startup probe
 * (900s) outlasts the progress deadline derived from the default startup budget (720s).
 */
function server(chart: Chart, id = 'bert') {
  return new MlModelServing(chart, id, {
    image: 'registry.example.com/bert-server:1.4.2',
    startup: kplus.Probe.fromHttpGet('/health', { port: 8080, periodSeconds: Duration.seconds(10), failureThreshold: 90 }),
  });
}

/** A raw object made without the library: a hostNetwork pod. */
function hostPod(chart: Chart) {
  return new ApiObject(chart, 'debug', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'debug' },
    spec: { hostNetwork: true, containers: [{ name: 'sh', image: 'busybox:1.36' }] },
  });
}

describe('Policy.of(construct).suppress', () => {
  test('waives the rule for every object below the construct and names the construct path', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'prod', { namespace: 'ml' });
    const bert = server(chart);
    const before = PolicyTesting.report(chart).active.filter((f) => f.ruleId === 'REL-006');
    expect(before.map((f) => [f.kind, f.namespace, f.name, f.constructPath])).toEqual([['Deployment', 'ml', 'bert', 'prod/bert/Deployment/Resource']]);

    Policy.of(bert).suppress('REL-006', 'model loads in 90s on warm nodes; probe budget is an upper bound');
    const after = PolicyTesting.report(chart).findings.filter((f) => f.ruleId === 'REL-006');
    expect(after.map((f) => [f.suppressed, f.suppressionReason])).toEqual([[true, 'model loads in 90s on warm nodes; probe budget is an upper bound']]);
  });

  test('writes the suppression onto the synthesized objects, so YAML checks honour it', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'prod', { namespace: 'ml' });
    const bert = server(chart);
    Policy.of(bert).suppress('REL-006', 'model loads in 90s on warm nodes; probe budget is an upper bound');
    const manifests = synthAndValidate(chart);
    const deployment = manifests.find((m: any) => m.kind === 'Deployment');
    expect(JSON.parse(deployment.metadata.annotations['cdk8s-ml.io/suppress']))
      .toEqual([{ id: 'REL-006', reason: 'model loads in 90s on warm nodes; probe budget is an upper bound' }]);
  });

  test('refuses a suppression without a reason, naming the construct', () => {
    const chart = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
    const bert = server(chart);
    expect(() => Policy.of(bert).suppress('REL-006', ''))
      .toThrow("MlModelServing 'prod/bert': Policy.suppress('REL-006') needs a written reason (at least 10 characters) saying why the rule does not apply");
    expect(() => Policy.of(bert).suppress('REL-006', 'because'))
      .toThrow("MlModelServing 'prod/bert': Policy.suppress('REL-006') needs a written reason (at least 10 characters) saying why the rule does not apply");
  });

  test('refuses to suppress an unsuppressible rule', () => {
    const chart = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
    expect(() => Policy.of(hostPod(chart)).suppress('SEC-003', 'debug pod for the network team'))
      .toThrow("ApiObject 'prod/debug': Policy.suppress('SEC-003') cannot be suppressed: no-host-access has no acceptable exceptions");
  });
});

describe('PolicyChecks at synth', () => {
  test('synth fails with the readable report, naming kind, namespace, name and construct path', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'prod', { namespace: 'ml' });
    hostPod(chart);
    PolicyChecks.of(app, { printWarnings: false }).addPack(PolicyPack.security());
    expect(() => app.synth()).toThrow(/policy checks failed\ncdk8s-ml policy: FAILED \(1 objects\): 6 errors, 1 warnings/);
    expect(() => app.synth()).toThrow('- Pod ml/debug [prod/debug]: hostNetwork is true (at spec.hostNetwork)');
  });

  test('passes when findings are fixed or suppressed with a reason', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'prod', { namespace: 'ml' });
    const bert = server(chart);
    PolicyChecks.of(app, { printWarnings: false }).addPack(PolicyPack.reliability()).addPack(PolicyPack.ml());
    expect(() => app.synth()).toThrow(/REL-006 progress-deadline-covers-startup/);
    Policy.of(bert).suppress('REL-006', 'model loads in 90s on warm nodes; probe budget is an upper bound');
    expect(() => app.synth()).not.toThrow();
  });

  test('app-wide suppressions need a reason', () => {
    const app = Testing.app();
    expect(() => PolicyChecks.of(app).suppress('REL-004', 'single'))
      .toThrow("App '': Policy.suppress('REL-004') needs a written reason (at least 10 characters) saying why the rule does not apply");
  });

  test('options are given once, on the first call', () => {
    const app = Testing.app();
    PolicyChecks.of(app, { printWarnings: false });
    expect(PolicyChecks.of(app)).toBe(PolicyChecks.of(app));
    expect(() => PolicyChecks.of(app, { failOn: PolicySeverity.WARNING }))
      .toThrow("PolicyChecks.of: '' already has policy checks; give options on the first call only");
  });

  test('refuses scopes that are neither App nor Chart', () => {
    const chart = new Chart(Testing.app(), 'prod');
    expect(() => PolicyChecks.of(server(chart))).toThrow("PolicyChecks.of: 'prod/bert' must be an App or a Chart");
  });
});

describe('PolicyTesting.expectChartToPass', () => {
  test('throws the report for a failing chart and returns it for a passing one', () => {
    const chart = new Chart(new App({ outdir: '/tmp/cdk8s-ml-policy-testing' }), 'prod', { namespace: 'ml' });
    const bert = server(chart);
    expect(() => PolicyTesting.expectChartToPass(chart)).toThrow(/chart 'prod' does not pass its policies\ncdk8s-ml policy: FAILED/);
    Policy.of(bert).suppress('REL-006', 'model loads in 90s on warm nodes; probe budget is an upper bound');
    const report = PolicyTesting.expectChartToPass(chart);
    expect(report.passed).toBe(true);
  });

  test('checks the restricted profile even when the packs leave security out', () => {
    const chart = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
    hostPod(chart);
    expect(() => PolicyTesting.expectChartToPass(chart, { packs: [PolicyPack.cost()] })).toThrow(/ERROR SEC-001 pod-security-restricted \(5\)/);
    expect(() => PolicyTesting.expectChartToPass(chart, { packs: [PolicyPack.cost()], restricted: false })).not.toThrow();
  });

  test('includes schema validation where kubernetes-models is installed', () => {
    const chart = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
    new ApiObject(chart, 'svc', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc' }, spec: { ports: [{ port: 'eighty' }] } });
    expect(() => PolicyTesting.expectChartToPass(chart)).toThrow(/schema validation failed:\n {2}Service\/svc: /);
    expect(() => PolicyTesting.expectChartToPass(chart, { schemas: false })).not.toThrow();
  });
});
