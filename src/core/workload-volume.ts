import { Size, SizeRoundingBehavior } from 'cdk8s';

/** Options of {@link WorkloadVolume.emptyDir}. */
export interface EmptyDirVolumeOptions {
  /**
   * Size cap; the kubelet evicts the pod when it is exceeded.
   * @default - no limit
   */
  readonly sizeLimit?: Size;
}

/** Options of {@link WorkloadVolume.memory}. */
export interface MemoryVolumeOptions {
  /**
   * Size cap of the tmpfs. Required: memory-backed volumes count against the
   * container's memory limit, so an unbounded one can OOM-kill the pod.
   */
  readonly sizeLimit: Size;
}

/** Options of {@link WorkloadVolume.fromPersistentVolumeClaim}. */
export interface ClaimVolumeOptions {
  /**
   * Mount the claim read-only in every container.
   * @default false
   */
  readonly readOnly?: boolean;
}

/** Options of {@link WorkloadVolume.fromConfigMap} and {@link WorkloadVolume.fromSecret}. */
export interface ProjectedKeysOptions {
  /**
   * File mode bits of the files, e.g. 0o440.
   * @default - the API server's default, 0644
   */
  readonly defaultMode?: number;
  /**
   * Start the pod even when the object does not exist.
   * @default false
   */
  readonly optional?: boolean;
  /**
   * Only these keys, as `key -> relative path`.
   * @default - every key, each as a file named after it
   */
  readonly items?: { [key: string]: string };
}

/** Options of {@link WorkloadVolume.ephemeral}. */
export interface EphemeralVolumeOptions {
  /** Size of the claim created for each pod. */
  readonly storage: Size;
  /**
   * StorageClass of the claim.
   * @default - the cluster's default StorageClass
   */
  readonly storageClassName?: string;
}

/** Options of {@link WorkloadVolume.fromImage}. */
export interface ImageVolumeOptions {
  /**
   * When the kubelet pulls the image.
   * @default - IfNotPresent, or Always for `:latest`
   */
  readonly pullPolicy?: string;
}

/** The volume-type part of a Kubernetes Volume, as plain JSON. */
type VolumeSource = { [field: string]: unknown };

/** Memory-backed bytes of `size`, for sizing against memory limits. */
function mebibytes(size: Size): number {
  return size.toMebibytes({ rounding: SizeRoundingBehavior.NONE });
}

/** Quantity as cdk8s-plus renders sizes (whole MiB). */
export function quantityMi(size: Size): string {
  return `${mebibytes(size)}Mi`;
}

/**
 * A volume of a workload's pods, mounted into containers by name. Rendered by the
 * workload model after conversion, so every volume type of current Kubernetes is
 * available (ephemeral claims, image volumes), not only what cdk8s-plus-27 knows.
 *
 * @example
 * import { MlModelServing, WorkloadVolume } from 'cdk8s-ml';
 *
 * // A per-pod scratch disk for the compile cache, and a config file from a ConfigMap.
 * const cache = WorkloadVolume.ephemeral('compile-cache', { storage: Size.gibibytes(50) });
 * const config = WorkloadVolume.fromConfigMap('server-config', 'llm-server-config');
 * new MlModelServing(this, 'llm', {
 *   image: 'vllm/vllm-openai:v0.6.3',
 *   mounts: [
 *     { volume: cache, path: '/var/cache/vllm' },
 *     { volume: config, path: '/etc/llm', readOnly: true },
 *   ],
 * });
 */
export class WorkloadVolume {
  /** A scratch directory on the node's disk, deleted with the pod. */
  public static emptyDir(name: string, options: EmptyDirVolumeOptions = {}): WorkloadVolume {
    return new WorkloadVolume(name, { emptyDir: options.sizeLimit ? { sizeLimit: quantityMi(options.sizeLimit) } : {} });
  }

