// The one description of "a workload that serves, is scraped, scaled, alerted on,
// canaried" that KEDA scaling, alerts, dashboards, VPA and delivery read, so they
// accept workloads this library did not make: a MlModelServing, any cdk8s-plus
// workload (Deployment, StatefulSet), or a reference by name.
import { ApiObject, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct, IConstruct } from 'constructs';
import { invalidProp } from '../core/errors';
import { resolveMetricNames, ServerMetricNames } from '../core/prometheus-annotations';
import { requireDnsLabel, requireDnsSubdomain, requireInteger, requirePort, requireProps } from '../core/validation';
import { RAY_PORTS } from '../integrations/ray/ray-cluster-builder';
import { rayServicePodRegex } from '../integrations/ray/ray-serve-metrics';
import type { RayService } from '../integrations/ray/ray-service';
import { MlModelServing } from '../serving/ml-model-serving';

/** `apiVersion`, `kind` and `name` of a scalable workload (a `scaleTargetRef`). */
export interface WorkloadReference {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
}

/** What an adopted workload does not say about itself. */
export interface AdoptedWorkloadFacts {
  /**
   * The names of the metrics its pods serve.
   * @default - the common defaults (`http_requests_total`, `http_request_duration_seconds`, ...)
   */
  readonly metricNames?: ServerMetricNames;
  /**
   * Fewest replicas it runs (its HPA's minimum, or its fixed count).
   * @default 1
   */
  readonly minReplicas?: number;
  /**
   * Most replicas it runs.
   * @default - minReplicas
   */
  readonly maxReplicas?: number;
  /**
   * Name of the HorizontalPodAutoscaler scaling it.
   * @default - none (fixed replicas)
   */
  readonly hpaName?: string;
  /**
   * GPUs each pod requests (turns on GPU alerts).
   * @default 0
   */
  readonly gpuCount?: number;
}

/** Options of {@link WorkloadTarget.fromWorkload}. */
export interface AdoptedWorkloadOptions extends AdoptedWorkloadFacts {
  /**
   * The Service in front of it.
   * @default - none
   */
  readonly service?: kplus.Service;
}

/** A workload known only by name. */
export interface WorkloadReferenceOptions extends AdoptedWorkloadFacts {
  /** Its name. */
  readonly name: string;
  /**
   * Its namespace.
   * @default - the namespace of the chart it is used in
   */
  readonly namespace?: string;
  /** Labels selecting its pods (its `spec.selector.matchLabels`). */
  readonly selector: { [key: string]: string };
  /**
   * Labels its pods carry.
   * @default - the selector
   */
  readonly podLabels?: { [key: string]: string };
  /**
   * `kind` of the workload.
   * @default 'Deployment'
   */
  readonly kind?: string;
  /**
   * `apiVersion` of the workload.
   * @default 'apps/v1'
   */
  readonly apiVersion?: string;
  /**
   * Ports its containers serve on.
   * @default - none known
   */
  readonly containerPorts?: number[];
  /**
   * Name of the Service in front of it.
   * @default - none
   */
  readonly serviceName?: string;
  /**
   * Port of that Service.
   * @default 80
   */
  readonly servicePort?: number;
}

let ROOT: Construct | undefined;
/** The scope of errors about a reference's names outside any construct (normally _validate reports them first). */
function referenceRoot(): Construct {
  return ROOT ??= new Construct(undefined as unknown as Construct, 'WorkloadTarget');
}

const RETARGETED = new WeakMap<MlModelServing, WorkloadReference>();

/**
 * A workload the observability and delivery constructs act on. Build it with
 * {@link WorkloadTarget.fromServing}, {@link WorkloadTarget.fromWorkload} (any
 * cdk8s-plus workload), {@link WorkloadTarget.fromReference} (by name) or, for
 * alerts and dashboards only, {@link WorkloadTarget.fromRayService}.
 *
 * @example
 * import { ModelServerAlerts, ServingScaledObject, WorkloadTarget } from 'cdk8s-ml';
 *
 * // A model server installed by a Helm chart, known only by its name and labels.
 * const legacy = WorkloadTarget.fromReference({
 *   name: 'helm-model',
 *   selector: { 'app.kubernetes.io/name': 'helm-model' },
 *   maxReplicas: 6,
 *   metricNames: { requestsCounter: 'legacy_requests_total' },
 * });
 * new ServingScaledObject(this, 'helm-model-keda', { target: legacy, threshold: 20 });
 * new ModelServerAlerts(this, 'helm-model-alerts', { target: legacy });
 */
export class WorkloadTarget {
  /** A MlModelServing (its scaling, metric names and HPA followed as they change). */
  public static fromServing(serving: MlModelServing): WorkloadTarget {
    return new WorkloadTarget(serving, {
      name: () => serving.name,
      namespace: () => Chart.of(serving).namespace,
      ref: () => RETARGETED.get(serving) ?? { apiVersion: 'apps/v1', kind: 'Deployment', name: serving.deployment.name },
      selector: () => serving.selector,
      podLabels: () => serving.podLabels,
      containerPorts: () => [serving.port, ...(serving.metrics && serving.metrics.port !== serving.port ? [serving.metrics.port] : [])],
      serviceName: () => serving.service.name,
      servicePort: () => serving.servicePort,
      metricNames: () => serving.metricNames,
      minReplicas: () => serving.minReplicas,
      maxReplicas: () => serving.maxReplicas,
      hpaName: () => serving.hpaName,
      gpuCount: () => serving.gpuCount,
      hasAutoscaler: () => serving.deployment.hasAutoscaler,
    });
  }

