// Shared by BlueGreenService and CanaryRelease: both run two MlModelServing stacks
// ("tracks": blue/green, stable/canary) told apart by one selector label, with
// Services of their own that select one track or both. The guards that keep those
// Services honest live here, so the two constructs cannot drift apart.
import { IConstruct } from 'constructs';
import { invalidProp } from '../core/errors';
import { LabelKeys, MlLabels } from '../core/labels';
import { requireLabels } from '../core/metadata-validation';
import { MlModelServing, MlModelServingProps } from '../serving/ml-model-serving';
import { ServingScaling } from '../serving/serving-scaling';

/** How one track's MlModelServing is derived from the user's props. */
export interface TrackSpec {
  /** The prop the user gave the track's settings in, e.g. `blue`, `canary`. */
  readonly prop: string;
  /** The MlModelServing name unless the user gave one. */
  readonly defaultName: string;
  /** The label telling the tracks apart, e.g. `version` or `track`. */
  readonly trackKey: string;
  /** This track's value of it, e.g. `blue`, `canary`. */
  readonly trackValue: string;
  /** Labels both tracks share, selected by the Services spanning them. */
  readonly appLabels: { [key: string]: string };
  /** Replaces the user's scaling (idle colors, replica-ratio canaries). */
  readonly scaling?: ServingScaling;
  /** Drop the user's disruption budget (a scaled-down idle color serves no live traffic). */
  readonly dropDisruptionBudget?: boolean;
}

/**
 * The MlModelServing props of one track: the user's, plus the shared app labels and
 * the track label as a selector label. The user may not set the track label: one
 * value on both tracks would make every track Service select both.
 */
export function trackServingProps(scope: IConstruct, props: MlModelServingProps, spec: TrackSpec): MlModelServingProps {
  for (const field of ['labels', 'selectorLabels'] as const) {
    const given = props[field];
    if (given && Object.prototype.hasOwnProperty.call(given, spec.trackKey)) {
      throw invalidProp(scope, `${spec.prop}.${field}`,
        `must not set '${spec.trackKey}': ${scope.constructor.name} sets it to '${spec.trackValue}' on these pods, and a value shared by both tracks would make the Services select both`);
    }
  }
  // The shared app labels win over the track's labels; say so rather than drop a value silently.
  for (const [key, value] of Object.entries(props.labels ?? {})) {
    const shared = spec.appLabels[key];
    if (shared !== undefined && shared !== value) {
      throw invalidProp(scope, `${spec.prop}.labels['${key}']`,
        `('${value}') conflicts with appLabels ('${shared}'): both tracks' pods carry appLabels, which the Services select; drop it or change appLabels`);
    }
  }
  return {
    ...props,
    name: props.name ?? spec.defaultName,
    labels: { ...props.labels, ...spec.appLabels },
    selectorLabels: { ...props.selectorLabels, [spec.trackKey]: spec.trackValue },
    scaling: spec.scaling ?? props.scaling,
    disruptionBudget: spec.dropDisruptionBudget ? undefined : props.disruptionBudget,
  };
}

/**
 * Throws when `appLabels` is empty: a Service spanning tracks would then select by
 * the track label alone (every release's pods in the namespace) or by nothing.
 */
export function requireAppLabels(scope: IConstruct, appLabels: { [key: string]: string }): void {
  if (Object.keys(appLabels).length === 0) {
    throw invalidProp(scope, 'appLabels', 'must hold at least one label: the Services select pods by them, and without one they would select the pods of every release in the namespace');
  }
  requireLabels(scope, 'appLabels', appLabels);
}

/** `{a: 1, b: 2}` as `a=1, b=2`, for messages. */
function formatLabels(labels: { [key: string]: string }): string {
  return Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(', ');
}

/**
 * Throws unless `selector` (a Service's) matches the pods of `serving`: a Service
 * selecting nothing is an outage that no schema check catches. It can only happen
 * when a track's labels override the shared app labels, hence the prop named.
 */
export function requireSelectsPods(scope: IConstruct, service: string, selector: { [key: string]: string },
  serving: MlModelServing, track: string): void {
  if (MlLabels.matches(selector, serving.labels)) return;
  const mismatched = Object.keys(selector).filter(k => serving.labels[k] !== selector[k])
    .map(k => `${k}=${serving.labels[k] ?? '<unset>'}`).join(', ');
  throw invalidProp(scope, 'appLabels',
    `(${formatLabels(selector)}) do not match the pods of ${track}, which have ${mismatched}: the ${service} would select none of them; do not override appLabels in ${track}'s labels or selectorLabels`);
}

/**
 * Throws when two tracks would run the same release: same image and same
 * `app.kubernetes.io/version`. Such a pair tests nothing and usually means the new
 * image was forgotten. One server image serving two model versions is a real
 * release pair: tell them apart with `version`.
 */
export function requireDistinctReleases(
  scope: IConstruct,
  a: { prop: string; image?: string; serving: MlModelServing },
  b: { prop: string; image?: string; serving: MlModelServing },
): void {
  const versionA = a.serving.labels[LabelKeys.VERSION];
  const versionB = b.serving.labels[LabelKeys.VERSION];
  // The images as run: the user's, or the runtime's default.
  if (a.serving.image !== b.serving.image || versionA !== versionB) return;
  const version = versionB === undefined ? 'no version label' : `version '${versionB}'`;
  throw invalidProp(scope, `${b.prop}.image`,
    `('${b.serving.image}', ${version}) is the release ${a.prop} runs: both would serve the same thing; give ${b.prop} the new image, or set ${b.prop}.version to tell two model releases on one server image apart`);
}
