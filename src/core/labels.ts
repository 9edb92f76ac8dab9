/**
 * Keys of the Kubernetes recommended labels.
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/
 */
export class LabelKeys {
  /** The name of the application, e.g. `bert-classifier`. */
  public static readonly NAME = 'app.kubernetes.io/name';
  /** A name identifying this instance of the application. */
  public static readonly INSTANCE = 'app.kubernetes.io/instance';
  /** The version of the application (an image tag, a model version). */
  public static readonly VERSION = 'app.kubernetes.io/version';
  /** The role within the architecture, e.g. `model-server`, `training-worker`. */
  public static readonly COMPONENT = 'app.kubernetes.io/component';
  /** The higher-level application this one is part of. */
  public static readonly PART_OF = 'app.kubernetes.io/part-of';
  /** The tool managing the objects. */
  public static readonly MANAGED_BY = 'app.kubernetes.io/managed-by';
}

/** What the recommended labels of one workload are made from. */
export interface MlLabelOptions {
  /** `app.kubernetes.io/name`. */
  readonly name: string;
  /**
   * `app.kubernetes.io/instance`.
   * @default - the name
   */
  readonly instance?: string;
  /**
   * `app.kubernetes.io/version`; never part of a selector, since a new version must
   * roll out under the same selector.
   * @default - no version label
   */
  readonly version?: string;
  /**
   * `app.kubernetes.io/component`.
   * @default - no component label
   */
  readonly component?: string;
  /**
   * `app.kubernetes.io/part-of`.
   * @default - no part-of label
   */
  readonly partOf?: string;
  /**
   * `app.kubernetes.io/managed-by`.
   * @default 'cdk8s-ml'
   */
  readonly managedBy?: string;
}

/**
 * The recommended labels and the selector derived from them, in one place, so every
 * construct labels its objects the same way and every selector matches its pods.
 *
 * @example
 * import { MlLabels } from 'cdk8s-ml';
 *
 * // An object of your own, labelled like the library's and selectable the same way.
 * new kplus.ConfigMap(this, 'feature-config', {
 *   metadata: { labels: MlLabels.of({ name: 'feature-store', component: 'config', partOf: 'recommender', version: '2.3.0' }) },
 *   data: { 'features.yaml': 'window: 7d\n' },
 * });
 */
export class MlLabels {
  /** The full label set for objects and pod templates. */
  public static of(options: MlLabelOptions): { [key: string]: string } {
    return {
      ...MlLabels.selector(options),
      ...(options.version ? { [LabelKeys.VERSION]: options.version } : {}),
      ...(options.partOf ? { [LabelKeys.PART_OF]: options.partOf } : {}),
      [LabelKeys.MANAGED_BY]: options.managedBy ?? 'cdk8s-ml',
    };
  }

  /**
   * The stable subset used in selectors: name, instance and component. Version and
   * managed-by are excluded on purpose: a selector must not change between releases
   * (a Deployment's selector is immutable).
   */
  public static selector(options: MlLabelOptions): { [key: string]: string } {
    return {
      [LabelKeys.NAME]: options.name,
      [LabelKeys.INSTANCE]: options.instance ?? options.name,
      ...(options.component ? { [LabelKeys.COMPONENT]: options.component } : {}),
    };
  }

  /** True when every label of `selector` is present with the same value in `labels`. */
  public static matches(selector: { [key: string]: string }, labels: { [key: string]: string }): boolean {
    return Object.entries(selector).every(([k, v]) => labels[k] === v);
  }

  private constructor() {}
}
