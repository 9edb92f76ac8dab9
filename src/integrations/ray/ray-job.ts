import { ApiObject, Duration, Lazy } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { RAY_API_VERSION } from './crds';
import { RAY_PORTS, RayClusterBuilder, RayIngressRule, requireRayName } from './ray-cluster-builder';
import { RayClusterOptions } from './ray-cluster-options';
import { RayEntrypoint } from './ray-entrypoint';
import { RayJobSubmitter } from './ray-job-submitter';
import { runtimeEnvJson } from './serve-config';
import { invalidProp } from '../../core/errors';
import { MlLabels } from '../../core/labels';
import { WorkloadServiceAccount } from '../../core/service-account';
import { requireDnsLabel, requireInteger, requireLabelValue, requireWholeSeconds } from '../../core/validation';

/**
 * How KubeRay submits the job (`spec.submissionMode`). SidecarMode is not offered:
 * KubeRay builds that container itself, without a security context, so the head
 * pod would not be restricted (common/job.go GetDefaultSubmitterContainer).
 */
export enum RaySubmissionMode {
  /** A Kubernetes Job runs `ray job submit` (its pod is ours: restricted). */
  K8S_JOB = 'K8sJobMode',
  /** The operator submits over HTTP to the dashboard; no submitter pod. */
  HTTP = 'HTTPMode',
  /** KubeRay waits for you to submit and set `jobId`. */
  INTERACTIVE = 'InteractiveMode',
}

/** The Ray runtime environment of the job (`runtimeEnvYAML`). */
export interface RayRuntimeEnv {
  /**
   * Working directory: a remote URI (`s3://bucket/code.zip`, `https://.../main.zip`).
   * @default - none
   */
  readonly workingDir?: string;
  /**
   * pip requirements installed per job (pin versions).
   * @default - none
   */
  readonly pip?: string[];
  /**
   * Environment variables of the job's workers (no secrets: the value is in the manifest).
   * @default - none
   */
  readonly envVars?: { [name: string]: string };
}

/** Properties of {@link RayJob}. */
export interface RayJobProps {
  /**
   * The RayJob's name: an RFC 1035 label of at most 47 characters (KubeRay's MaxRayJobNameLength).
   * @default - the construct id
   */
  readonly name?: string;
  /** What to run. */
  readonly entrypoint: RayEntrypoint;
  /**
   * The cluster the job creates (and, by default, deletes when it finishes).
   * Give this or `clusterSelector`.
   * @default - none: `clusterSelector` names an existing RayCluster
   */
  readonly cluster?: RayClusterOptions;
  /**
   * Run on an existing RayCluster of this name (`clusterSelector: { ray.io/cluster }`).
   * That cluster's NetworkPolicy must admit the submitter pod (labels
   * `ray.io/originated-from-cr-name: <job>`, `ray.io/originated-from-crd: RayJob`)
   * and the operator on 8265, e.g. through the RayCluster's `clientPeers`.
   * @default - the job's own cluster
   */
  readonly clusterSelector?: string;
  /**
   * The submitter's image when `clusterSelector` is used (it needs the `ray` CLI).
   * @default - the cluster's image
   */
  readonly submitterImage?: string;
  /**
   * The runtime environment.
   * @default - the image's
   */
  readonly runtimeEnv?: RayRuntimeEnv;
  /**
   * @default RaySubmissionMode.K8S_JOB
   */
  readonly submissionMode?: RaySubmissionMode;
  /**
   * Delete the cluster when the job finishes (finished clusters holding GPUs are
   * the commonest Ray-on-Kubernetes waste).
   * @default true
   */
  readonly shutdownAfterJobFinishes?: boolean;
  /**
   * Time between the job finishing and the cluster's deletion.
   * @default Duration.seconds(60)
   */
  readonly ttlAfterFinished?: Duration;
  /**
   * Fail the job after this long.
   * @default - no deadline
   */
  readonly activeDeadline?: Duration;
  /**
   * Retries of the whole job (a new cluster each time).
   * @default 0
   */
  readonly backoffLimit?: number;
  /**
   * Logical CPUs / GPUs reserved for the driver (`entrypointNumCpus`, `entrypointNumGpus`).
   * @default - none
   */
  readonly entrypointNumCpus?: number;
  /** @default - none */
  readonly entrypointNumGpus?: number;
  /**
   * Kueue LocalQueue (`kueue.x-k8s.io/queue-name`); the job is created suspended and Kueue admits it.
   * @default - not queued
   */
  readonly queueName?: string;
  /**
   * Create the job suspended.
   * @default - true with queueName
   */
  readonly suspend?: boolean;
  /**
   * The KubeRay operator's pods, which poll the dashboard (8265) for the job's status.
   * @default - pods labelled `app.kubernetes.io/name: kuberay-operator` in any namespace (the Helm chart's label)
   */
  readonly operatorPeer?: kplus.INetworkPolicyPeer;
}

