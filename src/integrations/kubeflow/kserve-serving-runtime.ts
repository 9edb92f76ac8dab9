import { Construct } from 'constructs';
import { KServeRuntimeBase, KServeRuntimeProps } from './kserve-runtime-base';

/** Properties of {@link KServeServingRuntime}. */
export interface KServeServingRuntimeProps extends KServeRuntimeProps {}

/**
 * A KServe `ServingRuntime` (`serving.kserve.io/v1alpha1`, namespaced): the model
 * server of the InferenceServices of its namespace that name it (or, for formats it
 * auto-selects, that name none: namespaced runtimes are considered before cluster
 * ones), built from a serving-runtime preset and restricted by default.
 *
 * @example
 * import { InferenceService, KServeServingRuntime, ServingRuntime } from 'cdk8s-ml';
 *
 * // MLServer in the namespace's own runtime: sklearn, XGBoost, LightGBM and MLflow models.
 * const mlserver = new KServeServingRuntime(this, 'mlserver', { runtime: ServingRuntime.mlserver() });
 * new InferenceService(this, 'iris', {
 *   modelFormat: 'sklearn',
 *   modelFormatVersion: '1',
 *   servingRuntime: mlserver,
 *   storageUri: 'gs://kfserving-examples/models/sklearn/1.0/model',
 * });
 *
 * @see https://kserve.github.io/website/docs/model-serving/predictive-inference/frameworks/custom-predictor/serving-runtime
 */
export class KServeServingRuntime extends KServeRuntimeBase {
  public constructor(scope: Construct, id: string, props: KServeServingRuntimeProps) {
    super(scope, id, props, false);
  }
}
