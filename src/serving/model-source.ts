import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { ContainerModel } from '../core/container-model';
import { invalidProp } from '../core/errors';
import { requirePinnedImage } from '../core/image';
import { MlWorkload } from '../core/ml-workload';
import { completeResources } from '../core/resources';
import { WorkloadVolume } from '../core/workload-volume';

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
  /**
   * CPU and memory of the downloader.
   * @default - requests cpu 100m / memory 256Mi, limits cpu 1 / memory 1Gi
   */
  readonly initializerResources?: kplus.ContainerResources;
}

/** Options of {@link ModelSource.fromPersistentVolumeClaim}. */
export interface PvcModelOptions {
  /**
   * Sub-path inside the claim.
   * @default - the claim's root
   */
  readonly subPath?: string;
}

/** The default storage-initializer image, pinned. */
const DEFAULT_STORAGE_INITIALIZER = 'kserve/storage-initializer:v0.15.2';
// Downloads are network- and disk-bound; a small CPU share is enough.
const INITIALIZER_RESOURCES = {
  cpuRequest: kplus.Cpu.millis(100),
  cpuLimit: kplus.Cpu.units(1),
  memoryRequest: Size.mebibytes(256),
  memoryLimit: Size.gibibytes(1),
};

type Binder = (workload: MlWorkload, server: ContainerModel, mountPath: string) => void;

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
    return new ModelSource((workload, server, mountPath) => {
      if (!/^[a-z][a-z0-9+.-]*:\/\/\S+$/.test(uri)) {
        throw invalidProp(workload, 'model', `storage URI ('${uri}') must look like scheme://location, e.g. s3://bucket/model`);
      }
      const image = options.initializerImage ?? DEFAULT_STORAGE_INITIALIZER;
      // The downloader has no opt-out: a model fetched by a moving image is not reproducible.
      requirePinnedImage(workload, 'model.initializerImage', image, false, '');
      const pod = workload._pod;
      const volume = WorkloadVolume.emptyDir('model', { sizeLimit: options.sizeLimit });
      const init = pod.addInitContainer(new ContainerModel(workload, {
        props: {
          name: 'storage-initializer',
          image,
          imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
          args: [uri, mountPath],
          envFrom: options.envFrom,
          securityContext: workload.podSecurity._containerContext(),
          resources: completeResources(workload, 'model.initializerResources', options.initializerResources, INITIALIZER_RESOURCES),
        },
      }), 'model');
      pod.mount('model', init, { volume, path: mountPath });
      pod.mount('model', init, { volume: WorkloadVolume.emptyDir('initializer-tmp'), path: '/tmp' });
      pod.mount('model', server, { volume, path: mountPath, readOnly: true });
    });
  }

  /** Mount an existing PersistentVolumeClaim that already holds the model. */
  public static fromPersistentVolumeClaim(claimName: string, options: PvcModelOptions = {}): ModelSource {
    return new ModelSource((workload, server, mountPath) => {
      if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(claimName)) {
        throw invalidProp(workload, 'model', `claim name ('${claimName}') must be a valid RFC 1123 name`);
      }
      if (options.subPath !== undefined && (options.subPath.startsWith('/') || options.subPath.split('/').includes('..'))) {
        throw invalidProp(workload, 'model.subPath', `('${options.subPath}') must be a relative path without '..'`);
      }
      const volume = WorkloadVolume.fromPersistentVolumeClaim('model', claimName, { readOnly: true });
      workload._pod.mount('model', server, { volume, path: mountPath, readOnly: true, subPath: options.subPath });
    });
  }

  private constructor(private readonly binder: Binder) {}

  /** Wires the source into a server's pod: volume, read-only mount, downloader. @internal */
  public _bind(workload: MlWorkload, server: ContainerModel, mountPath: string): void {
    this.binder(workload, server, mountPath);
  }
}
