import { ApiObject, Duration, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { COMPLETION_INDEX_ANNOTATION, DNS_1035_LABEL } from './rendezvous';
import { IndexedJobBackendOptions } from './training-backend';
import { VOLUME_NAMES, WorkerSpec } from './worker-spec';
import { invalidProp } from '../core/errors';
import { PodTemplatePatch } from '../core/pod-template-patch';
import { NVIDIA_GPU } from '../core/resources';
import { hardenPod, mountWritableTmp, secureContainerContext, securePodContext } from '../core/security';
import { requireInteger } from '../core/validation';

/** What the Indexed Job backend needs from the construct (internal). */
export interface IndexedJobContext {
  readonly scope: Construct;
  readonly name: string;
  readonly labels: { [k: string]: string };
  readonly jobLabels: { [k: string]: string };
  readonly selector: { [k: string]: string };
  readonly workers: number;
  readonly processesPerWorker: number;
  readonly masterPort: number;
  readonly spec: WorkerSpec;
  readonly serviceAccount: kplus.ServiceAccount;
  readonly options: IndexedJobBackendOptions;
  readonly backoffLimit?: number;
  readonly backoffLimitGiven: boolean;
  readonly activeDeadline?: Duration;
  readonly ttlAfterFinished?: Duration;
  readonly suspend: boolean;
}

/** What the Indexed Job backend creates. */
export interface IndexedJobResources {
  readonly job: kplus.Job;
  readonly container: kplus.Container;
  readonly service: kplus.Service;
  readonly masterAddress: string;
}

/** The headless Service's name, validated (Services need RFC 1035 labels). */
export function indexedJobServiceName(scope: Construct, name: string, options: IndexedJobBackendOptions): string {
  const serviceName = options.serviceName ?? name;
  const prop = options.serviceName !== undefined ? 'backend.serviceName' : 'name';
  if (serviceName.length > 63 || !DNS_1035_LABEL.test(serviceName)) {
    throw invalidProp(scope, prop, `('${serviceName}') must be a valid RFC 1035 label to name the headless Service: lowercase alphanumerics and '-', starting with a letter, ending with an alphanumeric, at most 63 characters`);
  }
  return serviceName;
}

function validateOptions(ctx: IndexedJobContext): void {
  const o = ctx.options;
  const codes = o.nonRetriableExitCodes ?? [];
  codes.forEach((code, i) => requireInteger(ctx.scope, `backend.nonRetriableExitCodes[${i}]`, code, 1, 255));
  if (new Set(codes).size !== codes.length) {
    throw invalidProp(ctx.scope, 'backend.nonRetriableExitCodes', `(${codes.join(', ')}) must not repeat a code`);
  }
  if (o.backoffLimitPerIndex !== undefined) {
    requireInteger(ctx.scope, 'backend.backoffLimitPerIndex', o.backoffLimitPerIndex, 0);
  }
  if (o.maxFailedIndexes !== undefined) {
    if (o.backoffLimitPerIndex === undefined) {
      throw invalidProp(ctx.scope, 'backend.maxFailedIndexes', 'requires backend.backoffLimitPerIndex');
    }
    requireInteger(ctx.scope, 'backend.maxFailedIndexes', o.maxFailedIndexes, 0, ctx.workers);
  }
}

/**
 * The `podFailurePolicy`: pods lost to disruptions (preemption, drains, spot
 * reclaims) are recreated without counting as failures, and the user's
 * non-retriable exit codes fail the Job at once. Needs restartPolicy Never.
 */
function podFailurePolicy(ctx: IndexedJobContext): any | undefined {
  const rules: any[] = [];
  if (ctx.options.ignoreDisruptions ?? true) {
    rules.push({ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] });
  }
  const codes = [...(ctx.options.nonRetriableExitCodes ?? [])].sort((a, b) => a - b);
  if (codes.length > 0) {
    rules.push({ action: 'FailJob', onExitCodes: { containerName: ctx.spec.containerName, operator: 'In', values: codes } });
  }
  return rules.length > 0 ? { rules } : undefined;
}

/**
 * The Indexed Job backend: a `batch/v1` Job with `completionMode: Indexed`
 * (`completions` = `parallelism` = workers) whose pods find each other through a
 * headless Service: the pods' `subdomain` is the Service, so the Job controller's
 * per-index hostname `<job>-<i>` resolves as `<job>-<i>.<service>`, and worker 0
 * hosts the c10d store at MASTER_ADDR:MASTER_PORT.
 */
