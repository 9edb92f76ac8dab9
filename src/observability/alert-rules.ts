import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { CrdRule } from './crds/monitoring-coreos-com';
import { requirePromDuration } from './prometheus-duration';
import { deploymentPodRegex, Expr, Matcher, num, promql, render, series } from './promql';
import { invalidProp } from '../core/errors';
import { ServerMetricNames } from '../core/prometheus-annotations';
import { MlModelServing } from '../serving/ml-model-serving';

// The rule builders of ModelServerAlerts shared by its groups: the context, the
// pod matchers, the LLM alerts read from the server's declared names, custom rules.

/** The thresholds of the LLM alerts (ModelServerAlertsProps' own). @internal */
export interface LlmAlertThresholds {
  readonly queueThreshold?: number;
  readonly ttftP95Threshold?: Duration;
  readonly kvCacheThreshold?: number;
}

/** An alert of one's own, in the server's group. */
export interface CustomAlertRule {
  /** Alert name. */
  readonly alert: string;
  /** PromQL expression; the alert fires for each series it returns. */
  readonly expr: string;
  /**
   * How long the expression must hold.
   * @default - `pendingPeriod`
   */
  readonly pendingPeriod?: Duration;
  /**
   * `severity` label.
   * @default 'warning'
   */
  readonly severity?: string;
  /** One-line summary. */
  readonly summary: string;
  /**
   * Longer description.
   * @default - none
   */
  readonly description?: string;
}

/** @internal */
export interface RuleContext {
  readonly window: string;
  readonly pending: string;
  readonly namespace?: string;
  readonly deployment: string;
  readonly labels: { [key: string]: string };
  /** The regex of the pods' names when they are not `deployment`'s (a RayService's). */
  readonly podRegex?: string;
}

/** @internal */
export function alert(ctx: RuleContext, name: string, expr: Expr, severity: string, annotations: { [key: string]: string }): CrdRule {
  return { alert: name, expr: render(expr), for: ctx.pending, labels: { ...ctx.labels, severity }, annotations };
}

/** Seconds of a Prometheus duration we rendered (`1h30m`, `10m`, `45s`). */
export function pendingSeconds(d: string): number {
  const units: { [u: string]: number } = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };
  let total = 0;
  for (const [, n, u] of d.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) total += Number(n) * units[u];
  return total;
}


export function podMatchers(ctx: RuleContext, podLabel = 'pod', namespaceLabel = 'namespace'): Matcher[] {
  return [
    ...(ctx.namespace ? [promql.labelEq(namespaceLabel, ctx.namespace)] : []),
    promql.labelMatchRegexp(podLabel, ctx.podRegex ?? deploymentPodRegex(ctx.deployment)),
  ];
}

/** A latency quantile in seconds: as is, or divided by 1000 for millisecond histograms (Ray Serve's `_ms`). @internal */
export function inSeconds(quantile: Expr, names: ServerMetricNames): Expr {
  return names.histogramsInMilliseconds ? promql.div(quantile, num(1000)) : quantile;
}

/**
 * Pods not ready, by pod (kube-state-metrics' `kube_pod_status_ready`), for
 * workloads that are not a Deployment (a RayService's head and workers).
 * @internal
 */
export function podsNotReadyRule(ctx: RuleContext): CrdRule {
  const notReady = promql.sum(series('kube_pod_status_ready', [...podMatchers(ctx), promql.labelEq('condition', 'false')]));
  return alert(ctx, 'ModelServerPodsNotReady', promql.gt(notReady, num(0)), 'warning', {
    summary: `Model server ${ctx.deployment}: pods not ready`,
    description: `{{ $value }} pods of ${ctx.deployment} have not been ready for ${ctx.pending} (crash loops, failing readiness, nodes lost).`,
  });
}

/**
 * Serving replicas reported unhealthy by the server (`replicaHealthyGauge`, Ray
 * Serve's `ray_serve_deployment_replica_healthy`): one alert for all of them, since
 * the alert's `deployment` label (the workload) replaces the series' own.
 * @internal
 */
export function replicaHealthRules(ctx: RuleContext, names: ServerMetricNames): CrdRule[] {
  if (!names.replicaHealthyGauge) return [];
  const unhealthy = promql.count(promql.eq(series(names.replicaHealthyGauge, podMatchers(ctx)), num(0)));
  return [alert(ctx, 'ModelServerReplicasUnhealthy', promql.gt(unhealthy, num(0)), 'critical', {
    summary: `Model server ${ctx.deployment}: serving replicas unhealthy`,
    description: `{{ $value }} replicas of ${ctx.deployment} have failed their health checks (${names.replicaHealthyGauge} = 0) for ${ctx.pending}.`,
  })];
}


/**
 * LLM alerts from the names the server (its runtime) declares: queue saturation,
 * p95 time to first token, KV-cache pressure. Each only when its metric exists.
 */
