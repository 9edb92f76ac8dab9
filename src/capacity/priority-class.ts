import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { makeClusterScoped } from './cluster-scoped';
import { invalidProp } from '../core/errors';
import { applyObjectMetadata, ObjectMetadataOptions } from '../core/metadata-validation';
import { IPriorityClass } from '../core/priority';
import { requireDnsSubdomain, requireInteger, requireProps } from '../core/validation';

/** Whether pods of a priority class may evict lower-priority pods to get scheduled. */
export enum PreemptionPolicy {
  /** Evict lower-priority pods when the pod does not fit. */
  PREEMPT_LOWER_PRIORITY = 'PreemptLowerPriority',
  /** Never evict anything: wait in the scheduling queue, ahead of lower priorities. */
  NEVER = 'Never',
}

/** Properties of {@link PriorityClass}. */
export interface PriorityClassProps {
  /**
   * The priority; higher is scheduled first and preempts lower. User classes go
   * up to 1,000,000,000 (higher values are reserved for system-critical pods).
   */
  readonly value: number;
  /**
   * The PriorityClass name, referenced by pods' `priorityClassName`.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Whether pods of this class may preempt lower-priority pods.
   * @default PreemptionPolicy.PREEMPT_LOWER_PRIORITY
   */
  readonly preemptionPolicy?: PreemptionPolicy;
  /**
   * Make this the priority of pods that name no class. One per cluster.
   * @default false
   */
  readonly globalDefault?: boolean;
  /**
   * What the class is for, shown by kubectl.
   * @default - none
   */
  readonly description?: string;
  /**
   * Accept the same value as another PriorityClass of the chart. Two classes with one
   * value do not order anything, which is usually a copy-paste mistake.
   * @default false
   */
  readonly allowSharedValue?: boolean;
  /**
   * Labels and annotations of every object this construct emits.
   * @default - none
   */
  readonly metadata?: ObjectMetadataOptions;
}

/** Overrides of a {@link PriorityClass} preset. */
export interface PriorityClassPresetOptions {
  /**
   * The PriorityClass name.
   * @default - the preset's: 'ml-online-serving', 'ml-training' or 'ml-preemptible'
   */
  readonly name?: string;
  /**
   * The priority.
   * @default - the preset's: 1000000, 1000 or -100
   */
  readonly value?: number;
  /**
   * The preemption policy.
   * @default - the preset's
   */
  readonly preemptionPolicy?: PreemptionPolicy;
  /**
   * The description.
   * @default - the preset's
   */
  readonly description?: string;
  /**
   * Labels and annotations of every object this construct emits.
   * @default - none
   */
  readonly metadata?: ObjectMetadataOptions;
}

const MAX_USER_PRIORITY = 1_000_000_000;
const MIN_PRIORITY = -2_147_483_648;

/**
 * A PriorityClass (`scheduling.k8s.io/v1`, cluster-scoped): which pods the scheduler
 * places first and which it may evict to make room. The presets order the usual ML
 * tiers: online serving > training > preemptible experiments. Pods reference a
 * class: pass it as a workload's `priorityClass`.
 *
 * @example
 * import { DistributedTrainingJob, MlModelServing, PriorityClass, Torchrun, TrainingBackend } from 'cdk8s-ml';
 *
 * // Servers are placed first and may preempt training pods, never the reverse.
 * const online = PriorityClass.onlineServing(this, 'online-serving');
 * const training = PriorityClass.training(this, 'training');
 * new MlModelServing(this, 'bert', { image: 'registry.example.com/bert-server:1.4.2', priorityClass: online });
 * new DistributedTrainingJob(this, 'bert-finetune', {
 *   image: 'registry.example.com/bert-trainer:2.3.0',
 *   workers: 2,
 *   gpus: { count: 1 },
 *   torchrun: Torchrun.script('/app/train.py'),
 *   backend: TrainingBackend.indexedJob({ priorityClass: training }),
 * });
 */
export class PriorityClass extends Construct implements IPriorityClass {
  /**
   * Online model serving: high priority (1,000,000), may preempt training and
   * experiments when capacity is short, so user-facing latency wins.
   */
  public static onlineServing(scope: Construct, id: string, options: PriorityClassPresetOptions = {}): PriorityClass {
    return new PriorityClass(scope, id, {
      name: options.name ?? 'ml-online-serving',
      value: options.value ?? 1_000_000,
      preemptionPolicy: options.preemptionPolicy ?? PreemptionPolicy.PREEMPT_LOWER_PRIORITY,
      description: options.description ?? 'Online model serving: scheduled first, may preempt training and batch pods.',
      metadata: options.metadata,
    });
  }