export function createIndexedJob(ctx: IndexedJobContext, serviceName: string): IndexedJobResources {
  validateOptions(ctx);
  const { scope, spec } = ctx;
  const masterAddress = `${ctx.name}-0.${serviceName}`;
  const perIndex = ctx.options.backoffLimitPerIndex !== undefined;

  const job = new kplus.Job(scope, 'Job', {
    metadata: { name: ctx.name, labels: ctx.jobLabels },
    podMetadata: { labels: ctx.labels },
    select: false,
    // With per-index retries the Job-wide limit defaults to "unlimited"; render it only when asked.
    backoffLimit: perIndex && !ctx.backoffLimitGiven ? undefined : ctx.backoffLimit,
    activeDeadline: ctx.activeDeadline,
    ttlAfterFinished: ctx.ttlAfterFinished,
    restartPolicy: kplus.RestartPolicy.NEVER,
    serviceAccount: ctx.serviceAccount,
    automountServiceAccountToken: spec.automountServiceAccountToken,
    securityContext: securePodContext(spec.podIdentity),
    dns: { subdomain: serviceName },
    terminationGracePeriod: spec.terminationGracePeriod,
  });

  const env: { [name: string]: kplus.EnvValue } = {
    ...spec.env,
    MASTER_ADDR: kplus.EnvValue.fromValue(masterAddress),
    MASTER_PORT: kplus.EnvValue.fromValue(String(ctx.masterPort)),
    WORLD_SIZE: kplus.EnvValue.fromValue(String(ctx.workers)),
    // As in the guide: the completion index, through the downward API.
    RANK: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_ANNOTATION, { key: COMPLETION_INDEX_ANNOTATION }),
    NNODES: kplus.EnvValue.fromValue(String(ctx.workers)),
    NPROC_PER_NODE: kplus.EnvValue.fromValue(String(ctx.processesPerWorker)),
    LOCAL_WORLD_SIZE: kplus.EnvValue.fromValue(String(ctx.processesPerWorker)),
  };

  const container = job.addContainer({
    name: spec.containerName,
    image: spec.image,
    imagePullPolicy: spec.imagePullPolicy,
    command: spec.torchrun ? spec.torchrun.toCommand() : spec.command,
    args: spec.args,
    envVariables: env,
    envFrom: spec.envFrom,
    ports: [{ name: 'rendezvous', number: ctx.masterPort }],
    resources: spec.resources,
    securityContext: secureContainerContext(),
  });
  mountWritableTmp(job, container, VOLUME_NAMES.tmp);
  const shm = kplus.Volume.fromEmptyDir(job, 'shm-volume', VOLUME_NAMES.sharedMemory, {
    medium: kplus.EmptyDirMedium.MEMORY,
    sizeLimit: spec.sharedMemory,
  });
  container.mount('/dev/shm', shm);
  if (spec.checkpoint) {
    const claim = kplus.PersistentVolumeClaim.fromClaimName(scope, 'CheckpointClaim', spec.checkpoint.claimName);
    container.mount(spec.checkpointPath, kplus.Volume.fromPersistentVolumeClaim(job, 'checkpoint-volume', claim, { name: VOLUME_NAMES.checkpoint }));
  }
  if (spec.dataset) {
    const claim = kplus.PersistentVolumeClaim.fromClaimName(scope, 'DatasetClaim', spec.dataset.claimName);
    const volume = kplus.Volume.fromPersistentVolumeClaim(job, 'dataset-volume', claim, { name: VOLUME_NAMES.dataset, readOnly: true });
    container.mount(spec.datasetPath, volume, { readOnly: true });
  }

  hardenPod(job);
  const patch = PodTemplatePatch.of(job);
  // Only the device here: the GPU toleration and model requirement go through the
  // construct's placement, which ANDs node requirements (see SchedulableWorkload).
  if (spec.gpus.count > 0) patch.setExtendedResource(0, spec.gpus.resourceName ?? NVIDIA_GPU, String(spec.gpus.count));
  patch
    .setSpec('completionMode', 'Indexed')
    .setSpec('completions', ctx.workers)
    .setSpec('parallelism', ctx.workers);
  const failurePolicy = podFailurePolicy(ctx);
  if (failurePolicy) patch.setSpec('podFailurePolicy', failurePolicy);
  if (ctx.suspend) patch.setSpec('suspend', true);
  if (spec.priorityClassName) patch.setPodSpec('priorityClassName', spec.priorityClassName);
  // Newer than cdk8s-plus-27's Kubernetes 1.27 API: added after its converter.
  if (perIndex) patch.setSpecAfterConversion('backoffLimitPerIndex', ctx.options.backoffLimitPerIndex);
  if (ctx.options.maxFailedIndexes !== undefined) patch.setSpecAfterConversion('maxFailedIndexes', ctx.options.maxFailedIndexes);

  const service = new kplus.Service(scope, 'Service', {
    metadata: { name: serviceName, labels: ctx.labels },
    clusterIP: 'None',
    ports: [{ name: 'rendezvous', port: ctx.masterPort, targetPort: ctx.masterPort }],
  });
  for (const [k, v] of Object.entries(ctx.selector)) service.selectLabel(k, v);
  // Workers must resolve each other before they are Ready (they become Ready only
  // once the rendezvous has happened); cdk8s-plus-27 has no field for this.
  ApiObject.of(service).addJsonPatch(JsonPatch.add('/spec/publishNotReadyAddresses', true));

  return { job, container, service, masterAddress };
}
