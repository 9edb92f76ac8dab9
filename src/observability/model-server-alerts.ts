import { ApiObject, Chart, Duration, Lazy, Yaml } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  alert, canaryRules, CustomAlertRule, customRules, errorRatioParts, inSeconds, llmRules, pendingSeconds, podMatchers, podsNotReadyRule,
  replicaHealthRules, RuleContext,
} from './alert-rules';
import { WorkloadTarget } from './workload-target';
import { invalidProp } from '../core/errors';
import { applyObjectMetadata, ObjectMetadataOptions, requireLabelKey } from '../core/metadata-validation';
import { goTemplateText, requireAlertLabels, requireDnsSubdomain, requireLabelValue } from '../core/validation';
import { MlModelServing } from '../serving/ml-model-serving';
import { CrdRule, MONITORING_API_VERSION, PrometheusRuleSpec } from './crds/monitoring-coreos-com';
import { formatPromDuration, requirePromDuration } from './prometheus-duration';
import { PrometheusServerConfig } from './prometheus-server-config';
import { isLabelName, num, promql, series } from './promql';

/** Properties of {@link ModelServerAlerts}. */
export interface ModelServerAlertsProps {
  /**
   * The model server alerted on. Give this or `target`.
   * @default - the target
   */
  readonly serving?: MlModelServing;
  /**
   * The workload alerted on, when it is not a MlModelServing of this library
   * (`WorkloadTarget.fromWorkload(deployment)`, `WorkloadTarget.fromReference(...)`).
   * @default - the server
   */
  readonly target?: WorkloadTarget;
  /**
   * Name of the PrometheusRule.
   * @default - the server's name
   */
  readonly name?: string;
  /**
   * Labels of the PrometheusRule, which the Prometheus instance's `ruleSelector`
   * picks rules by (e.g. `{ release: 'kube-prometheus-stack' }`).
   * @default - the server's selector labels only
   */
  readonly ruleLabels?: { [key: string]: string };
  /**
   * Labels added to every alert (for routing, e.g. `team: nlp`).
   * @default - none
   */
  readonly alertLabels?: { [key: string]: string };

  /**
   * p99 latency above which `ModelServerHighP99Latency` fires.
   * @default Duration.seconds(1)
   */
  readonly p99LatencyThreshold?: Duration;
  /**
   * Fraction of failed requests (0..1, exclusive) above which `ModelServerHighErrorRatio` fires.
   * @default 0.05
   */
  readonly errorRatioThreshold?: number;
  /**
   * Window of the rates.
   * @default Duration.minutes(5)
   */
  readonly rateWindow?: Duration;
  /**
   * How long a condition must hold before its alert fires.
   * @default Duration.minutes(10)
   */
  readonly pendingPeriod?: Duration;

  /**
   * Add the GPU utilization alerts (DCGM exporter's `DCGM_FI_DEV_GPU_UTIL`).
   * @default - true when the server requests GPUs
   */
  readonly gpuAlerts?: boolean;
  /**
   * Average GPU utilization (percent) above which `ModelServerGpuSaturated` fires.
   * @default 95
   */
  readonly gpuSaturatedPercent?: number;
  /**
   * Average GPU utilization (percent) below which `ModelServerGpuIdle` fires.
   * @default 10
   */
  readonly gpuIdlePercent?: number;
  /**
   * How long GPUs must stay idle before `ModelServerGpuIdle` fires.
   * @default Duration.hours(1)
   */
  readonly gpuIdlePeriod?: Duration;
  /**
   * Label of the DCGM series holding the pod name; `exported_pod` when the exporter is
   * scraped without `honorLabels`.
   * @default 'pod'
   */
  readonly dcgmPodLabel?: string;
  /**
   * Label of the DCGM series holding the namespace.
   * @default 'namespace'
   */
  readonly dcgmNamespaceLabel?: string;
  /**
   * Labels and annotations of every object this construct emits (the PrometheusRule; `ruleLabels` are for the `ruleSelector`).
   * @default - none
   */
  readonly metadata?: ObjectMetadataOptions;

