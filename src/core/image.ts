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

/**
 * Refuses mutable image references: `:latest` and untagged images (which mean
 * `:latest`) make a rollout unreproducible, and a `kubectl set image` rolling update
 * (the guide's strategy) impossible to express as a diff. Digests are always fine.
 */
export function requirePinnedImage(scope: IConstruct, prop: string, image: string, allowMutable: boolean): void {
  if (!image || /\s/.test(image)) {
    throw invalidProp(scope, prop, `('${image}') must be a non-empty image reference without whitespace`);
  }
  if (allowMutable) return;
  const ref = parseImage(image);
  if (ref.digest) return;
  if (!ref.tag) {
    throw invalidProp(scope, prop, `('${image}') has no tag, which means ':latest'; pin a version tag or digest, or set allowMutableImageTag: true`);
  }
  if (ref.tag === 'latest') {
    throw invalidProp(scope, prop, `('${image}') uses the mutable ':latest' tag; pin a version tag or digest, or set allowMutableImageTag: true`);
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
