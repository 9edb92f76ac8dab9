import { ApiObject, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct, IConstruct } from 'constructs';
import { RAY_API_VERSION, RayAutoscalerOptionsSpec, RayClusterSpecJson, RayWorkerGroupSpec } from './crds';
import { RayClusterOptions, RayUpscalingMode, RayWorkerGroupOptions } from './ray-cluster-options';
import { RAY_CLUSTER_LABEL, RayNodeGroup } from './ray-node-group';
import { createDisruptionBudget } from '../../core/disruption-budget';
import { invalidProp, MlValidationError } from '../../core/errors';
import { requireLabels } from '../../core/metadata-validation';
import { completeResources } from '../../core/resources';
import { WorkloadServiceAccount } from '../../core/service-account';
import { requireDnsLabel, requireEnvNames, requireInteger, requireWholeSeconds } from '../../core/validation';
import { MONITORING_API_VERSION, PodMonitorSpec } from '../../observability/crds/monitoring-coreos-com';

/**
 * Ray's ports (KubeRay ray-operator/controllers/ray/utils/constant.go: DefaultGcsServerPort,
 * DefaultDashboardPort, DefaultClientPort, DefaultServingPort, DefaultMetricsPort; the
 * port names are the ones KubeRay looks up).
 */
export const RAY_PORTS = { gcs: 6379, dashboard: 8265, client: 10001, serve: 8000, metrics: 8080 };

const HEAD_RESOURCES = {
  cpuRequest: kplus.Cpu.units(2), cpuLimit: kplus.Cpu.units(2), memoryRequest: Size.gibibytes(8), memoryLimit: Size.gibibytes(8),
};
const WORKER_RESOURCES = {
  cpuRequest: kplus.Cpu.units(4), cpuLimit: kplus.Cpu.units(4), memoryRequest: Size.gibibytes(16), memoryLimit: Size.gibibytes(16),
};
// KubeRay's autoscaler defaults (AutoscalerOptions.resources: 500m / 512Mi, requests = limits).
const AUTOSCALER_RESOURCES = {
  cpuRequest: kplus.Cpu.millis(500), cpuLimit: kplus.Cpu.millis(500), memoryRequest: Size.mebibytes(512), memoryLimit: Size.mebibytes(512),
};
// Set by KubeRay or refused by its validation (utils/validation.go): `labels` must be the
// group's top-level field, `redis-password` would put a secret in the manifest, `block`
// and `address` are KubeRay's.
const RESERVED_START_PARAMS = ['block', 'address', 'redis-password', 'labels'];

/** A Ray ingress rule beyond the defaults (the RayJob submitter, the operator). @internal */
export interface RayIngressRule {
  readonly peer: kplus.INetworkPolicyPeer;
  readonly ports: number[];
}

/** What the owning construct adds. @internal */
export interface RayClusterBuildOptions {
  /** Serve ports on the containers (RayService). */
  readonly serve?: boolean;
  /** The prop prefix in error messages (`cluster.` inside a RayJob). */
  readonly propPrefix?: string;
}

/**
 * The parts every Ray construct shares: the head and worker groups as pod models,
 * the cluster spec rendered from them, and the NetworkPolicy, PodMonitor and PDBs
 * over the pods. Internal to RayCluster, RayJob and RayService.
 * @internal
 */
export class RayClusterBuilder {
  public readonly head: RayNodeGroup;
  public readonly workers: RayNodeGroup[] = [];
  public readonly autoscaling: boolean;
  public readonly rayVersion?: string;
  public readonly podSelector: { [key: string]: string };
  public readonly groups: Required<Pick<RayWorkerGroupOptions, 'minReplicas' | 'maxReplicas' | 'replicas'>>[] = [];

