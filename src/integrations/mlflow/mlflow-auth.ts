import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { invalidProp } from '../../core/errors';
import { WorkloadVolume } from '../../core/workload-volume';

/** Options of {@link MlflowAuth.basicAuth}. */
export interface BasicAuthOptions {
  /**
   * A Secret holding MLflow's auth config (`basic_auth.ini`: `default_permission`,
   * `database_uri`, `admin_username`, `admin_password`), mounted read-only.
   */
  readonly config: kplus.ISecret;
  /**
   * The key of the config file in the Secret.
   * @default 'basic_auth.ini'
   */
  readonly key?: string;
}

/** Options of {@link MlflowAuth.oidc}. */
export interface OidcAuthOptions {
  /**
   * The `mlflow.app` entry point of the OIDC plugin installed in the image
   * (`--app-name`).
   * @default 'oidc-auth' - the mlflow-oidc-auth plugin's
   */
  readonly appName?: string;
  /**
   * The plugin's settings as environment (client id, discovery URL, redirect
   * URI; secrets with `kplus.EnvValue.fromSecretValue`).
   */
  readonly env: { [name: string]: kplus.EnvValue };
  /**
   * The plugin's config file, from a Secret, mounted at `/etc/mlflow-auth` and
   * named by `MLFLOW_AUTH_CONFIG_PATH`.
   * @default - none
   */
  readonly config?: kplus.ISecret;
  /**
   * The key of the config file in the Secret.
   * @default 'auth.ini'
   */
  readonly key?: string;
}

const MOUNT = '/etc/mlflow-auth';

/**
 * Authentication of the tracking server (`mlflow server --app-name`).
 * @see https://mlflow.org/docs/latest/self-hosting/security/basic-http-auth/
 *
 * @example
 * import { MlflowArtifactStore, MlflowAuth, MlflowTrackingServer } from 'cdk8s-ml';
 *
 * // MLflow's basic-auth app, its admin credentials in a Secret's basic_auth.ini.
 * new MlflowTrackingServer(this, 'mlflow', {
 *   image: 'ghcr.io/mlflow/mlflow:v3.6.0',
 *   backendStore: { secret: kplus.Secret.fromSecretName(this, 'db', 'mlflow-postgres'), key: 'uri' },
 *   artifactStore: MlflowArtifactStore.gcs('gs://acme-ml-artifacts/mlflow'),
 *   auth: MlflowAuth.basicAuth({ config: kplus.Secret.fromSecretName(this, 'auth', 'mlflow-basic-auth') }),
 * });
 */
export class MlflowAuth {
  /** MLflow's built-in basic HTTP auth (`--app-name basic-auth`), configured from a Secret. */
  public static basicAuth(options: BasicAuthOptions): MlflowAuth {
    return new MlflowAuth('basic-auth', {}, options.config, options.key ?? 'basic_auth.ini');
  }

  /** An OIDC app plugin (`--app-name oidc-auth` by default), configured by env and an optional Secret. */
  public static oidc(options: OidcAuthOptions): MlflowAuth {
    return new MlflowAuth(options.appName ?? 'oidc-auth', options.env ?? {}, options.config, options.key ?? 'auth.ini');
  }

  private constructor(
    /** The `--app-name`. */
    public readonly appName: string,
    private readonly env: { [name: string]: kplus.EnvValue },
    private readonly config: kplus.ISecret | undefined,
    private readonly key: string,
  ) {}

  /** @internal */
  public _bind(scope: IConstruct): { env: { [name: string]: kplus.EnvValue }; volume?: WorkloadVolume; path: string } {
    if (!/^[a-z0-9][-a-z0-9_.]*$/.test(this.appName)) throw invalidProp(scope, 'auth.appName', `('${this.appName}') must be an entry-point name`);
    if (!/^[-._a-zA-Z0-9]+$/.test(this.key)) throw invalidProp(scope, 'auth.key', `('${this.key}') must be a valid Secret key`);
    const env = { ...this.env };
    if (!this.config) return { env, path: MOUNT };
    env.MLFLOW_AUTH_CONFIG_PATH = kplus.EnvValue.fromValue(`${MOUNT}/${this.key}`);
    return { env, volume: WorkloadVolume.fromSecret('auth-config', this.config.name), path: MOUNT };
  }
}
