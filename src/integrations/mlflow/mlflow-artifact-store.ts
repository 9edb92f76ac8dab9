import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { invalidProp } from '../../core/errors';
import { requireDataKey } from '../../core/validation';
import { SecretKeyReference } from '../ray/gcs-fault-tolerance';

/** Options of {@link MlflowArtifactStore.s3}. */
export interface S3ArtifactStoreOptions {
  /**
   * A Secret with `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` (loaded as env).
   * @default - the pod identity's (e.g. `WorkloadServiceAccount.awsIamRole()`)
   */
  readonly credentials?: kplus.ISecret;
  /**
   * An S3-compatible endpoint (`MLFLOW_S3_ENDPOINT_URL`), e.g. MinIO's.
   * @default - AWS S3
   */
  readonly endpointUrl?: string;
}

/**
 * Where the tracking server stores artifacts (`--artifacts-destination`); the
 * server proxies them (`--serve-artifacts`), so clients need no storage credentials.
 * @see https://mlflow.org/docs/latest/self-hosting/architecture/artifact-store/
 *
 * @example
 * import { MlflowArtifactStore, MlflowTrackingServer } from 'cdk8s-ml';
 *
 * // Artifacts in a MinIO bucket, proxied by the server: clients need no bucket credentials.
 * new MlflowTrackingServer(this, 'mlflow', {
 *   image: 'ghcr.io/mlflow/mlflow:v3.6.0',
 *   backendStore: { secret: kplus.Secret.fromSecretName(this, 'db', 'mlflow-postgres'), key: 'uri' },
 *   artifactStore: MlflowArtifactStore.minio(
 *     's3://mlflow-artifacts',
 *     'http://minio.storage.svc.cluster.local:9000',
 *     kplus.Secret.fromSecretName(this, 'minio', 'mlflow-minio-keys'),
 *   ),
 * });
 */
export class MlflowArtifactStore {
  /** Amazon S3 (`s3://bucket/path`). */
  public static s3(uri: string, options: S3ArtifactStoreOptions = {}): MlflowArtifactStore {
    return new MlflowArtifactStore(uri, /^s3:\/\/[a-z0-9][-a-z0-9.]{1,61}[a-z0-9](\/\S*)?$/, 's3://bucket/path', options.credentials ? [kplus.Env.fromSecret(options.credentials)] : [], {
      ...(options.endpointUrl ? { MLFLOW_S3_ENDPOINT_URL: kplus.EnvValue.fromValue(options.endpointUrl) } : {}),
    }, options.endpointUrl);
  }

  /** MinIO (S3 API at `endpointUrl`), with keys from a Secret. */
  public static minio(uri: string, endpointUrl: string, credentials: kplus.ISecret): MlflowArtifactStore {
    return MlflowArtifactStore.s3(uri, { endpointUrl, credentials });
  }

  /** Google Cloud Storage (`gs://bucket/path`), credentials from Workload Identity. */
  public static gcs(uri: string): MlflowArtifactStore {
    return new MlflowArtifactStore(uri, /^gs:\/\/[a-z0-9][-_a-z0-9.]{1,220}(\/\S*)?$/, 'gs://bucket/path', [], {});
  }

  /**
   * Azure Blob Storage (`wasbs://container@account.blob.core.windows.net/path`),
   * with `AZURE_STORAGE_CONNECTION_STRING` from a Secret.
   */
  public static azureBlob(uri: string, connectionString: SecretKeyReference): MlflowArtifactStore {
    return new MlflowArtifactStore(uri, /^wasbs:\/\/[^@\s]+@[^/\s]+\.blob\.core\.windows\.net(\/\S*)?$/, 'wasbs://container@account.blob.core.windows.net/path', [], {
      AZURE_STORAGE_CONNECTION_STRING: kplus.EnvValue.fromSecretValue({ secret: connectionString.secret, key: connectionString.key }),
    }, undefined, connectionString.key);
  }

  private constructor(
    /** The artifact root. */
    public readonly uri: string,
    private readonly pattern: RegExp,
    private readonly example: string,
    private readonly envFrom: kplus.EnvFrom[],
    private readonly env: { [name: string]: kplus.EnvValue },
    private readonly endpointUrl?: string,
    private readonly secretKey?: string,
  ) {}

  /** Validates and returns what the containers need. @internal */
  public _bind(scope: IConstruct): { env: { [name: string]: kplus.EnvValue }; envFrom: kplus.EnvFrom[] } {
    if (!this.pattern.test(this.uri ?? '')) throw invalidProp(scope, 'artifactStore', `('${this.uri}') must look like ${this.example}`);
    if (this.endpointUrl !== undefined && !/^https?:\/\/\S+$/.test(this.endpointUrl)) {
      throw invalidProp(scope, 'artifactStore.endpointUrl', `('${this.endpointUrl}') must be an http(s) URL`);
    }
    if (this.secretKey !== undefined) requireDataKey(scope, 'artifactStore connectionString.key', this.secretKey);
    return { env: { ...this.env }, envFrom: [...this.envFrom] };
  }
}