  /**
   * A KubeRay RayService, for alerts and dashboards: its Serve metrics
   * (`service.metricNames`) as every Ray pod exports them on the metrics port, and
   * its pods (head and worker groups of each of its clusters, two during an
   * upgrade) selected by the names KubeRay gives them. KEDA and the VPA refuse it:
   * a RayService has no scale subresource.
   */
  public static fromRayService(service: RayService): WorkloadTarget {
    const builder = service._builder;
    const groups = builder.workers.map(w => w.groupName);
    const [min, max] = builder.groups.reduce(([lo, hi], g) => [lo + g.minReplicas, hi + g.maxReplicas], [1, 1]);
    return new WorkloadTarget(service, {
      name: () => service.name,
      namespace: () => Chart.of(service).namespace,
      ref: () => ({ apiVersion: 'ray.io/v1', kind: 'RayService', name: service.name }),
      selector: () => builder.podSelector,
      podLabels: () => builder.podSelector,
      containerPorts: () => [RAY_PORTS.serve, RAY_PORTS.metrics],
      serviceName: () => service.serveServiceName,
      servicePort: () => RAY_PORTS.serve,
      metricNames: () => service.metricNames,
      // Ray pods: the head plus every worker group's bounds.
      minReplicas: () => min,
      maxReplicas: () => max,
      hpaName: () => undefined,
      gpuCount: () => Math.max(0, ...builder.workers.map(w => w.gpuCount)),
      hasAutoscaler: () => builder.autoscaling,
      podRegex: () => rayServicePodRegex(service.name, groups),
      unscalable: () => 'is a RayService, which has no scale subresource: Ray Serve scales its replicas (serveConfig autoscaling) and the Ray autoscaler its pods',
    });
  }

  /** Any cdk8s-plus workload (e.g. a `kplus.Deployment` made elsewhere). */
  public static fromWorkload(workload: kplus.Workload, options: AdoptedWorkloadOptions = {}): WorkloadTarget {
    const api = ApiObject.of(workload);
    const ports = () => workload.containers.flatMap(c => c.ports.map(p => p.number));
    return WorkloadTarget.adopted(workload, {
      ...options,
      name: workload.name,
      namespace: workload.metadata.namespace ?? Chart.of(workload).namespace,
      selector: workload.matchLabels,
      podLabels: workload.podMetadata.toJson().labels,
      kind: api.kind,
      apiVersion: api.apiVersion,
      serviceName: options.service?.name,
      servicePort: options.service?.port,
    }, ports, () => (workload as Partial<kplus.Deployment>).hasAutoscaler ?? false);
  }

  /** A workload by name, namespace and selector (e.g. one a Helm chart installs). */
  public static fromReference(options: WorkloadReferenceOptions): WorkloadTarget {
    return WorkloadTarget.adopted(undefined, options, () => options.containerPorts ?? [], () => options.hpaName !== undefined);
  }

  /**
   * Points every construct that reads `serving`'s target at another workload (a
   * Rollout took the Deployment's place).
   * @internal
   */
  public static _retarget(serving: MlModelServing, ref: WorkloadReference): void {
    RETARGETED.set(serving, ref);
  }

  /**
   * The target of a construct that takes `serving` or `target` (exactly one),
   * checked; props are checked to exist first.
   * @internal
   */
  public static _of(scope: IConstruct, props: { readonly serving?: MlModelServing; readonly target?: WorkloadTarget } | undefined): WorkloadTarget {
    requireProps(scope, props);
    if ((props!.serving === undefined) === (props!.target === undefined)) {
      throw invalidProp(scope, 'serving', 'or target must be given, not both or neither');
    }
    const target = props!.target ?? WorkloadTarget.fromServing(props!.serving!);
    target._validate(scope, 'target');
    return target;
  }

  private static adopted(scope: IConstruct | undefined, o: WorkloadReferenceOptions,
    ports: () => number[], hasAutoscaler: () => boolean): WorkloadTarget {
    const min = o.minReplicas ?? 1;
    const max = o.maxReplicas ?? min;
    return new WorkloadTarget(scope, {
      name: () => o.name,
      namespace: () => o.namespace,
      ref: () => ({ apiVersion: o.apiVersion ?? 'apps/v1', kind: o.kind ?? 'Deployment', name: o.name }),
      selector: () => o.selector,
      podLabels: () => o.podLabels ?? o.selector,
      containerPorts: ports,
      serviceName: () => o.serviceName,
      servicePort: () => o.servicePort ?? 80,
      // Checked against the user's construct by _validate; filled in here.
      metricNames: () => resolveMetricNames(scope ?? referenceRoot(), 'metricNames.', o.metricNames),
      minReplicas: () => min,
      maxReplicas: () => max,
      hpaName: () => o.hpaName,
      gpuCount: () => o.gpuCount ?? 0,
      hasAutoscaler,
    }, o);
  }

