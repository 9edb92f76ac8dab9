import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Yaml } from 'cdk8s';
import { ValidationContext } from 'cdk8s-cli/plugins';
import { build } from '../../examples/policy-checked';
import { PolicyValidation } from '../../src';
import { synthAndValidate } from '../util';
import { deployment } from './fixtures';

function contextFor(objects: any[], metadata: { [name: string]: { path: string } } = {}): { context: ValidationContext; file: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-ml-plugin-'));
  const file = path.join(dir, 'chart.k8s.yaml');
  Yaml.save(file, objects);
  return { context: new ValidationContext([file], 'cdk8s-ml', '0.0.0', metadata, false), file };
}

describe('PolicyValidation through cdk8s-cli\'s own ValidationContext', () => {
  test('reports each broken rule with its resources, the construct path from the metadata, and fails', async () => {
    const { context, file } = contextFor([deployment('bert')], { bert: { path: 'prod/bert/Deployment/Resource' } });
    await new PolicyValidation({ packs: ['reliability'] }).validate(context);
    expect(context.report.success).toBe(false);
    const json = context.report.toJson();
    expect(json.summary.metadata).toMatchObject({ 'Fail on': 'error', 'Errors': '1' });
    const v = json.violations.find((x) => x.ruleName === '[ERROR] REL-002 disruption-budget')!;
    expect(v.violatingConstructs).toEqual([{
      resourceName: 'bert',
      constructPath: 'prod/bert/Deployment/Resource',
      manifestPath: file,
      locations: ['Deployment ml/bert spec.template.spec: runs up to 2 pods (replicas) and no PodDisruptionBudget selects them'],
    }]);
  });

  test('an ambiguous name is qualified by kind and namespace instead of borrowing a path', async () => {
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'bert', namespace: 'ml' }, spec: { selector: { app: 'bert' }, ports: [{ port: 80 }] } };
    const { context } = contextFor([deployment('bert'), svc], { bert: { path: 'prod/bert/Service/Resource' } });
    await new PolicyValidation({ packs: ['reliability'] }).validate(context);
    const v = context.report.toJson().violations[0];
    expect(v.violatingConstructs[0]).toMatchObject({ resourceName: 'Deployment/ml/bert', constructPath: undefined });
  });

  test('passes with warnings only, and refuses bad properties at load', async () => {
    const { context } = contextFor([deployment('bert', {}, { ...deployment().spec.template.spec, topologySpreadConstraints: undefined })]);
    await new PolicyValidation({ packs: ['reliability'], suppressions: [{ ruleId: 'REL-002', reason: 'dev cluster, drains are fine' }] }).validate(context);
    expect(context.report.success).toBe(true);
    expect(context.report.toJson().violations.map((v) => v.ruleName)).toEqual(['[WARNING] REL-004 zone-spread']);
    expect(() => new PolicyValidation({ packs: ['securty'] })).toThrow("unknown policy pack 'securty'");
    expect(() => new PolicyValidation({ failOn: 'fatal' })).toThrow("PolicyValidation: failOn must be error, warning or info (is 'fatal')");
  });
});

describe('examples/policy-checked', () => {
  test('synthesizes valid objects with the waiver annotated, and passes its in-code checks', () => {
    const app = new App({ outdir: '/tmp/cdk8s-ml-policy-checked' });
    const chart = build(app);
    const manifests = synthAndValidate(chart);
    const reranker = manifests.find((m: any) => m.kind === 'Deployment' && m.metadata.name === 'reranker');
    expect(JSON.parse(reranker.metadata.annotations['cdk8s-ml.io/suppress'])).toEqual([
      { id: 'COST-001', reason: 'p99 latency SLO needs two warm GPU replicas at night; cold starts take 6 minutes' },
    ]);
    expect(() => app.synth()).not.toThrow();
  });

  const cwd = path.join(__dirname, '../../examples/policy-checked');
  const synth = (env: { [k: string]: string }, reportFile: string) => spawnSync('npx', ['cdk8s', 'synth', '--validation-reports-output-file', reportFile], {
    cwd, encoding: 'utf-8', env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false', ...env },
  });

  test('`cdk8s synth` with the plugin: exit 0 and a JSON report when the chart passes', () => {
    const reportFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-ml-pc-')), 'report.json');
    const r = synth({}, reportFile);
    expect(r.status).toBe(0);
    const report = JSON.parse(fs.readFileSync(reportFile, 'utf-8')).reports[0];
    expect(report.summary).toMatchObject({ status: 'success', metadata: { Errors: '0', Suppressed: '1' } });
  }, 120_000);

  test('`cdk8s synth` with the plugin: non-zero exit and the violation in the JSON report when a rule breaks', () => {
    const reportFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-ml-pc-')), 'report.json');
    const r = synth({ POLICY_EXAMPLE_BREAK: '1', POLICY_EXAMPLE_IN_CODE: '0' }, reportFile);
    expect(r.status).not.toBe(0);
    const report = JSON.parse(fs.readFileSync(reportFile, 'utf-8')).reports[0];
    expect(report.summary.status).toBe('failure');
    const hostAccess = report.violations.find((v: any) => v.ruleName === '[ERROR] SEC-003 no-host-access');
    expect(hostAccess.violatingConstructs).toEqual([expect.objectContaining({
      resourceName: 'debug', constructPath: 'policy-checked/debug', locations: ['Pod ml/debug spec.hostNetwork: hostNetwork is true'],
    })]);
  }, 120_000);
});
