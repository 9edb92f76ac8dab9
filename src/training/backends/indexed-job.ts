import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { AfterConversion } from '../../core/after-conversion';
import { invalidProp } from '../../core/errors';
import { requireInteger, requirePort, requireWholeSeconds } from '../../core/validation';
import { IndexedJobBackendOptions } from '../backend-options';
import type { DistributedTrainingJob } from '../distributed-training-job';
import { NON_RETRIABLE_CODES_ENV, RDZV_HOST_RANK_ENV } from '../exit-code-contract';
import { COMPLETION_INDEX_ANNOTATION, DNS_1035_LABEL, INDEXED_JOB_ENV, RESERVED_ENV_PREFIX } from '../rendezvous';
import type { TrainingBackendRenderer, TrainingContext, TrainingOutputs } from '../training-backend';

const DEFAULT_MASTER_PORT = 29500;
const DEFAULT_BACKOFF_LIMIT = 3;

/**
 * The Indexed Job backend: a `batch/v1` Job with `completionMode: Indexed`
 * (`completions` = `parallelism` = workers) whose pods find each other through a
 * headless Service: the pods' `subdomain` is the Service, so the Job controller's
 * per-index hostname `<job>-<i>` resolves as `<job>-<i>.<service>`, and worker 0
 * hosts the c10d store at MASTER_ADDR:MASTER_PORT.
 */
export class IndexedJobRenderer implements TrainingBackendRenderer {
  public readonly kind = 'IndexedJob';
  public readonly containerName: string;
  public readonly needsDns1035Name = false;
  private readonly masterPort: number;

  public constructor(public readonly options: IndexedJobBackendOptions) {
    this.containerName = options.containerName ?? 'training-worker';
    this.masterPort = options.masterPort ?? DEFAULT_MASTER_PORT;
  }

  public get podOptions(): IndexedJobBackendOptions {
    return this.options;
  }

  public get rendezvousPorts(): number[] {
    return [this.masterPort];
  }

  public reservedEnv(name: string): string | undefined {
    return INDEXED_JOB_ENV.includes(name) || name.startsWith(RESERVED_ENV_PREFIX)
      ? 'is set by DistributedTrainingJob for the rendezvous; remove it (use workers, backend masterPort, processesPerWorker)'
      : undefined;
  }

  public lastHostname(name: string, workers: number): string {
    return `${name}-${workers - 1}`;
  }

  public elastic(job: DistributedTrainingJob): boolean {
    return job.torchrun?.elastic ?? false;
  }

  public notElastic(job: DistributedTrainingJob): string {
    return job.torchrun
      ? 'its torchrun launch is static (elastic: false), so one lost worker leaves the others blocked until the NCCL timeout'
      : 'it is not launched by torchrun (Torchrun.script(...), elastic by default), so one lost worker leaves the others blocked until the NCCL timeout';
  }

  public validate(job: DistributedTrainingJob): void {
    const o = this.options;
    requirePort(job, 'backend.masterPort', this.masterPort);
    requireInteger(job, 'backend.backoffLimit', o.backoffLimit ?? DEFAULT_BACKOFF_LIMIT, 0);
    requireWholeSeconds(job, 'backend.activeDeadline', o.activeDeadline, 1);
    requireWholeSeconds(job, 'backend.ttlAfterFinished', o.ttlAfterFinished, 0);
    const codes = o.nonRetriableExitCodes ?? [];
    codes.forEach((code, i) => requireInteger(job, `backend.nonRetriableExitCodes[${i}]`, code, 1, 255));
    if (new Set(codes).size !== codes.length) {
      throw invalidProp(job, 'backend.nonRetriableExitCodes', `(${codes.join(', ')}) must not repeat a code`);
    }
    if (job.torchrun && !job.torchrun.propagatesExitCodes && codes.some(c => c !== 1)) {
      throw invalidProp(job, 'backend.nonRetriableExitCodes', `(${codes.join(', ')}) can never match: torchrun exits 1 whatever its processes' codes, and torchrun propagateExitCodes is false`);
    }
    if (o.backoffLimitPerIndex !== undefined) requireInteger(job, 'backend.backoffLimitPerIndex', o.backoffLimitPerIndex, 0);
    if (o.maxFailedIndexes !== undefined) {
      if (o.backoffLimitPerIndex === undefined && !job.torchrun?.elastic) {
        throw invalidProp(job, 'backend.maxFailedIndexes', 'requires backend.backoffLimitPerIndex');
      }
      requireInteger(job, 'backend.maxFailedIndexes', o.maxFailedIndexes, 0, job.workers);
    }
    const serviceName = this.serviceName(job);
    const prop = o.serviceName !== undefined ? 'backend.serviceName' : 'name';
    if (serviceName.length > 63 || !DNS_1035_LABEL.test(serviceName)) {
      throw invalidProp(job, prop, `('${serviceName}') must be a valid RFC 1035 label to name the headless Service: lowercase alphanumerics and '-', starting with a letter, ending with an alphanumeric, at most 63 characters`);
    }
  }