  /**
   * Pending period (`for`) of single alerts, by alert name, over `pendingPeriod`,
   * e.g. `{ ModelServerHighErrorRatio: Duration.minutes(2) }`.
   * @default - `pendingPeriod`; `ModelServerPodsNotReady` waits out the server's startup budget
   */
  readonly pendingPeriods?: { [alert: string]: Duration };
  /**
   * Average queue depth per pod above which `ModelServerQueueSaturated` fires (servers
   * whose metrics declare `queueGauge`, e.g. `vllm:num_requests_waiting`).
   * @default 10
   */
  readonly queueThreshold?: number;
  /**
   * p95 time to first token above which `ModelServerHighTimeToFirstToken` fires
   * (servers declaring `timeToFirstTokenHistogram`).
   * @default Duration.seconds(2)
   */
  readonly ttftP95Threshold?: Duration;
  /**
   * KV-cache usage (0..1, exclusive) above which `ModelServerKvCachePressure` fires
   * (servers declaring `kvCacheUsageGauge`): the engine starts preempting requests.
   * @default 0.9
   */
  readonly kvCacheThreshold?: number;
  /**
   * The stable server this one is a canary of: `ModelServerCanaryErrorRatio` fires
   * when this server's error ratio exceeds `canaryErrorRatioFactor` times the stable
   * one's (and 1%), e.g. `compareWith: release.stable` for a CanaryRelease's canary.
   * @default - no comparison
   */
  readonly compareWith?: MlModelServing;
  /**
   * How many times the stable error ratio the canary may reach.
   * @default 2
   */
  readonly canaryErrorRatioFactor?: number;
  /**
   * More alerts of the same group.
   * @default - none
   */
  readonly customRules?: CustomAlertRule[];
  /**
   * Also write the rules as a plain Prometheus rule file (a ConfigMap `<name>-rules`,
   * key `<name>.rules.yml`) and add its path to this `prometheus.yml`'s `rule_files`,
   * for clusters without prometheus-operator. Mount the ConfigMap at `ruleFileDirectory`.
   * @default - no rule file
   */
  readonly prometheusConfig?: PrometheusServerConfig;
  /**
   * Where the rule file's ConfigMap is mounted in the Prometheus container.
   * @default '/etc/prometheus/rules'
   */
  readonly ruleFileDirectory?: string;
  /**
   * Emit the PrometheusRule (needs prometheus-operator's CRD); turn off with only a rule file.
   * @default true
   */
  readonly prometheusRule?: boolean;
}

/**
 * A PrometheusRule with the alerts a model server needs: high p99 inference latency,
 * high error ratio, replicas pinned at the autoscaler's maximum, pods not ready, and
 * GPUs saturated or idle. Expressions select the server's pods by namespace and pod
 * name (`<deployment>-<hash>-<suffix>`; a RayService's pods by KubeRay's names, with
 * unhealthy Serve replicas and pod readiness alerted on), which every scrape mode
 * labels, and the kube-state-metrics series by deployment and HPA name.
 *
 * @example
 * import { MlModelServing, ModelServerAlerts, ServingScaling } from 'cdk8s-ml';
 *
 * const bert = new MlModelServing(this, 'bert', {
 *   image: 'registry.example.com/ml/bert-server:1.4.2',
 *   scaling: ServingScaling.autoscale({ minReplicas: 2, maxReplicas: 8 }),
 *   metrics: { port: 9090 },
 * });
 * new ModelServerAlerts(this, 'bert-alerts', {
 *   serving: bert,
 *   ruleLabels: { release: 'kube-prometheus-stack' },
 *   alertLabels: { team: 'nlp' },
 *   p99LatencyThreshold: Duration.millis(500),
 *   errorRatioThreshold: 0.02,
 * });
 */
export class ModelServerAlerts extends Construct {
  /** Alert names, in order. */
  public get alertNames(): string[] {
    return this.rules().map(r => r.alert);
  }

