import * as fs from 'fs';
import * as path from 'path';
import { isCelList, run } from '@bufbuild/cel';
import { KUBERNETES_CEL_FUNCS } from './cel-kubernetes-lib';
import { celProblems, celRuleInventory, celStats, escapePropertyName } from './cel-rules';
import { CRD_PINS, sha256 } from './fetch-crds';
import { describeWithCrds } from './prerequisites';
import { CRDS_DIR, crdsAvailable, validationProblems } from './schema-validator';

// CEL (x-kubernetes-validations) as the API server runs it on create. Every rule
// class has a case that breaks it on a real CRD and one that passes.

const COMPILE_TIMEOUT = 30_000;

// Computed at collection so the figures are in the test's name (visible in every run's output).
const inventory = crdsAvailable() ? celRuleInventory(CRDS_DIR) : undefined;

describeWithCrds('CEL rule inventory of the official CRDs', () => {
  const inv = inventory!;
  const title = `${inv.total} rules in served CRD versions: ${inv.evaluated} evaluated, `
    + `${inv.transition} transition rules (not run on create, as in the API server), ${inv.skipped.length} skipped`;
  test(title, () => {
    expect(inv.total).toBe(inv.evaluated + inv.transition + inv.skipped.length);
    expect(inv.evaluated).toBeGreaterThan(600);
    // Every skipped rule would be listed here with its reason; today there are none.
    expect(inv.skipped.map((s) => `${s.file} ${s.version} ${s.path}: ${s.reason}: ${s.rule}`)).toEqual([]);
  });
});

function nodePool(): any {
  return {
    apiVersion: 'karpenter.sh/v1',
    kind: 'NodePool',
    metadata: { name: 'gpu' },
    spec: {
      template: {
        metadata: { labels: { 'cdk8s-ml/pool': 'gpu' } },
        spec: {
          nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' },
          requirements: [
            { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] },
            { key: 'karpenter.k8s.aws/instance-gpu-count', operator: 'Gt', values: ['0'] },
          ],
        },
      },
    },
  };
}

function ec2NodeClass(): any {
  return {
    apiVersion: 'karpenter.k8s.aws/v1',
    kind: 'EC2NodeClass',
    metadata: { name: 'default' },
    spec: {
      role: 'KarpenterNodeRole-ml',
      amiSelectorTerms: [{ alias: 'al2023@latest' }],
      subnetSelectorTerms: [{ tags: { 'karpenter.sh/discovery': 'ml' } }],
      securityGroupSelectorTerms: [{ tags: { 'karpenter.sh/discovery': 'ml' } }],
    },
  };
}

function httpRoute(): any {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'r', namespace: 'ml' },
    spec: {
      parentRefs: [{ name: 'gw', namespace: 'infra' }],
      rules: [{ backendRefs: [{ name: 'svc', port: 80 }], timeouts: { request: '30s', backendRequest: '10s' } }],
    },
  };
}

function celOnly(problems: string[]): string[] {
  return problems.filter((p) => p.includes('[cel: '));
}

