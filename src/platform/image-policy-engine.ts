import { ApiObject, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { ResolvedSignature } from './image-signature';
import { makeClusterScoped } from '../capacity/cluster-scoped';

const VULN_PREDICATE_TYPE = 'https://cosign.sigstore.dev/attestation/vuln/v1';
// Trivy's purl in the predicate's scanner.uri, any version (a Kyverno wildcard).
const TRIVY_SCANNER_URI = 'pkg:github/aquasecurity/trivy@*';
export const SIGSTORE_INCLUDE_LABEL = 'policy.sigstore.dev/include';

/** What an image policy requires, validated and engine-neutral. @internal */
export interface ImagePolicyModel {
  readonly name: string;
  readonly repositories: string[];
  readonly namespaces: string[];
  readonly signature: ResolvedSignature;
  readonly requireDigest: boolean;
  readonly enforce: boolean;
  readonly vulnerabilityScan?: {
    readonly deniedSeverities: string[];
    readonly maxAge?: Duration;
    readonly signature: ResolvedSignature;
  };
}

type Render = (scope: Construct, model: ImagePolicyModel) => ApiObject[];

/**
 * The admission controller that enforces an {@link ImagePolicy}. Both render the
 * same description; pick the one installed in the cluster.
 *
 * @example
 * import { ImagePolicy, ImagePolicyEngine, ImageSignature, MlNamespace } from 'cdk8s-ml';
 *
 * const ml = new MlNamespace(this, 'ml');
 * // Sigstore's policy-controller instead of Kyverno: it checks namespaces it is told to
 * // include, which the ImagePolicy labels.
 * new ImagePolicy(this, 'signed-ml-images', {
 *   engine: ImagePolicyEngine.sigstorePolicyController(),
 *   repositories: ['registry.example.com/ml'],
 *   signature: ImageSignature.keyless({
 *     issuer: 'https://token.actions.githubusercontent.com',
 *     subjectRegExp: "^https://github\\.com/acme/models/\\.github/workflows/release\\.yaml@refs/tags/v.*$",
 *   }),
 *   namespaces: [ml],
 * });
 */
export class ImagePolicyEngine {
  /** The cosign vulnerability-scan attestation predicate type (`cosign attest --type vuln`). */
  public static readonly VULN_PREDICATE_TYPE = VULN_PREDICATE_TYPE;
  /** The namespace label policy-controller enforces in: it admits everything in unlabelled namespaces. */
  public static readonly SIGSTORE_INCLUDE_LABEL = SIGSTORE_INCLUDE_LABEL;

  /**
   * Kyverno (`kyverno.io/v1` ClusterPolicy): a `verifyImages` rule (signature,
   * digest, vulnerability attestation) and a `validate` rule (registry allow-list),
   * matched to the policy's namespaces. Kyverno also generates the rules for pod
   * controllers (Deployments, Jobs), so a bad image fails at `kubectl apply`.
   * @see https://kyverno.io/docs/policy-types/cluster-policy/verify-images/
   */
  public static kyverno(): ImagePolicyEngine {
    return new ImagePolicyEngine('kyverno', renderKyverno);
  }

  /**
   * Sigstore policy-controller (`policy.sigstore.dev/v1beta1` ClusterImagePolicy):
   * enforced in namespaces labelled `policy.sigstore.dev/include: "true"` (the
   * policy labels its MlNamespaces). It resolves tags to digests at admission
   * itself. Images matching no ClusterImagePolicy are governed by the controller's
   * `no-match-policy` (set it to `deny` in `config-policy-controller` so the
   * registry allow-list holds).
   * @see https://docs.sigstore.dev/policy-controller/overview
   */
  public static sigstorePolicyController(): ImagePolicyEngine {
    return new ImagePolicyEngine('sigstorePolicyController', renderSigstore);
  }

  private constructor(
    /** The engine's name, for messages. */
    public readonly engineName: string,
    private readonly render: Render,
  ) {}

  /** Emits the engine's policy objects, the main one first. @internal */
  public _render(scope: Construct, model: ImagePolicyModel): ApiObject[] {
    const objs = this.render(scope, model);
    objs.forEach(makeClusterScoped);
    return objs;
  }

  /** Whether the engine can refuse images given by tag. @internal */
  public _canRequireDigest(): boolean {
    return this.engineName === 'kyverno';
  }
}

/** A Go duration, as Kyverno's duration operators parse it: whole hours, else exact seconds (no float hours). */
function hours(d: Duration): string {
  const h = d.toHours({ integral: false });
  return Number.isInteger(h) ? `${h}h` : `${d.toSeconds({ integral: false })}s`;
}

function kyvernoAttestor(sig: ResolvedSignature): object {
  if (sig.publicKey) return { entries: [{ keys: { publicKeys: sig.publicKey } }] };
  const k = sig.keyless!;
  return {
    entries: [{
      keyless: {
        issuer: k.issuer,
        subject: k.subject,
        subjectRegExp: k.subjectRegExp,
        rekor: { url: k.rekorUrl },
      },
    }],
  };
}

function renderKyverno(scope: Construct, m: ImagePolicyModel): ApiObject[] {
  const failureAction = m.enforce ? 'Enforce' : 'Audit';
  const refs = m.repositories.map(r => `${r}/*`);
  const match = { any: [{ resources: { kinds: ['Pod'], namespaces: m.namespaces } }] };
  const scan = m.vulnerabilityScan;
  // Trivy's cosign-vuln result: Results[].Vulnerabilities[].Severity. The filter
  // counts the vulnerabilities above the allowed severity; 0 passes. A result
  // without Results fails to evaluate, and Kyverno refuses the image (fail closed).
  const severityFilter = scan?.deniedSeverities.map(s => `Severity == '${s}'`).join(' || ');
  const attestations = scan ? [{
    type: VULN_PREDICATE_TYPE,
    attestors: [kyvernoAttestor(scan.signature)],
    conditions: [{
      all: [
        {
          // The severity filter reads Trivy's result format; another scanner's
          // attestation would count no vulnerabilities, so it is refused here.
          key: '{{ scanner.uri }}',
          operator: 'Equals',
          value: TRIVY_SCANNER_URI,
          message: 'the vulnerability attestation is not a Trivy cosign-vuln result',
        },
        {
          key: `{{ scanner.result.Results[].Vulnerabilities[?${severityFilter}][] | length(@) }}`,
          operator: 'Equals',
          value: 0,
          message: `the image has vulnerabilities of severity ${scan.deniedSeverities.join(' or ')}`,
        },
        ...(scan.maxAge ? [{
          key: "{{ time_since('', '{{ metadata.scanFinishedOn }}', '') }}",
          operator: 'DurationLessThanOrEquals',
          value: hours(scan.maxAge),
          message: `the vulnerability scan is older than ${hours(scan.maxAge)}`,
        }] : []),
      ],
    }],
  }] : undefined;
  const allowed = refs.join(' | ');
  return [new ApiObject(scope, 'Resource', {
    apiVersion: 'kyverno.io/v1',
    kind: 'ClusterPolicy',
    metadata: {
      name: m.name,
      annotations: {
        'policies.kyverno.io/title': 'Signed images from allowed registries',
        'policies.kyverno.io/description': `Images must come from ${m.repositories.join(', ')} and be signed${scan ? ', with a vulnerability-scan attestation' : ''}.`,
      },
    },
    spec: {
      // Signatures are checked at admission only: background scans cannot fetch them.
      background: false,
      failurePolicy: 'Fail',
      webhookTimeoutSeconds: 30,
      rules: [
        {
          name: 'allowed-registries',
          match,
          validate: {
            failureAction,
            message: `Images must come from ${m.repositories.join(', ')}.`,
            pattern: {
              spec: {
                '=(ephemeralContainers)': [{ image: allowed }],
                '=(initContainers)': [{ image: allowed }],
                'containers': [{ image: allowed }],
              },
            },
          },
        },
        {
          name: 'verify-signatures',
          match,
          verifyImages: [{
            imageReferences: refs,
            failureAction,
            required: true,
            // Either the author pins digests (verifyDigest) or Kyverno pins the
            // verified digest into the pod (mutateDigest): the running image is the
            // verified one either way. Kyverno refuses mutateDigest in Audit mode.
            verifyDigest: m.requireDigest,
            mutateDigest: !m.requireDigest && m.enforce,
            attestors: [kyvernoAttestor(m.signature)],
            attestations,
          }],
        },
      ],
    },
  })];
}

function sigstoreAuthority(name: string, sig: ResolvedSignature): { [key: string]: unknown } {
  if (sig.publicKey) return { name, key: { data: sig.publicKey, hashAlgorithm: 'sha256' } };
  const k = sig.keyless!;
  return {
    name,
    keyless: { url: k.fulcioUrl, identities: [{ issuer: k.issuer, subject: k.subject, subjectRegExp: k.subjectRegExp }] },
    ctlog: { url: k.rekorUrl },
  };
}

function vulnRego(denied: string[], maxAge?: Duration): string {
  return [
    'package sigstore',
    'import rego.v1',
    'default isCompliant := false',
    `denied := {${denied.map(s => `"${s}"`).join(', ')}}`,
    'isCompliant if {',
    `  input.predicateType == "${VULN_PREDICATE_TYPE}"`,
    // Trivy's format only, and a result that lists its targets: anything else would
    // count no vulnerabilities.
    '  startswith(input.predicate.scanner.uri, "pkg:github/aquasecurity/trivy@")',
    '  is_array(input.predicate.scanner.result.Results)',
    '  count([v | some v in input.predicate.scanner.result.Results[_].Vulnerabilities; v.Severity in denied]) == 0',
    ...(maxAge ? [`  time.now_ns() - time.parse_rfc3339_ns(input.predicate.metadata.scanFinishedOn) <= ${maxAge.toSeconds()} * 1000000000`] : []),
    '}',
    '',
  ].join('\n');
}

function renderSigstore(scope: Construct, m: ImagePolicyModel): ApiObject[] {
  const spec = (authority: { [key: string]: unknown }) => ({
    mode: m.enforce ? 'enforce' : 'warn',
    images: m.repositories.map(r => ({ glob: `${r}/**` })),
    authorities: [authority],
  });
  const objs = [new ApiObject(scope, 'Resource', {
    apiVersion: SIGSTORE_API_VERSION,
    kind: 'ClusterImagePolicy',
    metadata: { name: m.name },
    spec: spec(sigstoreAuthority('signature', m.signature)),
  })];
  const scan = m.vulnerabilityScan;
  if (scan) {
    // Authorities of one policy are ORed, and an authority with attestations checks
    // those instead of the signature; policies matching an image are ANDed. So the
    // scan is its own policy: the image needs the signature AND the attestation.
    objs.push(new ApiObject(scope, 'VulnerabilityScan', {
      apiVersion: SIGSTORE_API_VERSION,
      kind: 'ClusterImagePolicy',
      metadata: { name: `${m.name}-vulnerability-scan` },
      spec: spec({
        ...sigstoreAuthority('scan', scan.signature),
        attestations: [{ name: 'vulnerability-scan', predicateType: 'vuln', policy: { type: 'rego', data: vulnRego(scan.deniedSeverities, scan.maxAge) } }],
      }),
    }));
  }
  return objs;
}

const SIGSTORE_API_VERSION = 'policy.sigstore.dev/v1beta1';