  private readonly rules: () => CrdRule[];
  /** The rule group's name. */
  public readonly groupName: string;
  /** The PrometheusRule (unless `prometheusRule` is false). */
  public readonly apiObject?: ApiObject;
  /** The rule file's ConfigMap, with `prometheusConfig`. */
  public readonly ruleFileConfigMap?: kplus.ConfigMap;

  public constructor(scope: Construct, id: string, props: ModelServerAlertsProps) {
    super(scope, id);
    const serving = WorkloadTarget._of(this, props);
    const name = props.name ?? serving.name;
    requireDnsSubdomain(this, 'name', name);
    for (const [k, v] of Object.entries({ ...props.ruleLabels })) {
      requireLabelKey(this, 'ruleLabels key', k);
      requireLabelValue(this, `ruleLabels['${k}']`, v);
    }
    requireAlertLabels(this, 'alertLabels', props.alertLabels, ['severity', 'namespace', 'deployment']);
    const namespace = serving.namespace ?? Chart.of(this).namespace;
    const window = requirePromDuration(this, 'rateWindow', props.rateWindow ?? Duration.minutes(5));
    const pending = requirePromDuration(this, 'pendingPeriod', props.pendingPeriod ?? Duration.minutes(10), true);

    const ctx: RuleContext = {
      window,
      pending,
      namespace,
      deployment: serving.workloadRef.name,
      labels: { ...props.alertLabels, ...(namespace ? { namespace } : {}), deployment: serving.workloadRef.name },
      ...(serving._podRegex ? { podRegex: serving._podRegex } : {}),
    };
    // Built now, so bad input fails here; rendered again at synth, so an HPA that
    // KEDA takes over after this construct (serving.hpaName) is the one alerted on.
    if (props.compareWith && !serving._serving) {
      throw invalidProp(this, 'compareWith', 'needs a model server of this library as the alerted target (its runtime and metric names)');
    }
    const pendings = this.pendingPeriods(props);
    const notReadyWait = Math.max(pendingSeconds(pending), serving._serving?.startupBudget.toSeconds() ?? 0);
    const notReadyPending = formatPromDuration(Duration.seconds(notReadyWait));
    const rules = () => this.withPendings([
      ...this.latencyRule(ctx, props, serving),
      this.errorRule(ctx, props, serving),
      ...this.replicasRule(ctx, serving),
      ctx.podRegex ? podsNotReadyRule({ ...ctx, pending: notReadyPending }) : this.notReadyRule({ ...ctx, pending: notReadyPending }),
      ...replicaHealthRules(ctx, serving.metricNames),
      ...((props.gpuAlerts ?? serving.gpuCount > 0) ? this.gpuRules(ctx, props) : []),
      // Runtime and canary rules read the server's runtime and metric names: library servers
      // (a MlModelServing, a RayService) only.
      ...(serving._serving || serving._podRegex ? llmRules(this, ctx, props, serving.metricNames) : []),
      ...(props.compareWith && serving._serving
        ? canaryRules(this, ctx, serving._serving, props.compareWith, props.canaryErrorRatioFactor ?? 2) : []),
      ...customRules(this, ctx, props.customRules ?? []),
    ], pendings);
    this.rules = rules;
    const names = rules().map(r => r.alert);
    for (const key of Object.keys(pendings)) {
      if (!names.includes(key)) throw invalidProp(this, `pendingPeriods['${key}']`, `names no alert of this group (${names.join(', ')})`);
    }
    const duplicate = names.find((n, i) => names.indexOf(n) !== i);
    if (duplicate) throw invalidProp(this, 'customRules', `alert '${duplicate}' is defined twice`);
    this.groupName = `${name}.model-server`;
    const groups = () => [{ name: this.groupName, rules: rules() }];

    if (props.prometheusRule ?? true) {
      this.apiObject = new ApiObject(this, 'PrometheusRule', {
        apiVersion: MONITORING_API_VERSION,
        kind: 'PrometheusRule',
        metadata: { name, labels: { ...serving.selector, ...props.ruleLabels } },
        spec: Lazy.any({ produce: (): PrometheusRuleSpec => ({ groups: groups() }) }),
      });
    } else if (!props.prometheusConfig) {
      throw invalidProp(this, 'prometheusRule', 'is false and there is no prometheusConfig: the alerts would go nowhere');
    }
    if (props.prometheusConfig) {
      const dir = (props.ruleFileDirectory ?? '/etc/prometheus/rules').replace(/\/+$/, '');
      if (!dir.startsWith('/')) throw invalidProp(this, 'ruleFileDirectory', `('${dir}') must be an absolute path`);
      const file = `${name}.rules.yml`;
      this.ruleFileConfigMap = new kplus.ConfigMap(this, 'RuleFile', { metadata: { name: `${name}-rules`, labels: serving.selector } });
      this.ruleFileConfigMap.addData(file, Lazy.any({ produce: () => Yaml.stringify({ groups: groups() }) }));
      props.prometheusConfig.addRuleFile(`${dir}/${file}`);
    }
    applyObjectMetadata(this, 'metadata', props.metadata);
  }