  /**
   * Training: low priority (1,000) and preemptible by serving; it never preempts
   * anything itself (policy Never), it waits for capacity. Checkpoint often.
   */
  public static training(scope: Construct, id: string, options: PriorityClassPresetOptions = {}): PriorityClass {
    return new PriorityClass(scope, id, {
      name: options.name ?? 'ml-training',
      value: options.value ?? 1_000,
      preemptionPolicy: options.preemptionPolicy ?? PreemptionPolicy.NEVER,
      description: options.description ?? 'Training: waits for capacity rather than preempting, and is preempted by serving.',
      metadata: options.metadata,
    });
  }

  /**
   * Opportunistic work (experiments, sweeps): below the default priority (-100),
   * first to be preempted, never preempts.
   */
  public static preemptible(scope: Construct, id: string, options: PriorityClassPresetOptions = {}): PriorityClass {
    return new PriorityClass(scope, id, {
      name: options.name ?? 'ml-preemptible',
      value: options.value ?? -100,
      preemptionPolicy: options.preemptionPolicy ?? PreemptionPolicy.NEVER,
      description: options.description ?? 'Opportunistic work: runs on spare capacity and is preempted first.',
      metadata: options.metadata,
    });
  }

  /** The class name, for pods' `priorityClassName`. */
  public readonly name: string;
  /** The priority value. */
  public readonly value: number;
  /** The preemption policy. */
  public readonly preemptionPolicy: PreemptionPolicy;
  /** Whether this is the cluster's default class. */
  public readonly globalDefault: boolean;
  /** The PriorityClass object. */
  public readonly apiObject: kplus.k8s.KubePriorityClass;

  public constructor(scope: Construct, id: string, props: PriorityClassProps) {
    super(scope, id);
    requireProps(this, props, ['value']);
    this.name = props.name ?? id;
    requireDnsSubdomain(this, 'name', this.name);
    if (this.name.startsWith('system-')) {
      throw invalidProp(this, 'name', `('${this.name}') must not start with 'system-', which Kubernetes reserves`);
    }
    requireInteger(this, 'value', props.value, MIN_PRIORITY, MAX_USER_PRIORITY);
    this.value = props.value;
    this.preemptionPolicy = props.preemptionPolicy ?? PreemptionPolicy.PREEMPT_LOWER_PRIORITY;
    if (!(Object.values(PreemptionPolicy) as string[]).includes(this.preemptionPolicy)) {
      throw invalidProp(this, 'preemptionPolicy', `('${this.preemptionPolicy}') must be one of ${Object.values(PreemptionPolicy).join(', ')}`);
    }
    this.globalDefault = props.globalDefault ?? false;
    this.checkAgainstOthers(props.allowSharedValue ?? false);

    this.apiObject = new kplus.k8s.KubePriorityClass(this, 'Resource', {
      metadata: { name: this.name },
      value: this.value,
      preemptionPolicy: this.preemptionPolicy,
      globalDefault: this.globalDefault,
      description: props.description,
    });
    makeClusterScoped(this.apiObject);
    applyObjectMetadata(this, 'metadata', props.metadata);
  }

  /** The class name, as pods reference it. */
  public get priorityClassName(): string {
    return this.name;
  }

  // PriorityClasses are cluster-wide. A chart is applied to one cluster, so classes
  // of one chart are compared; an app may hold charts for several clusters.
  private checkAgainstOthers(allowSharedValue: boolean): void {
    const others = Chart.of(this).node.findAll().filter((c): c is PriorityClass => c instanceof PriorityClass && c !== this);
    for (const other of others) {
      if (other.name === this.name) {
        throw invalidProp(this, 'name', `('${this.name}') is already the name of PriorityClass '${other.node.path}'`);
      }
      if (this.globalDefault && other.globalDefault) {
        throw invalidProp(this, 'globalDefault', `is also set on PriorityClass '${other.node.path}' ('${other.name}'): a cluster has one default priority`);
      }
      if (other.value === this.value && !allowSharedValue) {
        throw invalidProp(this, 'value', `(${this.value}) is also the value of PriorityClass '${other.name}': classes with one value do not order anything; reuse that class, pick another value, or set allowSharedValue`);
      }
    }
  }
}