const KUEUE_QUEUE_LABEL = 'kueue.x-k8s.io/queue-name';

/**
 * A KubeRay `ray.io/v1` RayJob: an entrypoint run on a cluster it creates (head and
 * worker groups through the core pod model, as in {@link RayCluster}) or on an
 * existing one. The cluster is deleted 60 s after the job finishes by default
 * (`shutdownAfterJobFinishes`, `ttlSecondsAfterFinished`); the K8sJobMode
 * submitter pod is ours (restricted); Kueue queues it suspended; a
 * NetworkPolicy admits the submitter and the operator to the dashboard.
 * @see https://docs.ray.io/en/latest/cluster/kubernetes/getting-started/rayjob-quick-start.html
 *
 * @example
 * import { RayEntrypoint, RayJob } from 'cdk8s-ml';
 *
 * // A Ray Tune job on its own GPU cluster, queued by Kueue; the cluster is deleted a
 * // minute after the job finishes.
 * new RayJob(this, 'tune-bert', {
 *   entrypoint: RayEntrypoint.tune({ script: 'tune_bert.py', storagePath: 's3://ml-checkpoints/tune/bert', args: ['--num-samples', '16'] }),
 *   runtimeEnv: { workingDir: 's3://ml-code/tune-bert.zip' },
 *   queueName: 'team-a',
 *   cluster: {
 *     image: 'rayproject/ray:2.52.0-py311-gpu',
 *     workerGroups: [{ groupName: 'gpu', minReplicas: 4, gpus: { count: 1 } }],
 *   },
 *   activeDeadline: Duration.hours(12),
 * });
 */
export class RayJob extends Construct {
  public readonly name: string;
  /** The RayJob custom resource. */
  public readonly apiObject: ApiObject;
  /** The entrypoint as rendered. */
  public readonly entrypoint: string;
  /** The NetworkPolicy over the job's cluster (own cluster only). */
  public readonly networkPolicy?: kplus.NetworkPolicy;
  /** The PodMonitor (own cluster only). */
  public readonly podMonitor?: ApiObject;
  /** @internal */
  public readonly _builder?: RayClusterBuilder;