export function llmRules(scope: IConstruct, ctx: RuleContext, props: LlmAlertThresholds, names: ServerMetricNames): CrdRule[] {
  const rules: CrdRule[] = [];
  if (names.queueGauge) {
    const threshold = props.queueThreshold ?? 10;
    if (!(threshold > 0)) throw invalidProp(scope, 'queueThreshold', `(${threshold}) must be positive`);
    const depth = promql.avg(series(names.queueGauge, podMatchers(ctx)));
    rules.push(alert(ctx, 'ModelServerQueueSaturated', promql.gt(depth, num(threshold)), 'warning', {
      summary: `Model server ${ctx.deployment}: requests queue up`,
      description: `On average {{ $value }} requests per pod of ${ctx.deployment} wait in ${names.queueGauge} (threshold ${threshold}); the GPUs are saturated. Scale out.`,
    }));
  }
  if (names.timeToFirstTokenHistogram) {
    const threshold = (props.ttftP95Threshold ?? Duration.seconds(2)).toMilliseconds({ integral: false }) / 1000;
    if (!(threshold > 0)) throw invalidProp(scope, 'ttftP95Threshold', 'must be longer than zero');
    const buckets = promql.sum(promql.rate(series(`${names.timeToFirstTokenHistogram}_bucket`, podMatchers(ctx)).range(ctx.window))).by(['le']);
    rules.push(alert(ctx, 'ModelServerHighTimeToFirstToken', promql.gt(inSeconds(promql.histogramQuantile(0.95, buckets), names), num(threshold)), 'warning', {
      summary: `Model server ${ctx.deployment}: p95 time to first token above ${threshold}s`,
      description: `The 95th percentile of ${names.timeToFirstTokenHistogram} over ${ctx.window} is {{ $value | humanizeDuration }} (threshold ${threshold}s).`,
    }));
  }
  if (names.kvCacheUsageGauge) {
    const threshold = props.kvCacheThreshold ?? 0.9;
    if (!(threshold > 0 && threshold < 1)) throw invalidProp(scope, 'kvCacheThreshold', `(${threshold}) must be between 0 and 1, exclusive`);
    const usage = promql.max(series(names.kvCacheUsageGauge, podMatchers(ctx)));
    rules.push(alert(ctx, 'ModelServerKvCachePressure', promql.gt(usage, num(threshold)), 'warning', {
      summary: `Model server ${ctx.deployment}: KV cache nearly full`,
      description: `A pod of ${ctx.deployment} uses {{ $value | humanizePercentage }} of its KV cache (threshold ${threshold * 100}%); requests are preempted and recomputed.`,
    }));
  }
  return rules;
}

export function customRules(scope: IConstruct, ctx: RuleContext, given: CustomAlertRule[]): CrdRule[] {
  return given.map((r, i) => {
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(r.alert ?? '')) throw invalidProp(scope, `customRules[${i}].alert`, `('${r.alert}') must be a valid alert name`);
    if (!r.expr?.trim()) throw invalidProp(scope, `customRules[${i}].expr`, 'must not be empty');
    if (!r.summary?.trim()) throw invalidProp(scope, `customRules[${i}].summary`, 'must not be empty');
    const pending = r.pendingPeriod ? requirePromDuration(scope, `customRules[${i}].pendingPeriod`, r.pendingPeriod, true) : ctx.pending;
    return {
      alert: r.alert,
      expr: r.expr,
      for: pending,
      labels: { ...ctx.labels, severity: r.severity ?? 'warning' },
      annotations: { summary: r.summary, ...(r.description ? { description: r.description } : {}) },
    };
  });
}


/**
 * The failed and total request rates of the server in `ctx`: by status code, or
 * failed / (successful + failed) with a failure counter (Triton, MLServer, TGI).
 * @internal
 */
export function errorRatioParts(ctx: RuleContext, names: ServerMetricNames): { errors: Expr; total: Expr } {
  const rateOf = (name: string, extra: Matcher[] = []) =>
    promql.sum(promql.rate(series(name, [...podMatchers(ctx), ...extra]).range(ctx.window)));
  const failed = names.failedRequestsCounter;
  const counter = names.requestsCounter!;
  const errors = failed ? rateOf(failed) : rateOf(counter, [promql.labelMatchRegexp(names.statusCodeLabel!, names.errorCodeRegex!)]);
  const total = failed ? promql.add(rateOf(counter), rateOf(failed)) : rateOf(counter);
  return { errors, total };
}

/** The canary-vs-stable comparison of error ratios. @internal */
export function canaryRules(scope: IConstruct, ctx: RuleContext, canary: MlModelServing, stable: MlModelServing, factor: number): CrdRule[] {
  if (!(factor >= 1) || !Number.isFinite(factor)) throw invalidProp(scope, 'canaryErrorRatioFactor', `(${factor}) must be at least 1`);
  if (stable === canary) throw invalidProp(scope, 'compareWith', 'is the alerted server itself');
  const stableCtx = { ...ctx, deployment: stable.deployment.name };
  const c = errorRatioParts(ctx, canary.metricNames);
  const s = errorRatioParts(stableCtx, stable.metricNames);
  const canaryRatio = promql.div(c.errors, c.total);
  const expr = promql.and(promql.gt(canaryRatio, promql.mul(num(factor), promql.div(s.errors, s.total))), promql.gt(canaryRatio, num(0.01)));
  return [alert(ctx, 'ModelServerCanaryErrorRatio', expr, 'critical', {
    summary: `Canary ${ctx.deployment}: error ratio above ${factor}x the stable ${stable.deployment.name}'s`,
    description: `{{ $value | humanizePercentage }} of requests to the canary ${ctx.deployment} fail over ${ctx.window}, more than ${factor} times the stable release's; halt or roll back the canary.`,
  })];
}
