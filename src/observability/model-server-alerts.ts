import { ApiObject, Chart, Duration, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { invalidProp } from '../core/errors';
import { applyObjectMetadata, ObjectMetadataOptions, requireLabelKey } from '../core/metadata-validation';
import { goTemplateText, requireAlertLabels, requireDnsSubdomain, requireLabelValue, requireProps } from '../core/validation';
import { MlModelServing } from '../serving/ml-model-serving';
import { CrdRule, MONITORING_API_VERSION, PrometheusRuleSpec } from './crds/monitoring-coreos-com';
import { requirePromDuration } from './prometheus-duration';
import { deploymentPodRegex, Expr, isLabelName, Matcher, num, promql, render, series } from './promql';

/** Properties of {@link ModelServerAlerts}. */
export interface ModelServerAlertsProps {
  /** The model server alerted on. */
  readonly serving: MlModelServing;
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
}

/**
 * A PrometheusRule with the alerts a model server needs: high p99 inference latency,
 * high error ratio, replicas pinned at the autoscaler's maximum, pods not ready, and
 * GPUs saturated or idle. Expressions select the server's pods by namespace and pod
 * name (`<deployment>-<hash>-<suffix>`), which every scrape mode labels, and the
 * kube-state-metrics series by deployment and HPA name.
 */
export class ModelServerAlerts extends Construct {
  /** Alert names, in order. */
  public get alertNames(): string[] {
    return this.rules().map(r => r.alert);
  }

  private readonly rules: () => CrdRule[];
  /** The rule group's name. */
  public readonly groupName: string;
  /** The PrometheusRule. */
  public readonly apiObject: ApiObject;

  public constructor(scope: Construct, id: string, props: ModelServerAlertsProps) {
    super(scope, id);
    requireProps(this, props, ['serving']);
    const serving = props.serving;
    const name = props.name ?? serving.name;
    requireDnsSubdomain(this, 'name', name);
    for (const [k, v] of Object.entries({ ...props.ruleLabels })) {
      requireLabelKey(this, 'ruleLabels key', k);
      requireLabelValue(this, `ruleLabels['${k}']`, v);
    }
    requireAlertLabels(this, 'alertLabels', props.alertLabels, ['severity', 'namespace', 'deployment']);
    const namespace = Chart.of(serving).namespace;
    const window = requirePromDuration(this, 'rateWindow', props.rateWindow ?? Duration.minutes(5));
    const pending = requirePromDuration(this, 'pendingPeriod', props.pendingPeriod ?? Duration.minutes(10), true);

    const ctx: RuleContext = {
      window,
      pending,
      namespace,
      deployment: serving.deployment.name,
      labels: { ...props.alertLabels, ...(namespace ? { namespace } : {}), deployment: serving.deployment.name },
    };
    // Built now, so bad input fails here; rendered again at synth, so an HPA that
    // KEDA takes over after this construct (serving.hpaName) is the one alerted on.
    const rules = () => [
      this.latencyRule(ctx, props, serving),
      this.errorRule(ctx, props, serving),
      ...this.replicasRule(ctx, serving),
      this.notReadyRule(ctx),
      ...((props.gpuAlerts ?? serving.gpuCount > 0) ? this.gpuRules(ctx, props) : []),
    ];
    this.rules = rules;
    rules();
    this.groupName = `${name}.model-server`;

    this.apiObject = new ApiObject(this, 'PrometheusRule', {
      apiVersion: MONITORING_API_VERSION,
      kind: 'PrometheusRule',
      metadata: { name, labels: { ...serving.selector, ...props.ruleLabels } },
      spec: Lazy.any({ produce: (): PrometheusRuleSpec => ({ groups: [{ name: this.groupName, rules: rules() }] }) }),
    });
    applyObjectMetadata(this, 'metadata', props.metadata);
  }

  private podMatchers(ctx: RuleContext, podLabel = 'pod', namespaceLabel = 'namespace'): Matcher[] {
    return [
      ...(ctx.namespace ? [promql.labelEq(namespaceLabel, ctx.namespace)] : []),
      promql.labelMatchRegexp(podLabel, deploymentPodRegex(ctx.deployment)),
    ];
  }

  private latencyRule(ctx: RuleContext, props: ModelServerAlertsProps, serving: MlModelServing): CrdRule {
    const histogram = serving.metricNames.latencyHistogram!;
    const threshold = (props.p99LatencyThreshold ?? Duration.seconds(1)).toMilliseconds() / 1000;
    if (threshold <= 0) throw invalidProp(this, 'p99LatencyThreshold', 'must be longer than zero');
    const buckets = promql.sum(promql.rate(series(`${histogram}_bucket`, this.podMatchers(ctx)).range(ctx.window))).by(['le']);
    const p99 = promql.histogramQuantile(0.99, buckets);
    return alert(ctx, 'ModelServerHighP99Latency', promql.gt(p99, num(threshold)), 'warning', {
      summary: `Model server ${ctx.deployment}: p99 inference latency above ${threshold}s`,
      description: `The 99th percentile of ${histogram} over ${ctx.window} is {{ $value | humanizeDuration }} (threshold ${threshold}s).`,
    });
  }

  private errorRule(ctx: RuleContext, props: ModelServerAlertsProps, serving: MlModelServing): CrdRule {
    // The server checked its declared names (metrics.names).
    const counter = serving.metricNames.requestsCounter!;
    const codeLabel = serving.metricNames.statusCodeLabel!;
    const codes = serving.metricNames.errorCodeRegex!;
    const threshold = props.errorRatioThreshold ?? 0.05;
    if (!(threshold > 0 && threshold < 1)) throw invalidProp(this, 'errorRatioThreshold', `(${threshold}) must be between 0 and 1, exclusive`);
    const errors = promql.sum(promql.rate(series(counter, [...this.podMatchers(ctx), promql.labelMatchRegexp(codeLabel, codes)]).range(ctx.window)));
    const total = promql.sum(promql.rate(series(counter, this.podMatchers(ctx)).range(ctx.window)));
    return alert(ctx, 'ModelServerHighErrorRatio', promql.gt(promql.div(errors, total), num(threshold)), 'critical', {
      summary: `Model server ${ctx.deployment}: more than ${threshold * 100}% of requests fail`,
      description: `{{ $value | humanizePercentage }} of requests to ${ctx.deployment} returned ${codeLabel}=~"${goTemplateText(codes)}" over ${ctx.window}.`,
    });
  }

  private replicasRule(ctx: RuleContext, serving: MlModelServing): CrdRule[] {
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
    const util = promql.avg(series('DCGM_FI_DEV_GPU_UTIL', this.podMatchers(ctx, podLabel, nsLabel)));
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

interface RuleContext {
  readonly window: string;
  readonly pending: string;
  readonly namespace?: string;
  readonly deployment: string;
  readonly labels: { [key: string]: string };
}

function alert(ctx: RuleContext, name: string, expr: Expr, severity: string, annotations: { [key: string]: string }): CrdRule {
  return { alert: name, expr: render(expr), for: ctx.pending, labels: { ...ctx.labels, severity }, annotations };
}
