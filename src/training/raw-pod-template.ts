import { Size, SizeRoundingBehavior } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { VOLUME_NAMES, WorkerSpec } from './worker-spec';
import { NVIDIA_GPU } from '../core/resources';
import { PodPlacement } from '../core/scheduling';
import { secureContainerContext, securePodContext } from '../core/security';

// Custom resources (PyTorchJob, TrainJob) embed raw Kubernetes JSON rather than
// cdk8s-plus objects. These helpers render a WorkerSpec to that JSON from the same
// shared building blocks the Indexed Job uses (securePodContext,
// secureContainerContext, the GPU conventions), so all backends emit the same pod.

function quantity(size: Size): string {
  return `${size.toMebibytes({ rounding: SizeRoundingBehavior.NONE })}Mi`;
}

/**
 * requests and limits: cpu, memory, ephemeral storage when given (in GiB, as
 * cdk8s-plus renders it for the Indexed Job) and the GPU extended resource (equal in both).
 */
export function rawResources(spec: WorkerSpec): { requests: { [k: string]: string }; limits: { [k: string]: string } } {
  const r = spec.resources;
  const gpu = spec.gpus.count > 0 ? { [spec.gpus.resourceName ?? NVIDIA_GPU]: String(spec.gpus.count) } : {};
  const storage = (size: Size | undefined): { [k: string]: string } => size ? { 'ephemeral-storage': `${size.toGibibytes()}Gi` } : {};
  return {
    requests: { cpu: r.cpu!.request!.amount, memory: quantity(r.memory!.request!), ...storage(r.ephemeralStorage?.request), ...gpu },
    limits: { cpu: r.cpu!.limit!.amount, memory: quantity(r.memory!.limit!), ...storage(r.ephemeralStorage?.limit), ...gpu },
  };
}

/** `env` entries from cdk8s-plus EnvValues (which expose value / valueFrom). */
export function rawEnv(env: { [name: string]: kplus.EnvValue }): any[] {
  return Object.entries(env).map(([name, v]) => ({
    name,
    ...(v.valueFrom !== undefined ? { valueFrom: v.valueFrom } : { value: v.value }),
  }));
}

/** `envFrom` entries from cdk8s-plus EnvFrom sources. */
export function rawEnvFrom(envFrom: kplus.EnvFrom[]): any[] {
  return envFrom.map(e => JSON.parse(JSON.stringify(e._toKube())));
}

/** The pod's volumes: writable /tmp, in-memory /dev/shm, checkpoint and dataset claims. */
export function rawVolumes(spec: WorkerSpec): any[] {
  return [
    { name: VOLUME_NAMES.tmp, emptyDir: {} },
    { name: VOLUME_NAMES.sharedMemory, emptyDir: { medium: 'Memory', sizeLimit: quantity(spec.sharedMemory) } },
    ...(spec.checkpoint ? [{ name: VOLUME_NAMES.checkpoint, persistentVolumeClaim: { claimName: spec.checkpoint.claimName } }] : []),
    ...(spec.dataset ? [{ name: VOLUME_NAMES.dataset, persistentVolumeClaim: { claimName: spec.dataset.claimName, readOnly: true } }] : []),
  ];
}

/** The training container's mounts of {@link rawVolumes}. */
export function rawVolumeMounts(spec: WorkerSpec): any[] {
  return [
    { name: VOLUME_NAMES.tmp, mountPath: '/tmp' },
    { name: VOLUME_NAMES.sharedMemory, mountPath: '/dev/shm' },
    ...(spec.checkpoint ? [{ name: VOLUME_NAMES.checkpoint, mountPath: spec.checkpointPath }] : []),
    ...(spec.dataset ? [{ name: VOLUME_NAMES.dataset, mountPath: spec.datasetPath, readOnly: true }] : []),
  ];
}

/** Drops undefined values, so the JSON carries only what was set. */
function compact(obj: { [k: string]: unknown }): any {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined));
}

/**
 * A complete pod template meeting the restricted profile: the pod security context
 * of {@link securePodContext} plus the RuntimeDefault seccomp profile (what
 * hardenPod patches into cdk8s-plus workloads), the container context of
 * {@link secureContainerContext}, resources, volumes, and the placement.
 */
export function rawPodTemplate(
  spec: WorkerSpec,
  options: {
    labels: { [k: string]: string };
    serviceAccountName: string;
    ports: any[];
    env: any[];
    command?: string[];
    placement: PodPlacement;
  },
): any {
  const podContext = new kplus.PodSecurityContext(securePodContext(spec.podIdentity))._toKube();
  const containerContext = new kplus.ContainerSecurityContext(secureContainerContext())._toKube();
  const envFrom = rawEnvFrom(spec.envFrom);
  return {
    metadata: { labels: { ...options.labels } },
    spec: compact({
      serviceAccountName: options.serviceAccountName,
      automountServiceAccountToken: spec.automountServiceAccountToken,
      securityContext: compact({ ...podContext, seccompProfile: { type: 'RuntimeDefault' } }),
      terminationGracePeriodSeconds: spec.terminationGracePeriod.toSeconds(),
      priorityClassName: spec.priorityClassName,
      tolerations: options.placement._renderTolerations(),
      affinity: options.placement._renderAffinity(),
      containers: [compact({
        name: spec.containerName,
        image: spec.image,
        imagePullPolicy: spec.imagePullPolicy,
        command: options.command,
        args: spec.args,
        env: options.env.length > 0 ? options.env : undefined,
        envFrom: envFrom.length > 0 ? envFrom : undefined,
        ports: options.ports,
        resources: rawResources(spec),
        securityContext: compact(containerContext as any),
        volumeMounts: rawVolumeMounts(spec),
      })],
      volumes: rawVolumes(spec),
    }),
  };
}
