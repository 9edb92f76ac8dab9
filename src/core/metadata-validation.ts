// User labels and annotations for the constructs that emit objects (delivery,
// observability, capacity): their shape, the Kubernetes rules for their keys and
// values, and how they reach every object a construct emits. Added beside the
// workload model rather than inside it: the core redesign takes these over.
import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { invalidProp } from './errors';
import { requireUniqueObjectsInApp } from './unique-objects';
import { requireLabelValue } from './validation';

/** Labels and annotations a user puts on every object a construct emits. */
export interface ObjectMetadataOptions {
  /**
   * Labels of every object, e.g. `{ team: 'nlp', 'cost-center': 'ml-42' }`. They
   * must not change a label the construct sets itself (names, selectors, sidecar
   * markers): a different value there would break what selects the object.
   * @default - none
   */
  readonly labels?: { [key: string]: string };
  /**
   * Annotations of every object. Same rule: the construct's own annotations keep
   * their values.
   * @default - none
   */
  readonly annotations?: { [key: string]: string };
}

// A qualified name: an optional DNS-subdomain prefix and '/', then a name.
const QUALIFIED_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
// kubectl apply stores the whole object in an annotation; the API server caps all
// annotations of an object at 256 KiB together.
const MAX_ANNOTATION_BYTES = 256 * 1024;

/** True when `key` is a valid label or annotation key (prefix at most 253, name at most 63 characters). */
export function isQualifiedName(key: string): boolean {
  if (typeof key !== 'string') return false;
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : '';
  const name = key.slice(slash + 1);
  return prefix.length <= 253 && name.length <= 63 && QUALIFIED_NAME.test(key);
}

/** Throws unless `key` is a valid label key. */
export function requireLabelKey(scope: IConstruct, prop: string, key: string): void {
  if (!isQualifiedName(key)) {
    throw invalidProp(scope, prop, `('${key}') is not a valid label key: an optional DNS subdomain prefix and '/', then a name of at most 63 alphanumerics, '-', '_' or '.'`);
  }
}

/** Throws unless `key` is a valid annotation key (the same syntax as label keys). */
export function requireAnnotationKey(scope: IConstruct, prop: string, key: string): void {
  if (!isQualifiedName(key)) {
    throw invalidProp(scope, prop, `('${key}') is not a valid annotation key: an optional DNS subdomain prefix and '/', then a name of at most 63 alphanumerics, '-', '_' or '.'`);
  }
}

/** Throws unless every key and value of `metadata` is one the API server accepts. */
export function requireObjectMetadata(scope: IConstruct, prop: string, metadata: ObjectMetadataOptions | undefined): void {
  for (const [key, value] of Object.entries(metadata?.labels ?? {})) {
    requireLabelKey(scope, `${prop}.labels key`, key);
    requireLabelValue(scope, `${prop}.labels['${key}']`, value);
  }
  let bytes = 0;
  for (const [key, value] of Object.entries(metadata?.annotations ?? {})) {
    requireAnnotationKey(scope, `${prop}.annotations key`, key);
    if (typeof value !== 'string') throw invalidProp(scope, `${prop}.annotations['${key}']`, `(${value}) must be a string`);
    bytes += Buffer.byteLength(key) + Buffer.byteLength(value);
  }
  if (bytes > MAX_ANNOTATION_BYTES) {
    throw invalidProp(scope, `${prop}.annotations`, `(${bytes} bytes) exceed the 256 KiB the API server allows per object`);
  }
}

/**
 * Validates `metadata` and puts its labels and annotations on every ApiObject under
 * `scope` (created so far: call it at the end of the constructor). Refuses a value
 * that would change one the construct set, and metadata on a construct that emits
 * nothing, where it would be silently dropped.
 */
export function applyObjectMetadata(scope: IConstruct, prop: string, metadata: ObjectMetadataOptions | undefined): void {
  requireUniqueObjectsInApp(scope);
  requireObjectMetadata(scope, prop, metadata);
  const labels = Object.entries(metadata?.labels ?? {});
  const annotations = Object.entries(metadata?.annotations ?? {});
  if (labels.length === 0 && annotations.length === 0) return;
  const objects = scope.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
  if (objects.length === 0) {
    throw invalidProp(scope, prop, 'has nothing to go on: this construct emits no object here');
  }
  for (const obj of objects) {
    const own = obj.metadata.toJson();
    const where = `${obj.kind} '${own.name ?? obj.name}'`;
    for (const [key, value] of labels) {
      const existing = own.labels?.[key];
      if (existing !== undefined && existing !== value) {
        throw invalidProp(scope, `${prop}.labels['${key}']`, `('${value}') would replace the '${existing}' that ${where} carries (its selectors or tools rely on it); drop it or pick another key`);
      }
      obj.metadata.addLabel(key, value);
    }
    for (const [key, value] of annotations) {
      const existing = own.annotations?.[key];
      if (existing !== undefined && existing !== value) {
        throw invalidProp(scope, `${prop}.annotations['${key}']`, `('${value}') would replace the '${existing}' that ${where} carries; drop it or pick another key`);
      }
      obj.metadata.addAnnotation(key, value);
    }
  }
}

/** Throws unless every key and value of `labels` is a valid Kubernetes label key and value. */
export function requireLabels(scope: IConstruct, prop: string, labels: { [key: string]: string } | undefined): void {
  for (const [key, value] of Object.entries(labels ?? {})) {
    requireLabelKey(scope, `${prop} key`, key);
    requireLabelValue(scope, `${prop}['${key}']`, value);
  }
}
