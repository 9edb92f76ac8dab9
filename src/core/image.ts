import { IConstruct } from 'constructs';
import { invalidProp } from './errors';
import { isLabelValue } from './validation';

/** The parts of an image reference that matter to us. */
export interface ImageReference {
  /** The tag, if any (`v2` in `ml-model:v2`). */
  readonly tag?: string;
  /** The digest, if any (`sha256:...`). */
  readonly digest?: string;
}

/**
 * Splits an image reference into tag and digest. A ':' after the last '/' starts
 * the tag; a registry port (`host:5000/img`) comes before a '/' and is not a tag.
 */
export function parseImage(image: string): ImageReference {
  const [nameAndTag, digest] = image.split('@', 2);
  const lastSlash = nameAndTag.lastIndexOf('/');
  const colon = nameAndTag.indexOf(':', lastSlash + 1);
  const tag = colon >= 0 ? nameAndTag.slice(colon + 1) : undefined;
  return { tag: tag || undefined, digest };
}

// The distribution reference grammar (what containerd, CRI-O and the kubelet parse).
// @see https://github.com/distribution/reference/blob/main/reference.go
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
// The algorithms registered with go-digest, and their hex lengths.
const DIGEST_HEX_LENGTH: { [algorithm: string]: number } = { sha256: 64, sha384: 96, sha512: 128 };

/** What is wrong with `image` as a distribution reference, or undefined when it is valid. */
export function imageReferenceProblem(image: string): string | undefined {
  const at = image.indexOf('@');
  const nameAndTag = at >= 0 ? image.slice(0, at) : image;
  const digest = at >= 0 ? image.slice(at + 1) : undefined;
  const lastSlash = nameAndTag.lastIndexOf('/');
  const colon = nameAndTag.indexOf(':', lastSlash + 1);
  const name = colon >= 0 ? nameAndTag.slice(0, colon) : nameAndTag;
  const tag = colon >= 0 ? nameAndTag.slice(colon + 1) : undefined;
  const parts = name.split('/');
  // The first part is a registry when it looks like a host (a '.', a port, 'localhost' or capitals).
  const hasDomain = parts.length > 1 && (/[.:]/.test(parts[0]) || parts[0] === 'localhost' || parts[0] !== parts[0].toLowerCase());
  if (hasDomain && !new RegExp(`^${DOMAIN}$`).test(parts[0])) return `has an invalid registry host '${parts[0]}'`;
  const path = hasDomain ? parts.slice(1) : parts;
  if (path.length === 0 || path.some(p => !new RegExp(`^${PATH_COMPONENT}$`).test(p))) {
    return "has an invalid repository: lowercase alphanumerics separated by '.', '_', '__' or '-', in '/'-separated parts";
  }
  if (name.length > 255) return `has a name of ${name.length} characters, more than 255`;
  if (tag !== undefined && !TAG.test(tag)) return `has an invalid tag '${tag}': 1 to 128 of letters, digits, '_', '.' and '-', not starting with '.' or '-'`;
  if (digest !== undefined) {
    if (!DIGEST.test(digest)) return `has an invalid digest '${digest}': algorithm:hex, e.g. sha256 and 64 hex digits`;
    const [algorithm, hex] = digest.split(':');
    const length = DIGEST_HEX_LENGTH[algorithm];
    if (length === undefined) return `has a digest of unsupported algorithm '${algorithm}': use sha256, sha384 or sha512`;
    if (hex.length !== length || hex !== hex.toLowerCase()) return `has a ${algorithm} digest that is not ${length} lowercase hex digits`;
  }
  return undefined;
}

/**
 * Refuses mutable image references: `:latest` and untagged images (which mean
 * `:latest`) make a rollout unreproducible, and a `kubectl set image` rolling update
 * (the guide's strategy) impossible to express as a diff. Digests are always fine.
 */
export function requirePinnedImage(scope: IConstruct, prop: string, image: string, allowMutable: boolean, optOut = 'or set allowMutableImageTag: true'): void {
  if (typeof image !== 'string' || !image || /\s/.test(image)) {
    throw invalidProp(scope, prop, `('${image}') must be a non-empty image reference without whitespace`);
  }
  const problem = imageReferenceProblem(image);
  if (problem) throw invalidProp(scope, prop, `('${image}') ${problem}`);
  if (allowMutable) return;
  const ref = parseImage(image);
  if (ref.digest) return;
  if (!ref.tag) {
    throw invalidProp(scope, prop, `('${image}') has no tag, which means ':latest'; pin a version tag or digest${optOut ? `, ${optOut}` : ''}`);
  }
  if (ref.tag === 'latest') {
    throw invalidProp(scope, prop, `('${image}') uses the mutable ':latest' tag; pin a version tag or digest${optOut ? `, ${optOut}` : ''}`);
  }
}

/**
 * The `app.kubernetes.io/version` label an image implies: its tag when that is a
 * valid label value, else the first 12 hex digits of its digest, else nothing.
 * Deriving it means a change of image alone changes exactly the image and this label.
 */
export function versionFromImage(image: string): string | undefined {
  const ref = parseImage(image);
  if (ref.tag && isLabelValue(ref.tag)) return ref.tag;
  if (ref.digest) return ref.digest.split(':').pop()!.slice(0, 12);
  return undefined;
}
