import { Construct } from 'constructs';
import { KServeRuntimeBase, KServeRuntimeProps } from './kserve-runtime-base';

/** Properties of {@link KServeClusterServingRuntime}. */
export interface KServeClusterServingRuntimeProps extends KServeRuntimeProps {}

/**
 * A KServe `ClusterServingRuntime` (`serving.kserve.io/v1alpha1`, cluster-scoped): a
 * {@link KServeServingRuntime} that InferenceServices of every namespace can name.
 * Its formats are not auto-selected by default: KServe's own default runtimes are
 * ClusterServingRuntimes that claim those formats and priorities, and KServe's
 * webhook refuses a second one at an equal priority; give `supportedModelFormats`
 * with a priority of your own to auto-select it.
 */
export class KServeClusterServingRuntime extends KServeRuntimeBase {
  public constructor(scope: Construct, id: string, props: KServeClusterServingRuntimeProps) {
    super(scope, id, props, true);
  }
}
