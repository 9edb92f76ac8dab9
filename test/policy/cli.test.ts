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
    expect(err).toContain(`${path.join(dir, 'bad.yaml')}: `);
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

describe('reading YAML as kubectl does', () => {
  test('YAML 1.1 booleans (hostNetwork: yes) are booleans', () => {
    const dir = fs.mkdtempSync('/tmp/cdk8s-ml-cli-');
    fs.writeFileSync(path.join(dir, 'pod.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata: { name: p }\nspec:\n  hostNetwork: yes\n  containers: [{ name: c, image: "busybox:1.36" }]\n---\n# empty document\n');
    const { code, out } = run('check', dir, '--packs', 'security', '--json');
    expect(code).toBe(1);
    expect(JSON.parse(out).findings.find((f: any) => f.ruleId === 'SEC-003').message).toBe('hostNetwork is true');
  });
});

describe('cdk8s-ml report and diagram', () => {
  test('report in Markdown, JSON and CSV, with a price table file', () => {
    const prices = path.join(fs.mkdtempSync('/tmp/cdk8s-ml-cli-'), 'prices.json');
    fs.writeFileSync(prices, JSON.stringify({ CPU: '0.05', RAM: '0.01', GPU: '2', description: 'ours' }));
    const md = run('report', CLEAN, '--prices', prices);
    expect(md.code).toBe(0);
    expect(md.out).toContain(`Prices: **prices from ${prices}**`);
    expect(md.out).toContain('| search | Deployment ranker | 1–1 (replicas) | 0.5 CPU, 1 GiB | 0.5 CPU, 1 GiB | 1 CPU, 1 GiB | - | on-demand | 0.04 USD–0.04 USD |');
    const json = JSON.parse(run('report', CLEAN, '--format', 'json').out);
    expect(json.workloads[0]).toMatchObject({ kind: 'Deployment', name: 'ranker', pods: { min: 1, max: 1 } });
    expect(run('report', CLEAN, '--format', 'csv').out.split('\n')[1]).toMatch(/^search,Deployment,ranker,,,1,1,0\.5,0\.5,1,1,0,0,/);
    expect(run('report', CLEAN, '--format', 'pdf')).toMatchObject({ code: 1, err: 'cdk8s-ml: report --format must be markdown, json or csv (is pdf)\n' });
  });

  test('diagram in Mermaid and DOT', () => {
    expect(run('diagram', CLEAN).out).toMatch(/^flowchart LR\n {2}subgraph g0\["namespace search"\]/);
    const dot = run('diagram', CLEAN, '--format', 'dot').out;
    expect(dot).toContain('n1 -> n0 [label="selects"];');
  });
});

describe('folders with more than manifests', () => {
  test('non-Kubernetes documents are skipped with a note, unrendered Helm templates are errors with a hint', () => {
    const dir = fs.mkdtempSync('/tmp/cdk8s-ml-cli-');
    fs.copyFileSync(path.join(CLEAN, 'server.yaml'), path.join(dir, 'server.yaml'));
    fs.writeFileSync(path.join(dir, 'values.yaml'), 'replicaCount: 2\nimage: { tag: "1.0" }\n');
    const ok = run('check', dir);
    expect(ok.code).toBe(0);
    expect(ok.err).toBe(`cdk8s-ml: ${path.join(dir, 'values.yaml')}: document 1 is not a Kubernetes object (no apiVersion/kind), skipped\n`);
    fs.writeFileSync(path.join(dir, 'deployment.yaml'), 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n  labels: {{- include "x" . | nindent 4 }}\n');
    const bad = run('check', dir);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('(an unrendered Helm template? check the output of `helm template`)');
  });

  test('GKE-style GPU tolerations (nvidia.com/gpu=present) satisfy ML-001', () => {
    const dir = fs.mkdtempSync('/tmp/cdk8s-ml-cli-');
    const pod = 'apiVersion: v1\nkind: Pod\nmetadata: { name: p, namespace: ml }\nspec:\n'
      + '  tolerations: [{ key: nvidia.com/gpu, operator: Equal, value: present, effect: NoSchedule }]\n'
      + '  containers: [{ name: c, image: "x:1", resources: { limits: { nvidia.com/gpu: 1 } } }]\n';
    fs.writeFileSync(path.join(dir, 'pod.yaml'), pod);
    const findings = JSON.parse(run('check', dir, '--packs', 'ml', '--json').out).findings;
    expect(findings.filter((f: any) => f.ruleId === 'ML-001')).toEqual([]);
  });
});