  /** A tmpfs (e.g. `/dev/shm` for PyTorch data loaders and NCCL); counts against the memory limit. */
  public static memory(name: string, options: MemoryVolumeOptions): WorkloadVolume {
    return new WorkloadVolume(name, { emptyDir: { medium: 'Memory', sizeLimit: quantityMi(options.sizeLimit) } }, options.sizeLimit);
  }

  /** An existing PersistentVolumeClaim. */
  public static fromPersistentVolumeClaim(name: string, claimName: string, options: ClaimVolumeOptions = {}): WorkloadVolume {
    return new WorkloadVolume(name, { persistentVolumeClaim: { claimName, ...(options.readOnly ? { readOnly: true } : {}) } }, undefined, claimName);
  }

  /** The keys of a ConfigMap as files. */
  public static fromConfigMap(name: string, configMapName: string, options: ProjectedKeysOptions = {}): WorkloadVolume {
    return new WorkloadVolume(name, { configMap: { name: configMapName, ...projected(options) } }, undefined, configMapName);
  }

  /**
   * The keys of a Secret as files. Unlike environment variables, mounted Secrets
   * follow rotation (the kubelet refreshes them) without a restart.
   */
  public static fromSecret(name: string, secretName: string, options: ProjectedKeysOptions = {}): WorkloadVolume {
    return new WorkloadVolume(name, { secret: { secretName, ...projected(options) } }, undefined, secretName);
  }

  /** A PersistentVolumeClaim created for each pod and deleted with it (generic ephemeral volume). */
  public static ephemeral(name: string, options: EphemeralVolumeOptions): WorkloadVolume {
    return new WorkloadVolume(name, {
      ephemeral: {
        volumeClaimTemplate: {
          spec: {
            accessModes: ['ReadWriteOnce'],
            resources: { requests: { storage: quantityMi(options.storage) } },
            ...(options.storageClassName ? { storageClassName: options.storageClassName } : {}),
          },
        },
      },
    });
  }

  /**
   * The content of an OCI image, read-only (Kubernetes 1.31+ `image` volumes, e.g.
   * a model packaged as an image). Not in the restricted Pod Security profile's
   * volume list: the workload needs `PodSecurity.relaxed({ reason, allowImageVolumes: true })`
   * and a namespace at the baseline level.
   */
  public static fromImage(name: string, reference: string, options: ImageVolumeOptions = {}): WorkloadVolume {
    const pullPolicy = options.pullPolicy ? { pullPolicy: options.pullPolicy } : {};
    return new WorkloadVolume(name, { image: { reference, ...pullPolicy } }, undefined, reference);
  }

  private constructor(
    /** The volume's name in the pod. */
    public readonly name: string,
    private readonly source: VolumeSource,
    /** For memory-backed volumes, their size cap. @internal */
    public readonly _memory?: Size,
    /** The claim, ConfigMap, Secret or image it refers to. @internal */
    public readonly _reference?: string,
  ) {}

  /** The Kubernetes volume. @internal */
  public _toKube(): any {
    return { name: this.name, ...JSON.parse(JSON.stringify(this.source)) };
  }

  /** Same name and same source. @internal */
  public _sameAs(other: WorkloadVolume): boolean {
    return JSON.stringify(this._toKube()) === JSON.stringify(other._toKube());
  }
}

function projected(options: ProjectedKeysOptions): object {
  return {
    ...(options.defaultMode !== undefined ? { defaultMode: options.defaultMode } : {}),
    ...(options.optional !== undefined ? { optional: options.optional } : {}),
    ...(options.items ? { items: Object.entries(options.items).map(([key, path]) => ({ key, path })) } : {}),
  };
}

/** A volume mounted into a container. */
export interface VolumeMount {
  /** The volume; added to the pod once, whichever containers mount it. */
  readonly volume: WorkloadVolume;
  /** Absolute path in the container. */
  readonly path: string;
  /**
   * Mount read-only.
   * @default false
   */
  readonly readOnly?: boolean;
  /**
   * A sub-path of the volume instead of its root.
   * @default - the volume's root
   */
  readonly subPath?: string;
}
