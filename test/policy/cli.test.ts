import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { main } from '../../src/policy/cli';

const HELM = path.join(__dirname, 'manifests/helm-output');
const CLEAN = path.join(__dirname, 'manifests/clean');

function run(...argv: string[]) {
  let out = '';
  let err = '';
  const code = main(argv, { out: (t) => { out += t; }, err: (t) => { err += t; } });
  return { code, out, err };
}

describe('cdk8s-ml check', () => {
  test('judges Helm output not made by the library: exit 1 and a readable report', () => {
    const { code, out } = run('check', HELM);
    expect(code).toBe(1);
    expect(out).toMatch(/^cdk8s-ml policy: FAILED \(4 objects\)/);
    expect(out).toContain(`ERROR SEC-005 no-literal-secrets (1)\n  - Deployment vllm (${path.join(HELM, 'vllm.yaml')}): container "vllm" sets HUGGING_FACE_HUB_TOKEN to a literal value (at spec.template.spec.containers[0].env[0])`);
    for (const id of ['SEC-001', 'SEC-006', 'REL-001', 'REL-002', 'REL-005', 'ML-001', 'ML-002', 'ML-003']) expect(out).toContain(`${id} `);
  });

  test('--json gives every finding with its file, and exit 0 for a folder that passes', () => {
    const failing = run('check', HELM, '--json');
    const report = JSON.parse(failing.out);
    expect(report.passed).toBe(false);
    expect(report.findings.find((f: any) => f.ruleId === 'SEC-006')).toMatchObject({ kind: 'Secret', name: 'vllm-hf', source: path.join(HELM, 'vllm.yaml'), suppressed: false });

    const passing = run('check', CLEAN, '--json');
    expect(passing.code).toBe(0);
    expect(JSON.parse(passing.out)).toMatchObject({ passed: true, objects: 2, summary: { error: 0 } });
  });

  test('--packs and --fail-on select rules and the threshold', () => {
    const onlyCost = run('check', HELM, '--packs', 'cost');
    expect(onlyCost.code).toBe(0);
    const warnings = run('check', CLEAN, '--fail-on', 'warning');
    expect(warnings.code).toBe(0);
    expect(run('check', HELM, '--packs', 'nope')).toMatchObject({ code: 1, err: "cdk8s-ml: unknown policy pack 'nope': use security, security+digest, reliability, ml or cost\n" });
  });

  test('unreadable input fails with the file named', () => {
    const dir = fs.mkdtempSync('/tmp/cdk8s-ml-cli-');
    fs.writeFileSync(path.join(dir, 'bad.yaml'), 'kind: [unclosed\n');
    const { code, err } = run('check', dir);
    expect(code).toBe(1);
    expect(err).toContain(`${path.join(dir, 'bad.yaml')}: document 1:`);
    expect(run('check', '/nonexistent')).toMatchObject({ code: 1, err: 'cdk8s-ml: /nonexistent does not exist\n' });
    expect(run('frobnicate', dir).err).toContain("cdk8s-ml: unknown command 'frobnicate'");
  });

  test('rules lists every rule', () => {
    const { code, out } = run('rules');
    expect(code).toBe(0);
    expect(out).toContain('SEC-003\terror\tno-host-access (unsuppressible)');
  });
});

describe('the bin from the compiled lib/', () => {
  const lib = path.join(__dirname, '../../lib/policy/cli.js');
  const bin = path.join(__dirname, '../../bin/cdk8s-ml');

  // `npx projen build` compiles lib/ before the tests; CI must never skip this.
  const compiled = fs.existsSync(lib) && fs.statSync(lib).mtimeMs >= fs.statSync(path.join(__dirname, '../../src/policy/cli.ts')).mtimeMs;
  (compiled || process.env.CI ? test : test.skip)('runs `cdk8s-ml check` with exit codes 1 and 0', () => {
    const failing = spawnSync(process.execPath, [bin, 'check', HELM], { encoding: 'utf-8' });
    expect(failing.status).toBe(1);
    expect(failing.stdout).toMatch(/^cdk8s-ml policy: FAILED/);
    expect(execFileSync(process.execPath, [bin, 'check', CLEAN], { encoding: 'utf-8' })).toMatch(/^cdk8s-ml policy: PASSED/);
  });
});
