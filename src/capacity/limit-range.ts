import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { mebibytes, renderAmounts, requireOrdered, requirePositiveAmounts, ResourceAmounts, toQuantities } from './resource-amounts';
import { applyObjectMetadata, ObjectMetadataOptions } from '../core/metadata-validation';
import { cpuMillis } from '../core/resources';
import { requireDnsLabel, requireDnsSubdomain } from '../core/validation';

/** Properties of {@link LimitRange}. */
export interface LimitRangeProps {
  /**
   * The LimitRange's name.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * The namespace the defaults apply to.
   * @default - the chart's namespace
   */
  readonly namespace?: string;
  /**
   * Requests given to containers that set none.
   * @default - cpu 100m and memory 256Mi, lowered to the default limit
   */
  readonly defaultRequest?: ResourceAmounts;
  /**
   * Limits given to containers that set none.
   * @default - cpu 1 and memory 1Gi, raised to the default request and capped at `max`
   */
  readonly defaultLimit?: ResourceAmounts;
  /**
   * The most a container may request or limit.
   * @default - no maximum
   */
  readonly max?: ResourceAmounts;
  /**
   * The least a container may request.
   * @default - no minimum
   */
  readonly min?: ResourceAmounts;
  /**
   * Labels and annotations of every object this construct emits.
   * @default - none
   */
  readonly metadata?: ObjectMetadataOptions;
}

/**
 * A LimitRange (`v1`) for a namespace: default requests and limits for containers
 * that set none (so a ResourceQuota on requests does not reject them, and no pod is
 * BestEffort by omission), and per-container bounds.
 *
 * @example
 * import { LimitRange } from 'cdk8s-ml';
 *
 * // Containers that set no resources get these (so a quota on requests admits them).
 * new LimitRange(this, 'ml-defaults', {
 *   defaultRequest: { cpu: kplus.Cpu.millis(500), memory: Size.gibibytes(1) },
 *   defaultLimit: { cpu: kplus.Cpu.units(2), memory: Size.gibibytes(4) },
 * });
 */
export class LimitRange extends Construct {
  /** The LimitRange object. */
  public readonly apiObject: kplus.k8s.KubeLimitRange;

  public constructor(scope: Construct, id: string, props: LimitRangeProps = {}) {
    super(scope, id);
    const name = props.name ?? id;
    requireDnsSubdomain(this, 'name', name);
    if (props.namespace !== undefined) requireDnsLabel(this, 'namespace', props.namespace);
    // The user's values are checked before defaults are derived from them, so an
    // error names the prop that was given.
    requirePositiveAmounts(this, 'defaultRequest', props.defaultRequest);
    requirePositiveAmounts(this, 'defaultLimit', props.defaultLimit);
    requirePositiveAmounts(this, 'min', props.min, true);
    requirePositiveAmounts(this, 'max', props.max);
    // Defaults that fit what the user gave: a limit given alone pulls the default
    // request down to it, a request given alone pulls the default limit up, and the
    // default limit stays within max.
    const cpuMin = (a: kplus.Cpu, b: kplus.Cpu) => (cpuMillis(a) <= cpuMillis(b) ? a : b);
    const memMin = (a: Size, b: Size) => (mebibytes(a) <= mebibytes(b) ? a : b);
    const cpuMax = (a: kplus.Cpu, b: kplus.Cpu) => (cpuMin(a, b) === a ? b : a);
    const memMax = (a: Size, b: Size) => (memMin(a, b) === a ? b : a);
    const givenRequest = props.defaultRequest;
    const givenLimit = props.defaultLimit;
    const cpuCap = (c: kplus.Cpu) => (props.max?.cpu ? cpuMin(c, props.max.cpu) : c);
    const memCap = (m: Size) => (props.max?.memory ? memMin(m, props.max.memory) : m);
    const cpuLimit = givenLimit?.cpu ?? cpuCap(cpuMax(kplus.Cpu.units(1), givenRequest?.cpu ?? kplus.Cpu.millis(100)));
    const memoryLimit = givenLimit?.memory ?? memCap(memMax(Size.gibibytes(1), givenRequest?.memory ?? Size.mebibytes(256)));
    const defaultRequest: ResourceAmounts = {
      cpu: givenRequest?.cpu ?? cpuMin(kplus.Cpu.millis(100), cpuLimit),
      memory: givenRequest?.memory ?? memMin(Size.mebibytes(256), memoryLimit),
      ephemeralStorage: givenRequest?.ephemeralStorage,
    };
    const defaultLimit: ResourceAmounts = {
      cpu: cpuLimit,
      memory: memoryLimit,
      ephemeralStorage: givenLimit?.ephemeralStorage,
    };
    requireOrdered(this, 'min', props.min, 'max', props.max);
    requireOrdered(this, 'defaultRequest', defaultRequest, 'defaultLimit', defaultLimit);
    requireOrdered(this, 'min', props.min, 'defaultRequest', defaultRequest);
    requireOrdered(this, 'defaultLimit', defaultLimit, 'max', props.max);

    const quantities = (a: ResourceAmounts | undefined) => {
      const rendered = renderAmounts(a);
      return Object.keys(rendered).length > 0 ? toQuantities(rendered) : undefined;
    };
    this.apiObject = new kplus.k8s.KubeLimitRange(this, 'Resource', {
      metadata: { name, namespace: props.namespace },
      spec: {
        limits: [{
          type: 'Container',
          defaultRequest: quantities(defaultRequest),
          default: quantities(defaultLimit),
          max: quantities(props.max),
          min: quantities(props.min),
        }],
      },
    });
    applyObjectMetadata(this, 'metadata', props.metadata);
  }
}
