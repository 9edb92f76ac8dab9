import { Chart, Duration, Testing } from 'cdk8s';
import { ImagePolicy, ImagePolicyEngine, ImagePolicyProps, ImageSignature, MlNamespace, VulnerabilitySeverity } from '../../src';
import { findObject, findObjects, synthAndValidate } from '../util';

const KEYLESS = ImageSignature.keyless({
  issuer: 'https://token.actions.githubusercontent.com',
  subjectRegExp: '^https://github\\.com/acme/models/\\.github/workflows/release\\.yaml@refs/tags/v.*$',
});
const PEM = '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEexample\n-----END PUBLIC KEY-----\n';

function setup(engine: ImagePolicyEngine, props: Partial<ImagePolicyProps> = {}) {
  const c = new Chart(Testing.app(), 'platform', { namespace: 'platform' });
  const ml = new MlNamespace(c, 'ml');
  const policy = new ImagePolicy(c, 'signed-images', {
    engine,
    repositories: ['registry.example.com/ml', 'ghcr.io/acme'],
    signature: KEYLESS,
    namespaces: [ml],
    ...props,
  });
  return { c, ml, policy };
}

describe('ImagePolicy with Kyverno', () => {
  test('allow-list, keyless signature, mutated digest, scoped to the namespaces, enforced', () => {
    const { c } = setup(ImagePolicyEngine.kyverno());
    const policy = findObject(synthAndValidate(c), 'ClusterPolicy', 'signed-images');
    expect(policy.metadata.namespace).toBeUndefined();
    expect(policy.spec).toMatchObject({ background: false, failurePolicy: 'Fail', webhookTimeoutSeconds: 30 });
    const [registries, verify] = policy.spec.rules;
    expect(registries.match).toEqual({ any: [{ resources: { kinds: ['Pod'], namespaces: ['ml'] } }] });
    expect(registries.validate.failureAction).toBe('Enforce');
    expect(registries.validate.pattern.spec.containers).toEqual([{ image: 'registry.example.com/ml/* | ghcr.io/acme/*' }]);
    expect(Object.keys(registries.validate.pattern.spec)).toEqual(['=(ephemeralContainers)', '=(initContainers)', 'containers']);
    expect(verify.verifyImages).toEqual([{
      imageReferences: ['registry.example.com/ml/*', 'ghcr.io/acme/*'],
      failureAction: 'Enforce',
      required: true,
      verifyDigest: false,
      mutateDigest: true,
      attestors: [{
        entries: [{
          keyless: {
            issuer: 'https://token.actions.githubusercontent.com',
            subjectRegExp: '^https://github\\.com/acme/models/\\.github/workflows/release\\.yaml@refs/tags/v.*$',
            rekor: { url: 'https://rekor.sigstore.dev' },
          },
        }],
      }],
    }]);
  });

  test('key-based, digests required, vulnerability attestation up to MEDIUM within 7 days; audit with reason', () => {
    const { c } = setup(ImagePolicyEngine.kyverno(), {
      signature: ImageSignature.publicKey(PEM),
      requireDigest: true,
      vulnerabilityScan: { maxSeverity: VulnerabilitySeverity.MEDIUM, maxAge: Duration.days(7) },
      auditOnlyReason: 'rolling out: a week of reports first',
    });
    const policy = findObject(synthAndValidate(c), 'ClusterPolicy', 'signed-images');
    expect(policy.metadata.annotations['cdk8s-ml.io/audit-only-reason']).toBe('rolling out: a week of reports first');
    const verify = policy.spec.rules[1].verifyImages[0];
    expect(verify).toMatchObject({ failureAction: 'Audit', verifyDigest: true, mutateDigest: false });
    expect(verify.attestors).toEqual([{ entries: [{ keys: { publicKeys: PEM } }] }]);
    expect(verify.attestations).toEqual([{
      type: 'https://cosign.sigstore.dev/attestation/vuln/v1',
      attestors: [{ entries: [{ keys: { publicKeys: PEM } }] }],
      conditions: [{
        all: [
          {
            key: '{{ scanner.uri }}',
            operator: 'Equals',
            value: 'pkg:github/aquasecurity/trivy@*',
            message: 'the vulnerability attestation is not a Trivy cosign-vuln result',
          },
          {
            key: "{{ scanner.result.Results[].Vulnerabilities[?Severity == 'HIGH' || Severity == 'CRITICAL'][] | length(@) }}",
            operator: 'Equals',
            value: 0,
            message: 'the image has vulnerabilities of severity HIGH or CRITICAL',
          },
          {
            key: "{{ time_since('', '{{ metadata.scanFinishedOn }}', '') }}",
            operator: 'DurationLessThanOrEquals',
            value: '168h',
            message: 'the vulnerability scan is older than 168h',
          },
        ],
      }],
    }]);
  });
});

