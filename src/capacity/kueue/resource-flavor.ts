import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { KUEUE_API_VERSION, ResourceFlavorSpec } from './crds';
import { invalidProp } from '../../core/errors';
import { applyObjectMetadata, ObjectMetadataOptions } from '../../core/metadata-validation';
import { NodeSelectorOperator } from '../../core/scheduling';
import { requireDnsSubdomain } from '../../core/validation';
import { makeClusterScoped } from '../cluster-scoped';
import { INodePool, NodeTaint, validateTaints } from '../node-pool';
import { requireLabelKey } from '../node-pool-requirement';

/** Properties of {@link ResourceFlavor}. */
export interface ResourceFlavorProps {
  /**
   * The flavor's name, referenced by ClusterQueues.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Labels of the flavor's nodes: Kueue adds them as a nodeSelector to the pods
   * of every workload it admits on this flavor.
   * @default - none: any node
   */
  readonly nodeLabels?: { [key: string]: string };
  /**
   * Taints of the flavor's nodes, which Kueue checks the workload tolerates before
   * it picks the flavor.
   * @default - none
   */
  readonly nodeTaints?: NodeTaint[];
  /**
   * Tolerations Kueue adds to the pods it admits on this flavor.
   * @default - none
   */
  readonly tolerations?: NodeTaint[];
  /**
   * Whether the flavor's nodes may be spot capacity: a job that is not elastic
   * is refused on a queue offering a spot flavor (as by `SpotNodePool.schedule`).
   * @default false
   */
  readonly spot?: boolean;
  /**
   * Labels and annotations of the ResourceFlavor.
   * @default - none
   */
  readonly metadata?: ObjectMetadataOptions;
}

/**
 * A Kueue ResourceFlavor (cluster-scoped): a kind of node a ClusterQueue hands
 * out quota for. `ResourceFlavor.fromNodePool` matches a node pool of ours: its
 * exact node labels (e.g. `karpenter.sh/nodepool`, `karpenter.sh/capacity-type`)
 * and tolerations of its taints, so Kueue steers admitted pods onto the pool.
 *
 * @example
 * import { ClusterQueue, GpuNodePool, ResourceFlavor } from 'cdk8s-ml';
 *
 * // A flavor per kind of node: its labels and taints come from the pool.
 * const h100 = new GpuNodePool(this, 'h100', { gpuNames: ['h100'], maxGpus: 64 });
 * const flavor = ResourceFlavor.fromNodePool(this, 'h100-flavor', h100);
 * new ClusterQueue(this, 'training', {
 *   flavors: [{ flavor, cpu: kplus.Cpu.units(512), memory: Size.tebibytes(4), gpus: 64 }],
 * });
 */
export class ResourceFlavor extends Construct {
  /**
   * The flavor of `pool`'s nodes: its single-valued node requirements become
   * nodeLabels, its taints nodeTaints and tolerations. A pool that may be spot
   * makes a spot flavor.
   */
  public static fromNodePool(scope: Construct, id: string, pool: INodePool, props: ResourceFlavorProps = {}): ResourceFlavor {
    const exact = pool.nodeRequirements.filter(r => r.operator === NodeSelectorOperator.IN && r.values?.length === 1);
    return new ResourceFlavor(scope, id, {
      nodeLabels: Object.fromEntries(exact.map(r => [r.key, r.values![0]])),
      nodeTaints: pool.taints,
      tolerations: pool.taints,
      spot: pool.spot,
      ...props,
    });
  }

  /** The flavor's name. */
  public readonly name: string;
  /** Whether the flavor's nodes may be spot capacity. */
  public readonly spot: boolean;
  /** The ResourceFlavor object. */
  public readonly apiObject: ApiObject;

  public constructor(scope: Construct, id: string, props: ResourceFlavorProps = {}) {
    super(scope, id);
    this.name = props.name ?? id;
    requireDnsSubdomain(this, 'name', this.name);
    this.spot = props.spot ?? false;
    for (const key of Object.keys(props.nodeLabels ?? {})) requireLabelKey(this, `nodeLabels.${key}`, key);
    validateTaints(this, 'nodeTaints', props.nodeTaints ?? []);
    validateTaints(this, 'tolerations', props.tolerations ?? []);
    if ((props.nodeTaints ?? []).length > 8 || (props.tolerations ?? []).length > 8) {
      throw invalidProp(this, (props.nodeTaints ?? []).length > 8 ? 'nodeTaints' : 'tolerations', 'has more than the 8 entries Kueue accepts');
    }
    const spec: ResourceFlavorSpec = {
      ...(Object.keys(props.nodeLabels ?? {}).length ? { nodeLabels: { ...props.nodeLabels } } : {}),
      ...(props.nodeTaints?.length ? {
        nodeTaints: props.nodeTaints.map(t => ({ key: t.key, ...(t.value !== undefined ? { value: t.value } : {}), effect: t.effect })),
      } : {}),
      ...(props.tolerations?.length ? {
        tolerations: props.tolerations.map(t => t.value !== undefined
          ? { key: t.key, operator: 'Equal', value: t.value, effect: t.effect }
          : { key: t.key, operator: 'Exists', effect: t.effect }),
      } : {}),
    };
    this.apiObject = new ApiObject(this, 'Resource', {
      apiVersion: KUEUE_API_VERSION,
      kind: 'ResourceFlavor',
      metadata: { name: this.name },
      spec,
    });
    makeClusterScoped(this.apiObject);
    applyObjectMetadata(this, 'metadata', props.metadata);
  }
}
