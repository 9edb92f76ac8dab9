import { ApiObject, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { ImagePolicyEngine, ImagePolicyModel, SIGSTORE_INCLUDE_LABEL } from './image-policy-engine';
import { ImageSignature } from './image-signature';
import { MlNamespace } from './ml-namespace';
import { invalidProp } from '../core/errors';
import { requireDnsSubdomain, requireProps } from '../core/validation';

/** Vulnerability severities, as scanners (Trivy, Grype) report them. */
export enum VulnerabilitySeverity {
  /** Low. */
  LOW = 'LOW',
  /** Medium. */
  MEDIUM = 'MEDIUM',
  /** High. */
  HIGH = 'HIGH',
  /** Critical. */
  CRITICAL = 'CRITICAL',
}

const SEVERITIES = [VulnerabilitySeverity.LOW, VulnerabilitySeverity.MEDIUM, VulnerabilitySeverity.HIGH, VulnerabilitySeverity.CRITICAL];

/**
 * A signed vulnerability-scan attestation every image must carry (the guide's
 * "image scanning"): CI scans the image with Trivy and attests the result, e.g.
 * `trivy image --format cosign-vuln -o vuln.json $IMAGE && cosign attest --type vuln --predicate vuln.json $IMAGE`.
 * The policies read Trivy's result format and refuse attestations of other scanners.
 * The attestation is a point-in-time result: pair it with an in-cluster scanner
 * (Trivy Operator's VulnerabilityReports) for CVEs published after admission, and
 * with `maxAge` so old scans are redone.
 */
export interface VulnerabilityScanRequirement {
  /** The most severe vulnerability allowed; anything above is refused. */
  readonly maxSeverity: VulnerabilitySeverity;
  /**
   * The oldest scan accepted (from the predicate's `metadata.scanFinishedOn`).
   * @default - any age
   */
  readonly maxAge?: Duration;
  /**
   * Who signs the attestation.
   * @default - the image's signer
   */
  readonly signature?: ImageSignature;
}

/** Properties of {@link ImagePolicy}. */
export interface ImagePolicyProps {
  /** The admission controller that enforces it. */
  readonly engine: ImagePolicyEngine;
  /**
   * The allowed repositories, as prefixes without wildcards, e.g.
   * `registry.example.com/ml`: images from anywhere else are refused, images from
   * here must be signed.
   */
  readonly repositories: string[];
  /** Who must have signed the images. */
  readonly signature: ImageSignature;
  /** The namespaces the policy governs (Sigstore: they are labelled to opt in). */
  readonly namespaces: MlNamespace[];
  /**
   * Refuse images given by tag: manifests must pin `@sha256:` digests. Without it,
   * Kyverno pins the verified digest into the pod at admission, and
   * policy-controller resolves tags to digests itself.
   * @default false
   */
  readonly requireDigest?: boolean;
  /**
   * Require a signed vulnerability-scan attestation.
   * @default - none
   */
  readonly vulnerabilityScan?: VulnerabilityScanRequirement;
  /**
   * Report violations without refusing pods (Kyverno `Audit`, Sigstore `warn`),
   * e.g. while rolling the policy out. Give the reason.
   * @default - enforced
   */
  readonly auditOnlyReason?: string;
  /**
   * The policy's name.
   * @default - the construct id
   */
  readonly name?: string;
}

// A registry host (with optional port) and an optional path, no tag, digest or glob.
const REPOSITORY = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:\d+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;

/**
 * Image admission policy, one description for either engine: images only from the
 * allowed repositories, signed by the given identity, optionally pinned by digest
 * and carrying a vulnerability-scan attestation within a maximum severity.
 *
 * @example
 * import { ImagePolicy, ImagePolicyEngine, ImageSignature, MlNamespace, VulnerabilitySeverity } from 'cdk8s-ml';
 *
 * const ml = new MlNamespace(this, 'ml');
 * // Signed images only, by digest, with a scan attestation at most a week old showing
 * // nothing above MEDIUM.
 * new ImagePolicy(this, 'signed-ml-images', {
 *   engine: ImagePolicyEngine.kyverno(),
 *   repositories: ['registry.example.com/ml'],
 *   signature: ImageSignature.keyless({
 *     issuer: 'https://token.actions.githubusercontent.com',
 *     subjectRegExp: "^https://github\\.com/acme/models/\\.github/workflows/release\\.yaml@refs/tags/v.*$",
 *   }),
 *   namespaces: [ml],
 *   requireDigest: true,
 *   vulnerabilityScan: { maxSeverity: VulnerabilitySeverity.MEDIUM, maxAge: Duration.days(7) },
 * });
 */
export class ImagePolicy extends Construct {
  /** The policy's name. */
  public readonly name: string;
  /** The main policy object (ClusterPolicy or ClusterImagePolicy). */
  public readonly apiObject: ApiObject;
  /** Every policy object, the main one first (Sigstore adds one for the scan). */
  public readonly apiObjects: ApiObject[];

  public constructor(scope: Construct, id: string, props: ImagePolicyProps) {
    super(scope, id);
    requireProps(this, props, ['engine', 'repositories', 'signature', 'namespaces']);
    this.name = props.name ?? id;
    requireDnsSubdomain(this, 'name', this.name);
    if (props.repositories.length === 0) throw invalidProp(this, 'repositories', 'is empty: list the repositories images may come from');
    props.repositories.forEach((r, i) => {
      if (!REPOSITORY.test(r)) {
        throw invalidProp(this, `repositories[${i}]`, `('${r}') must be a registry host with an optional path, e.g. 'registry.example.com/ml', without tag, digest or wildcard`);
      }
      if (!r.includes('.') && !r.includes(':') && !r.startsWith('localhost')) {
        throw invalidProp(this, `repositories[${i}]`, `('${r}') has no registry host: images without one come from Docker Hub; write 'docker.io/${r}'`);
      }
    });
    if (props.namespaces.length === 0) throw invalidProp(this, 'namespaces', 'is empty: list the namespaces the policy governs');
    if (props.auditOnlyReason !== undefined && props.auditOnlyReason.trim() === '') {
      throw invalidProp(this, 'auditOnlyReason', 'is empty: say why violations are only reported');
    }
    const requireDigest = props.requireDigest ?? false;
    if (requireDigest && !props.engine._canRequireDigest()) {
      throw invalidProp(this, 'requireDigest', `cannot be enforced by ${props.engine.engineName}: it resolves tags to digests at admission itself; leave it out`);
    }
    const signature = props.signature._resolve(this, 'signature');
    const scan = props.vulnerabilityScan;
    const maxAgeSeconds = scan?.maxAge?.toSeconds({ integral: false });
    if (maxAgeSeconds !== undefined && !(maxAgeSeconds >= 3600)) {
      throw invalidProp(this, 'vulnerabilityScan.maxAge', `(${maxAgeSeconds}s) must be at least an hour: images would be refused between two CI scans`);
    }
    // The Rego check multiplies whole seconds into nanoseconds; Kyverno gets a Go duration.
    if (maxAgeSeconds !== undefined && !Number.isInteger(maxAgeSeconds)) {
      throw invalidProp(this, 'vulnerabilityScan.maxAge', `(${maxAgeSeconds}s) must be a whole number of seconds`);
    }
    const model: ImagePolicyModel = {
      name: this.name,
      repositories: [...new Set(props.repositories)],
      namespaces: [...new Set(props.namespaces.map(n => n.name))],
      signature,
      requireDigest,
      enforce: props.auditOnlyReason === undefined,
      vulnerabilityScan: scan ? {
        deniedSeverities: SEVERITIES.slice(SEVERITIES.indexOf(scan.maxSeverity) + 1),
        maxAge: scan.maxAge,
        signature: scan.signature ? scan.signature._resolve(this, 'vulnerabilityScan.signature') : signature,
      } : undefined,
    };
    if (model.vulnerabilityScan && model.vulnerabilityScan.deniedSeverities.length === 0) {
      throw invalidProp(this, 'vulnerabilityScan.maxSeverity', '(CRITICAL) allows every vulnerability: the attestation would only prove a scan ran; choose HIGH or lower');
    }
    this.apiObjects = props.engine._render(this, model);
    this.apiObject = this.apiObjects[0];
    if (props.auditOnlyReason) this.apiObject.metadata.addAnnotation('cdk8s-ml.io/audit-only-reason', props.auditOnlyReason);
    if (props.engine.engineName === 'sigstorePolicyController') {
      for (const ns of props.namespaces) ns.addLabel(SIGSTORE_INCLUDE_LABEL, 'true');
    }
  }
}
