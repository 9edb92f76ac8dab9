import { ApiObject, Cron, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { ClusterConfig } from './cluster-config';
import { keepNamespace, MlNamespace } from './ml-namespace';
import { requireCronSchedule } from '../core/cron-schedule';
import { invalidProp } from '../core/errors';
import { requireDnsLabel, requireDnsSubdomain, requireProps } from '../core/validation';

/** Properties of {@link VeleroSchedule}. */
export interface VeleroScheduleProps {
  /** The ML namespaces to back up. */
  readonly namespaces: MlNamespace[];
  /**
   * When backups run (UTC).
   * @default - daily at 02:00
   */
  readonly schedule?: Cron;
  /**
   * How long each backup is kept.
   * @default Duration.days(30)
   */
  readonly ttl?: Duration;
  /**
   * The BackupStorageLocation.
   * @default - Velero's default location
   */
  readonly storageLocation?: string;
  /**
   * Take cloud snapshots of persistent volumes (models, checkpoints, notebooks).
   * @default true
   */
  readonly snapshotVolumes?: boolean;
  /**
   * Copy volume contents with the node agent (kopia) instead of snapshots, for
   * storage without a snapshot API.
   * @default false
   */
  readonly fileSystemBackup?: boolean;
  /**
   * Back up Secrets too. Off by default: backups sit in a bucket outside the
   * cluster, and Secrets synced by ExternalSecrets come back from their store.
   * Give the reason when some Secret exists only in the cluster.
   * @default - Secrets are not backed up
   */
  readonly includeSecretsReason?: string;
  /**
   * The namespace Velero runs in (it only reads Schedules there).
   * @default 'velero'
   */
  readonly veleroNamespace?: string;
  /**
   * The Schedule's name.
   * @default - the construct id
   */
  readonly name?: string;
}

/**
 * A Velero `Schedule` (`velero.io/v1`) backing up the ML namespaces of a managed
 * cluster, whose control plane (etcd) the provider backs up. Backups are labelled
 * with the app's {@link ClusterConfig} so restores find the right cluster's.
 * @see https://velero.io/docs/main/api-types/schedule/
 *
 * @example
 * import { MlNamespace, VeleroSchedule } from 'cdk8s-ml';
 *
 * const ml = new MlNamespace(this, 'ml');
 * // Backups of the ML namespace every night at 03:30 UTC, kept for 30 days.
 * new VeleroSchedule(this, 'ml-nightly', {
 *   namespaces: [ml],
 *   schedule: Cron.schedule({ minute: '30', hour: '3' }),
 *   ttl: Duration.days(30),
 *   storageLocation: 'default',
 * });
 */
export class VeleroSchedule extends Construct {
  /** The Schedule object. */
  public readonly apiObject: ApiObject;

  public constructor(scope: Construct, id: string, props: VeleroScheduleProps) {
    super(scope, id);
    requireProps(this, props, ['namespaces']);
    const name = props.name ?? id;
    requireDnsSubdomain(this, 'name', name);
    const veleroNamespace = props.veleroNamespace ?? 'velero';
    requireDnsLabel(this, 'veleroNamespace', veleroNamespace);
    if (props.namespaces.length === 0) throw invalidProp(this, 'namespaces', 'is empty: list the ML namespaces to back up');
    // cdk8s Cron renders the five fields Velero's cron parser reads.
    const schedule = (props.schedule ?? Cron.schedule({ minute: '0', hour: '2' })).expressionString;
    requireCronSchedule(this, 'schedule', schedule);
    const ttl = props.ttl ?? Duration.days(30);
    const ttlSeconds = ttl.toSeconds({ integral: false });
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 3600) {
      throw invalidProp(this, 'ttl', `(${ttlSeconds}s) must be a whole number of seconds, at least an hour`);
    }
    if (props.includeSecretsReason !== undefined && props.includeSecretsReason.trim() === '') {
      throw invalidProp(this, 'includeSecretsReason', 'is empty: say why Secrets must be in the backups');
    }
    if (props.storageLocation !== undefined) requireDnsSubdomain(this, 'storageLocation', props.storageLocation);
    const labels = ClusterConfig.of(this)?.labels();
    this.apiObject = new ApiObject(this, 'Resource', {
      apiVersion: 'velero.io/v1',
      kind: 'Schedule',
      metadata: {
        name,
        namespace: veleroNamespace,
        annotations: props.includeSecretsReason ? { 'cdk8s-ml.io/include-secrets-reason': props.includeSecretsReason } : undefined,
      },
      spec: {
        schedule,
        template: {
          includedNamespaces: [...new Set(props.namespaces.map(n => n.name))],
          // New-style filters only: Velero refuses a mix with includeClusterResources
          // and friends. Cluster-scoped objects the namespaces use (their PVs) are kept.
          excludedNamespaceScopedResources: props.includeSecretsReason ? undefined : ['secrets'],
          snapshotVolumes: props.snapshotVolumes ?? true,
          defaultVolumesToFsBackup: props.fileSystemBackup ?? false,
          storageLocation: props.storageLocation,
          ttl: `${Math.floor(ttlSeconds / 3600)}h${Math.floor((ttlSeconds % 3600) / 60)}m${ttlSeconds % 60}s`,
          metadata: labels ? { labels } : undefined,
        },
        useOwnerReferencesInBackup: false,
      },
    });
    // Velero reads Schedules in its own namespace only, wherever this is created.
    keepNamespace(this.apiObject);
  }
}