  public constructor(
    private readonly scope: Construct,
    private readonly name: string,
    private readonly props: RayClusterOptions,
    private readonly build: RayClusterBuildOptions = {},
  ) {
    const p = build.propPrefix ?? '';
    if (props === undefined || typeof props !== 'object') throw invalidProp(scope, p ? p.slice(0, -1) : 'props', 'are required');
    this.podSelector = { [RAY_CLUSTER_LABEL]: name };
    this.rayVersion = props.rayVersion ?? /:(\d+\.\d+\.\d+)/.exec(props.image ?? '')?.[1];

    const groups = props.workerGroups ?? [];
    const names = new Set<string>();
    groups.forEach((g, i) => {
      requireDnsLabel(scope, `${p}workerGroups[${i}].groupName`, g.groupName ?? '', 40);
      if (g.groupName === 'head' || names.has(g.groupName)) {
        throw invalidProp(scope, `${p}workerGroups[${i}].groupName`, `('${g.groupName}') must be unique and not 'head'`);
      }
      names.add(g.groupName);
      const min = g.minReplicas ?? 1;
      const max = g.maxReplicas ?? min;
      const replicas = g.replicas ?? min;
      requireInteger(scope, `${p}workerGroups[${i}].minReplicas`, min, 0);
      requireInteger(scope, `${p}workerGroups[${i}].maxReplicas`, max, 1);
      if (max < min) throw invalidProp(scope, `${p}workerGroups[${i}].maxReplicas`, `(${max}) must be >= minReplicas (${min})`);
      requireInteger(scope, `${p}workerGroups[${i}].replicas`, replicas, min, max);
      this.groups.push({ minReplicas: min, maxReplicas: max, replicas });
    });
    this.autoscaling = props.autoscaler !== undefined || this.groups.some(g => g.maxReplicas > g.minReplicas);
    if (this.autoscaling && this.rayVersion && compareVersions(this.rayVersion, '2.10.0') < 0) {
      // Autoscaler v2 needs Ray 2.10+ (docs.ray.io, "KubeRay Autoscaling", autoscaler v2).
      throw invalidProp(scope, `${p}rayVersion`, `(${this.rayVersion}) must be 2.10.0 or later for the autoscaler v2`);
    }
    requireWholeSeconds(scope, `${p}autoscaler.idleTimeout`, props.autoscaler?.idleTimeout, 0);
    // Checked now as well as at render (lazily), so the error is not wrapped in cdk8s's serialization error.
    if (this.autoscaling) completeResources(scope, `${p}autoscaler.resources`, props.autoscaler?.resources, AUTOSCALER_RESOURCES, true);
    // Checked here, so the error names the cluster's prop rather than its Head node group.
    requireWholeSeconds(scope, `${p}terminationGracePeriod`, props.terminationGracePeriod, 0);
    props.preStop?._validate(scope, `${p}preStop`);
    const numCpus = props.head?.numCpus ?? 0;
    requireInteger(scope, `${p}head.numCpus`, numCpus, 0);
    checkStartParams(scope, `${p}head.rayStartParams`, props.head?.rayStartParams);
    props.gcsFaultTolerance?._render(scope); // validates now, renders lazily

    const serve = build.serve ?? false;
    const port = (pname: string, n: number): kplus.ContainerPort => ({ name: pname, number: n, protocol: kplus.Protocol.TCP });
    const shared = {
      image: props.image,
      allowMutableImageTag: props.allowMutableImageTag,
      name,
      version: this.rayVersion,
      partOf: props.partOf,
      labels: props.labels,
      annotations: props.annotations,
      podAnnotations: props.podAnnotations,
      envFrom: props.envFrom,
      podSecurity: props.podSecurity,
      priorityClass: props.priorityClass,
      terminationGracePeriod: props.terminationGracePeriod,
      preStop: props.preStop,
      initContainers: props.initContainers,
      sidecars: props.sidecars,
      clusterName: name,
    };
    // Env names are checked here, where each map's prop is known (cluster, head, group);
    // every other error of a group is re-rooted at the prop the user wrote (see inGroup).
    requireEnvNames(scope, `${p}env`, props.env);
    requireEnvNames(scope, `${p}head.env`, props.head?.env);
    groups.forEach((g, i) => requireEnvNames(scope, `${p}workerGroups[${i}].env`, g.env));
    this.head = inGroup(scope, p, 'head.', ['resources', 'mounts'], () => new RayNodeGroup(scope, 'Head', {
      ...shared,
      groupName: 'head',
      component: 'ray-head',
      containerName: 'ray-head',
      defaultResources: HEAD_RESOURCES,
      resources: props.head?.resources,
      env: { ...props.env, ...props.head?.env },
      mounts: props.head?.mounts,
      serviceAccount: props.serviceAccount,
      // The autoscaler sidecar calls the Kubernetes API (KubeRay binds its Role to this account).
      automountServiceAccountToken: this.autoscaling || (props.automountServiceAccountToken ?? false),
      ports: [
        port('gcs-server', RAY_PORTS.gcs), port('dashboard', RAY_PORTS.dashboard), port('client', RAY_PORTS.client),
        port('metrics', RAY_PORTS.metrics), ...(serve ? [port('serve', RAY_PORTS.serve)] : []),
      ],
    }));
    groups.forEach((g, i) => {
      checkStartParams(scope, `${p}workerGroups[${i}].rayStartParams`, g.rayStartParams);
      requireWholeSeconds(scope, `${p}workerGroups[${i}].idleTimeout`, g.idleTimeout, 0);
      const own = ['resources', 'gpus', 'mounts', ...(g.image !== undefined ? ['image'] : [])];
      this.workers.push(inGroup(scope, p, `workerGroups[${i}].`, own, () => new RayNodeGroup(scope, g.groupName, {
        ...shared,
        image: g.image ?? props.image,
        groupName: g.groupName,
        component: 'ray-worker',
        containerName: 'ray-worker',
        defaultResources: WORKER_RESOURCES,
        resources: g.resources,
        gpus: g.gpus,
        env: { ...props.env, ...g.env },
        mounts: g.mounts,
        serviceAccount: WorkloadServiceAccount.fromName(this.head.serviceAccount.name),
        automountServiceAccountToken: props.automountServiceAccountToken ?? false,
        ports: [port('metrics', RAY_PORTS.metrics), ...(serve ? [port('serve', RAY_PORTS.serve)] : [])],
      })));
    });
  }

