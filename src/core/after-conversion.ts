import { ApiObject, JsonPatch } from 'cdk8s';
import { IConstruct } from 'constructs';

/** A stage of the post-conversion pipeline: edits the rendered manifest in place. @internal */
export type PostConversionStage = (manifest: any) => void;

const PIPELINE = Symbol.for('cdk8s-ml.core.afterConversion');

/**
 * The one place where this library (and you) edit a manifest AFTER cdk8s-plus-27
 * has rendered it and after its typed converter has run.
 *
 * cdk8s applies `ApiObject.addJsonPatch` patches before the L1's typed converter
 * (`toJson_KubeDeploymentProps` and friends), which knows the Kubernetes 1.27 API
 * only and silently drops every newer field: `lifecycle.preStop.sleep` becomes
 * `preStop: {}` (which the API server rejects), `restartPolicy: Always` on an init
 * container (a native sidecar) vanishes, and so do `spec.trafficDistribution`,
 * `spec.managedBy` or `backoffLimitPerIndex`. Stages registered here see the final
 * JSON instead, so any field of any Kubernetes version reaches the output.
 *
 * The library's workload model renders through this pipeline (keyed by container
 * and volume name, never by array index); user patches added with
 * {@link AfterConversion.addJsonPatch} run last, on the complete manifest.
 *
 * Mechanism: the pipeline wraps the ApiObject's `toJson` once (cdk8s offers no
 * post-conversion hook); every stage of every caller goes through that one wrapper.
 *
 * @example
 * import { JsonPatch } from 'cdk8s';
 * import { AfterConversion, MlModelServing } from 'cdk8s-ml';
 *
 * const bert = new MlModelServing(this, 'bert', { image: 'registry.example.com/bert-server:1.4.2' });
 * // trafficDistribution (Kubernetes 1.31) is unknown to cdk8s-plus-27's converter, which
 * // would drop it from an ApiObject patch: patch the final manifest instead.
 * AfterConversion.of(bert.service).addJsonPatch(JsonPatch.add('/spec/trafficDistribution', 'PreferClose'));
 */
export class AfterConversion {
  /**
   * The pipeline of a construct's ApiObject: pass a cdk8s-plus resource
   * (`serving.deployment`, `serving.service`), or any ApiObject.
   */
  public static of(construct: IConstruct): AfterConversion {
    const apiObject = ApiObject.of(construct) as ApiObject & { [PIPELINE]?: AfterConversion };
    if (!apiObject[PIPELINE]) apiObject[PIPELINE] = new AfterConversion(apiObject);
    return apiObject[PIPELINE]!;
  }

  private readonly stages: PostConversionStage[] = [];
  private readonly patches: JsonPatch[] = [];

  private constructor(public readonly apiObject: ApiObject) {
    const render = apiObject.toJson.bind(apiObject);
    apiObject.toJson = () => this.run(render());
  }

  /**
   * Patches applied to the final manifest (RFC 6902, pointers from the manifest's
   * root, e.g. `/spec/trafficDistribution`), after every field this
   * library renders. Unlike `ApiObject.addJsonPatch`, nothing is dropped.
   */
  public addJsonPatch(...patches: JsonPatch[]): void {
    this.patches.push(...patches);
  }

  /** Adds a rendering stage; stages run in the order added, before user patches. @internal */
  public _addStage(stage: PostConversionStage): void {
    this.stages.push(stage);
  }

  private run(manifest: any): any {
    if (this.stages.length === 0 && this.patches.length === 0) return manifest;
    for (const stage of this.stages) stage(manifest);
    const sorted = sortKeys(manifest);
    return this.patches.length > 0 ? JsonPatch.apply(sorted, ...this.patches) : sorted;
  }
}

/**
 * Keys sorted as cdk8s sorts them before conversion (so fields the stages add sit
 * where cdk8s would have put them), with apiVersion, kind and metadata first.
 */
function sortKeys(manifest: any): any {
  // A loop, not Object.fromEntries over [key, value] pairs: this runs on every object
  // each time it renders (synth-time checks, then synth), and the pairs were most of it.
  const deep = (value: any): any => {
    if (Array.isArray(value)) return value.map(deep);
    if (value === null || typeof value !== 'object') return value;
    const out: any = {};
    for (const k of Object.keys(value).sort()) {
      // An own '__proto__' key (a ConfigMap's data may have one) stays a key, as with fromEntries.
      if (k === '__proto__') Object.defineProperty(out, k, { value: deep(value[k]), enumerable: true, writable: true, configurable: true });
      else out[k] = deep(value[k]);
    }
    return out;
  };
  if (process.env.CDK8S_DISABLE_SORT) return manifest;
  const sorted = deep(manifest);
  const head = ['apiVersion', 'kind', 'metadata'].filter(k => k in sorted);
  return Object.fromEntries([...head, ...Object.keys(sorted).filter(k => !head.includes(k))].map(k => [k, sorted[k]]));
}
