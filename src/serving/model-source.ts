import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { invalidProp } from '../core/errors';
import { requirePinnedImage } from '../core/image';
import { secureContainerContext } from '../core/security';

/** Options of {@link ModelSource.fromStorageUri}. */
export interface StorageUriOptions {
  /**
   * Image of the init container that downloads `uri` into the model volume. It is
   * run as `<image> <uri> <mountPath>`, the KServe storage-initializer convention.
   * @default 'kserve/storage-initializer:v0.15.2'
   */
  readonly initializerImage?: string;
  /**
   * Credentials and settings for the download (e.g. from a Secret).
   * @default - none
   */
  readonly envFrom?: kplus.EnvFrom[];
  /**
   * Size cap of the emptyDir that holds the model.
   * @default - no limit
   */
  readonly sizeLimit?: Size;
}

/** Options of {@link ModelSource.fromPersistentVolumeClaim}. */
export interface PvcModelOptions {
  /**
   * Sub-path inside the claim.
   * @default - the claim's root
   */
  readonly subPath?: string;
}

/** Where the model server's model comes from; mounted read-only at `mountPath`. */
export enum ModelSourceKind {
  /** Downloaded by an init container into an emptyDir. */
  STORAGE_URI = 'storageUri',
  /** An existing PersistentVolumeClaim. */
  PVC = 'pvc',
}

/**
 * Where a model server finds its model, always mounted read-only into the server,
 * at `/mnt/models` (KServe's path) unless told otherwise.
 */
export class ModelSource {
  /**
   * Download the model at start-up, before the server starts, from a URI such as
   * `s3://bucket/model`, `gs://...`, `hf://org/model` or `https://...`.
   */
  public static fromStorageUri(uri: string, options: StorageUriOptions = {}): ModelSource {
    return new ModelSource(ModelSourceKind.STORAGE_URI, uri, options, {});
  }

  /** Mount an existing PersistentVolumeClaim that already holds the model. */
  public static fromPersistentVolumeClaim(claimName: string, options: PvcModelOptions = {}): ModelSource {
    return new ModelSource(ModelSourceKind.PVC, claimName, {}, options);
  }

  private constructor(
    public readonly kind: ModelSourceKind,
    /** The storage URI, or the claim name. */
    public readonly location: string,
    public readonly storageOptions: StorageUriOptions,
    public readonly pvcOptions: PvcModelOptions,
  ) {}
}

/** The default storage-initializer image, pinned. */
const DEFAULT_STORAGE_INITIALIZER = 'kserve/storage-initializer:v0.15.2';

/**
 * Wires a model source into a server's pod: the volume, the read-only mount, and
 * for a storage URI the hardened downloader init container writing into it.
 */
export function bindModelSource(
  scope: IConstruct, workload: kplus.AbstractPod, server: kplus.Container, source: ModelSource, mountPath: string,
): void {
  if (source.kind === ModelSourceKind.PVC) {
    if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(source.location)) {
      throw invalidProp(scope, 'model', `claim name ('${source.location}') must be a valid RFC 1123 name`);
    }
    const claim = kplus.PersistentVolumeClaim.fromClaimName(scope, 'ModelClaim', source.location);
    const volume = kplus.Volume.fromPersistentVolumeClaim(scope, 'ModelVolume', claim, { name: 'model', readOnly: true });
    server.mount(mountPath, volume, { readOnly: true, subPath: source.pvcOptions.subPath });
    return;
  }
  if (!/^[a-z][a-z0-9+.-]*:\/\/\S+$/.test(source.location)) {
    throw invalidProp(scope, 'model', `storage URI ('${source.location}') must look like scheme://location, e.g. s3://bucket/model`);
  }
  const image = source.storageOptions.initializerImage ?? DEFAULT_STORAGE_INITIALIZER;
  requirePinnedImage(scope, 'model.initializerImage', image, false);
  const volume = kplus.Volume.fromEmptyDir(scope, 'ModelVolume', 'model', { sizeLimit: source.storageOptions.sizeLimit });
  const tmp = kplus.Volume.fromEmptyDir(scope, 'InitializerTmp', 'initializer-tmp');
  const init = workload.addInitContainer({
    name: 'storage-initializer',
    image,
    imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
    args: [source.location, mountPath],
    envFrom: source.storageOptions.envFrom,
    securityContext: secureContainerContext(),
    // Downloads are network- and disk-bound; a small CPU share is enough.
    resources: {
      cpu: { request: kplus.Cpu.millis(100), limit: kplus.Cpu.units(1) },
      memory: { request: Size.mebibytes(256), limit: Size.gibibytes(1) },
    },
  });
  init.mount(mountPath, volume);
  init.mount('/tmp', tmp);
  server.mount(mountPath, volume, { readOnly: true });
}
