import { ApiObject, Duration, Lazy, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { LeaderWorkerSetSpec, LWS_API_VERSION, LWS_NAME_LABEL, LWS_WORKER_INDEX_LABEL } from './crds/leader-worker-set';
import { ModelSource } from './model-source';
import { RuntimeSpec } from './runtimes/runtime-spec';
import { ServingRuntime } from './runtimes/serving-runtime';
import { createServingNetworkPolicy } from './serving-network-policy';
import { AfterConversion } from '../core/after-conversion';
import { ContainerModel } from '../core/container-model';
import { createDisruptionBudget, DisruptionBudgetOptions } from '../core/disruption-budget';
import { invalidProp } from '../core/errors';
import { MlWorkload, WorkloadTraits } from '../core/ml-workload';
import { prometheusScrapeAnnotations, resolveMetricNames, ServerMetricNames } from '../core/prometheus-annotations';
import { requireInteger, requireWholeSeconds } from '../core/validation';
import { MlWorkloadProps, WorkloadPodOptions } from '../core/workload-props';

/**
 * What LWS does when a pod of a group fails.
 *
 * @example
 * import { GroupRestartPolicy, ModelSource, MultiNodeServing, ServingRuntime } from 'cdk8s-ml';
 *
 * new MultiNodeServing(this, 'deepseek', {
 *   runtime: ServingRuntime.vllm({ servedModelName: 'deepseek-v3' }),
 *   model: ModelSource.fromPersistentVolumeClaim('deepseek-v3-weights'),
 *   gpus: { count: 8 },
 *   nodesPerReplica: 2,
 *   // Once a group is up, a failed rank recreates the group; while it starts, pods restart alone.
 *   restartPolicy: GroupRestartPolicy.recreateGroupAfterStart(),
 * });
 */
export class GroupRestartPolicy {
  /** Recreate the whole group when any pod restarts: a tensor-parallel group is useless with one rank gone (LWS's default). */
  public static recreateGroupOnPodRestart(): GroupRestartPolicy {
    return new GroupRestartPolicy('RecreateGroupOnPodRestart');
  }

  /** Recreate the group only for restarts after all its pods started. */
  public static recreateGroupAfterStart(): GroupRestartPolicy {
    return new GroupRestartPolicy('RecreateGroupAfterStart');
  }

  /** Restart single pods, as a StatefulSet would. */
  public static none(): GroupRestartPolicy {
    return new GroupRestartPolicy('None');
  }

  private constructor(/** @internal */ public readonly _value: 'RecreateGroupOnPodRestart' | 'RecreateGroupAfterStart' | 'None') {}
}

/** Properties of {@link MultiNodeServing}. */
export interface MultiNodeServingProps extends MlWorkloadProps, WorkloadPodOptions {
  /**
   * The runtime; only vLLM runs across nodes here (Ray cluster of leader and workers).
   * @default ServingRuntime.vllm()
   */
  readonly runtime?: ServingRuntime;
  /**
   * Where the model comes from, mounted read-only on every node of a group.
   * @default - the runtime's model id
   */
  readonly model?: ModelSource;
  /** Nodes (pods) per replica: the leader plus workers, LWS's `size`; vLLM's pipeline-parallel degree. */
  readonly nodesPerReplica: number;
  /**
   * Replicas (groups).
   * @default 1
   */
  readonly replicas?: number;
  /**
   * What happens to a group when one of its pods fails.
   * @default GroupRestartPolicy.recreateGroupOnPodRestart()
   */
  readonly restartPolicy?: GroupRestartPolicy;
  /**
   * How long the leader may take to form the Ray cluster and load the model.
   * @default Duration.minutes(30)
   */
  readonly startupTimeout?: Duration;
  /**
   * Who may connect to the leaders' API (and metrics) port; the pods of a group
   * always reach each other on every port (Ray, NCCL).
   * @default - anyone, in or outside the cluster
   */
  readonly ingressFrom?: kplus.INetworkPolicyPeer[];
  /**
   * The PodDisruptionBudget over the pods of every group.
   * @default - maxUnavailable 1
   */
  readonly disruptionBudget?: DisruptionBudgetOptions;
}

// The vLLM image's helper that starts (leader) or joins (worker) a Ray cluster
// (https://docs.vllm.ai/en/stable/examples/online_serving/multi-node-serving/); LWS
// injects LWS_LEADER_ADDRESS and LWS_GROUP_SIZE into every pod (kubernetes-sigs/lws docs).
const RAY_HELPER = 'bash /vllm-workspace/examples/online_serving/multi-node-serving.sh';

const quote = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;

/**
 * A model larger than one node: a LeaderWorkerSet (leaderworkerset.x-k8s.io/v1) of
 * `replicas` groups of `nodesPerReplica` pods. The leader starts a Ray head and
 * `vllm serve` with tensor parallelism over each node's GPUs and pipeline
 * parallelism over the nodes; workers join its Ray cluster. Leader and worker
 * templates render from ONE pod model (same image, resources, GPUs, volumes,
 * security); only the command, probes and ports of the leader differ. A Service
 * and the scrape annotations select the leaders only; a PDB covers every pod.
 *
 * @example
 * import { ModelSource, MultiNodeServing, ServingRuntime } from 'cdk8s-ml';
 *
 * // Llama 3.1 405B over two 8-GPU nodes per replica: a LeaderWorkerSet, vLLM on Ray.
 * new MultiNodeServing(this, 'llama-405b', {
 *   runtime: ServingRuntime.vllm({ servedModelName: 'llama-3.1-405b-instruct' }),
 *   model: ModelSource.fromPersistentVolumeClaim('llama-3-1-405b-weights'),
 *   gpus: { count: 8, product: 'NVIDIA-H100-80GB-HBM3' },
 *   resources: {
 *     cpu: { request: kplus.Cpu.units(64), limit: kplus.Cpu.units(64) },
 *     memory: { request: Size.gibibytes(900), limit: Size.gibibytes(900) },
 *   },
 *   nodesPerReplica: 2,
 *   startupTimeout: Duration.minutes(45),
 * });
 */
export class MultiNodeServing extends MlWorkload {
  /** The LeaderWorkerSet. */
  public readonly apiObject: ApiObject;
  /** The Service in front of the leaders. */
  public readonly service: kplus.Service;
  /** The PodDisruptionBudget, when more than one pod runs. */
  public readonly disruptionBudget?: kplus.k8s.KubePodDisruptionBudget;
  /** The NetworkPolicy: the API port from `ingressFrom`, every port within the set. */
  public readonly networkPolicy: kplus.NetworkPolicy;
  /** The names of the leader's metrics. */
  public readonly metricNames: ServerMetricNames;
  /** The server container of the pod model. @internal */
  public readonly _server: ContainerModel;

  public constructor(scope: Construct, id: string, props: MultiNodeServingProps) {
    super(scope, id, props);
    const runtime = props.runtime ?? ServingRuntime.vllm();
    if (runtime.runtimeName !== 'vllm') throw invalidProp(this, 'runtime', `('${runtime.runtimeName}') must be vLLM: only it runs across nodes here`);
    requireInteger(this, 'nodesPerReplica', props.nodesPerReplica, 2, 64);
    const replicas = props.replicas ?? 1;
    requireInteger(this, 'replicas', replicas, 0);
    if (this.gpuCount === 0) throw invalidProp(this, 'gpus', 'are required: each node of a group runs its share of the model on GPUs');
    const mountPath = '/mnt/models';
    const spec = runtime._resolve(this, { gpuCount: this.gpuCount, modelPath: props.model ? mountPath : undefined, serverName: this.name });
    this.metricNames = resolveMetricNames(this, 'runtime.', {}, spec.metricNames);

    const period = 10;
    // At least one startup-probe period: the probe's failureThreshold is startupTimeout / period.
    const startupTimeout = props.startupTimeout ?? Duration.minutes(30);
    requireWholeSeconds(this, 'startupTimeout', startupTimeout, period);
    const startup = startupTimeout.toSeconds();
    this._server = this._createMainContainer('vllm-leader', {
      ...leaderCommand(spec, props.nodesPerReplica),
      ports: [{ name: 'http', number: spec.port }],
      liveness: kplus.Probe.fromHttpGet(spec.livenessPath, { port: spec.port, periodSeconds: Duration.seconds(period), failureThreshold: 3 }),
      readiness: kplus.Probe.fromHttpGet(spec.readinessPath, { port: spec.port, periodSeconds: Duration.seconds(5), failureThreshold: 3 }),
      startup: kplus.Probe.fromHttpGet(spec.startupPath, {
        port: spec.port, periodSeconds: Duration.seconds(period), failureThreshold: Math.max(1, Math.ceil(startup / period)),
      }),
      env: { ...runtime._env(spec), ...props.env },
    }, props);
    runtime._bind(this, this._server, spec);
    if (props.model) props.model._bind(this, this._server, mountPath);

    const leaderSelector = { [LWS_NAME_LABEL]: this.name, [LWS_WORKER_INDEX_LABEL]: '0' };
    const lwsSpec = (): LeaderWorkerSetSpec => {
      const leader = this._pod.renderTemplate({
        labels: this.podLabels,
        ...this._podAnnotationsField(prometheusScrapeAnnotations({ port: spec.port, path: spec.metricsPath })),
      });
      const worker = this._pod.renderTemplate({ labels: this.podLabels, ...this._podAnnotationsField() });
      const c = worker.spec.containers.find((x: any) => x.name === 'vllm-leader');
      // Workers only join the leader's Ray cluster: no API server, so no HTTP probes or ports.
      c.name = 'vllm-worker';
      c.command = ['sh', '-c', `${RAY_HELPER} worker --ray_address=$(LWS_LEADER_ADDRESS)`];
      delete c.args;
      for (const k of ['livenessProbe', 'readinessProbe', 'startupProbe', 'ports']) delete c[k];
      return {
        replicas,
        // Workers must start with the leader: it waits for them to join before serving.
        startupPolicy: 'LeaderCreated',
        leaderWorkerTemplate: {
          size: props.nodesPerReplica,
          restartPolicy: (props.restartPolicy ?? GroupRestartPolicy.recreateGroupOnPodRestart())._value,
          leaderTemplate: leader,
          workerTemplate: worker,
        },
      };
    };
    this.apiObject = new ApiObject(this, 'LeaderWorkerSet', {
      apiVersion: LWS_API_VERSION, kind: 'LeaderWorkerSet', metadata: this._metadata(), spec: Lazy.any({ produce: lwsSpec }),
    });

    this.service = new kplus.Service(this, 'Service', {
      metadata: this._metadata(),
      ports: [{ name: 'http', port: 80, targetPort: spec.port }],
    });
    for (const [k, v] of Object.entries(leaderSelector)) this.service.selectLabel(k, v);
    this.networkPolicy = createServingNetworkPolicy(this, [spec.port], props.ingressFrom);
    // Ray and NCCL use many ports, some random: the pods of the set reach each other on all.
    AfterConversion.of(this.networkPolicy)._addStage(manifest => {
      manifest.spec.ingress = [...(manifest.spec.ingress ?? []), { from: [{ podSelector: { matchLabels: { [LWS_NAME_LABEL]: this.name } } }] }];
    });
    const pods = replicas * props.nodesPerReplica;
    this.disruptionBudget = createDisruptionBudget(this, this._metadata(), { [LWS_NAME_LABEL]: this.name }, props.disruptionBudget, pods, pods);
  }

  /** @internal */
  protected _traits(_id: string, props: MultiNodeServingProps): WorkloadTraits {
    return {
      component: 'model-server',
      defaultResources: {
        cpuRequest: kplus.Cpu.units(8), cpuLimit: kplus.Cpu.units(8), memoryRequest: Size.gibibytes(64), memoryLimit: Size.gibibytes(64),
      },
      guaranteedQosByDefault: true,
      maxGpusPerNode: 16,
      pod: props,
      defaultTerminationGrace: Duration.seconds(60),
      defaultImage: (props.runtime ?? ServingRuntime.vllm()).image,
    };
  }
}

/** The leader: start the Ray head, wait for the group, then serve over every node's GPUs. */
function leaderCommand(spec: RuntimeSpec, nodes: number): { command: string[]; args: string[] } {
  const serve = ['vllm', 'serve', ...spec.args, '--pipeline-parallel-size', String(nodes), '--distributed-executor-backend', 'ray'];
  return {
    command: ['sh', '-c', `${RAY_HELPER} leader --ray_cluster_size=$(LWS_GROUP_SIZE) && exec ${serve.map(quote).join(' ')}`],
    args: [],
  };
}
