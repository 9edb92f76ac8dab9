import { IConstruct } from 'constructs';
import { invalidProp } from '../core/errors';

/** Who must have signed an image with Sigstore keyless signing (Fulcio certificate, Rekor entry). */
export interface KeylessSignatureOptions {
  /** The OIDC issuer of the signer's identity, e.g. `https://token.actions.githubusercontent.com`. */
  readonly issuer: string;
  /**
   * The exact identity (certificate subject), e.g. the CI workflow
   * `https://github.com/acme/models/.github/workflows/release.yaml@refs/heads/main`.
   * @default - give `subjectRegExp`
   */
  readonly subject?: string;
  /**
   * A regular expression over the identity, anchored by you (`^...$`).
   * @default - give `subject`
   */
  readonly subjectRegExp?: string;
  /**
   * The Rekor transparency log.
   * @default 'https://rekor.sigstore.dev'
   */
  readonly rekorUrl?: string;
  /**
   * The Fulcio certificate authority.
   * @default 'https://fulcio.sigstore.dev'
   */
  readonly fulcioUrl?: string;
}

/**
 * The identity an image (or its attestations) must be signed by.
 *
 * @example
 * import { ImagePolicy, ImagePolicyEngine, ImageSignature, MlNamespace } from 'cdk8s-ml';
 *
 * const ml = new MlNamespace(this, 'ml');
 * new ImagePolicy(this, 'signed-ml-images', {
 *   engine: ImagePolicyEngine.kyverno(),
 *   repositories: ['registry.example.com/ml'],
 *   // Signed keyless by the release workflow of the models repository.
 *   signature: ImageSignature.keyless({
 *     issuer: 'https://token.actions.githubusercontent.com',
 *     subject: 'https://github.com/acme/models/.github/workflows/release.yaml@refs/heads/main',
 *   }),
 *   namespaces: [ml],
 * });
 */
export class ImageSignature {
  /** Sigstore keyless: a short-lived certificate for an OIDC identity (CI workload identity). */
  public static keyless(options: KeylessSignatureOptions): ImageSignature {
    return new ImageSignature(options, undefined);
  }

  /**
   * A cosign key pair: the PEM public key (not a secret; the private key stays in
   * the signer's KMS).
   */
  public static publicKey(pem: string): ImageSignature {
    return new ImageSignature(undefined, pem);
  }

  private constructor(private readonly keylessOptions: KeylessSignatureOptions | undefined, private readonly pem: string | undefined) {}

  /** The validated signature facts. @internal */
  public _resolve(scope: IConstruct, prop: string): ResolvedSignature {
    if (this.pem !== undefined) {
      if (/PRIVATE KEY/.test(this.pem)) {
        throw invalidProp(scope, prop, 'holds a PRIVATE KEY: give the public key only; the private key must never be in manifests');
      }
      if (!/^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----\n?$/.test(this.pem.trim() + '\n')) {
        throw invalidProp(scope, prop, 'is not a PEM public key (-----BEGIN PUBLIC KEY----- ... -----END PUBLIC KEY-----)');
      }
      return { publicKey: this.pem.trim() + '\n' };
    }
    const k = this.keylessOptions!;
    if ((k.subject === undefined) === (k.subjectRegExp === undefined)) {
      throw invalidProp(scope, `${prop}.subject`, 'or subjectRegExp: give exactly one, the identity allowed to sign');
    }
    if (!/^https:\/\/\S+$/.test(k.issuer)) throw invalidProp(scope, `${prop}.issuer`, `('${k.issuer}') must be an https:// OIDC issuer URL`);
    if (k.subjectRegExp !== undefined) {
      try {
        new RegExp(k.subjectRegExp);
      } catch (e) {
        throw invalidProp(scope, `${prop}.subjectRegExp`, `('${k.subjectRegExp}') is not a regular expression`);
      }
      if (!k.subjectRegExp.startsWith('^') || !k.subjectRegExp.endsWith('$')) {
        throw invalidProp(scope, `${prop}.subjectRegExp`, `('${k.subjectRegExp}') must be anchored with ^ and $: unanchored, any identity containing it could sign`);
      }
    }
    return {
      keyless: {
        issuer: k.issuer,
        subject: k.subject,
        subjectRegExp: k.subjectRegExp,
        rekorUrl: k.rekorUrl ?? 'https://rekor.sigstore.dev',
        fulcioUrl: k.fulcioUrl ?? 'https://fulcio.sigstore.dev',
      },
    };
  }
}

/** @internal */
export interface ResolvedSignature {
  readonly publicKey?: string;
  readonly keyless?: {
    readonly issuer: string;
    readonly subject?: string;
    readonly subjectRegExp?: string;
    readonly rekorUrl: string;
    readonly fulcioUrl: string;
  };
}
