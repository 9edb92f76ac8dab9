import * as kplus from 'cdk8s-plus-27';
import { PodTemplatePatch } from './pod-template-patch';

/** Identity the pods of this library run as. */
export interface PodIdentityOptions {
  /**
   * UID of every container. A numeric non-root UID lets the kubelet verify
   * `runAsNonRoot` even for images whose USER is a name.
   * @default 1000
   */
  readonly runAsUser?: number;
  /**
   * GID of every container.
   * @default 1000
   */
  readonly runAsGroup?: number;
  /**
   * fsGroup, so mounted volumes (emptyDir, PVCs) are writable by the UID above.
   * @default 1000
   */
  readonly fsGroup?: number;
}

/**
 * The value cdk8s-plus-27's `Capability` enum lacks: `ALL`. The restricted profile
 * requires dropping ALL capabilities; the enum only lists single ones, so we pass
 * the string through (the enum is a string enum, rendered as is).
 */
const CAPABILITY_ALL = 'ALL' as unknown as kplus.Capability;

/** Pod-level security context that, with {@link hardenPod}, meets the restricted profile. */
export function securePodContext(identity: PodIdentityOptions = {}): kplus.PodSecurityContextProps {
  return {
    ensureNonRoot: true,
    user: identity.runAsUser ?? 1000,
    group: identity.runAsGroup ?? 1000,
    fsGroup: identity.fsGroup ?? 1000,
    fsGroupChangePolicy: kplus.FsGroupChangePolicy.ON_ROOT_MISMATCH,
  };
}

/**
 * Container-level security context of the Pod Security Standard *restricted*
 * profile: non-root, no privilege escalation, all capabilities dropped, read-only
 * root filesystem (writable paths come from emptyDir volumes).
 */
export function secureContainerContext(): kplus.ContainerSecurityContextProps {
  return {
    ensureNonRoot: true,
    privileged: false,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: [CAPABILITY_ALL] },
  };
}

/**
 * What cdk8s-plus-27 cannot render for the restricted profile: the RuntimeDefault
 * seccomp profile, set once on the pod so it covers every container.
 */
export function hardenPod(workload: kplus.AbstractPod): void {
  PodTemplatePatch.of(workload).setPodSecurityContext('seccompProfile', { type: 'RuntimeDefault' });
}

/**
 * A writable `/tmp` for a container whose root filesystem is read-only: many
 * servers and Python libraries write there. Memory-backed emptyDir with a size cap
 * when `sizeLimit` is given.
 */
export function mountWritableTmp(workload: kplus.AbstractPod, container: kplus.Container, volumeName = 'tmp'): kplus.Volume {
  const existing = workload.volumes.find(v => v.name === volumeName);
  const volume = existing ?? kplus.Volume.fromEmptyDir(workload, `${volumeName}-volume`, volumeName);
  container.mount('/tmp', volume);
  return volume;
}
