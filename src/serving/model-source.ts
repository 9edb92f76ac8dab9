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

/** Options of {@link ModelSource.fromMlflowRegistry}. */
export interface MlflowRegistryModelOptions {
  /** The registered model's name. */
  readonly name: string;
  /**
   * The model version (`models:/<name>/<version>`). Give this or `alias`.
   * @default - none
   */
  readonly version?: number;
  /**
   * A model alias (`models:/<name>@<alias>`, e.g. `champion`): the version it points to
   * when the pod starts.
   * @default - none
   */
  readonly alias?: string;
  /** The MLflow tracking server, e.g. `http://mlflow.mlops:5000` (`MlflowTrackingServer.trackingUri`). */
  readonly trackingUri: string;
  /** An image with the `mlflow` CLI (and the artifact store's client library). */
  readonly image: string;
  /**
   * Credentials of the download: `MLFLOW_TRACKING_USERNAME`/`_PASSWORD` with basic
   * auth, the artifact store's when artifacts are not proxied (from Secrets).
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

const DOWNLOAD_SCRIPT = 'import sys, mlflow.artifacts as a; a.download_artifacts(artifact_uri=sys.argv[1], dst_path=sys.argv[2])';

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
      requirePinnedImage(workload, 'model.initializerImage', image, false);
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

  /**
   * Download a registered model from the MLflow Model Registry at start-up
   * (`models:/<name>/<version>` or `models:/<name>@<alias>`) in an init container,
   * through the public `mlflow.artifacts.download_artifacts(artifact_uri, dst_path)`
   * API (the `mlflow artifacts download` CLI ignores its destination for URIs in
   * some releases, mlflow/store/artifact/cli.py); `models:/` URIs resolve through
   * the registry.
   * @see https://mlflow.org/docs/latest/python_api/mlflow.artifacts.html
   */
  public static fromMlflowRegistry(options: MlflowRegistryModelOptions): ModelSource {
    return new ModelSource((workload, server, mountPath) => {
      const o = options;
      if (!o.name || !/^[^/@\s]+$/.test(o.name)) throw invalidProp(workload, 'model.name', `('${o.name}') must be a registered model name without '/', '@' or spaces`);
      if ((o.version === undefined) === (o.alias === undefined)) throw invalidProp(workload, 'model', 'takes a version or an alias, not both');
      if (o.version !== undefined && !(Number.isInteger(o.version) && o.version >= 1)) throw invalidProp(workload, 'model.version', `(${o.version}) must be an integer >= 1`);
      if (o.alias !== undefined && !/^[A-Za-z0-9_-]+$/.test(o.alias)) throw invalidProp(workload, 'model.alias', `('${o.alias}') must be alphanumerics, '_' or '-'`);
      if (!/^https?:\/\/\S+$/.test(o.trackingUri ?? '')) throw invalidProp(workload, 'model.trackingUri', `('${o.trackingUri}') must be an http(s) URL`);
      requirePinnedImage(workload, 'model.image', o.image, false);
      const uri = o.version !== undefined ? `models:/${o.name}/${o.version}` : `models:/${o.name}@${o.alias}`;
      const pod = workload._pod;
      const volume = WorkloadVolume.emptyDir('model', { sizeLimit: o.sizeLimit });
      const init = pod.addInitContainer(new ContainerModel(workload, {
        props: {
          name: 'mlflow-model-download',
          image: o.image,
          imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
          command: ['python', '-c', DOWNLOAD_SCRIPT, uri, mountPath],
          envVariables: { MLFLOW_TRACKING_URI: kplus.EnvValue.fromValue(o.trackingUri), HOME: kplus.EnvValue.fromValue('/tmp') },
          envFrom: o.envFrom,
          securityContext: workload.podSecurity._containerContext(),
          resources: completeResources(workload, 'model.initializerResources', o.initializerResources, INITIALIZER_RESOURCES),
        },
      }), 'model');
      pod.mount('model', init, { volume, path: mountPath });
      pod.mount('model', init, { volume: WorkloadVolume.emptyDir('initializer-tmp'), path: '/tmp' });
      pod.mount('model', server, { volume, path: mountPath, readOnly: true });
    });
  }

  private constructor(private readonly binder: Binder) {}

  /** Wires the source into a server's pod: volume, read-only mount, downloader. @internal */
  public _bind(workload: MlWorkload, server: ContainerModel, mountPath: string): void {
    this.binder(workload, server, mountPath);
  }
}
