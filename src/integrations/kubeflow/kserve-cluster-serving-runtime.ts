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
 *
 * @example
 * import { InferenceService, KServeClusterServingRuntime, ServingRuntime } from 'cdk8s-ml';
 *
 * // One vLLM runtime for every namespace, sharded over two GPUs.
 * const vllm = new KServeClusterServingRuntime(this, 'vllm-2gpu', {
 *   runtime: ServingRuntime.vllm({ maxModelLen: 8192 }),
 *   gpus: { count: 2 },
 *   resources: { memory: { request: Size.gibibytes(48), limit: Size.gibibytes(48) } },
 * });
 * new InferenceService(this, 'llama', {
 *   modelFormat: 'vLLM',
 *   servingRuntime: vllm,
 *   storageUri: 'hf://meta-llama/Llama-3.1-8B-Instruct',
 *   gpus: { count: 2 },
 *   resources: { memory: { request: Size.gibibytes(48), limit: Size.gibibytes(48) } },
 * });
 */
export class KServeClusterServingRuntime extends KServeRuntimeBase {
  public constructor(scope: Construct, id: string, props: KServeClusterServingRuntimeProps) {
    super(scope, id, props, true);
  }
}
