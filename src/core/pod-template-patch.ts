import { ApiObject, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';

/**
 * Where each workload kind keeps its pod template, as a JSON pointer.
 */
const POD_TEMPLATE_PATHS: { [kind: string]: string } = {
  Deployment: '/spec/template',
  StatefulSet: '/spec/template',
  DaemonSet: '/spec/template',
  ReplicaSet: '/spec/template',
  Job: '/spec/template',
  CronJob: '/spec/jobTemplate/spec/template',
  Pod: '',
};

const AFTER_CONVERSION = Symbol.for('cdk8s-ml.core.specFieldsAfterConversion');

/** Escapes a key for use in a JSON pointer (RFC 6901): `nvidia.com/gpu` -> `nvidia.com~1gpu`. */
export function pointerKey(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * The one mechanism that fills the gaps of cdk8s-plus-27: fields it cannot render
 * (seccomp profiles, extended resources such as GPUs, topology spread constraints,
 * Indexed Job fields, revisionHistoryLimit, ...) are added as JSON patches on the
 * workload's ApiObject, applied by cdk8s after the L2 renders itself. Every construct
 * goes through here rather than patching ad hoc, so a gap closed upstream is removed
 * in one place.
 *
 * Caveat: the patched document still passes through the L1's typed converter
 * (`toJson_KubeDeploymentProps` and friends), so values of `IntOrString` and
 * `Quantity` fields must be given in their typed form (`k8s.IntOrString.fromNumber`,
 * `k8s.Quantity.fromString`), or the converter drops them.
 */
export class PodTemplatePatch {
  /** The patcher for a cdk8s-plus workload (Deployment, Job, StatefulSet, Pod, ...). */
  public static of(workload: IConstruct): PodTemplatePatch {
    return new PodTemplatePatch(ApiObject.of(workload));
  }

  private readonly templatePath: string;

  private constructor(public readonly apiObject: ApiObject) {
    const path = POD_TEMPLATE_PATHS[apiObject.kind];
    if (path === undefined) {
      throw new Error(`PodTemplatePatch: kind ${apiObject.kind} has no known pod template`);
    }
    this.templatePath = path;
  }

  /** Adds (or replaces) a field of the workload's own spec, e.g. `completionMode`. */
  public setSpec(field: string, value: unknown): this {
    this.apiObject.addJsonPatch(JsonPatch.add(`/spec/${field}`, value));
    return this;
  }

  /**
   * Adds a field of the workload's own spec AFTER the L1's typed converter has run.
   * JSON patches are applied before cdk8s-plus-27's converter, which knows the
   * Kubernetes 1.27 API only and silently drops newer fields (a Job's
   * `backoffLimitPerIndex` and `maxFailedIndexes`, 1.28+); those are set here, by
   * wrapping the object's `toJson` once. Values must be plain JSON.
   */
  public setSpecAfterConversion(field: string, value: unknown): this {
    const target = this.apiObject as ApiObject & { [AFTER_CONVERSION]?: { [field: string]: unknown } };
    if (!target[AFTER_CONVERSION]) {
      const extras: { [field: string]: unknown } = {};
      target[AFTER_CONVERSION] = extras;
      const render = this.apiObject.toJson.bind(this.apiObject);
      this.apiObject.toJson = () => {
        const json = render();
        return { ...json, spec: { ...json.spec, ...extras } };
      };
    }
    target[AFTER_CONVERSION]![field] = value;
    return this;
  }

  /** Adds (or replaces) a field of the pod spec, e.g. `topologySpreadConstraints`. */
  public setPodSpec(field: string, value: unknown): this {
    this.apiObject.addJsonPatch(JsonPatch.add(`${this.templatePath}/spec/${field}`, value));
    return this;
  }

  /** Adds (or replaces) a field of the pod's securityContext (which cdk8s-plus always renders). */
  public setPodSecurityContext(field: string, value: unknown): this {
    return this.setPodSpec(`securityContext/${field}`, value);
  }

  /**
   * Sets an extended resource (e.g. `nvidia.com/gpu`) in both requests and limits of
   * a container: Kubernetes requires the two to be equal for extended resources.
   * The container must have requests and limits already (ours always do).
   */
  public setExtendedResource(containerIndex: number, resourceName: string, quantity: string, init = false): this {
    const containers = init ? 'initContainers' : 'containers';
    const base = `${this.templatePath}/spec/${containers}/${containerIndex}/resources`;
    this.apiObject.addJsonPatch(
      JsonPatch.add(`${base}/requests/${pointerKey(resourceName)}`, kplus.k8s.Quantity.fromString(quantity)),
      JsonPatch.add(`${base}/limits/${pointerKey(resourceName)}`, kplus.k8s.Quantity.fromString(quantity)),
    );
    return this;
  }

  /** Adds (or replaces) a field of a container, e.g. `resources/limits/cpu`. */
  public setContainerField(containerIndex: number, field: string, value: unknown, init = false): this {
    const containers = init ? 'initContainers' : 'containers';
    this.apiObject.addJsonPatch(JsonPatch.add(`${this.templatePath}/spec/${containers}/${containerIndex}/${field}`, value));
    return this;
  }

  /** Removes a field the L2 renders but we must not emit (e.g. `replicas` managed elsewhere). */
  public remove(path: string): this {
    this.apiObject.addJsonPatch(JsonPatch.remove(path));
    return this;
  }
}
