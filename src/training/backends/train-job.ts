import { ApiObject, Lazy } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { invalidProp } from '../../core/errors';
import { RUNTIME_IMAGE_PLACEHOLDER } from '../../core/ml-workload';
import { NodeRequirement, NodeSelectorOperator } from '../../core/scheduling';
import { requireDnsLabel, requireDnsSubdomain } from '../../core/validation';
import { TrainingRuntimeKind, TrainJobBackendOptions } from '../backend-options';
import { TRAINJOB_API_VERSION, TRAINJOB_KIND, TrainJobSpec } from '../crds/train-job';
import type { DistributedTrainingJob } from '../distributed-training-job';
import { JOBSET_NAME_LABEL, RESERVED_ENV_PREFIX } from '../rendezvous';
import type { TrainingBackendRenderer, TrainingContext, TrainingOutputs } from '../training-backend';

/** The built-in Trainer v2 runtime for PyTorch. */
export const DEFAULT_TRAINING_RUNTIME = 'torch-distributed';
/** The replicated job (and container) of the built-in torch runtimes that runs the trainer. */
export const DEFAULT_TRAINER_JOB = 'node';

/**
 * The Kubeflow Trainer v2 TrainJob: the runtime (by default the
 * `torch-distributed` ClusterTrainingRuntime) brings the pod template, the
 * rendezvous and torchrun's PET_* variables. The job's pod model is rendered and
 * the part the TrainJob API carries is mapped onto it: the trainer (image,
 * command, env, nodes, processes, resources) and, through `podSpecOverrides` on the
 * trainer's replicated job, the ServiceAccount, volumes and mounts, envFrom,
 * tolerations and a nodeSelector. Its pods carry JobSet's labels, so the job's
 * selector is JobSet's name label.
 */
export class TrainJobRenderer implements TrainingBackendRenderer {
  public readonly kind = 'TrainJob';
  public readonly containerName: string;
  public readonly needsDns1035Name = true;
  // Trainer v2's torch runtime announces 29500 (PET_MASTER_PORT).
  public readonly rendezvousPorts = [29500];

  public constructor(public readonly options: TrainJobBackendOptions) {
    this.containerName = options.trainerJobName ?? DEFAULT_TRAINER_JOB;
  }

  public reservedEnv(name: string): string | undefined {
    return name.startsWith(RESERVED_ENV_PREFIX)
      ? `is reserved on the ${this.kind} backend: the operator sets torchrun's PET_* variables`
      : undefined;
  }

  public lastHostname(name: string, workers: number): string {
    return `${name}-${this.containerName}-0-${workers - 1}`;
  }

  public podSelector(name: string): { [key: string]: string } {
    return { [JOBSET_NAME_LABEL]: name };
  }

  public elastic(): boolean {
    return false;
  }

  public notElastic(): string {
    return 'the TrainJob API (trainer.kubeflow.org/v1alpha1) has no elastic training: its runtime launches a fixed number of nodes';
  }

  public validate(job: DistributedTrainingJob): void {
    if (job.torchrun && !job.torchrun.elastic) {
      throw invalidProp(job, 'torchrun.elastic', 'applies to the IndexedJob backend; on the TrainJob backend the runtime configures the rendezvous');
    }
    if (job.torchrun?._minWorkers !== undefined) {
      throw invalidProp(job, 'torchrun.minWorkers', 'applies to the IndexedJob backend; the TrainJob API (v1alpha1) has no elastic training');
    }
    if (this.options.runtimeName !== undefined) requireDnsSubdomain(job, 'backend.runtimeName', this.options.runtimeName);
    if (this.options.trainerJobName !== undefined) requireDnsLabel(job, 'backend.trainerJobName', this.options.trainerJobName);
  }

  /** podSpecOverrides have a nodeSelector only: each requirement must be an exact label match. */
  public checkRequirement(job: DistributedTrainingJob, requirements: NodeRequirement[]): void {
    const selected = new Map(job._pod.placement._required.map(r => [r.key, r.values?.[0]]));
    for (const r of requirements) {
      if (r.operator !== NodeSelectorOperator.IN || (r.values ?? []).length !== 1) {
        throw invalidProp(job, 'requireNodes', `(${r.key} ${r.operator} ${(r.values ?? []).join(',')}) cannot be expressed on the TrainJob backend: its podSpecOverrides have a nodeSelector only, so each requirement must be 'In' with exactly one value`);
      }
      const existing = selected.get(r.key);
      if (existing !== undefined && existing !== r.values![0]) {
        throw invalidProp(job, 'requireNodes', `(${r.key} In ${r.values![0]}) conflicts with the required ${r.key}=${existing}`);
      }
      selected.set(r.key, r.values![0]);
    }
  }

  public checkPreference(job: DistributedTrainingJob, requirements: NodeRequirement[]): void {
    throw invalidProp(job, 'preferNodes', `(${requirements.map(r => r.key).join(', ')}) cannot be expressed on the TrainJob backend: its podSpecOverrides have no affinity; set it in the TrainingRuntime`);
  }

  public workerEnv(): { [name: string]: kplus.EnvValue } {
    return {};
  }

  public workerProps(job: DistributedTrainingJob): { command?: string[] } {
    return job.torchrun ? { command: job.torchrun._command({ flags: [] }) } : {};
  }

  public render(ctx: TrainingContext): TrainingOutputs {
    const { job } = ctx;
    const o = this.options;
    const render = (): TrainJobSpec => {
      const pod = job._pod.renderPodSpec();
      const worker = pod.containers.find((c: any) => c.name === this.containerName);
      const nodeSelector = Object.fromEntries(job._pod.placement._required.map(r => [r.key, r.values![0]]));
      return {
        runtimeRef: {
          apiGroup: 'trainer.kubeflow.org',
          kind: o.runtimeKind ?? TrainingRuntimeKind.CLUSTER_TRAINING_RUNTIME,
          name: o.runtimeName ?? DEFAULT_TRAINING_RUNTIME,
        },
        ...(ctx.suspend ? { suspend: true } : {}),
        labels: { ...job.podLabels },
        trainer: {
          // Without an image of the user's, the TrainingRuntime's is used.
          ...(job.image !== RUNTIME_IMAGE_PLACEHOLDER ? { image: worker.image } : {}),
          ...(worker.command ? { command: worker.command } : {}),
          ...(worker.args ? { args: worker.args } : {}),
          ...(worker.env?.length ? { env: worker.env } : {}),
          numNodes: job.workers,
          numProcPerNode: job.processesPerWorker,
          resourcesPerNode: { requests: worker.resources.requests, limits: worker.resources.limits },
        },
        podSpecOverrides: [{
          targetJobs: [{ name: this.containerName }],
          serviceAccountName: pod.serviceAccountName,
          ...(Object.keys(nodeSelector).length > 0 ? { nodeSelector } : {}),
          ...(pod.tolerations ? { tolerations: pod.tolerations } : {}),
          volumes: pod.volumes,
          containers: [{
            name: this.containerName,
            volumeMounts: worker.volumeMounts,
            ...(worker.envFrom?.length ? { envFrom: worker.envFrom } : {}),
          }],
        }],
      };
    };
    const apiObject = new ApiObject(job, 'TrainJob', {
      apiVersion: TRAINJOB_API_VERSION,
      kind: TRAINJOB_KIND,
      metadata: { ...job._metadata(), labels: ctx.jobLabels },
      spec: Lazy.any({ produce: render }),
    });
    return { apiObject };
  }
}
