import { ApiObject, Duration, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { invalidProp } from '../core/errors';
import { PodPlacement } from '../core/scheduling';
import { requireInteger, requirePort } from '../core/validation';
import { PYTORCHJOB_API_VERSION, PYTORCHJOB_KIND, PyTorchJobSpec, PyTorchReplicaSpec } from './crds/pytorch-job';
import { rawEnv, rawPodTemplate } from './raw-pod-template';
import { DEFAULT_ELASTIC_RDZV_PORT, PYTORCHJOB_PORT_NAME } from './rendezvous';
import { CleanPodPolicy, PyTorchJobBackendOptions, PyTorchRestartPolicy, RendezvousBackend } from './training-backend';
import { WorkerSpec } from './worker-spec';

/** What the PyTorchJob backend needs from the construct (internal). */
export interface PyTorchJobContext {
  readonly scope: Construct;
  readonly name: string;
  readonly labels: { [k: string]: string };
  readonly jobLabels: { [k: string]: string };
  readonly workers: number;
  readonly processesPerWorker: number;
  readonly masterPort: number;
  readonly spec: WorkerSpec;
  readonly serviceAccountName: string;
  readonly placement: PodPlacement;
  readonly options: PyTorchJobBackendOptions;
  readonly backoffLimit?: number;
  readonly activeDeadline?: Duration;
  readonly ttlAfterFinished?: Duration;
  readonly suspend: boolean;
}

/** Validates the PyTorchJob options; returns the elastic rendezvous port, if elastic. */
export function validatePyTorchJobOptions(scope: Construct, workers: number, o: PyTorchJobBackendOptions): number | undefined {
  if (o.schedulingQueue !== undefined && !o.gangScheduling) {
    throw invalidProp(scope, 'backend.schedulingQueue', 'requires backend.gangScheduling: true');
  }
  const e = o.elasticPolicy;
  if (!e) return undefined;
  requireInteger(scope, 'backend.elasticPolicy.minReplicas', e.minReplicas, 1);
  requireInteger(scope, 'backend.elasticPolicy.maxReplicas', e.maxReplicas, 1);
  if (e.maxReplicas < e.minReplicas) {
    throw invalidProp(scope, 'backend.elasticPolicy.maxReplicas', `(${e.maxReplicas}) must be >= minReplicas (${e.minReplicas})`);
  }
  if (workers < e.minReplicas || workers > e.maxReplicas) {
    throw invalidProp(scope, 'workers', `(${workers}) must be between elasticPolicy.minReplicas (${e.minReplicas}) and maxReplicas (${e.maxReplicas})`);
  }
  if (e.maxRestarts !== undefined) requireInteger(scope, 'backend.elasticPolicy.maxRestarts', e.maxRestarts, 0);
  const port = e.rdzvPort ?? DEFAULT_ELASTIC_RDZV_PORT;
  requirePort(scope, 'backend.elasticPolicy.rdzvPort', port);
  return port;
}

/**
 * The Kubeflow PyTorchJob: Master (1) + Worker (n-1) replicas, or elastic Workers.
 * The operator creates a Service per replica and injects MASTER_ADDR, MASTER_PORT
 * (from the container port named `pytorchjob-port`), WORLD_SIZE, RANK and
 * torchrun's PET_* variables, so the pods carry none of those. Rendered lazily so
 * placement added later (a spot node pool's toleration) still reaches the templates.
 */
export function createPyTorchJob(ctx: PyTorchJobContext): ApiObject {
  const o = ctx.options;
  const elastic = o.elasticPolicy;
  const restartPolicy = o.restartPolicy ?? PyTorchRestartPolicy.EXIT_CODE;
  const command = ctx.spec.torchrun ? ctx.spec.torchrun.toOperatorCommand() : ctx.spec.command;

  const replica = (replicas: number): PyTorchReplicaSpec => ({
    replicas,
    restartPolicy,
    template: rawPodTemplate(ctx.spec, {
      labels: ctx.labels,
      serviceAccountName: ctx.serviceAccountName,
      ports: [{ name: PYTORCHJOB_PORT_NAME, containerPort: ctx.masterPort, protocol: 'TCP' }],
      env: rawEnv(ctx.spec.env),
      command,
      placement: ctx.placement,
    }),
  });

  const render = (): PyTorchJobSpec => ({
    nprocPerNode: String(ctx.processesPerWorker),
    ...(elastic ? {
      elasticPolicy: {
        minReplicas: elastic.minReplicas,
        maxReplicas: elastic.maxReplicas,
        ...(elastic.maxRestarts !== undefined ? { maxRestarts: elastic.maxRestarts } : {}),
        rdzvBackend: elastic.rdzvBackend ?? RendezvousBackend.C10D,
        rdzvPort: elastic.rdzvPort ?? DEFAULT_ELASTIC_RDZV_PORT,
      },
    } : {}),
    runPolicy: {
      cleanPodPolicy: o.cleanPodPolicy ?? CleanPodPolicy.RUNNING,
      ...(ctx.backoffLimit !== undefined ? { backoffLimit: ctx.backoffLimit } : {}),
      ...(ctx.activeDeadline ? { activeDeadlineSeconds: ctx.activeDeadline.toSeconds() } : {}),
      ...(ctx.ttlAfterFinished ? { ttlSecondsAfterFinished: ctx.ttlAfterFinished.toSeconds() } : {}),
      ...(ctx.suspend ? { suspend: true } : {}),
      ...(o.gangScheduling ? {
        schedulingPolicy: {
          minAvailable: elastic ? elastic.minReplicas : ctx.workers,
          ...(o.schedulingQueue ? { queue: o.schedulingQueue } : {}),
          ...(ctx.spec.priorityClassName ? { priorityClass: ctx.spec.priorityClassName } : {}),
        },
      } : {}),
    },
    // Elastic jobs are Workers only (they rendezvous through torchrun's c10d store);
    // fixed-size jobs have a Master, whose hostname is MASTER_ADDR.
    pytorchReplicaSpecs: elastic
      ? { Worker: replica(ctx.workers) }
      : { Master: replica(1), ...(ctx.workers > 1 ? { Worker: replica(ctx.workers - 1) } : {}) },
  });

  return new ApiObject(ctx.scope, 'PyTorchJob', {
    apiVersion: PYTORCHJOB_API_VERSION,
    kind: PYTORCHJOB_KIND,
    metadata: { name: ctx.name, labels: ctx.jobLabels },
    spec: Lazy.any({ produce: render }),
  });
}