  /** The cluster spec, rendered from the pod models (call lazily). */
  public renderSpec(): RayClusterSpecJson {
    const props = this.props;
    const head = props.head ?? {};
    return {
      ...(this.rayVersion ? { rayVersion: this.rayVersion } : {}),
      enableInTreeAutoscaling: this.autoscaling,
      ...(this.autoscaling ? { autoscalerOptions: this.renderAutoscaler() } : {}),
      ...(props.gcsFaultTolerance ? { gcsFaultToleranceOptions: props.gcsFaultTolerance._render(this.scope) } : {}),
      headGroupSpec: {
        rayStartParams: { 'num-cpus': String(head.numCpus ?? 0), ...head.rayStartParams },
        ...(head.serviceType ? { serviceType: head.serviceType } : {}),
        template: this.head.renderTemplate(),
      },
      workerGroupSpecs: this.workers.map((w, i): RayWorkerGroupSpec => {
        const g = props.workerGroups![i];
        return {
          groupName: g.groupName,
          replicas: this.groups[i].replicas,
          minReplicas: this.groups[i].minReplicas,
          maxReplicas: this.groups[i].maxReplicas,
          ...(g.idleTimeout ? { idleTimeoutSeconds: g.idleTimeout.toSeconds() } : {}),
          rayStartParams: { ...g.rayStartParams },
          template: w.renderTemplate(),
        };
      }),
    };
  }

  /**
   * Ingress to the cluster's pods: every port between the cluster's own pods (Ray's
   * raylets, object managers and workers use ports no policy can list); the
   * dashboard / job API, client and Serve ports from `clientPeers` and `extra`; the
   * metrics port from `metricsPeers`. The GCS port (6379) is reached by the
   * cluster's own pods only. Egress is open (datasets, object storage, pip).
   */
  public createNetworkPolicy(scope: Construct, extra: RayIngressRule[] = []): kplus.NetworkPolicy {
    const policy = new kplus.NetworkPolicy(scope, 'NetworkPolicy', {
      metadata: this.head._metadata(),
      selector: kplus.Pods.select(scope, 'RayPods', { labels: this.podSelector }),
      ingress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
    });
    policy.addIngressRule(kplus.Pods.select(scope, 'RayPeers', { labels: this.podSelector }));
    const tcp = (ports: number[]) => ports.map(n => kplus.NetworkPolicyPort.tcp(n));
    const clientPorts = [RAY_PORTS.dashboard, RAY_PORTS.client, ...(this.build.serve ? [RAY_PORTS.serve] : [])];
    for (const peer of this.props.clientPeers ?? []) policy.addIngressRule(peer, tcp(clientPorts));
    for (const rule of extra) policy.addIngressRule(rule.peer, tcp(rule.ports));
    const metricsPeers = this.props.metricsPeers
      ?? [kplus.Pods.all(scope, 'AnyPod', { namespaces: kplus.Namespaces.all(scope, 'AnyNamespace') })];
    for (const peer of metricsPeers) policy.addIngressRule(peer, tcp([RAY_PORTS.metrics]));
    return policy;
  }

  /**
   * A PodMonitor on the `metrics` port of every Ray pod, with the `ray_io_cluster`
   * label Ray's Grafana dashboards filter on (docs.ray.io, "Using Prometheus and
   * Grafana": the PodMonitor relabels `__meta_kubernetes_pod_label_ray_io_cluster`).
   */
  public createPodMonitor(scope: Construct): ApiObject | undefined {
    if (this.props.podMonitor === false) return undefined;
    requireLabels(scope, 'monitorLabels', this.props.monitorLabels);
    const spec: PodMonitorSpec = {
      selector: { matchLabels: { ...this.podSelector } },
      podMetricsEndpoints: [{
        port: 'metrics',
        relabelings: [{ sourceLabels: ['__meta_kubernetes_pod_label_ray_io_cluster'], targetLabel: 'ray_io_cluster' }],
      }],
    };
    const metadata = this.head._metadata(undefined, this.props.monitorLabels);
    return new ApiObject(scope, 'PodMonitor', { apiVersion: MONITORING_API_VERSION, kind: 'PodMonitor', metadata, spec });
  }