  /**
   * torchrun's own variables (`PET_<FLAG>`, read as flag defaults by
   * torch/distributed/argparse_util.py `env`; the names the Kubeflow operators
   * set), plus the torch.distributed env:// variables for launches without
   * torchrun. WORLD_SIZE counts processes (workers × processes per worker);
   * RANK is a process rank, so it is only set when each worker runs one process
   * (torchrun sets both for its children itself).
   */
  public workerEnv(job: DistributedTrainingJob): { [name: string]: kplus.EnvValue } {
    const value = (v: string | number) => kplus.EnvValue.fromValue(String(v));
    const nodeRank = () => kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_ANNOTATION, { key: COMPLETION_INDEX_ANNOTATION });
    const elastic = job.torchrun?.elastic ?? false;
    return {
      PET_NNODES: value(elastic ? `${job.torchrun!._minWorkers ?? job.workers}:${job.workers}` : job.workers),
      PET_NPROC_PER_NODE: value(job.processesPerWorker),
      PET_NODE_RANK: nodeRank(),
      PET_MASTER_ADDR: value(this.masterAddress(job)),
      PET_MASTER_PORT: value(this.masterPort),
      MASTER_ADDR: value(this.masterAddress(job)),
      MASTER_PORT: value(this.masterPort),
      WORLD_SIZE: value(job.workers * job.processesPerWorker),
      // As in the guide: the completion index, through the downward API.
      ...(job.processesPerWorker === 1 ? { RANK: nodeRank() } : {}),
      NODE_RANK: nodeRank(),
      NNODES: value(job.workers),
      NPROC_PER_NODE: value(job.processesPerWorker),
      LOCAL_WORLD_SIZE: value(job.processesPerWorker),
      // Worker 0 hosts the rendezvous store (see RDZV_HOST_RANK_ENV).
      ...(elastic && job.torchrun!.propagatesExitCodes ? { [RDZV_HOST_RANK_ENV]: value(0) } : {}),
      ...(job.torchrun?.propagatesExitCodes && (this.options.nonRetriableExitCodes ?? []).length > 0
        ? { [NON_RETRIABLE_CODES_ENV]: value(this.sortedCodes().join(' ')) } : {}),
    };
  }

  public workerProps(job: DistributedTrainingJob): { ports: kplus.ContainerPort[]; command?: string[] } {
    const command = job.torchrun?._command(job.torchrun._indexedJobFlags({
      workers: job.workers,
      processesPerWorker: job.processesPerWorker,
      endpoint: `${this.masterAddress(job)}:${this.masterPort}`,
      id: job.name,
      masterAddress: this.masterAddress(job),
      masterPort: this.masterPort,
    }));
    return {
      ports: [{ name: 'rendezvous', number: this.masterPort }],
      ...(command ? { command } : {}),
    };
  }

  public render(ctx: TrainingContext): TrainingOutputs {
    const { job } = ctx;
    const o = this.options;
    const serviceName = this.serviceName(job);
    const budget = this.retryBudget(job);

    const k8sJob = new kplus.Job(job, 'Job', {
      metadata: { ...job._metadata(), labels: ctx.jobLabels },
      podMetadata: { labels: job.podLabels, ...job._podAnnotationsField() },
      select: false,
      backoffLimit: budget.backoffLimit,
      activeDeadline: o.activeDeadline,
      ttlAfterFinished: o.ttlAfterFinished,
      restartPolicy: kplus.RestartPolicy.NEVER,
      dns: { subdomain: serviceName },
    });
    const [container] = job._pod.bindTo(k8sJob);
    const failurePolicy = this.podFailurePolicy();
    AfterConversion.of(k8sJob)._addStage(manifest => Object.assign(manifest.spec, {
      completionMode: 'Indexed',
      completions: job.workers,
      parallelism: job.workers,
      ...(failurePolicy ? { podFailurePolicy: failurePolicy } : {}),
      ...(ctx.suspend ? { suspend: true } : {}),
      ...(budget.backoffLimitPerIndex !== undefined ? { backoffLimitPerIndex: budget.backoffLimitPerIndex } : {}),
      ...(budget.maxFailedIndexes !== undefined ? { maxFailedIndexes: budget.maxFailedIndexes } : {}),
    }));

    const service = new kplus.Service(job, 'Service', {
      metadata: { ...job._metadata(serviceName) },
      clusterIP: 'None',
      ports: [{ name: 'rendezvous', port: this.masterPort, targetPort: this.masterPort }],
    });
    for (const [k, v] of Object.entries(job.selector)) service.selectLabel(k, v);
    // Workers must resolve each other before they are Ready (they become Ready only
    // once the rendezvous has happened); cdk8s-plus-27 has no field for this.
    AfterConversion.of(service)._addStage(manifest => {
      manifest.spec.publishNotReadyAddresses = true;
    });

    return { apiObject: ApiObject.of(k8sJob), job: k8sJob, container, service, masterAddress: this.masterAddress(job) };
  }

  private sortedCodes(): number[] {
    return [...(this.options.nonRetriableExitCodes ?? [])].sort((a, b) => a - b);
  }

  /**
   * How failures are counted. Why per-index retries (`backoffLimitPerIndex`,
   * Kubernetes 1.29+, GA in 1.33) and not the other mechanisms, for an elastic
   * torchrun job:
   * - the lost pod itself (spot reclaim, preemption, drain) carries the
   *   `DisruptionTarget` condition and is `Ignore`d by the podFailurePolicy: its
   *   index is recreated, uncounted, under the same hostname (with a
   *   podFailurePolicy the Job controller only replaces a pod once it is fully
   *   terminated: podReplacementPolicy Failed), and it rejoins the c10d rendezvous;
   * - the survivors do not fail: their torchrun agents restart the local worker
   *   group when the replacement joins (`--max-restarts`), and everyone resumes
   *   from the last checkpoint. That is the group restart; the Job API has no
   *   "recreate every pod" action;
   * - when the lost pod was worker 0, the agents lose the rendezvous store and
   *   exit, so each survivor fails once. A Job-wide `backoffLimit` (3) would be
   *   spent by one reclaim of a 4-worker job; per index, each survivor spends
   *   one retry of its own. `maxFailedIndexes: 0` fails the Job as soon as one
   *   index is out of retries: the others could only wait for it.
   * JobSet's `failurePolicy.maxRestarts` would recreate the whole group, but it
   * needs the JobSet controller; this needs nothing beyond batch/v1.
   * A static (non-elastic) launch keeps the Job-wide backoffLimit.
   */
  private retryBudget(job: DistributedTrainingJob): { backoffLimit?: number; backoffLimitPerIndex?: number; maxFailedIndexes?: number } {
    const o = this.options;
    const elastic = job.torchrun?.elastic ?? false;
    if (o.backoffLimitPerIndex === undefined && !elastic) {
      return { backoffLimit: o.backoffLimit ?? DEFAULT_BACKOFF_LIMIT };
    }
    const explicitPerIndex = o.backoffLimitPerIndex !== undefined;
    return {
      // With per-index retries the Job-wide limit defaults to "unlimited"; render it only when asked.
      backoffLimit: explicitPerIndex ? o.backoffLimit : undefined,
      backoffLimitPerIndex: o.backoffLimitPerIndex ?? o.backoffLimit ?? DEFAULT_BACKOFF_LIMIT,
      maxFailedIndexes: o.maxFailedIndexes ?? (explicitPerIndex ? undefined : 0),
    };
  }

  private serviceName(job: DistributedTrainingJob): string {
    return this.options.serviceName ?? job.name;
  }

  private masterAddress(job: DistributedTrainingJob): string {
    return `${job.name}-0.${this.serviceName(job)}`;
  }

  /**
   * The `podFailurePolicy`: pods lost to disruptions (preemption, drains, spot
   * reclaims) are recreated without counting as failures, and the user's
   * non-retriable exit codes fail the Job at once. Needs restartPolicy Never.
   */
  private podFailurePolicy(): any | undefined {
    const rules: any[] = [];
    if (this.options.ignoreDisruptions ?? true) {
      rules.push({ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] });
    }
    const codes = this.sortedCodes();
    if (codes.length > 0) {
      rules.push({ action: 'FailJob', onExitCodes: { containerName: this.containerName, operator: 'In', values: codes } });
    }
    return rules.length > 0 ? { rules } : undefined;
  }
}