  private hpaOverride?: string;

  private constructor(
    /** The construct the target is, when it is one. @internal */
    public readonly _scope: IConstruct | undefined,
    private readonly facts: TargetFacts,
    private readonly given?: WorkloadReferenceOptions,
  ) {}

  /** Name of the workload (and, for a MlModelServing, of its objects). */
  public get name(): string { return this.facts.name(); }
  /** Its namespace, when known. */
  public get namespace(): string | undefined { return this.facts.namespace(); }
  /** Its `scaleTargetRef`. */
  public get workloadRef(): WorkloadReference { return this.facts.ref(); }
  /** Labels selecting its pods. */
  public get selector(): { [key: string]: string } { return { ...this.facts.selector() }; }
  /** Labels its pods carry. */
  public get podLabels(): { [key: string]: string } { return { ...this.facts.podLabels() }; }
  /** Ports its containers serve on. */
  public get containerPorts(): number[] { return this.facts.containerPorts(); }
  /** Name of the Service in front of it, when there is one. */
  public get serviceName(): string | undefined { return this.facts.serviceName(); }
  /** Port of that Service. */
  public get servicePort(): number { return this.facts.servicePort(); }
  /** Its metric names, defaults filled in. */
  public get metricNames(): ServerMetricNames { return this.facts.metricNames(); }
  /** Fewest replicas. */
  public get minReplicas(): number { return this.facts.minReplicas(); }
  /** Most replicas. */
  public get maxReplicas(): number { return this.facts.maxReplicas(); }
  /** The HPA scaling it, when any (KEDA's once a ScaledObject took over). */
  public get hpaName(): string | undefined { return this.hpaOverride ?? this.facts.hpaName(); }
  /** GPUs per pod. */
  public get gpuCount(): number { return this.facts.gpuCount(); }
  /** True when something other than `spec.replicas` sets its replica count. @internal */
  public get _hasAutoscaler(): boolean { return this.facts.hasAutoscaler(); }
  /**
   * The regex of its pods' names, when they are not a Deployment's
   * (`<deployment>-<hash>-<suffix>`): alerts and dashboards select by it, and read
   * pod readiness instead of the Deployment's. @internal
   */
  public get _podRegex(): string | undefined { return this.facts.podRegex?.(); }
  /** Why it cannot be scaled or right-sized by a controller (KEDA, VPA), if it cannot. @internal */
  public get _unscalable(): string | undefined { return this.facts.unscalable?.(); }
  /** The MlModelServing behind the target, when it is one. @internal */
  public get _serving(): MlModelServing | undefined {
    return this._scope instanceof MlModelServing ? this._scope : undefined;
  }

  /**
   * Checks what the user gave, against `user` (the construct reporting errors).
   * @internal
   */
  public _validate(user: IConstruct, prop: string): void {
    const g = this.given;
    if (!g) return;
    requireDnsSubdomain(user, `${prop}.name`, g.name);
    if (g.namespace !== undefined) requireDnsLabel(user, `${prop}.namespace`, g.namespace);
    if (Object.keys(g.selector).length === 0) throw invalidProp(user, `${prop}.selector`, 'must hold at least one label: an empty selector selects every pod in the namespace');
    requireInteger(user, `${prop}.minReplicas`, this.minReplicas, 0);
    requireInteger(user, `${prop}.maxReplicas`, this.maxReplicas, Math.max(1, this.minReplicas));
    for (const p of g.containerPorts ?? []) requirePort(user, `${prop}.containerPorts`, p);
    resolveMetricNames(user, `${prop}.metricNames.`, g.metricNames);
  }

  /** Resolved metric names (defaults filled in). @internal */
  public _metricNames(user: IConstruct, prop: string): ServerMetricNames {
    return resolveMetricNames(user, `${prop}.metricNames.`, this.metricNames);
  }

  /**
   * An external scaler (KEDA) took over with its own HPA: the server's is removed.
   * @internal
   */
  public _replaceAutoscaler(hpaName: string): void {
    const serving = this._serving;
    if (serving) {
      serving._replaceAutoscaler(hpaName);
      return;
    }
    this.hpaOverride = hpaName;
    // An adopted Deployment stops rendering spec.replicas, which would reset the scaler on every apply.
    const scalable = this._scope as Partial<kplus.IScalable> | undefined;
    if (scalable && typeof scalable.markHasAutoscaler === 'function') scalable.markHasAutoscaler();
  }
}

interface TargetFacts {
  name(): string;
  namespace(): string | undefined;
  ref(): WorkloadReference;
  selector(): { [key: string]: string };
  podLabels(): { [key: string]: string };
  containerPorts(): number[];
  serviceName(): string | undefined;
  servicePort(): number;
  metricNames(): ServerMetricNames;
  minReplicas(): number;
  maxReplicas(): number;
  hpaName(): string | undefined;
  gpuCount(): number;
  hasAutoscaler(): boolean;
  podRegex?(): string;
  unscalable?(): string;
}
