import { Cron, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { MlNamespace } from './ml-namespace';
import { PodSecurityStandard } from './pod-security-standard';
import { AfterConversion } from '../core/after-conversion';
import { requireCronSchedule } from '../core/cron-schedule';
import { invalidProp } from '../core/errors';
import { parseImage } from '../core/image';
import { podSpecOf } from '../core/pod-template-path';
import { requireInteger, requireProps } from '../core/validation';

const CONTROL_PLANE = 'node-role.kubernetes.io/control-plane';

/** Properties of {@link EtcdSnapshotCronJob}. */
export interface EtcdSnapshotCronJobProps {
  /**
   * Why this cluster needs it: the job runs as root with host network and host
   * paths on control-plane nodes, so its namespace enforces the `privileged` level.
   * Managed clusters (EKS, GKE, AKS) back etcd up themselves: use VeleroSchedule.
   */
  readonly reason: string;
  /** An image with `etcdctl` and a POSIX shell, pinned, e.g. a mirrored etcd release image. */
  readonly image: string;
  /**
   * When snapshots run (UTC).
   * @default - every 6 hours
   */
  readonly schedule?: Cron;
  /**
   * The namespace created for the job, with the privileged Pod Security level.
   * @default 'etcd-backup'
   */
  readonly namespace?: string;
  /**
   * etcd's client endpoint, seen from the control-plane node's network.
   * @default 'https://127.0.0.1:2379'
   */
  readonly endpoint?: string;
  /**
   * The node directory with etcd's client certificates (`ca.crt`, `healthcheck-client.crt/key`).
   * @default '/etc/kubernetes/pki/etcd' (kubeadm)
   */
  readonly certificateDirectory?: string;
  /**
   * The node directory snapshots are written to (ship them off the node from there).
   * @default '/var/backups/etcd'
   */
  readonly backupDirectory?: string;
  /**
   * Days snapshots are kept in `backupDirectory`.
   * @default 7
   */
  readonly retentionDays?: number;
}

/**
 * etcd snapshots for self-managed control planes (the guide's "regular etcd
 * snapshots"): a CronJob on a control-plane node running `etcdctl snapshot save`
 * into a host directory, pruning old snapshots. It needs the host (root, host
 * network, host paths), so it is an explicit opt-out of the restricted profile
 * with a reason, alone in its own namespace at the `privileged` level; everything
 * else in it stays least-privilege (no service account token, capabilities
 * dropped, read-only root filesystem, no privilege escalation, seccomp). The
 * namespace keeps its default-deny NetworkPolicies, though most network plugins do
 * not apply policies to host-network pods.
 *
 * @example
 * import { EtcdSnapshotCronJob } from 'cdk8s-ml';
 *
 * // Only for a self-managed (kubeadm) control plane; a managed one backs up its own etcd.
 * new EtcdSnapshotCronJob(this, 'etcd-snapshots', {
 *   reason: 'kubeadm cluster on bare metal: no provider backs up etcd',
 *   image: 'registry.k8s.io/etcd:3.5.21-0',
 *   retentionDays: 14,
 * });
 */
export class EtcdSnapshotCronJob extends Construct {
  /** The job's namespace. */
  public readonly namespace: MlNamespace;
  /** The CronJob. */
  public readonly cronJob: kplus.CronJob;

  public constructor(scope: Construct, id: string, props: EtcdSnapshotCronJobProps) {
    super(scope, id);
    requireProps(this, props, ['reason', 'image']);
    if (props.reason.trim() === '') throw invalidProp(this, 'reason', 'is empty: say why this cluster backs up etcd itself');
    const ref = /\s/.test(props.image) || props.image === '' ? undefined : parseImage(props.image);
    if (!ref || (!ref.digest && (!ref.tag || ref.tag === 'latest'))) {
      throw invalidProp(this, 'image', `('${props.image}') must be pinned by a version tag or digest: this job runs as root on control-plane nodes`);
    }
    // The API server parses a CronJob's schedule and refuses what robfig/cron cannot read.
    const schedule = props.schedule ?? Cron.schedule({ minute: '0', hour: '*/6' });
    requireCronSchedule(this, 'schedule', schedule.expressionString);
    const retention = props.retentionDays ?? 7;
    requireInteger(this, 'retentionDays', retention, 1, 366);
    const endpoint = props.endpoint ?? 'https://127.0.0.1:2379';
    if (!/^https:\/\/[^\s'"]+$/.test(endpoint)) throw invalidProp(this, 'endpoint', `('${endpoint}') must be an https:// URL`);
    const certs = props.certificateDirectory ?? '/etc/kubernetes/pki/etcd';
    const backups = props.backupDirectory ?? '/var/backups/etcd';
    for (const [prop, dir] of [['certificateDirectory', certs], ['backupDirectory', backups]]) {
      if (!/^\/[-\w./]*$/.test(dir) || dir.includes('..')) throw invalidProp(this, prop, `('${dir}') must be an absolute path without '..'`);
    }

    this.namespace = new MlNamespace(this, 'Namespace', {
      name: props.namespace ?? 'etcd-backup',
      podSecurity: PodSecurityStandard.privileged(`etcd snapshots: ${props.reason}`),
    });
    this.cronJob = new kplus.CronJob(this.namespace, 'CronJob', {
      metadata: { name: 'etcd-snapshot' },
      schedule,
      concurrencyPolicy: kplus.ConcurrencyPolicy.FORBID,
      successfulJobsRetained: 3,
      failedJobsRetained: 3,
      backoffLimit: 2,
      automountServiceAccountToken: false,
      hostNetwork: true,
      restartPolicy: kplus.RestartPolicy.ON_FAILURE,
      // Root: etcd's client key on the node is root-owned 0600.
      securityContext: { ensureNonRoot: false, user: 0, group: 0 },
    });
    const container = this.cronJob.addContainer({
      name: 'etcdctl',
      image: props.image,
      command: ['/bin/sh', '-c'],
      args: [[
        'set -eu',
        `etcdctl --endpoints=${endpoint} --cacert=/etc/etcd-pki/ca.crt --cert=/etc/etcd-pki/healthcheck-client.crt --key=/etc/etcd-pki/healthcheck-client.key`
          + ' snapshot save "/backup/etcd-$(date -u +%Y%m%dT%H%M%SZ).db"',
        `find /backup -name 'etcd-*.db' -mtime +${retention} -delete`,
      ].join('\n')],
      envVariables: { ETCDCTL_API: kplus.EnvValue.fromValue('3') },
      resources: {
        cpu: { request: kplus.Cpu.millis(100), limit: kplus.Cpu.millis(500) },
        memory: { request: Size.mebibytes(128), limit: Size.mebibytes(512) },
      },
      securityContext: {
        ensureNonRoot: false,
        user: 0,
        group: 0,
        privileged: false,
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL' as unknown as kplus.Capability] },
      },
    });
    container.mount('/etc/etcd-pki', kplus.Volume.fromHostPath(this.cronJob, 'pki', 'etcd-pki', { path: certs, type: kplus.HostPathVolumeType.DIRECTORY }), { readOnly: true });
    container.mount('/backup', kplus.Volume.fromHostPath(this.cronJob, 'backup', 'backup', { path: backups, type: kplus.HostPathVolumeType.DIRECTORY_OR_CREATE }));
    container.mount('/tmp', kplus.Volume.fromEmptyDir(this.cronJob, 'tmp', 'tmp'));
    this.cronJob.scheduling.attract(kplus.Node.labeled(kplus.NodeLabelQuery.exists(CONTROL_PLANE)));
    this.cronJob.scheduling.tolerate(kplus.Node.tainted(kplus.NodeTaintQuery.exists(CONTROL_PLANE, { effect: kplus.TaintEffect.NO_SCHEDULE })));
    // The RuntimeDefault seccomp profile, which cdk8s-plus-27 cannot render.
    AfterConversion.of(this.cronJob)._addStage(manifest => {
      podSpecOf(manifest).securityContext.seccompProfile = { type: 'RuntimeDefault' };
    });
  }
}
