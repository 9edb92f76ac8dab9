import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { invalidProp } from '../core/errors';
import { ISchedulable, NodeRequirement, NodeSelectorOperator, NodeToleration, PodPlacement } from '../core/scheduling';
import { requireDnsLabel, requireDnsSubdomain } from '../core/validation';
import { TRAINJOB_API_VERSION, TRAINJOB_KIND, TrainJobSpec } from './crds/train-job';
import { rawEnv, rawEnvFrom, rawResources, rawVolumeMounts, rawVolumes } from './raw-pod-template';
import { TrainingRuntimeKind, TrainJobBackendOptions } from './training-backend';
import { WorkerSpec } from './worker-spec';

/** The built-in Trainer v2 runtime for PyTorch. */
export const DEFAULT_TRAINING_RUNTIME = 'torch-distributed';
/** The replicated job (and container) of the built-in torch runtimes that runs the trainer. */
export const DEFAULT_TRAINER_JOB = 'node';

/** What the TrainJob backend needs from the construct (internal). */
export interface TrainJobContext {
  readonly scope: Construct;
  readonly name: string;
  readonly labels: { [k: string]: string };
  readonly jobLabels: { [k: string]: string };
  readonly workers: number;
  readonly processesPerWorker: number;
  readonly spec: WorkerSpec;
  readonly serviceAccountName: string;
  readonly placement: TrainJobPlacement;
  readonly options: TrainJobBackendOptions;
  readonly suspend: boolean;
}

/** Validates the TrainJob options. */
export function validateTrainJobOptions(scope: Construct, o: TrainJobBackendOptions): void {
  if (o.runtimeName !== undefined) requireDnsSubdomain(scope, 'backend.runtimeName', o.runtimeName);
  if (o.trainerJobName !== undefined) requireDnsLabel(scope, 'backend.trainerJobName', o.trainerJobName);
}

/**
 * Placement for a TrainJob, whose `podSpecOverrides` carry tolerations and a
 * nodeSelector but no affinity: required node requirements must be exact label
 * matches (`In` with one value); preferences cannot be expressed and are refused
 * rather than dropped.
 */
export class TrainJobPlacement implements ISchedulable {
  private readonly placement = new PodPlacement();
  private readonly nodeSelector: { [k: string]: string } = {};

  public constructor(private readonly scope: Construct) {}

  public tolerate(toleration: NodeToleration): void {
    this.placement.tolerate(toleration);
  }

  public requireNodes(requirements: NodeRequirement[]): void {
    for (const r of requirements) {
      if (r.operator !== NodeSelectorOperator.IN || (r.values ?? []).length !== 1) {
        throw invalidProp(this.scope, 'requireNodes', `(${r.key} ${r.operator} ${(r.values ?? []).join(',')}) cannot be expressed on the TrainJob backend: its podSpecOverrides have a nodeSelector only, so each requirement must be 'In' with exactly one value`);
      }
      const existing = this.nodeSelector[r.key];
      if (existing !== undefined && existing !== r.values![0]) {
        throw invalidProp(this.scope, 'requireNodes', `(${r.key} In ${r.values![0]}) conflicts with the required ${r.key}=${existing}`);
      }
      this.nodeSelector[r.key] = r.values![0];
    }
  }

  public preferNodes(_weight: number, requirements: NodeRequirement[]): void {
    throw invalidProp(this.scope, 'preferNodes', `(${requirements.map(r => r.key).join(', ')}) cannot be expressed on the TrainJob backend: its podSpecOverrides have no affinity; set it in the TrainingRuntime`);
  }

  /** @internal */
  public _renderTolerations(): any[] | undefined {
    return this.placement._renderTolerations();
  }

  /** @internal */
  public _renderNodeSelector(): { [k: string]: string } | undefined {
    return Object.keys(this.nodeSelector).length > 0 ? { ...this.nodeSelector } : undefined;
  }
}

/**
 * The Kubeflow Trainer v2 TrainJob: the runtime (by default the
 * `torch-distributed` ClusterTrainingRuntime) brings the pod template, the
 * rendezvous and torchrun's PET_* variables; we set the trainer (image, command,
 * env, nodes, processes, resources) and, through `podSpecOverrides` on the
 * trainer's replicated job, the ServiceAccount, volumes, tolerations and
 * nodeSelector. The pod security context comes from the runtime.
 */
export function createTrainJob(ctx: TrainJobContext): ApiObject {
  const o = ctx.options;
  const target = o.trainerJobName ?? DEFAULT_TRAINER_JOB;
  const spec = ctx.spec;
  const command = spec.torchrun ? spec.torchrun.toOperatorCommand() : spec.command;
  const env = rawEnv(spec.env);
  const envFrom = rawEnvFrom(spec.envFrom);

  const render = (): TrainJobSpec => {
    const tolerations = ctx.placement._renderTolerations();
    const nodeSelector = ctx.placement._renderNodeSelector();
    return {
      runtimeRef: {
        apiGroup: 'trainer.kubeflow.org',
        kind: o.runtimeKind ?? TrainingRuntimeKind.CLUSTER_TRAINING_RUNTIME,
        name: o.runtimeName ?? DEFAULT_TRAINING_RUNTIME,
      },
      ...(ctx.suspend ? { suspend: true } : {}),
      labels: { ...ctx.labels },
      trainer: {
        image: spec.image,
        ...(command ? { command } : {}),
        ...(spec.args ? { args: spec.args } : {}),
        ...(env.length > 0 ? { env } : {}),
        numNodes: ctx.workers,
        numProcPerNode: ctx.processesPerWorker,
        resourcesPerNode: rawResources(spec),
      },
      podSpecOverrides: [{
        targetJobs: [{ name: target }],
        serviceAccountName: ctx.serviceAccountName,
        ...(nodeSelector ? { nodeSelector } : {}),
        ...(tolerations ? { tolerations } : {}),
        volumes: rawVolumes(spec),
        containers: [{
          name: target,
          volumeMounts: rawVolumeMounts(spec),
          ...(envFrom.length > 0 ? { envFrom } : {}),
        }],
      }],
    };
  };

  return new ApiObject(ctx.scope, 'TrainJob', {
    apiVersion: TRAINJOB_API_VERSION,
    kind: TRAINJOB_KIND,
    metadata: { name: ctx.name, labels: ctx.jobLabels },
    spec: Lazy.any({ produce: render }),
  });
}