describeWithCrds('CEL rules evaluated on custom resources', () => {
  test('Kubernetes regex library find(): NodePool label domain karpenter.sh is restricted', () => {
    expect(validationProblems([nodePool()])).toEqual([]);
    const bad = nodePool();
    bad.spec.template.metadata.labels['karpenter.sh/team'] = 'ml';
    bad.spec.template.spec.requirements.push({ key: 'karpenter.sh/custom', operator: 'Exists' });
    expect(validationProblems([bad])).toEqual([
      expect.stringMatching(/^NodePool\/gpu: spec\.template\.metadata\.labels: label domain "karpenter\.sh" is restricted \[cel: /),
      expect.stringMatching(/^NodePool\/gpu: spec\.template\.spec\.requirements\[2\]\.key: label domain "karpenter\.sh" is restricted \[cel: /),
    ]);
  });

  test('int() on strings and list size: NodePool Gt needs exactly one non-negative integer', () => {
    const bad = nodePool();
    bad.spec.template.spec.requirements[1].values = ['-1'];
    expect(celOnly(validationProblems([bad]))).toEqual([
      expect.stringMatching(/^NodePool\/gpu: spec\.template\.spec\.requirements: requirements operator 'Gt', 'Lt', 'Gte', or 'Lte' must have a single positive integer value \[cel: /),
    ]);
  });

  test('strings extension split(): EC2NodeClass windows aliases only at version latest', () => {
    expect(validationProblems([ec2NodeClass()])).toEqual([]);
    const bad = ec2NodeClass();
    bad.spec.amiSelectorTerms[0].alias = 'windows2022@v20250101';
    expect(celOnly(validationProblems([bad]))).toEqual([
      "EC2NodeClass/default: spec.amiSelectorTerms[0].alias: windows families may only specify version 'latest' [cel: self.split('@')[0] in ['windows2019','windows2022','windows2025'] ? self.split('@')[1] == 'latest' : true]",
    ]);
  }, COMPILE_TIMEOUT);

  test('duration(): HTTPRoute backendRequest timeout may not exceed the request timeout', () => {
    expect(validationProblems([httpRoute()])).toEqual([]);
    const bad = httpRoute();
    bad.spec.rules[0].timeouts = { request: '10s', backendRequest: '1m' };
    expect(celOnly(validationProblems([bad]))).toEqual([
      expect.stringMatching(/^HTTPRoute\/r: spec\.rules\[0\]\.timeouts: backendRequest timeout cannot be longer than request timeout \[cel: /),
    ]);
  }, COMPILE_TIMEOUT);

  test('escaped property names (namespace -> __namespace__) and exists_one: HTTPRoute parentRefs', () => {
    const twice = httpRoute();
    twice.spec.parentRefs = [{ name: 'gw', namespace: 'infra' }, { name: 'gw', namespace: 'infra' }];
    expect(validationProblems([twice])).toEqual([
      expect.stringMatching(/^HTTPRoute\/r: spec\.parentRefs: sectionName must be unique when parentRefs includes 2 or more references to the same parent \[cel: /),
    ]);
    // Different namespaces are different parents: only true if `namespace` really reaches CEL.
    const distinct = httpRoute();
    distinct.spec.parentRefs = [{ name: 'gw', namespace: 'infra' }, { name: 'gw', namespace: 'edge' }];
    expect(validationProblems([distinct])).toEqual([]);
  }, COMPILE_TIMEOUT);

  test('evaluation counters move: rules ran (not silently skipped) on those resources', () => {
    const before = celStats();
    validationProblems([nodePool(), httpRoute()]);
    const after = celStats();
    expect(after.evaluated).toBeGreaterThan(before.evaluated);
  });
});

describe('CEL evaluation semantics (hand-written schema)', () => {
  const schema = {
    'type': 'object',
    'x-kubernetes-validations': [
      { rule: "self.metadata.name.startsWith('a')", message: 'name must start with a' },
      // At the root only name and generateName are visible.
      { rule: '!has(self.metadata.labels)', message: 'labels are not visible to root rules' },
    ],
    'properties': {
      metadata: { type: 'object' },
      spec: {
        'type': 'object',
        'x-kubernetes-validations': [
          { rule: 'self.minReplicas <= self.maxReplicas', messageExpression: "'minReplicas (' + string(self.minReplicas) + ') must be <= maxReplicas (' + string(self.maxReplicas) + ')'", fieldPath: '.minReplicas' },
          { rule: 'self.minReplicas + 1 > 0', message: 'integer fields are CEL ints' },
          { rule: 'self.ratio < 1.5', message: 'number fields are CEL doubles' },
          { rule: "!has(self.__namespace__) || self.__namespace__ != 'kube-system'", message: 'not kube-system' },
          { rule: "self.labels.all(k, k.contains('/'))", message: 'label keys need a prefix' },
          { rule: 'self == oldSelf', message: 'immutable' },
          { rule: 'self.url.isURL()', message: 'a URL' },
          { rule: "self.timeout <= duration('1h')", message: 'format: duration is a CEL duration' },
          { rule: "self.since < timestamp('2030-01-01T00:00:00Z')", message: 'format: date-time is a CEL timestamp' },
        ],
        'properties': {
          minReplicas: { type: 'integer' },
          maxReplicas: { type: 'integer' },
          ratio: { type: 'number' },
          namespace: { type: 'string' },
          url: { type: 'string' },
          timeout: { type: 'string', format: 'duration' },
          since: { type: 'string', format: 'date-time' },
          labels: { type: 'object', additionalProperties: { type: 'string' } },
        },
      },
    },
  };
  const obj = (spec: object, name = 'app') => ({ apiVersion: 'x/v1', kind: 'X', metadata: { name, labels: { a: 'b' } }, spec });
  const good = {
    minReplicas: 1,
    maxReplicas: 3,
    ratio: 1,
    namespace: 'ml',
    url: 'https://x',
    labels: { 'app.kubernetes.io/name': 'x' },
    timeout: '30m',
    since: '2026-12-01T10:00:00Z',
  };

  test('a valid object passes; transition rules and unimplemented functions are skipped, not failed', () => {
    const before = celStats();
    expect(celProblems(obj(good), schema)).toEqual([]);
    const after = celStats();
    expect(after.evaluated - before.evaluated).toBe(9);
    expect(after.skipped - before.skipped).toBe(2);
  });

  test('each rule reports its message (messageExpression first) at its path plus fieldPath', () => {
    expect(celProblems(obj({ ...good, minReplicas: 5, namespace: 'kube-system', labels: { app: 'x' }, timeout: '2h', since: '2031-01-01T00:00:00Z' }, 'web'), schema)).toEqual([
      "(root): name must start with a [cel: self.metadata.name.startsWith('a')]",
      'spec.minReplicas: minReplicas (5) must be <= maxReplicas (3) [cel: self.minReplicas <= self.maxReplicas]',
      "spec: not kube-system [cel: !has(self.__namespace__) || self.__namespace__ != 'kube-system']",
      "spec: label keys need a prefix [cel: self.labels.all(k, k.contains('/'))]",
      "spec: format: duration is a CEL duration [cel: self.timeout <= duration('1h')]",
      "spec: format: date-time is a CEL timestamp [cel: self.since < timestamp('2030-01-01T00:00:00Z')]",
    ]);
  });

  test('runtime errors are failures with the CEL error (as the API server reports them)', () => {
    const { maxReplicas, ...noMax } = good;
    expect(maxReplicas).toBe(3);
    expect(celProblems(obj(noMax), schema)).toEqual([
      'spec.minReplicas: failed rule: self.minReplicas <= self.maxReplicas (evaluation error: field not found: maxReplicas) [cel: self.minReplicas <= self.maxReplicas]',
    ]);
  });

  test('escaping follows Kubernetes: keywords wrapped, "-", ".", "/" and "__" spelled out', () => {
    expect(escapePropertyName('namespace')).toBe('__namespace__');
    expect(escapePropertyName('x-y.z/w')).toBe('x__dash__y__dot__z__slash__w');
    expect(escapePropertyName('a__b')).toBe('a__underscores__b');
    expect(escapePropertyName('1abc')).toBeUndefined();
  });
});

describe('Kubernetes CEL extension functions', () => {
  const cel = (expr: string, self: string) => {
    const r = run(expr, { self }, { funcs: KUBERNETES_CEL_FUNCS });
    return isCelList(r) ? [...r] : r;
  };
  test('find / findAll (regex library) and split (strings library)', () => {
    expect(cel("self.find('^([^/]+)')", 'karpenter.sh/nodepool')).toBe('karpenter.sh');
    expect(cel("self.find('[0-9]+')", 'no digits')).toBe('');
    expect(cel("self.findAll('[0-9]+')", 'a1b22c333')).toEqual(['1', '22', '333']);
    expect(cel("self.findAll('[0-9]+', 2)", 'a1b22c333')).toEqual(['1', '22']);
    expect(cel("self.split('@')[1]", 'al2023@latest')).toBe('latest');
  });

  test('patterns RE2 rejects (look-ahead) are errors, not JS matches', () => {
    expect(String(cel("self.find('a(?=b)')", 'ab'))).toMatch(/error|invalid|syntax/i);
  });
});

describeWithCrds('crds:fetch pins', () => {
  test('every CRD file in the folder is pinned, with its sha256', () => {
    const files = fs.readdirSync(CRDS_DIR).filter((f) => f.endsWith('.yaml')).sort();
    expect(Object.keys(CRD_PINS).sort()).toEqual(files);
    for (const file of files) expect([file, sha256(fs.readFileSync(path.join(CRDS_DIR, file)))]).toEqual([file, CRD_PINS[file].sha256]);
  });
});
