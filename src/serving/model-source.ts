import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { ContainerModel } from '../core/container-model';
import { invalidProp } from '../core/errors';
import { requirePinnedImage } from '../core/image';
import { MlWorkload } from '../core/ml-workload';
import { completeResources } from '../core/resources';
import { requireDataKey, requireDnsSubdomain } from '../core/validation';
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

/** Options of {@link ModelSource.fromModelcar}. */
export interface ModelcarOptions {
  /**
   * The sidecar's command: it must link the image's model directory to the link
   * directory (the parent of `modelMountPath`) and stay up.
   * @default - `sh -c 'ln -sf /proc/$$/root/models <parent>/<name> && exec sleep infinity'` (KServe's)
   */
  readonly command?: string[];
  /**
   * CPU and memory of the sidecar (it only idles).
   * @default - requests cpu 10m / memory 16Mi, limits cpu 100m / memory 64Mi
   */
  readonly resources?: kplus.ContainerResources;
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

const MODELCAR_RESOURCES = {
  cpuRequest: kplus.Cpu.millis(10),
  cpuLimit: kplus.Cpu.millis(100),
  memoryRequest: Size.mebibytes(16),
  memoryLimit: Size.mebibytes(64),
};

type Binder = (workload: MlWorkload, server: ContainerModel, mountPath: string) => void;

/** Options of every download (object stores, the Hugging Face Hub). */
export interface ModelDownloadOptions {
  /**
   * Image of the downloader (KServe's storage-initializer convention: `<image> <uri> <mountPath>`).
   * @default 'kserve/storage-initializer:v0.15.2'
   */
  readonly initializerImage?: string;
  /**
   * Size cap of the emptyDir holding the model; added to the server's ephemeral-storage
   * request so the pod lands on a node with room and is not evicted. Required: an
   * unbounded download can fill the node's disk.
   */
  readonly sizeLimit: Size;
  /**
   * CPU and memory of the downloader.
   * @default - requests cpu 100m / memory 256Mi, limits cpu 1 / memory 1Gi
   */
  readonly initializerResources?: kplus.ContainerResources;
}

/** Options of the downloads from object stores. */
export interface DownloadOptions extends ModelDownloadOptions {
  /**
   * Secret with the credentials, as environment variables of the downloader (never in
   * the YAML). Leave unset with workload identity (IRSA, GKE or Azure Workload Identity
   * on the server's ServiceAccount).
   * @default - none
   */
  readonly credentialsSecret?: string;
}

/** Options of {@link ModelSource.fromS3}. */
export interface S3ModelOptions extends DownloadOptions {
  /**
   * Endpoint of an S3-compatible store (`S3_ENDPOINT`, e.g. MinIO).
   * @default - AWS
   */
  readonly endpoint?: string;
  /**
   * Region (`AWS_DEFAULT_REGION`).
   * @default - the SDK's
   */
  readonly region?: string;
}

/** Options of {@link ModelSource.fromHuggingFace}. */
export interface HuggingFaceModelOptions extends ModelDownloadOptions {
  /**
   * Commit hash the download is pinned to (`hf://org/model:<hash>`); pin it, or every
   * restart may serve a different model.
   * @default - the default branch's head
   */
  readonly revision?: string;
  /**
   * Secret and key holding the Hub token for gated or private models (`HF_TOKEN`).
   * @default - anonymous
   */
  readonly tokenSecret?: string;
  /**
   * Key of the token in `tokenSecret`.
   * @default 'HF_TOKEN'
   */
  readonly tokenKey?: string;
}

/**
 * Where a model server finds its model, always mounted read-only into the server,
 * at `/mnt/models` (KServe's path) unless told otherwise.
 *
 * @example
 * import { MlModelServing, ModelSource, ServingRuntime } from 'cdk8s-ml';
 *
 * // Downloaded by an init container into a size-capped emptyDir, pinned to a commit.
 * new MlModelServing(this, 'mistral', {
 *   runtime: ServingRuntime.vllm({ servedModelName: 'mistral-7b-instruct' }),
 *   model: ModelSource.fromHuggingFace('mistralai/Mistral-7B-Instruct-v0.3', {
 *     revision: 'e0bc86c23ce5aae1db576c8cca6f06f1f73af2db',
 *     sizeLimit: Size.gibibytes(30),
 *     tokenSecret: 'hf-token',
 *   }),
 *   gpus: { count: 1 },
 * });
 *
 * // Weights already on a shared volume: mounted read-only, nothing copied.
 * new MlModelServing(this, 'llama', {
 *   runtime: ServingRuntime.vllm(),
 *   model: ModelSource.fromPersistentVolumeClaim('llama-3-1-8b-weights'),
 *   gpus: { count: 1 },
 * });
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
      download(workload, server, mountPath, uri, options, {}, options.envFrom ?? []);
    });
  }

  /**
   * Download from Amazon S3 or an S3-compatible store (`s3://bucket/prefix`), with the
   * credentials Secret's `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` or workload identity
   * (https://kserve.github.io/website/docs/model-serving/storage/providers/s3).
   */
  public static fromS3(uri: string, options: S3ModelOptions): ModelSource {
    return new ModelSource((workload, server, mountPath) => {
      if (!/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/\S*)?$/.test(uri)) {
        throw invalidProp(workload, 'model', `S3 URI ('${uri}') must look like s3://bucket/prefix`);
      }
      if (options.endpoint !== undefined && !/^https?:\/\/\S+$/.test(options.endpoint)) {
        throw invalidProp(workload, 'model.endpoint', `('${options.endpoint}') must be an http(s) URL`);
      }
      const env: { [k: string]: string } = {
        ...(options.endpoint ? { S3_ENDPOINT: options.endpoint.replace(/^https?:\/\//, ''), S3_USE_HTTPS: options.endpoint.startsWith('https') ? '1' : '0' } : {}),
        ...(options.region ? { AWS_DEFAULT_REGION: options.region } : {}),
      };
      download(workload, server, mountPath, uri, options, env, secretEnv(workload, options.credentialsSecret));
    });
  }

  /** Download from Google Cloud Storage (`gs://bucket/prefix`), with workload identity or a credentials Secret. */
  public static fromGcs(uri: string, options: DownloadOptions): ModelSource {
    return new ModelSource((workload, server, mountPath) => {
      if (!/^gs:\/\/[a-z0-9][a-z0-9._-]{1,220}[a-z0-9](\/\S*)?$/.test(uri)) {
        throw invalidProp(workload, 'model', `GCS URI ('${uri}') must look like gs://bucket/prefix`);
      }
      download(workload, server, mountPath, uri, options, {}, secretEnv(workload, options.credentialsSecret));
    });
  }

  /**
   * Download from Azure Blob Storage (`https://<account>.blob.core.windows.net/<container>/<path>`),
   * with workload identity or a Secret of `AZURE_CLIENT_ID` / `AZURE_TENANT_ID` / `AZURE_CLIENT_SECRET`.
   */
  public static fromAzureBlob(uri: string, options: DownloadOptions): ModelSource {
    return new ModelSource((workload, server, mountPath) => {
      if (!/^https:\/\/[a-z0-9]{3,24}\.blob\.core\.windows\.net\/[a-z0-9-]{3,63}(\/\S*)?$/.test(uri)) {
        throw invalidProp(workload, 'model', `Azure Blob URI ('${uri}') must look like https://<account>.blob.core.windows.net/<container>/<path>`);
      }
      download(workload, server, mountPath, uri, options, {}, secretEnv(workload, options.credentialsSecret));
    });
  }

  /**
   * Download a Hugging Face Hub repository (`org/model`), pinned to a commit when
   * `revision` is set (KServe's `hf://org/model:<hash>`), with the token from a Secret.
   */
  public static fromHuggingFace(repository: string, options: HuggingFaceModelOptions): ModelSource {
    return new ModelSource((workload, server, mountPath) => {
      if (!/^[A-Za-z0-9][\w.-]*\/[\w.-]+$/.test(repository)) {
        throw invalidProp(workload, 'model', `Hugging Face repository ('${repository}') must look like org/model`);
      }
      if (options.revision !== undefined && !/^[0-9a-f]{7,40}$/.test(options.revision)) {
        throw invalidProp(workload, 'model.revision', `('${options.revision}') must be a commit hash: a branch or tag can move`);
      }
      if (options.tokenSecret !== undefined) requireDnsSubdomain(workload, 'model.tokenSecret', options.tokenSecret);
      if (options.tokenKey !== undefined) requireDataKey(workload, 'model.tokenKey', options.tokenKey);
      const token: { [k: string]: kplus.EnvValue } = options.tokenSecret ? {
        HF_TOKEN: kplus.EnvValue.fromSecretValue({
          secret: kplus.Secret.fromSecretName(workload, 'ModelToken', options.tokenSecret), key: options.tokenKey ?? 'HF_TOKEN',
        }),
      } : {};
      const uri = `hf://${repository}${options.revision ? `:${options.revision}` : ''}`;
      download(workload, server, mountPath, uri, options, {}, [], token);
    });
  }

  /**
   * Mount an OCI image holding the model (Kubernetes 1.31+ image volume), read-only,
   * nothing copied. The restricted profile does not list image volumes: the server
   * needs `PodSecurity.relaxed({ reason, allowImageVolumes: true })`. Pin it by digest.
   */
  public static fromImage(reference: string): ModelSource {
    return new ModelSource((workload, server, mountPath) => {
      requirePinnedImage(workload, 'model', reference, false);
      workload._pod.mount('model', server, { volume: WorkloadVolume.fromImage('model', reference), path: mountPath, readOnly: true });
    });
  }

  /**
   * The restricted-profile alternative to {@link ModelSource.fromImage}: KServe's
   * "modelcar". The model image runs as a native sidecar, in the pod's shared process
   * namespace, and links its `/models` into an emptyDir the server mounts at the
   * parent of `modelMountPath` (`ln -sf /proc/$$/root/models`), so the server reads the
   * image's files in place (https://kserve.github.io/website/docs/model-serving/storage/providers/oci).
   * Both containers run as the pod's user, which `/proc/<pid>/root` needs. The image
   * needs `sh`, `ln` and `sleep` unless `command` says otherwise.
   */
  public static fromModelcar(image: string, options: ModelcarOptions = {}): ModelSource {
    return new ModelSource((workload, server, mountPath) => {
      requirePinnedImage(workload, 'model', image, false);
      const parent = mountPath.replace(/\/[^/]+\/?$/, '');
      if (parent === '' || parent === mountPath) {
        throw invalidProp(workload, 'modelMountPath', `('${mountPath}') must be below a directory other than '/' for a modelcar (the link lives in its parent)`);
      }
      const name = mountPath.slice(parent.length + 1);
      const pod = workload._pod;
      const link = WorkloadVolume.emptyDir('modelcar-link', { sizeLimit: Size.mebibytes(1) });
      const car = pod.addInitContainer(new ContainerModel(workload, {
        sidecar: true,
        props: {
          name: 'modelcar',
          image,
          imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
          // `$$$$`: the kubelet reduces `$$` to `$` in commands, so the shell sees `$$`, its
          // own pid, which `exec` hands to sleep: the link stays valid while the pod runs.
          command: options.command ?? ['sh', '-c', `ln -sf /proc/$$$$/root/models ${parent}/${name} && exec sleep infinity`],
          securityContext: workload.podSecurity._containerContext(),
          resources: completeResources(workload, 'model.resources', options.resources, MODELCAR_RESOURCES),
        },
      }), 'model');
      pod.mount('model', car, { volume: link, path: parent });
      pod.mount('model', server, { volume: link, path: parent, readOnly: true });
      // The server follows the link into the sidecar's root filesystem.
      pod.extraFields.shareProcessNamespace = true;
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
      // As for the other downloads: the model stays on the node's disk for the pod's life.
      if (o.sizeLimit) server.reserveEphemeralStorage(o.sizeLimit);
    });
  }

  private constructor(private readonly binder: Binder) {}

  /** Wires the source into a server's pod: volume, read-only mount, downloader. @internal */
  public _bind(workload: MlWorkload, server: ContainerModel, mountPath: string): void {
    this.binder(workload, server, mountPath);
  }
}

function secretEnv(workload: MlWorkload, secretName?: string): kplus.EnvFrom[] {
  if (secretName === undefined) return [];
  requireDnsSubdomain(workload, 'model.credentialsSecret', secretName);
  return [kplus.Env.fromSecret(kplus.Secret.fromSecretName(workload, 'ModelCredentials', secretName))];
}

/** The storage-initializer init container, the model emptyDir, and the server's read-only mount. */
function download(workload: MlWorkload, server: ContainerModel, mountPath: string, uri: string,
  options: { initializerImage?: string; sizeLimit?: Size; initializerResources?: kplus.ContainerResources },
  env: { [k: string]: string }, envFrom: kplus.EnvFrom[], secretValues: { [k: string]: kplus.EnvValue } = {}): void {
  const image = options.initializerImage ?? DEFAULT_STORAGE_INITIALIZER;
  // The downloader has no opt-out: a model fetched by a moving image is not reproducible.
  requirePinnedImage(workload, 'model.initializerImage', image, false, '');
  const pod = workload._pod;
  const volume = WorkloadVolume.emptyDir('model', { sizeLimit: options.sizeLimit });
  const envVariables: { [k: string]: kplus.EnvValue } = { ...secretValues };
  for (const [k, v] of Object.entries(env)) envVariables[k] = kplus.EnvValue.fromValue(v);
  const init = pod.addInitContainer(new ContainerModel(workload, {
    props: {
      name: 'storage-initializer',
      image,
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      args: [uri, mountPath],
      envFrom,
      envVariables,
      securityContext: workload.podSecurity._containerContext(),
      resources: completeResources(workload, 'model.initializerResources', options.initializerResources, INITIALIZER_RESOURCES),
    },
  }), 'model');
  pod.mount('model', init, { volume, path: mountPath });
  pod.mount('model', init, { volume: WorkloadVolume.emptyDir('initializer-tmp'), path: '/tmp' });
  pod.mount('model', server, { volume, path: mountPath, readOnly: true });
  // The downloaded model stays on the node's disk for the pod's life.
  if (options.sizeLimit) server.reserveEphemeralStorage(options.sizeLimit);
}