  private pendingPeriods(props: ModelServerAlertsProps): { [alert: string]: string } {
    const out: { [alert: string]: string } = {};
    for (const [alertName, d] of Object.entries(props.pendingPeriods ?? {})) {
      out[alertName] = requirePromDuration(this, `pendingPeriods['${alertName}']`, d, true);
    }
    return out;
  }

  private withPendings(rules: CrdRule[], pendings: { [alert: string]: string }): CrdRule[] {
    return rules.map(r => (pendings[r.alert] !== undefined ? { ...r, for: pendings[r.alert] } : r));
  }

  private latencyRule(ctx: RuleContext, props: ModelServerAlertsProps, serving: WorkloadTarget): CrdRule[] {
    // A server without a latency histogram (Triton's durations are counters) gets no latency alert.
    const histogram = serving.metricNames.latencyHistogram;
    if (histogram === undefined) return [];
    const threshold = (props.p99LatencyThreshold ?? Duration.seconds(1)).toMilliseconds({ integral: false }) / 1000;
    if (!(threshold > 0)) throw invalidProp(this, 'p99LatencyThreshold', 'must be longer than zero');
    const buckets = promql.sum(promql.rate(series(`${histogram}_bucket`, podMatchers(ctx)).range(ctx.window))).by(['le']);
    const p99 = inSeconds(promql.histogramQuantile(0.99, buckets), serving.metricNames);
    return [alert(ctx, 'ModelServerHighP99Latency', promql.gt(p99, num(threshold)), 'warning', {
      summary: `Model server ${ctx.deployment}: p99 inference latency above ${threshold}s`,
      description: `The 99th percentile of ${histogram} over ${ctx.window} is {{ $value | humanizeDuration }} (threshold ${threshold}s).`,
    })];
  }

  private errorRule(ctx: RuleContext, props: ModelServerAlertsProps, serving: WorkloadTarget): CrdRule {
    // The server checked its declared names (metrics.names).
    const codeLabel = serving.metricNames.statusCodeLabel!;
    const codes = serving.metricNames.errorCodeRegex!;
    const threshold = props.errorRatioThreshold ?? 0.05;
    if (!(threshold > 0 && threshold < 1)) throw invalidProp(this, 'errorRatioThreshold', `(${threshold}) must be between 0 and 1, exclusive`);
    const failed = serving.metricNames.failedRequestsCounter;
    const { errors, total } = errorRatioParts(ctx, serving.metricNames);
    const what = failed ? `failed (${failed})` : `returned ${codeLabel}=~"${goTemplateText(codes!)}"`;
    return alert(ctx, 'ModelServerHighErrorRatio', promql.gt(promql.div(errors, total), num(threshold)), 'critical', {
      summary: `Model server ${ctx.deployment}: more than ${threshold * 100}% of requests fail`,
      description: `{{ $value | humanizePercentage }} of requests to ${ctx.deployment} ${what} over ${ctx.window}.`,
    });
  }

