import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { AfterConversion } from '../../core/after-conversion';
import { invalidProp } from '../../core/errors';
import { requireInteger, requirePort } from '../../core/validation';
import { IndexedJobBackendOptions } from '../backend-options';
import type { DistributedTrainingJob } from '../distributed-training-job';
import { COMPLETION_INDEX_ANNOTATION, DNS_1035_LABEL, INDEXED_JOB_ENV } from '../rendezvous';
import type { TrainingBackendRenderer, TrainingContext, TrainingOutputs } from '../training-backend';
import { requireWholeSeconds } from '../validate-training-props';

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
    return INDEXED_JOB_ENV.includes(name)
      ? 'is set by DistributedTrainingJob for the rendezvous; remove it (use workers, backend masterPort, processesPerWorker)'
      : undefined;
  }

  public lastHostname(name: string, workers: number): string {
    return `${name}-${workers - 1}`;
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
    if (o.backoffLimitPerIndex !== undefined) requireInteger(job, 'backend.backoffLimitPerIndex', o.backoffLimitPerIndex, 0);
    if (o.maxFailedIndexes !== undefined) {
      if (o.backoffLimitPerIndex === undefined) {
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

  public workerEnv(job: DistributedTrainingJob): { [name: string]: kplus.EnvValue } {
    return {
      MASTER_ADDR: kplus.EnvValue.fromValue(this.masterAddress(job)),
      MASTER_PORT: kplus.EnvValue.fromValue(String(this.masterPort)),
      WORLD_SIZE: kplus.EnvValue.fromValue(String(job.workers)),
      // As in the guide: the completion index, through the downward API.
      RANK: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_ANNOTATION, { key: COMPLETION_INDEX_ANNOTATION }),
      NNODES: kplus.EnvValue.fromValue(String(job.workers)),
      NPROC_PER_NODE: kplus.EnvValue.fromValue(String(job.processesPerWorker)),
      LOCAL_WORLD_SIZE: kplus.EnvValue.fromValue(String(job.processesPerWorker)),
    };
  }

  public workerProps(job: DistributedTrainingJob): { ports: kplus.ContainerPort[]; command?: string[] } {
    return {
      ports: [{ name: 'rendezvous', number: this.masterPort }],
      ...(job.torchrun ? { command: job.torchrun.toCommand() } : {}),
    };
  }

  public render(ctx: TrainingContext): TrainingOutputs {
    const { job } = ctx;
    const o = this.options;
    const serviceName = this.serviceName(job);
    const perIndex = o.backoffLimitPerIndex !== undefined;

    const k8sJob = new kplus.Job(job, 'Job', {
      metadata: { ...job._metadata(), labels: ctx.jobLabels },
      podMetadata: { labels: job.podLabels, ...job._podAnnotationsField() },
      select: false,
      // With per-index retries the Job-wide limit defaults to "unlimited"; render it only when asked.
      backoffLimit: perIndex && o.backoffLimit === undefined ? undefined : o.backoffLimit ?? DEFAULT_BACKOFF_LIMIT,
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
      ...(perIndex ? { backoffLimitPerIndex: o.backoffLimitPerIndex } : {}),
      ...(o.maxFailedIndexes !== undefined ? { maxFailedIndexes: o.maxFailedIndexes } : {}),
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
    const codes = [...(this.options.nonRetriableExitCodes ?? [])].sort((a, b) => a - b);
    if (codes.length > 0) {
      rules.push({ action: 'FailJob', onExitCodes: { containerName: this.containerName, operator: 'In', values: codes } });
    }
    return rules.length > 0 ? { rules } : undefined;
  }
}
