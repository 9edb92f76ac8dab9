import { ApiObject, Cron, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { MlflowArtifactStore } from './mlflow-artifact-store';
import { MlflowAuth } from './mlflow-auth';
import { MlflowTask } from './mlflow-task';
import { requireCronSchedule } from '../../core/cron-schedule';
import { createDisruptionBudget, DisruptionBudgetOptions } from '../../core/disruption-budget';
import { invalidProp } from '../../core/errors';
import { requireLabels } from '../../core/metadata-validation';
import { MlWorkload, WorkloadTraits } from '../../core/ml-workload';
import { TopologySpread } from '../../core/placement';
import { WorkloadServiceAccount } from '../../core/service-account';
import { requireInteger } from '../../core/validation';
import { MlWorkloadProps, WorkloadPodOptions } from '../../core/workload-props';
import { MONITORING_API_VERSION, ServiceMonitorSpec } from '../../observability/crds/monitoring-coreos-com';
import { SecretKeyReference } from '../ray/gcs-fault-tolerance';

/** Properties of {@link MlflowTrackingServer}. */
export interface MlflowTrackingServerProps extends MlWorkloadProps, WorkloadPodOptions {
  /**
   * The backend store URI (e.g. `postgresql://user:pw@host:5432/mlflow`) in a
   * Secret: it holds the database password, so it never appears in the manifest.
   * Read by the server from `MLFLOW_BACKEND_STORE_URI`.
   */
  readonly backendStore: SecretKeyReference;
  /** Where artifacts go; the server proxies them (`--serve-artifacts`). */
  readonly artifactStore: MlflowArtifactStore;
  /**
   * Authentication (`--app-name`).
   * @default - none: anyone the NetworkPolicy admits can read and write
   */
  readonly auth?: MlflowAuth;
  /**
   * Server replicas (stateless; state is in the database and the artifact store).
   * @default 2
   */
  readonly replicas?: number;
  /**
   * Host headers the server accepts besides its Service names (`--allowed-hosts`,
   * MLflow's DNS-rebinding protection), e.g. an Ingress host.
   * @default - none
   */
  readonly allowedHosts?: string[];
  /**
   * Who may call the server (port 5000).
   * @default - pods in the server's namespace
   */
  readonly clientPeers?: kplus.INetworkPolicyPeer[];
  /**
   * Who may scrape `/metrics`.
   * @default - pods in any namespace
   */
  readonly metricsPeers?: kplus.INetworkPolicyPeer[];
  /**
   * Run `mlflow db upgrade` in a Job (schema migrations; the server refuses an
   * out-of-date schema and restarts until it is done). A Job's pod template is
   * immutable: on an image upgrade, delete the finished Job first (or let your
   * GitOps tool replace it, e.g. Argo CD's `Replace=true` sync option).
   * @default true
   */
  readonly migrationJob?: boolean;
  /**
   * When `mlflow gc` permanently deletes runs deleted more than `gcOlderThan` ago.
   * @default Cron.daily() - 00:00 UTC
   */
  readonly gcSchedule?: Cron;
  /**
   * Age of deleted runs `gc` removes; `Duration.days(0)` disables the CronJob.
   * @default Duration.days(30)
   */
  readonly gcOlderThan?: Duration;
  /**
   * Environment of the gc job to reach an authenticated server
   * (`MLFLOW_TRACKING_USERNAME`, `MLFLOW_TRACKING_PASSWORD` from a Secret).
   * @default - none
   */
  readonly gcEnvFrom?: kplus.EnvFrom[];
  /**
   * Create a prometheus-operator ServiceMonitor for `/metrics` (`--expose-prometheus`).
   * @default true
   */
  readonly serviceMonitor?: boolean;
  /**
   * Labels of the ServiceMonitor, for a Prometheus that selects monitors by label
   * (kube-prometheus-stack: `{ release: '<its release name>' }`).
   * @default - the server's labels only
   */
  readonly monitorLabels?: { [key: string]: string };
  /**
   * PodDisruptionBudget settings.
   * @default - maxUnavailable 1
   */
  readonly disruptionBudget?: DisruptionBudgetOptions;
}

/** MLflow's default tracking server port. */
export const MLFLOW_PORT = 5000;
const DEFAULT_RESOURCES = {
  cpuRequest: kplus.Cpu.millis(500), cpuLimit: kplus.Cpu.units(1), memoryRequest: Size.gibibytes(1), memoryLimit: Size.gibibytes(2),
};
const PROMETHEUS_DIR = '/tmp/prometheus';

/**
 * The MLflow tracking server and model registry, production-shaped: a Deployment
 * (two replicas, restricted, `/health` probes) behind a Service on port 5000, a
 * PDB, a NetworkPolicy, the backend store URI from a Secret, artifacts proxied
 * to S3 / GCS / Azure / MinIO (`--serve-artifacts --artifacts-destination`),
 * basic-auth or an OIDC app, a Job for `mlflow db upgrade`, a daily `mlflow gc`
 * CronJob, and a ServiceMonitor on `/metrics`.
 *
 * The image must carry `mlflow` and the drivers the stores need (psycopg2,
 * boto3, google-cloud-storage, azure-storage-blob); MLflow 3 with the security
 * middleware (`--allowed-hosts`; `/health` is exempt from it).
 * @see https://mlflow.org/docs/latest/self-hosting/
 *
 * @example
 * import { MlflowArtifactStore, MlflowAuth, MlflowTrackingServer, WorkloadServiceAccount } from 'cdk8s-ml';
 *
 * // Postgres URI from a Secret, artifacts proxied to S3 with the pods' IAM role, basic
 * // auth, a schema migration Job and a nightly gc CronJob.
 * new MlflowTrackingServer(this, 'mlflow', {
 *   image: 'ghcr.io/mlflow/mlflow:v3.6.0',
 *   backendStore: { secret: kplus.Secret.fromSecretName(this, 'db', 'mlflow-postgres'), key: 'uri' },
 *   artifactStore: MlflowArtifactStore.s3('s3://acme-ml-artifacts/mlflow'),
 *   serviceAccount: WorkloadServiceAccount.awsIamRole('arn:aws:iam::123456789012:role/mlflow-artifacts'),
 *   auth: MlflowAuth.basicAuth({ config: kplus.Secret.fromSecretName(this, 'auth', 'mlflow-basic-auth') }),
 *   gcEnvFrom: [kplus.Env.fromSecret(kplus.Secret.fromSecretName(this, 'gc-creds', 'mlflow-gc-credentials'))],
 *   allowedHosts: ['mlflow.example.com'],
 * });
 */
export class MlflowTrackingServer extends MlWorkload {
  /** `http://<name>:5000`, for clients in the namespace (`MLFLOW_TRACKING_URI`). */
  public readonly trackingUri: string;
  public readonly replicas: number;
  public readonly deployment: kplus.Deployment;
  public readonly container: kplus.Container;
  public readonly service: kplus.Service;
  public readonly networkPolicy: kplus.NetworkPolicy;
  public readonly disruptionBudget?: kplus.k8s.KubePodDisruptionBudget;
  /** The `mlflow db upgrade` Job. */
  public readonly migrationJob?: kplus.Job;
  /** The `mlflow gc` CronJob. */
  public readonly gcCronJob?: kplus.CronJob;
  public readonly serviceMonitor?: ApiObject;

  public constructor(scope: Construct, id: string, props: MlflowTrackingServerProps) {
    super(scope, id, props);
    this.replicas = props.replicas ?? 2;
    requireInteger(this, 'replicas', this.replicas, 1);
    if (!props.backendStore?.secret || !/^[-._a-zA-Z0-9]+$/.test(props.backendStore.key ?? '')) {
      throw invalidProp(this, 'backendStore', 'must name a Secret and a valid key holding the database URI');
    }
    if (!props.artifactStore) throw invalidProp(this, 'artifactStore', 'is required');
    const store = props.artifactStore._bind(this);
    const auth = props.auth?._bind(this);
    for (const [i, h] of (props.allowedHosts ?? []).entries()) {
      if (!/^[-*a-zA-Z0-9.:[\]]+$/.test(h) || h === '*') throw invalidProp(this, `allowedHosts[${i}]`, `('${h}') must be a host (pattern), not '*'`);
    }
    const backendUri = kplus.EnvValue.fromSecretValue({ secret: props.backendStore.secret, key: props.backendStore.key });
    const env = { MLFLOW_BACKEND_STORE_URI: backendUri, ...store.env, ...auth?.env };

    // Host headers: the Service's names (any namespace suffix and port), the user's,
    // and pod IPs on the server port for Prometheus (mlflow/server/fastapi_security.py
    // matches the raw Host header with fnmatch; /health is exempt).
    const allowedHosts = [this.name, `${this.name}:*`, `${this.name}.*`, ...(props.allowedHosts ?? []), `[0-9]*:${MLFLOW_PORT}`];
    const args = [
      'server',
      '--host', '0.0.0.0',
      '--port', String(MLFLOW_PORT),
      '--serve-artifacts',
      '--artifacts-destination', props.artifactStore.uri,
      '--allowed-hosts', allowedHosts.join(','),
      '--expose-prometheus', PROMETHEUS_DIR,
      ...(props.auth ? ['--app-name', props.auth.appName] : []),
    ];
    const health = (period: number, failures: number) => kplus.Probe.fromHttpGet('/health', {
      port: MLFLOW_PORT, periodSeconds: Duration.seconds(period), failureThreshold: failures, timeoutSeconds: Duration.seconds(5),
    });
    const main = this._createMainContainer('mlflow', {
      command: props.command ?? ['mlflow'],
      args: props.args ?? args,
      env,
      envFrom: [...(props.envFrom ?? []), ...store.envFrom],
      ports: [{ name: 'http', number: MLFLOW_PORT, protocol: kplus.Protocol.TCP }],
      readiness: health(10, 3),
      liveness: health(20, 3),
      // The first start runs the schema creation; give it time before liveness counts.
      startup: health(5, 60),
    }, props);
    if (auth?.volume) this._pod.mount('auth', main, { volume: auth.volume, path: auth.path, readOnly: true });
    // Replicas in one zone all go with it (REL-004): a soft spread, as model servers have.
    if (this.replicas > 1) this._pod.addSpread('spread', TopologySpread.acrossZones(), this.selector);

    this.deployment = new kplus.Deployment(this, 'Deployment', {
      metadata: this._metadata(),
      podMetadata: { labels: this.podLabels, ...this._podAnnotationsField() },
      select: false,
      replicas: this.replicas,
    });
    this.deployment.select(kplus.LabelSelector.of({ labels: this.selector }));
    [this.container] = this._pod.bindTo(this.deployment);

    this.service = new kplus.Service(this, 'Service', {
      metadata: this._metadata(),
      ports: [{ name: 'http', port: MLFLOW_PORT, targetPort: MLFLOW_PORT }],
    });
    for (const [k, v] of Object.entries(this.selector)) this.service.selectLabel(k, v);
    this.trackingUri = `http://${this.name}:${MLFLOW_PORT}`;

    this.disruptionBudget = createDisruptionBudget(this, this._metadata(), this.selector, props.disruptionBudget, this.replicas, this.replicas);
    this.networkPolicy = this.createNetworkPolicy(props);

    const taskProps = {
      image: props.image,
      allowMutableImageTag: props.allowMutableImageTag,
      version: props.version,
      partOf: props.partOf,
      labels: props.labels,
      annotations: props.annotations,
      podSecurity: props.podSecurity,
      priorityClass: props.priorityClass,
      serviceAccount: WorkloadServiceAccount.fromName(this.serviceAccount.name),
      env,
      envFrom: [...(props.envFrom ?? []), ...store.envFrom],
    };
    if (props.migrationJob ?? true) {
      // `mlflow db upgrade` takes the URI as an argument: expand it from the env in a shell
      // (not `$(VAR)` in args, which would put the password into the pod spec's status).
      const task = new MlflowTask(this, 'DbUpgrade', {
        ...taskProps,
        name: `${this.name}-db-upgrade`,
        component: 'mlflow-db-upgrade',
        command: ['sh', '-c', 'exec mlflow db upgrade "$MLFLOW_BACKEND_STORE_URI"'],
      }, base => new kplus.Job(this, 'DbUpgradeJob', { ...base, backoffLimit: 6, restartPolicy: kplus.RestartPolicy.NEVER }));
      this.migrationJob = task.workload as kplus.Job;
    }
    const olderThan = props.gcOlderThan ?? Duration.days(30);
    const olderSeconds = olderThan.toSeconds({ integral: false });
    if (!Number.isInteger(olderSeconds) || olderSeconds < 0) throw invalidProp(this, 'gcOlderThan', `(${olderSeconds}s) must be a whole number of seconds >= 0`);
    // The API server parses a CronJob's schedule and refuses what robfig/cron cannot read.
    const gcSchedule = props.gcSchedule ?? Cron.daily();
    if (olderSeconds > 0) requireCronSchedule(this, 'gcSchedule', gcSchedule.expressionString);
    if (olderSeconds > 0) {
      const task = new MlflowTask(this, 'Gc', {
        ...taskProps,
        name: `${this.name}-gc`,
        component: 'mlflow-gc',
        // gc needs the tracking URI to delete proxied artifacts (mlflow/cli gc's docstring).
        env: {
          ...env,
          MLFLOW_TRACKING_URI: kplus.EnvValue.fromValue(this.trackingUri),
          MLFLOW_ARTIFACTS_DESTINATION: kplus.EnvValue.fromValue(props.artifactStore.uri),
        },
        envFrom: [...taskProps.envFrom, ...(props.gcEnvFrom ?? [])],
        command: ['sh', '-c', `exec mlflow gc --backend-store-uri "$MLFLOW_BACKEND_STORE_URI" --older-than ${olderSeconds}s`],
      }, base => new kplus.CronJob(this, 'GcCronJob', {
        ...base,
        schedule: gcSchedule,
        concurrencyPolicy: kplus.ConcurrencyPolicy.FORBID,
        backoffLimit: 2,
        restartPolicy: kplus.RestartPolicy.NEVER,
      }));
      this.gcCronJob = task.workload as kplus.CronJob;
      this.networkPolicy.addIngressRule(kplus.Pods.select(this, 'GcPods', { labels: task.selector }), [kplus.NetworkPolicyPort.tcp(MLFLOW_PORT)]);
    }
    if (props.serviceMonitor ?? true) {
      const spec: ServiceMonitorSpec = { selector: { matchLabels: { ...this.labels } }, endpoints: [{ port: 'http', path: '/metrics' }] };
      requireLabels(this, 'monitorLabels', props.monitorLabels);
      const metadata = this._metadata(this.name, props.monitorLabels);
      this.serviceMonitor = new ApiObject(this, 'ServiceMonitor', { apiVersion: MONITORING_API_VERSION, kind: 'ServiceMonitor', metadata, spec });
    }
  }

  /** @internal */
  protected _traits(_id: string, props: MlWorkloadProps): WorkloadTraits {
    return {
      component: 'mlflow-tracking',
      defaultResources: DEFAULT_RESOURCES,
      guaranteedQosByDefault: false,
      maxGpusPerNode: 0,
      pod: props as WorkloadPodOptions,
      defaultTerminationGrace: Duration.seconds(30),
    };
  }

  private createNetworkPolicy(props: MlflowTrackingServerProps): kplus.NetworkPolicy {
    const policy = new kplus.NetworkPolicy(this, 'NetworkPolicy', {
      metadata: this._metadata(),
      selector: kplus.Pods.select(this, 'ServerPods', { labels: this.selector }),
      ingress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
    });
    const port = [kplus.NetworkPolicyPort.tcp(MLFLOW_PORT)];
    for (const peer of props.clientPeers ?? [kplus.Pods.all(this, 'NamespacePods')]) policy.addIngressRule(peer, port);
    const anywhere = () => [kplus.Pods.all(this, 'AnyPod', { namespaces: kplus.Namespaces.all(this, 'AnyNamespace') })];
    for (const peer of props.metricsPeers ?? anywhere()) policy.addIngressRule(peer, port);
    return policy;
  }
}