  private replicasRule(ctx: RuleContext, serving: WorkloadTarget): CrdRule[] {
    const hpa = serving.hpaName;
    if (hpa === undefined) return [];
    const matchers = [...(ctx.namespace ? [promql.labelEq('namespace', ctx.namespace)] : []), promql.labelEq('horizontalpodautoscaler', hpa)];
    const expr = promql.gte(
      series('kube_horizontalpodautoscaler_status_current_replicas', matchers),
      series('kube_horizontalpodautoscaler_spec_max_replicas', matchers),
    ).on(['namespace', 'horizontalpodautoscaler']);
    return [alert(ctx, 'ModelServerReplicasAtMax', expr, 'warning', {
      summary: `Model server ${ctx.deployment}: pinned at the autoscaler's maximum`,
      description: `HPA ${hpa} has run {{ $value }} replicas, its maximum, for ${ctx.pending}; load beyond it is not absorbed. Raise maxReplicas or add capacity.`,
    })];
  }

  private notReadyRule(ctx: RuleContext): CrdRule {
    const matchers = [...(ctx.namespace ? [promql.labelEq('namespace', ctx.namespace)] : []), promql.labelEq('deployment', ctx.deployment)];
    const unavailable = series('kube_deployment_status_replicas_unavailable', matchers);
    return alert(ctx, 'ModelServerPodsNotReady', promql.gt(unavailable, num(0)), 'warning', {
      summary: `Model server ${ctx.deployment}: pods not ready`,
      description: `{{ $value }} replicas of ${ctx.deployment} have been unavailable for ${ctx.pending} (model loading, crash loops, failing readiness).`,
    });
  }

  private gpuRules(ctx: RuleContext, props: ModelServerAlertsProps): CrdRule[] {
    const saturated = props.gpuSaturatedPercent ?? 95;
    const idle = props.gpuIdlePercent ?? 10;
    for (const [prop, v] of [['gpuSaturatedPercent', saturated], ['gpuIdlePercent', idle]] as const) {
      if (!(v > 0 && v < 100)) throw invalidProp(this, prop, `(${v}) must be between 0 and 100, exclusive`);
    }
    if (idle >= saturated) throw invalidProp(this, 'gpuIdlePercent', `(${idle}) must be below gpuSaturatedPercent (${saturated})`);
    const idlePeriod = requirePromDuration(this, 'gpuIdlePeriod', props.gpuIdlePeriod ?? Duration.hours(1));
    const podLabel = props.dcgmPodLabel ?? 'pod';
    const nsLabel = props.dcgmNamespaceLabel ?? 'namespace';
    for (const [prop, v] of [['dcgmPodLabel', podLabel], ['dcgmNamespaceLabel', nsLabel]] as const) {
      if (!isLabelName(v)) throw invalidProp(this, prop, `('${v}') must be a valid Prometheus label name`);
    }
    const util = promql.avg(series('DCGM_FI_DEV_GPU_UTIL', podMatchers(ctx, podLabel, nsLabel)));
    return [
      alert(ctx, 'ModelServerGpuSaturated', promql.gt(util, num(saturated)), 'warning', {
        summary: `Model server ${ctx.deployment}: GPUs saturated`,
        description: `Average GPU utilization of ${ctx.deployment} is {{ $value }}% (above ${saturated}%); latency will grow. Scale out or batch less.`,
      }),
      alert({ ...ctx, pending: idlePeriod }, 'ModelServerGpuIdle', promql.lt(util, num(idle)), 'info', {
        summary: `Model server ${ctx.deployment}: GPUs idle`,
        description: `Average GPU utilization of ${ctx.deployment} has stayed below ${idle}% for ${idlePeriod} ({{ $value }}%); fewer or smaller GPUs would do.`,
      }),
    ];
  }
}
