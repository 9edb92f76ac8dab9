import { createHash } from 'crypto';
import { ApiObject, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { EXTERNAL_SECRETS_API_VERSION, EsoExternalSecretSpec, EsoRemoteRef } from './crds/external-secrets';
import { ISecretStore } from './secret-store';
import { TemplateValue } from './secret-template-value';
import { invalidProp } from '../core/errors';
import { requireDnsSubdomain, requireLabelValue, requireProps } from '../core/validation';

/** One key of the Kubernetes Secret, read from one remote secret. */
export interface ExternalSecretData {
  /** The key in the Kubernetes Secret, e.g. `HF_TOKEN`. */
  readonly secretKey: string;
  /** The remote secret's name or path, e.g. `ml/huggingface`. */
  readonly remoteKey: string;
  /**
   * A property of a JSON remote secret, e.g. `token`.
   * @default - the whole remote value
   */
  readonly property?: string;
  /**
   * A remote version (pin it to roll out rotations deliberately).
   * @default - the latest version
   */
  readonly version?: string;
}

/** A JSON remote secret whose every property becomes a key. */
export interface ExternalSecretExtract {
  /** The remote secret's name or path. */
  readonly remoteKey: string;
  /**
   * A remote version.
   * @default - the latest version
   */
  readonly version?: string;
}

/** The shape of the Kubernetes Secret an ExternalSecret writes. */
export interface ExternalSecretTemplate {
  /**
   * The Secret's type, e.g. `kubernetes.io/dockerconfigjson`.
   * @default 'Opaque'
   */
  readonly type?: string;
  /**
   * The Secret's keys as templates over the fetched keys; replaces the fetched keys.
   * @default - the fetched keys as they are
   */
  readonly data?: { [key: string]: TemplateValue };
  /**
   * Labels of the Secret.
   * @default - none
   */
  readonly labels?: { [key: string]: string };
  /**
   * Annotations of the Secret.
   * @default - none
   */
  readonly annotations?: { [key: string]: string };
}

/** Properties of {@link ExternalSecret}. */
export interface ExternalSecretProps {
  /** The SecretStore or ClusterSecretStore to read from. */
  readonly store: ISecretStore;
  /**
   * Keys read one by one.
   * @default - none (give `data` or `extract`)
   */
  readonly data?: ExternalSecretData[];
  /**
   * JSON remote secrets whose properties all become keys.
   * @default - none (give `data` or `extract`)
   */
  readonly extract?: ExternalSecretExtract[];
  /**
   * How often the operator reads the remote secrets again and updates the
   * Kubernetes Secret: the rotation delay. `Duration.seconds(0)` reads once.
   * @default Duration.hours(1)
   */
  readonly refreshInterval?: Duration;
  /**
   * The Kubernetes Secret's name.
   * @default - the ExternalSecret's name
   */
  readonly secretName?: string;
  /**
   * The Kubernetes Secret's type, keys as templates, labels and annotations.
   * @default - an Opaque Secret with the fetched keys
   */
  readonly template?: ExternalSecretTemplate;
  /**
   * The ExternalSecret's name.
   * @default - the construct id
   */
  readonly name?: string;
}

const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

/**
 * An External Secrets Operator `ExternalSecret` (`external-secrets.io/v1`): the
 * operator reads secrets from a store and writes a Kubernetes Secret, refreshed
 * every `refreshInterval`. The YAML holds references only.
 *
 * Consume the Secret through {@link secret} (a cdk8s-plus `ISecret`):
 * - as a volume ({@link volume}): the kubelet updates mounted files after a
 *   rotation (within about a minute), no restart needed (not with `subPath`);
 * - as environment variables ({@link envValue}): read once at container start, so
 *   a rotated value reaches the pods only when they restart. {@link restartOnChange}
 *   rolls pods out when this ExternalSecret's spec changes (a new key, a pinned
 *   version); rotations of the remote value itself need a volume, or a reloader
 *   such as stakater/Reloader watching the Secret.
 * @see https://external-secrets.io/latest/api/externalsecret/
 *
 * @example
 * import { ClusterSecretStore, ExternalSecret, MlModelServing } from 'cdk8s-ml';
 *
 * const vault = ClusterSecretStore.fromClusterSecretStoreName(this, 'vault', 'ml-vault');
 * // The token is re-read every 15 minutes; the YAML holds only its path.
 * const hfToken = new ExternalSecret(this, 'hf-token', {
 *   store: vault,
 *   refreshInterval: Duration.minutes(15),
 *   data: [{ secretKey: 'HF_TOKEN', remoteKey: 'ml/huggingface', property: 'token' }],
 * });
 * const bert = new MlModelServing(this, 'bert', {
 *   image: 'registry.example.com/ml/bert-server:1.4.2',
 *   env: { HF_TOKEN: hfToken.envValue('HF_TOKEN') },
 * });
 * // A changed ExternalSecret (another key, path or version) rolls the server out.
 * hfToken.restartOnChange(bert.deployment);
 */
export class ExternalSecret extends Construct {
  /** The ExternalSecret's name. */
  public readonly name: string;
  /** The Kubernetes Secret's name. */
  public readonly secretName: string;
  /** The Kubernetes Secret the operator writes, for env and volumes. */
  public readonly secret: kplus.ISecret;
  /** The Secret's keys; empty when `extract` makes them depend on the remote secret. */
  public readonly keys: string[];
  /** SHA-256 of the spec: changes whenever what the Secret is made of changes. */
  public readonly checksum: string;
  /** The ExternalSecret object. */
  public readonly apiObject: ApiObject;
  private readonly keysKnown: boolean;

  public constructor(scope: Construct, id: string, props: ExternalSecretProps) {
    super(scope, id);
    requireProps(this, props, ['store']);
    this.name = props.name ?? id;
    requireDnsSubdomain(this, 'name', this.name);
    this.secretName = props.secretName ?? this.name;
    requireDnsSubdomain(this, 'secretName', this.secretName);
    const data = props.data ?? [];
    const extract = props.extract ?? [];
    if (data.length === 0 && extract.length === 0) {
      throw invalidProp(this, 'data', 'and extract are both empty: name the remote secrets to read');
    }
    const fetched = new Set<string>();
    data.forEach((d, i) => {
      this.requireKey(`data[${i}].secretKey`, d.secretKey);
      if (fetched.has(d.secretKey)) throw invalidProp(this, `data[${i}].secretKey`, `('${d.secretKey}') is given twice; each key once`);
      fetched.add(d.secretKey);
      if (d.remoteKey.trim() === '') throw invalidProp(this, `data[${i}].remoteKey`, 'must not be empty');
    });
    extract.forEach((e, i) => {
      if (e.remoteKey.trim() === '') throw invalidProp(this, `extract[${i}].remoteKey`, 'must not be empty');
    });
    const refresh = props.refreshInterval ?? Duration.hours(1);
    const templateData: { [key: string]: string } = {};
    for (const [key, value] of Object.entries(props.template?.data ?? {})) {
      this.requireKey(`template.data['${key}']`, key);
      templateData[key] = value._render(this, `template.data['${key}']`);
    }
    for (const [k, v] of Object.entries(props.template?.labels ?? {})) requireLabelValue(this, `template.labels['${k}']`, v);
    const templated = Object.keys(templateData).length > 0;
    // With template data, the Secret holds exactly the template's keys.
    this.keys = templated ? Object.keys(templateData) : [...fetched];
    this.keysKnown = templated || extract.length === 0;

    const template = props.template ? {
      engineVersion: 'v2' as const,
      type: props.template.type,
      metadata: props.template.labels || props.template.annotations
        ? { labels: props.template.labels, annotations: props.template.annotations } : undefined,
      data: templated ? templateData : undefined,
    } : undefined;
    const spec: EsoExternalSecretSpec = {
      secretStoreRef: { name: props.store.storeName, kind: props.store.storeKind as 'SecretStore' | 'ClusterSecretStore' },
      refreshInterval: this.goDuration(refresh),
      target: { name: this.secretName, creationPolicy: 'Owner', template },
      data: data.length > 0 ? data.map(d => ({ secretKey: d.secretKey, remoteRef: remoteRef(d.remoteKey, d.property, d.version) })) : undefined,
      dataFrom: extract.length > 0 ? extract.map(e => ({ extract: remoteRef(e.remoteKey, undefined, e.version) })) : undefined,
    };
    this.checksum = createHash('sha256').update(JSON.stringify(spec)).digest('hex');
    this.apiObject = new ApiObject(this, 'Resource', {
      apiVersion: EXTERNAL_SECRETS_API_VERSION,
      kind: 'ExternalSecret',
      metadata: { name: this.name },
      spec,
    });
    this.secret = kplus.Secret.fromSecretName(this, 'Secret', this.secretName);
  }

  /**
   * An environment variable from one key of the Secret. Not rotated: the value is
   * read when the container starts (see {@link restartOnChange}).
   */
  public envValue(key: string, options: kplus.EnvValueFromSecretOptions = {}): kplus.EnvValue {
    if (this.keysKnown && !this.keys.includes(key)) {
      throw invalidProp(this, `envValue('${key}')`, `is not a key of the Secret (keys: ${this.keys.join(', ')})`);
    }
    return kplus.EnvValue.fromSecretValue({ secret: this.secret, key }, options);
  }

  /**
   * Every key of the Secret as an environment variable (for `envFrom`), with an
   * optional name prefix. Not rotated, like {@link envValue}.
   */
  public envFrom(prefix?: string): kplus.EnvFrom {
    // cdk8s-plus-27's Env.fromSecret takes no prefix; EnvFrom's constructor does.
    return new kplus.EnvFrom(undefined, prefix, this.secret);
  }

  /** A volume of the Secret's keys as files, updated in place after rotations. */
  public volume(scope: Construct, id: string, options: kplus.SecretVolumeOptions = {}): kplus.Volume {
    return kplus.Volume.fromSecret(scope, id, this.secret, options);
  }

  /**
   * Rolls out `workload` whenever this ExternalSecret's spec changes, through a
   * checksum annotation on its pod template. It does not see rotations of the
   * remote value (the spec stays the same): mount the Secret as a volume for those.
   */
  public restartOnChange(workload: kplus.Workload): void {
    const key = `checksum.cdk8s-ml.io/${this.name.slice(0, 63).replace(/[^a-z0-9]+$/, '')}`;
    workload.podMetadata.addAnnotation(key, this.checksum);
  }

  private requireKey(prop: string, key: string): void {
    if (key.length > 253 || !SECRET_KEY.test(key)) {
      throw invalidProp(this, prop, `('${key}') is not a valid Secret key: alphanumerics, '-', '_' and '.'`);
    }
  }

  private goDuration(d: Duration): string {
    const ms = d.toMilliseconds({ integral: false });
    if (ms < 0 || ms % 1000 !== 0) {
      throw invalidProp(this, 'refreshInterval', `(${ms}ms) must be a whole number of seconds, 0 or more`);
    }
    const s = ms / 1000;
    return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m${s % 60}s`;
  }
}

function remoteRef(key: string, property?: string, version?: string): EsoRemoteRef {
  return { key, property, version };
}