  public constructor(scope: Construct, id: string, props: RayJobProps) {
    super(scope, id);
    if (!props || typeof props !== 'object') throw invalidProp(this, 'props', 'are required');
    this.name = props.name ?? id;
    requireRayName(this, this.name, 47);
    if ((props.cluster === undefined) === (props.clusterSelector === undefined)) {
      throw invalidProp(this, 'cluster', 'or clusterSelector is required, not both');
    }
    const mode = props.submissionMode ?? RaySubmissionMode.K8S_JOB;
    const shutdown = props.shutdownAfterJobFinishes ?? props.cluster !== undefined;
    const suspend = props.suspend ?? props.queueName !== undefined;
    const ttl = props.ttlAfterFinished ?? Duration.seconds(60);
    const backoffLimit = props.backoffLimit ?? 0;
    requireInteger(this, 'backoffLimit', backoffLimit, 0);
    requireWholeSeconds(this, 'ttlAfterFinished', ttl, 0);
    requireWholeSeconds(this, 'activeDeadline', props.activeDeadline, 1);
    if (props.queueName !== undefined) requireLabelValue(this, 'queueName', props.queueName);
    // KubeRay's ValidateRayJobSpec (utils/validation.go), at synth time.
    if (suspend && !shutdown) throw invalidProp(this, 'suspend', 'requires shutdownAfterJobFinishes: a suspended RayJob must own its cluster');
    if (props.clusterSelector !== undefined) {
      requireDnsLabel(this, 'clusterSelector', props.clusterSelector);
      if (suspend) throw invalidProp(this, 'clusterSelector', 'cannot be suspended or queued: the cluster is not the job\'s');
      if (backoffLimit > 0) throw invalidProp(this, 'backoffLimit', 'is incompatible with clusterSelector (KubeRay)');
      if (props.shutdownAfterJobFinishes) throw invalidProp(this, 'shutdownAfterJobFinishes', 'would delete a cluster the job does not own (clusterSelector)');
    }
    if (mode === RaySubmissionMode.INTERACTIVE && backoffLimit > 0) throw invalidProp(this, 'backoffLimit', 'is incompatible with InteractiveMode (KubeRay)');
    for (const [k, v] of [['entrypointNumCpus', props.entrypointNumCpus], ['entrypointNumGpus', props.entrypointNumGpus]] as const) {
      if (v !== undefined && !(v >= 0)) throw invalidProp(this, k, `(${v}) must be >= 0`);
    }

    const builder = props.cluster ? new RayClusterBuilder(this, this.name, props.cluster, { propPrefix: 'cluster.' }) : undefined;
    this._builder = builder;
    const multiNode = builder ? (props.cluster!.workerGroups ?? []).some(g => (g.maxReplicas ?? g.minReplicas ?? 1) > 0) : true;
    this.entrypoint = props.entrypoint?._render(this, multiNode) ?? (() => { throw invalidProp(this, 'entrypoint', 'is required'); })();

    const submitterImage = props.submitterImage ?? props.cluster?.image;
    let submitter: RayJobSubmitter | undefined;
    if (mode === RaySubmissionMode.K8S_JOB) {
      if (!submitterImage) throw invalidProp(this, 'submitterImage', 'is required with clusterSelector in K8sJobMode');
      submitter = new RayJobSubmitter(this, 'Submitter', {
        image: submitterImage,
        name: this.name,
        allowMutableImageTag: props.cluster?.allowMutableImageTag,
        podSecurity: props.cluster?.podSecurity,
        serviceAccount: builder ? WorkloadServiceAccount.fromName(builder.head.serviceAccount.name) : WorkloadServiceAccount.create(),
      });
    }

    const labels = { ...props.cluster?.labels, ...MlLabels.of({ name: this.name, component: 'ray-job', partOf: props.cluster?.partOf }) };
    if (props.queueName) labels[KUEUE_QUEUE_LABEL] = props.queueName;
    this.apiObject = new ApiObject(this, 'Resource', {
      apiVersion: RAY_API_VERSION,
      kind: 'RayJob',
      metadata: { name: this.name, labels, ...(props.cluster?.annotations ? { annotations: { ...props.cluster.annotations } } : {}) },
      spec: Lazy.any({
        produce: () => ({
          entrypoint: this.entrypoint,
          submissionMode: mode,
          ...(props.runtimeEnv ? { runtimeEnvYAML: renderRuntimeEnv(props.runtimeEnv) } : {}),
          shutdownAfterJobFinishes: shutdown,
          ...(shutdown ? { ttlSecondsAfterFinished: ttl.toSeconds() } : {}),
          ...(props.activeDeadline ? { activeDeadlineSeconds: props.activeDeadline.toSeconds() } : {}),
          ...(props.backoffLimit !== undefined ? { backoffLimit } : {}),
          ...(props.entrypointNumCpus !== undefined ? { entrypointNumCpus: props.entrypointNumCpus } : {}),
          ...(props.entrypointNumGpus !== undefined ? { entrypointNumGpus: props.entrypointNumGpus } : {}),
          ...(suspend ? { suspend: true } : {}),
          ...(builder ? { rayClusterSpec: builder.renderSpec() } : { clusterSelector: { 'ray.io/cluster': props.clusterSelector! } }),
          ...(submitter ? { submitterPodTemplate: submitter._pod.renderTemplate({ labels: submitter.podLabels }) } : {}),
        }),
      }),
    });

    if (builder) {
      const rules: RayIngressRule[] = [{
        peer: props.operatorPeer ?? kplus.Pods.select(this, 'Operator', {
          labels: { 'app.kubernetes.io/name': 'kuberay-operator' },
          namespaces: kplus.Namespaces.all(this, 'OperatorNamespaces'),
        }),
        ports: [RAY_PORTS.dashboard],
      }];
      if (submitter) {
        // The labels KubeRay puts on the submitter pod (rayjob_controller.go getSubmitterTemplate).
        rules.push({
          peer: kplus.Pods.select(this, 'SubmitterPods', { labels: { 'ray.io/originated-from-cr-name': this.name, 'ray.io/originated-from-crd': 'RayJob' } }),
          ports: [RAY_PORTS.dashboard],
        });
      }
      this.networkPolicy = builder.createNetworkPolicy(this, rules);
      this.podMonitor = builder.createPodMonitor(this);
      builder.createDisruptionBudgets();
    }
  }
}

/** The runtime env as YAML (JSON is YAML); Ray's field names. */
function renderRuntimeEnv(env: RayRuntimeEnv): string {
  return JSON.stringify(runtimeEnvJson(env));
}
