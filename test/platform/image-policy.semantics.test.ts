import { Chart, Testing } from 'cdk8s';
import * as jmespath from 'jmespath';
import { ImagePolicy, ImagePolicyEngine, ImageSignature, MlNamespace, VulnerabilitySeverity } from '../../src';
import { findObject } from '../util';

// Kyverno evaluates attestation conditions as JMESPath over the predicate; here the
// rendered expressions run on sample `trivy image --format cosign-vuln` predicates.
function trivy(results: unknown): object {
  return { scanner: { uri: 'pkg:github/aquasecurity/trivy@v0.58.1', version: 'v0.58.1', result: { SchemaVersion: 2, Results: results } }, metadata: { scanFinishedOn: '2026-11-30T10:00:00Z' } };
}

function conditions(max: VulnerabilitySeverity): any[] {
  const c = new Chart(Testing.app(), 'p');
  new ImagePolicy(c, 'images', {
    engine: ImagePolicyEngine.kyverno(),
    repositories: ['registry.example.com/ml'],
    signature: ImageSignature.keyless({ issuer: 'https://issuer.example.com', subject: 'ci@example.com' }),
    namespaces: [new MlNamespace(c, 'ml')],
    vulnerabilityScan: { maxSeverity: max },
  });
  return findObject(Testing.synth(c), 'ClusterPolicy').spec.rules[1].verifyImages[0].attestations[0].conditions[0].all;
}

/** Kyverno's verdict for one condition: the JMESPath inside {{ }} against the value (Equals). Errors refuse. */
function passes(condition: any, predicate: object): boolean {
  const expr = /^\{\{ (.*) \}\}$/.exec(condition.key)![1];
  let value: unknown;
  try {
    value = jmespath.search(predicate, expr);
  } catch {
    return false;
  }
  if (typeof condition.value === 'string' && condition.value.endsWith('*')) {
    return typeof value === 'string' && value.startsWith(condition.value.slice(0, -1));
  }
  return value === condition.value;
}

const admitted = (max: VulnerabilitySeverity, predicate: object) => conditions(max).every(c => passes(c, predicate));

describe('the Kyverno vulnerability condition, evaluated', () => {
  const mixed = trivy([
    { Target: 'app (debian 12.8)', Vulnerabilities: [{ VulnerabilityID: 'CVE-1', Severity: 'LOW' }, { VulnerabilityID: 'CVE-2', Severity: 'MEDIUM' }] },
    { Target: 'usr/local/bin/server', Class: 'lang-pkgs' },
    { Target: 'python-pkg', Vulnerabilities: [{ VulnerabilityID: 'CVE-3', Severity: 'HIGH' }] },
  ]);

  test('severities above the maximum refuse the image, up to it admit it', () => {
    expect(admitted(VulnerabilitySeverity.HIGH, mixed)).toBe(true);
    expect(admitted(VulnerabilitySeverity.MEDIUM, mixed)).toBe(false);
    expect(admitted(VulnerabilitySeverity.LOW, mixed)).toBe(false);
    expect(admitted(VulnerabilitySeverity.LOW, trivy([{ Target: 'x', Vulnerabilities: [{ Severity: 'LOW' }] }]))).toBe(true);
    expect(admitted(VulnerabilitySeverity.HIGH, trivy([{ Target: 'x', Vulnerabilities: [{ Severity: 'CRITICAL' }] }]))).toBe(false);
  });

  test('a clean scan admits; targets without vulnerabilities count none', () => {
    expect(admitted(VulnerabilitySeverity.LOW, trivy([]))).toBe(true);
    expect(admitted(VulnerabilitySeverity.LOW, trivy([{ Target: 'x' }]))).toBe(true);
  });

  test('fail closed: a result without Results, or another scanner\'s format, refuses', () => {
    expect(admitted(VulnerabilitySeverity.HIGH, { scanner: { uri: 'pkg:github/aquasecurity/trivy@v0.58.1', result: {} } })).toBe(false);
    const grype = { scanner: { uri: 'pkg:github/anchore/grype@v0.80.0', result: { matches: [{ vulnerability: { severity: 'Critical' } }] } } };
    expect(admitted(VulnerabilitySeverity.HIGH, grype)).toBe(false);
  });
});