  /**
   * A PDB per worker group of at least two workers, with an integer minAvailable of
   * minReplicas - 1: pods owned by a custom resource without a scale subresource
   * take only an integer minAvailable
   * (kubernetes.io/docs/tasks/run-application/configure-pdb/#arbitrary-controllers-and-selectors).
   * The single head gets none: a PDB on it would block every drain.
   */
  public createDisruptionBudgets(): kplus.k8s.KubePodDisruptionBudget[] {
    return this.workers.flatMap((w, i) => {
      const g = this.groups[i];
      if (g.minReplicas < 2) return [];
      const pdb = createDisruptionBudget(w, w._metadata(`${this.name}-${w.groupName}`), w.selector, { minAvailable: g.minReplicas - 1 }, g.minReplicas, g.maxReplicas);
      return pdb ? [pdb] : [];
    });
  }

  private renderAutoscaler(): RayAutoscalerOptionsSpec {
    const a = this.props.autoscaler ?? {};
    const r = completeResources(this.scope, `${this.build.propPrefix ?? ''}autoscaler.resources`, a.resources, AUTOSCALER_RESOURCES, true);
    const quantity = (cpu: kplus.Cpu | undefined, mem: Size | undefined) => ({ cpu: cpu!.amount, memory: `${mem!.toMebibytes()}Mi` });
    return {
      version: 'v2',
      idleTimeoutSeconds: (a.idleTimeout ?? Duration.seconds(60)).toSeconds(),
      upscalingMode: a.upscalingMode ?? RayUpscalingMode.DEFAULT,
      imagePullPolicy: 'IfNotPresent',
      resources: { requests: quantity(r.cpu?.request, r.memory?.request), limits: quantity(r.cpu?.limit, r.memory?.limit) },
      // KubeRay copies this onto the sidecar it injects (common/pod.go mergeAutoscalerOverrides).
      securityContext: kplus.k8s.toJson_SecurityContext(new kplus.ContainerSecurityContext(this.head.podSecurity._containerContext())._toKube()),
      // The head's writable /tmp (the root filesystem is read-only); KubeRay adds /tmp/ray.
      volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
    } as RayAutoscalerOptionsSpec;
  }
}

/** The name limits of KubeRay (utils/constant.go MaxRayClusterNameLength 53, RayJob/RayService 53 - 6). */
export function requireRayName(scope: IConstruct, name: string, max: number): void {
  // KubeRay validates names as DNS-1035 labels (utils/validation.go): a letter first.
  if (name.length > max || !/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(name)) {
    throw invalidProp(scope, 'name', `('${name}') must be an RFC 1035 label (lowercase alphanumerics and '-', starting with a letter) of at most ${max} characters: KubeRay derives pod and Service names from it`);
  }
}

function checkStartParams(scope: IConstruct, prop: string, params: { [k: string]: string } | undefined): void {
  for (const [k, v] of Object.entries(params ?? {})) {
    if (k.startsWith('-')) throw invalidProp(scope, `${prop}['${k}']`, "must be given without the leading '--'");
    if (RESERVED_START_PARAMS.includes(k)) throw invalidProp(scope, `${prop}['${k}']`, 'is set by KubeRay or refused by it; use the construct\'s props (labels, gcsFaultTolerance.password)');
    if (typeof v !== 'string') throw invalidProp(scope, `${prop}['${k}']`, 'must be a string');
  }
}

/**
 * Builds a node group, re-rooting its errors at the cluster (not the internal group
 * construct) and at the prop the user wrote: `head.resources...` or
 * `workerGroups[1].gpus...` for the group's own options, the cluster's prop otherwise.
 */
function inGroup(scope: IConstruct, prefix: string, groupPrefix: string, own: string[], build: () => RayNodeGroup): RayNodeGroup {
  try {
    return build();
  } catch (e) {
    if (!(e instanceof MlValidationError)) throw e;
    const root = /^[A-Za-z]+/.exec(e.prop)?.[0] ?? '';
    throw invalidProp(scope, `${prefix}${own.includes(root) ? groupPrefix : ''}${e.prop}`, e.problem);
  }
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

export { RAY_API_VERSION };