describe('ImagePolicy with Sigstore policy-controller', () => {
  test('ClusterImagePolicy per requirement; namespaces opt in by label', () => {
    const { c } = setup(ImagePolicyEngine.sigstorePolicyController(), {
      vulnerabilityScan: { maxSeverity: VulnerabilitySeverity.HIGH, maxAge: Duration.hours(24), signature: ImageSignature.publicKey(PEM) },
    });
    const manifests = synthAndValidate(c);
    expect(findObject(manifests, 'Namespace', 'ml').metadata.labels['policy.sigstore.dev/include']).toBe('true');
    const policies = findObjects(manifests, 'ClusterImagePolicy');
    expect(policies.map(p => p.metadata.name)).toEqual(['signed-images', 'signed-images-vulnerability-scan']);
    expect(policies[0].metadata.namespace).toBeUndefined();
    expect(policies[0].spec).toEqual({
      mode: 'enforce',
      images: [{ glob: 'registry.example.com/ml/**' }, { glob: 'ghcr.io/acme/**' }],
      authorities: [{
        name: 'signature',
        keyless: {
          url: 'https://fulcio.sigstore.dev',
          identities: [{ issuer: 'https://token.actions.githubusercontent.com', subjectRegExp: '^https://github\\.com/acme/models/\\.github/workflows/release\\.yaml@refs/tags/v.*$' }],
        },
        ctlog: { url: 'https://rekor.sigstore.dev' },
      }],
    });
    const scan = policies[1].spec.authorities[0];
    expect(scan).toMatchObject({ name: 'scan', key: { data: PEM, hashAlgorithm: 'sha256' } });
    expect(scan.attestations[0]).toMatchObject({ name: 'vulnerability-scan', predicateType: 'vuln', policy: { type: 'rego' } });
    const rego: string = scan.attestations[0].policy.data;
    expect(rego).toContain('denied := {"CRITICAL"}');
    expect(rego).toContain('input.predicateType == "https://cosign.sigstore.dev/attestation/vuln/v1"');
    expect(rego).toContain('<= 86400 * 1000000000');
    expect(rego).toContain('startswith(input.predicate.scanner.uri, "pkg:github/aquasecurity/trivy@")');
    expect(rego).toContain('is_array(input.predicate.scanner.result.Results)');
  });

  test('audit mode is warn', () => {
    const { c } = setup(ImagePolicyEngine.sigstorePolicyController(), { auditOnlyReason: 'trial' });
    expect(findObject(synthAndValidate(c), 'ClusterImagePolicy').spec.mode).toBe('warn');
  });
});

describe('ImagePolicy errors', () => {
  const kyverno = ImagePolicyEngine.kyverno();
  const err = (props: Partial<ImagePolicyProps>, engine = kyverno) => () => setup(engine, props);
  test.each([
    [{ repositories: [] }, 'repositories is empty: list the repositories images may come from'],
    [{ repositories: ['registry.example.com/ml/*'] }, "repositories[0] ('registry.example.com/ml/*') must be a registry host with an optional path, e.g. 'registry.example.com/ml', without tag, digest or wildcard"],
    [{ repositories: ['library/python'] }, "repositories[0] ('library/python') has no registry host: images without one come from Docker Hub; write 'docker.io/library/python'"],
    [{ namespaces: [] }, 'namespaces is empty: list the namespaces the policy governs'],
    [{ auditOnlyReason: '' }, 'auditOnlyReason is empty: say why violations are only reported'],
    [{ signature: ImageSignature.publicKey('-----BEGIN EC PRIVATE KEY-----\nabc\n-----END EC PRIVATE KEY-----') }, 'signature holds a PRIVATE KEY: give the public key only; the private key must never be in manifests'],
    [{ signature: ImageSignature.publicKey('ssh-rsa AAAA') }, 'signature is not a PEM public key (-----BEGIN PUBLIC KEY----- ... -----END PUBLIC KEY-----)'],
    [{ signature: ImageSignature.keyless({ issuer: 'https://x' }) }, 'signature.subject or subjectRegExp: give exactly one, the identity allowed to sign'],
    [{ signature: ImageSignature.keyless({ issuer: 'https://x', subjectRegExp: 'acme' }) }, "signature.subjectRegExp ('acme') must be anchored with ^ and $: unanchored, any identity containing it could sign"],
    [{ signature: ImageSignature.keyless({ issuer: 'x', subject: 's' }) }, "signature.issuer ('x') must be an https:// OIDC issuer URL"],
    [{ signature: ImageSignature.keyless({ issuer: 'https://x', subjectRegExp: '^(acme$' }) }, "signature.subjectRegExp ('^(acme$') is not a regular expression"],
    [{ vulnerabilityScan: { maxSeverity: VulnerabilitySeverity.CRITICAL } }, 'vulnerabilityScan.maxSeverity (CRITICAL) allows every vulnerability: the attestation would only prove a scan ran; choose HIGH or lower'],
    [{ vulnerabilityScan: { maxSeverity: VulnerabilitySeverity.HIGH, maxAge: Duration.minutes(5) } }, 'vulnerabilityScan.maxAge (300s) must be at least an hour: images would be refused between two CI scans'],
  ] as Array<[Partial<ImagePolicyProps>, string]>)('%j', (props, message) => {
    expect(err(props)).toThrow(`ImagePolicy 'platform/signed-images': ${message}`);
  });

  test('digests cannot be required of policy-controller', () => {
    expect(err({ requireDigest: true }, ImagePolicyEngine.sigstorePolicyController()))
      .toThrow("ImagePolicy 'platform/signed-images': requireDigest cannot be enforced by sigstorePolicyController: it resolves tags to digests at admission itself; leave it out");
  });
});
