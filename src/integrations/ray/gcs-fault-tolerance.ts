import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { RayGcsFaultToleranceSpec } from './crds';
import { invalidProp } from '../../core/errors';
import { requireDnsSubdomain } from '../../core/validation';

/** A key of a Secret. */
export interface SecretKeyReference {
  /** The Secret. */
  readonly secret: kplus.ISecret;
  /** The key in the Secret. */
  readonly key: string;
}

/** Options of {@link GcsFaultTolerance.externalRedis}. */
export interface ExternalRedisOptions {
  /** `host:port` (or `redis://` / `rediss://` URL) of the Redis. */
  readonly address: string;
  /**
   * The Redis password, read from a Secret (never a literal in the manifest).
   * @default - Redis without a password
   */
  readonly password?: SecretKeyReference;
  /**
   * The Redis ACL user (Ray 2.41+), from a Secret.
   * @default - the default user
   */
  readonly username?: SecretKeyReference;
  /**
   * Key prefix in Redis, so clusters sharing one Redis do not collide.
   * @default - the RayCluster's UID (KubeRay's default)
   */
  readonly externalStorageNamespace?: string;
}

/**
 * GCS fault tolerance for a Ray cluster: the head's Global Control Store kept in
 * an external Redis, so workers and Serve replicas survive a head restart.
 * @see https://docs.ray.io/en/latest/cluster/kubernetes/user-guides/kuberay-gcs-ft.html
 *
 * @example
 * import { GcsFaultTolerance, RayCluster } from 'cdk8s-ml';
 *
 * // Workers and Serve replicas survive a head restart: the GCS lives in Redis.
 * new RayCluster(this, 'ray', {
 *   image: 'rayproject/ray:2.52.0-py311',
 *   workerGroups: [{ groupName: 'cpu', minReplicas: 2, maxReplicas: 6 }],
 *   gcsFaultTolerance: GcsFaultTolerance.externalRedis({
 *     address: 'redis.ml.svc.cluster.local:6379',
 *     password: { secret: kplus.Secret.fromSecretName(this, 'redis-auth', 'ray-redis'), key: 'password' },
 *   }),
 * });
 */
export class GcsFaultTolerance {
  /** The Redis backend (`gcsFaultToleranceOptions.redisAddress`, password from a Secret). */
  public static externalRedis(options: ExternalRedisOptions): GcsFaultTolerance {
    return new GcsFaultTolerance(options);
  }

  private constructor(private readonly options: ExternalRedisOptions) {}

  /** @internal */
  public _render(scope: IConstruct): RayGcsFaultToleranceSpec {
    const o = this.options;
    if (!/^(rediss?:\/\/)?[^\s:/]+(:\d{1,5})?$/.test(o.address ?? '')) {
      throw invalidProp(scope, 'gcsFaultTolerance.address', `('${o.address}') must be host:port or a redis:// URL`);
    }
    const ref = (prop: string, r: SecretKeyReference | undefined) => {
      if (!r) return undefined;
      requireDnsSubdomain(scope, `gcsFaultTolerance.${prop}.secret`, r.secret.name);
      if (!/^[-._a-zA-Z0-9]+$/.test(r.key ?? '')) throw invalidProp(scope, `gcsFaultTolerance.${prop}.key`, `('${r.key}') must be a valid Secret key`);
      return { valueFrom: { secretKeyRef: { name: r.secret.name, key: r.key } } };
    };
    return {
      redisAddress: o.address,
      ...(o.password ? { redisPassword: ref('password', o.password) } : {}),
      ...(o.username ? { redisUsername: ref('username', o.username) } : {}),
      ...(o.externalStorageNamespace ? { externalStorageNamespace: o.externalStorageNamespace } : {}),
    };
  }
}
