import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { AfterConversion } from './after-conversion';
import { invalidProp } from './errors';
import { podSpecOf } from './pod-template-path';
import { requireInteger } from './validation';

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
  /**
   * Extra groups of every container, e.g. the GID that owns an NFS/EFS export
   * that ignores fsGroup.
   * @default - none
   */
  readonly supplementalGroups?: number[];
}

/** The Pod Security Standard levels, from strictest. */
export enum PodSecurityLevel {
  /** Hardened: what every workload of this library meets by default. */
  RESTRICTED = 'restricted',
  /** Prevents known privilege escalations; allows some capabilities. */
  BASELINE = 'baseline',
  /** Unrestricted. */
  PRIVILEGED = 'privileged',
}

/** Options of {@link PodSecurity.relaxed}. */
export interface RelaxedPodSecurityOptions {
  /** Why the restricted profile cannot be met: reviewed like code. Required. */
  readonly reason: string;
  /**
   * Linux capabilities to add (e.g. `IPC_LOCK` for RDMA memory registration).
   * Only `NET_BIND_SERVICE` is allowed under restricted; baseline allows a few more.
   * @default - none
   */
  readonly addCapabilities?: string[];
  /**
   * Allow the root filesystem to be written.
   * @default false
   */
  readonly writableRootFilesystem?: boolean;
  /**
   * Run as root (UID 0).
   * @default false
   */
  readonly runAsRoot?: boolean;
  /**
   * Allow `image` volumes (OCI artifacts as volumes, e.g. models), which the
   * restricted profile's volume list does not include.
   * @default false
   */
  readonly allowImageVolumes?: boolean;
}

/** Capabilities the baseline profile allows to add. */
const BASELINE_CAPABILITIES = ['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT'];

/**
 * The security contexts of a workload's pods. Restricted (the Pod Security
 * Standard) by default; anything weaker is an explicit choice with a written
 * reason, and says which namespace level it needs.
 *
 * @example
 * import { MlModelServing, PodSecurity } from 'cdk8s-ml';
 *
 * // Restricted (the default), running as the UID the image was built for.
 * new MlModelServing(this, 'ocr', {
 *   image: 'registry.example.com/ocr-server:2.0.3',
 *   podSecurity: PodSecurity.restricted({ runAsUser: 1001, runAsGroup: 1001, fsGroup: 1001 }),
 * });
 *
 * // A cdk8s-plus workload of your own, secured the same way.
 * const exporter = new kplus.Deployment(this, 'exporter', {
 *   containers: [{ image: 'registry.example.com/metrics-exporter:0.9.1', portNumber: 9400 }],
 * });
 * PodSecurity.restricted().applyTo(exporter);
 */
export class PodSecurity {
  /**
   * The restricted profile: non-root, no privilege escalation, every capability
   * dropped, read-only root filesystem, RuntimeDefault seccomp.
   */
  public static restricted(identity: PodIdentityOptions = {}): PodSecurity {
    return new PodSecurity(identity, undefined);
  }

  /** A weaker profile, for what the restricted one cannot run (RDMA, legacy images). */
  public static relaxed(options: RelaxedPodSecurityOptions, identity: PodIdentityOptions = {}): PodSecurity {
    return new PodSecurity(identity, options);
  }

  /** The namespace Pod Security level these pods need. */
  public readonly level: PodSecurityLevel;

  private constructor(
    /** @internal */
    public readonly _identity: PodIdentityOptions,
    /** @internal */
    public readonly _relaxed: RelaxedPodSecurityOptions | undefined,
  ) {
    const added = (_relaxed?.addCapabilities ?? []).filter(c => c !== 'NET_BIND_SERVICE');
    if (added.some(c => !BASELINE_CAPABILITIES.includes(c))) this.level = PodSecurityLevel.PRIVILEGED;
    else if (added.length > 0 || _relaxed?.runAsRoot || _relaxed?.allowImageVolumes) this.level = PodSecurityLevel.BASELINE;
    else this.level = PodSecurityLevel.RESTRICTED;
  }

  /**
   * Secures a cdk8s-plus workload this library did not create: the pod's and
   * every container's security contexts are set after conversion (including the
   * seccomp profile and `drop: [ALL]`, which cdk8s-plus-27 cannot render).
   */
  public applyTo(workload: kplus.AbstractPod): void {
    const container = kplus.k8s.toJson_SecurityContext(new kplus.ContainerSecurityContext(this._containerContext())._toKube());
    AfterConversion.of(workload)._addStage(manifest => {
      const spec = podSpecOf(manifest);
      spec.securityContext = this._podContext();
      for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) c.securityContext = JSON.parse(JSON.stringify(container));
    });
  }

  /**
   * Refuses identities the API server or the kubelet rejects: IDs that are not
   * integers in 0..2^31-1, and UID 0 while `runAsNonRoot` is true (the kubelet
   * refuses to start such a container: "container has runAsNonRoot and image will
   * run as root").
   * @internal
   */
  public _validate(scope: IConstruct, prop: string): void {
    const id = this._identity ?? {};
    const root = this._relaxed?.runAsRoot ?? false;
    for (const field of ['runAsUser', 'runAsGroup', 'fsGroup'] as const) {
      const v = id[field];
      if (v !== undefined) requireInteger(scope, `${prop} ${field}`, v, 0, 2147483647);
    }
    (id.supplementalGroups ?? []).forEach((g, i) => requireInteger(scope, `${prop} supplementalGroups[${i}]`, g, 0, 2147483647));
    if (!root && id.runAsUser === 0) {
      throw invalidProp(scope, `${prop} runAsUser`, '(0) is root, which runAsNonRoot forbids: the kubelet would refuse to start the containers; use a UID >= 1 or PodSecurity.relaxed({ reason, runAsRoot: true })');
    }
  }

  /** The pod-level security context, as Kubernetes JSON. @internal */
  public _podContext(): any {
    const id = this._identity;
    const root = this._relaxed?.runAsRoot ?? false;
    return {
      fsGroup: id.fsGroup ?? 1000,
      fsGroupChangePolicy: 'OnRootMismatch',
      runAsGroup: id.runAsGroup ?? (root ? 0 : 1000),
      runAsNonRoot: !root,
      runAsUser: id.runAsUser ?? (root ? 0 : 1000),
      seccompProfile: { type: 'RuntimeDefault' },
      ...(id.supplementalGroups?.length ? { supplementalGroups: [...id.supplementalGroups] } : {}),
    };
  }

  /** The container-level security context, as cdk8s-plus props. @internal */
  public _containerContext(): kplus.ContainerSecurityContextProps {
    const relaxed = this._relaxed;
    return {
      ensureNonRoot: !(relaxed?.runAsRoot ?? false),
      privileged: false,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: !(relaxed?.writableRootFilesystem ?? false),
      capabilities: {
        drop: [CAPABILITY_ALL],
        ...(relaxed?.addCapabilities?.length ? { add: relaxed.addCapabilities as unknown as kplus.Capability[] } : {}),
      },
    };
  }
}

/**
 * The value cdk8s-plus-27's `Capability` enum lacks: `ALL`. The restricted profile
 * requires dropping ALL capabilities; the enum only lists single ones, so we pass
 * the string through (the enum is a string enum, rendered as is).
 */
const CAPABILITY_ALL = 'ALL' as unknown as kplus.Capability;
