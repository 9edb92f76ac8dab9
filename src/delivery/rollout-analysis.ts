import { ApiObject, Duration } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { errorRatioQuery, gaugeMaxQuery, HASH_ARG, HASH_PLACEHOLDER, histogramQuantileQuery, QueryTarget } from './analysis-queries';
import { AnalysisMetric, ARGO_ROLLOUTS_API_VERSION, RolloutAnalysisRef } from './crds/argo-rollouts';
import { invalidProp } from '../core/errors';
import { ServerMetricNames } from '../core/prometheus-annotations';
import { requireDnsSubdomain, requireInteger, requirePromQl } from '../core/validation';
import { requirePromDuration } from '../observability/prometheus-duration';

/** Options of {@link RolloutAnalysis.serverMetrics}. */
export interface ServerMetricsAnalysisOptions {
  /**
   * Address of the Prometheus HTTP API the Argo Rollouts controller queries,
   * e.g. `http://prometheus-operated.monitoring.svc:9090`.
   */
  readonly prometheusAddress: string;
  /**
   * Suffix of the AnalysisTemplate's name (`<rollout>-<name>`); distinct per analysis of one rollout.
   * @default 'server-metrics'
   */
  readonly name?: string;
  /**
   * Highest fraction (0..1, exclusive) of failed requests (the server's
   * `requestsCounter` with `statusCodeLabel=~errorCodeRegex`) a new version may show.
   * @default 0.05
   */
  readonly maxErrorRatio?: number;
  /**
   * Highest p95 request latency (the server's `latencyHistogram`).
   * @default Duration.seconds(1)
   */
  readonly maxP95Latency?: Duration;
  /**
   * Highest p95 time to first token, for LLM servers. Needs `timeToFirstTokenHistogram`,
   * unless the server's metric names declare one.
   * @default - not analysed
   */
  readonly maxP95TimeToFirstToken?: Duration;
  /**
   * Histogram (seconds, without `_bucket`) of the time to first token, e.g. vLLM's
   * `vllm:time_to_first_token_seconds`.
   * @default - the server's `metricNames.timeToFirstTokenHistogram`
   */
  readonly timeToFirstTokenHistogram?: string;
  /**
   * Most requests waiting in any pod's queue. Needs `queueLengthGauge`, unless the
   * server's metric names declare one.
   * @default - not analysed
   */
  readonly maxQueueLength?: number;
  /**
   * Gauge of requests waiting, e.g. vLLM's `vllm:num_requests_waiting`.
   * @default - the server's `metricNames.queueGauge`
   */
  readonly queueLengthGauge?: string;
  /**
   * Window of the rates and quantiles.
   * @default Duration.minutes(2)
   */
  readonly window?: Duration;
  /**
   * Time between measurements.
   * @default Duration.minutes(1)
   */
  readonly interval?: Duration;
  /**
   * Measurements per run (a step's analysis ends after them; background analysis too).
   * @default 5
   */
  readonly count?: number;
  /**
   * Failed measurements tolerated before the run fails and the rollout aborts (rolls back).
   * @default 1
   */
  readonly failureLimit?: number;
  /**
   * Inconclusive measurements (no traffic, so no data) tolerated before the rollout pauses for a human.
   * @default 2
   */
  readonly inconclusiveLimit?: number;
}

/** Options of {@link RolloutAnalysis.fromTemplate}. */
export interface AnalysisTemplateReferenceOptions {
  /**
   * A ClusterAnalysisTemplate rather than a namespaced AnalysisTemplate.
   * @default false
   */
  readonly clusterScope?: boolean;
  /**
   * Arguments passed to the template. `pod-template-hash` (the analysed
   * ReplicaSet's hash) is always passed.
   * @default - none
   */
  readonly args?: { [name: string]: string };
}

/** What a RolloutAnalysis is bound to (internal). */
export interface AnalysisBinding extends QueryTarget {
  /** The server's resolved metric names. */
  readonly metricNames: ServerMetricNames;
  /** Labels of the AnalysisTemplate. */
  readonly labels: { [key: string]: string };
}

const TEMPLATES = new WeakMap<IConstruct, Map<string, RolloutAnalysis>>();

/**
 * What Argo Rollouts measures to decide whether a new version may go on: queries
 * built from the server's declared metric names (so a bad canary rolls back by
 * itself), or an AnalysisTemplate that already exists.
 *
 * Each measurement is `successful` when the value is within bounds, `failed` when
 * it is out of bounds, and `inconclusive` without data (no requests reached the new
 * pods): failures abort the rollout, inconclusive results pause it for a human,
 * rather than promoting a version nobody exercised.
 *
 * @example
 * import { CanaryRelease, CanaryStep, CanaryTraffic, RolloutAnalysis } from 'cdk8s-ml';
 *
 * // Queries built from the metric names the server declares (here vLLM's).
 * const analysis = RolloutAnalysis.serverMetrics({
 *   prometheusAddress: 'http://prometheus-operated.monitoring.svc:9090',
 *   maxErrorRatio: 0.02,
 *   maxP95Latency: Duration.seconds(20),
 *   count: 5,
 *   interval: Duration.minutes(1),
 * });
 * new CanaryRelease(this, 'llm', {
 *   stable: {
 *     image: 'vllm/vllm-openai:v0.6.3',
 *     gpus: { count: 1 },
 *     metrics: { port: 8080, names: { requestsCounter: 'vllm:request_success_total', latencyHistogram: 'vllm:e2e_request_latency_seconds' } },
 *   },
 *   traffic: CanaryTraffic.gatewayApi({ gateway: { name: 'ml-gateway', namespace: 'gateway-system' } }),
 *   rollout: { steps: [CanaryStep.weight(20), CanaryStep.analysis(analysis), CanaryStep.weight(60), CanaryStep.analysis(analysis)] },
 * });
 */
export class RolloutAnalysis {
  /**
   * An AnalysisTemplate with one metric per bound (error ratio and p95 latency by
   * default; TTFT and queue length when asked), over the pods of the new ReplicaSet.
   */
  public static serverMetrics(options: ServerMetricsAnalysisOptions): RolloutAnalysis {
    return new RolloutAnalysis(options, undefined, undefined);
  }

  /** An existing AnalysisTemplate (or ClusterAnalysisTemplate) by name. */
  public static fromTemplate(templateName: string, options: AnalysisTemplateReferenceOptions = {}): RolloutAnalysis {
    return new RolloutAnalysis(undefined, templateName, options);
  }

  private constructor(
    private readonly metricsOptions: ServerMetricsAnalysisOptions | undefined,
    private readonly templateName: string | undefined,
    private readonly reference: AnalysisTemplateReferenceOptions | undefined,
  ) {}

  /**
   * The analysis reference of a Rollout step or strategy; the AnalysisTemplate is
   * created once per rollout (`scope`), however many steps use it.
   * @internal
   */
  public _bind(scope: Construct, prop: string, target: AnalysisBinding): RolloutAnalysisRef {
    const hashArg = { name: HASH_ARG, valueFrom: { podTemplateHashValue: 'Latest' as const } };
    if (this.templateName !== undefined) {
      requireDnsSubdomain(scope, `${prop}.templateName`, this.templateName);
      const args = Object.entries(this.reference?.args ?? {}).map(([name, value]) => ({ name, value }));
      return {
        templates: [{ templateName: this.templateName, ...(this.reference?.clusterScope ? { clusterScope: true } : {}) }],
        args: [hashArg, ...args.filter(a => a.name !== HASH_ARG)],
      };
    }
    const o = this.metricsOptions!;
    const name = `${target.rollout}-${o.name ?? 'server-metrics'}`;
    requireDnsSubdomain(scope, `${prop}.name`, name);
    let byName = TEMPLATES.get(scope);
    if (!byName) TEMPLATES.set(scope, byName = new Map());
    const existing = byName.get(name);
    if (existing && existing !== this) {
      throw invalidProp(scope, `${prop}.name`, `('${o.name ?? 'server-metrics'}') is already the name of another analysis of this rollout: name each RolloutAnalysis.serverMetrics differently`);
    }
    if (!existing) {
      byName.set(name, this);
      new ApiObject(scope, `Analysis-${name}`, {
        apiVersion: ARGO_ROLLOUTS_API_VERSION,
        kind: 'AnalysisTemplate',
        metadata: { name, labels: target.labels },
        spec: { args: [{ name: HASH_ARG }], metrics: this.metrics(scope, prop, o, target) },
      });
    }
    return { templates: [{ templateName: name }], args: [hashArg] };
  }

  private metrics(scope: IConstruct, prop: string, o: ServerMetricsAnalysisOptions, t: AnalysisBinding): AnalysisMetric[] {
    if (!/^https?:\/\/[^\s/]+/.test(o.prometheusAddress)) {
      throw invalidProp(scope, `${prop}.prometheusAddress`, `('${o.prometheusAddress}') must be an http:// or https:// URL`);
    }
    const window = requirePromDuration(scope, `${prop}.window`, o.window ?? Duration.minutes(2));
    const interval = goDuration(scope, `${prop}.interval`, o.interval ?? Duration.minutes(1));
    const count = o.count ?? 5;
    const failureLimit = o.failureLimit ?? 1;
    const inconclusiveLimit = o.inconclusiveLimit ?? 2;
    requireInteger(scope, `${prop}.count`, count, 1);
    requireInteger(scope, `${prop}.failureLimit`, failureLimit, 0);
    requireInteger(scope, `${prop}.inconclusiveLimit`, inconclusiveLimit, 0);
    const maxErrorRatio = o.maxErrorRatio ?? 0.05;
    if (!(maxErrorRatio > 0 && maxErrorRatio < 1)) {
      throw invalidProp(scope, `${prop}.maxErrorRatio`, `(${maxErrorRatio}) must be between 0 and 1, exclusive`);
    }
    const names: ServerMetricNames = t.metricNames;
    const metric = (name: string, query: string, max: number): AnalysisMetric => {
      // Checked as PromQL at synth, with Argo's pod-template-hash argument filled in.
      requirePromQl(scope, `${prop}.${name}`, query.split(HASH_PLACEHOLDER).join('0123456789'));
      return measurement(name, query, max);
    };
    const measurement = (name: string, query: string, max: number): AnalysisMetric => ({
      name,
      interval,
      count,
      failureLimit,
      inconclusiveLimit,
      // `result` is the vector's values. Empty or NaN (no requests): neither condition
      // holds, so the measurement is inconclusive.
      successCondition: `len(result) > 0 && result[0] <= ${max}`,
      failureCondition: `len(result) > 0 && result[0] > ${max}`,
      provider: { prometheus: { address: o.prometheusAddress, query } },
    });
    const seconds = (p: string, d: Duration) => {
      const s = d.toMilliseconds({ integral: false }) / 1000;
      if (!(s > 0)) throw invalidProp(scope, `${prop}.${p}`, 'must be longer than zero');
      return s;
    };
    const metrics = [
      metric('error-ratio', errorRatioQuery(t, names.requestsCounter!, names.statusCodeLabel!, names.errorCodeRegex!, window), maxErrorRatio),
    ];
    // A server without a latency histogram (Triton's durations are counters) is judged without it.
    if (names.latencyHistogram !== undefined) {
      metrics.push(metric('p95-latency', histogramQuantileQuery(t, names.latencyHistogram, 0.95, window), seconds('maxP95Latency', o.maxP95Latency ?? Duration.seconds(1))));
    } else if (o.maxP95Latency !== undefined) {
      throw invalidProp(scope, `${prop}.maxP95Latency`, 'needs a latency histogram, and the server declares none (metrics.names.latencyHistogram)');
    }
    if (o.maxP95TimeToFirstToken !== undefined) {
      const histogram = requireName(scope, `${prop}.timeToFirstTokenHistogram`, o.timeToFirstTokenHistogram ?? names.timeToFirstTokenHistogram, 'maxP95TimeToFirstToken');
      metrics.push(metric('p95-time-to-first-token', histogramQuantileQuery(t, histogram, 0.95, window), seconds('maxP95TimeToFirstToken', o.maxP95TimeToFirstToken)));
    }
    if (o.maxQueueLength !== undefined) {
      requireInteger(scope, `${prop}.maxQueueLength`, o.maxQueueLength, 0);
      const gauge = requireName(scope, `${prop}.queueLengthGauge`, o.queueLengthGauge ?? names.queueGauge, 'maxQueueLength');
      metrics.push(metric('queue-length', gaugeMaxQuery(t, gauge), o.maxQueueLength));
    }
    return metrics;
  }
}

function requireName(scope: IConstruct, prop: string, name: string | undefined, bound: string): string {
  if (name === undefined) {
    throw invalidProp(scope, prop, `must be set with ${bound}: the server declares no such metric`);
  }
  if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) throw invalidProp(scope, prop, `('${name}') must be a valid Prometheus metric name`);
  return name;
}

/** A Go duration (`1h2m3s`, `500ms`), as Argo Rollouts parses `interval`. */
export function goDuration(scope: IConstruct, prop: string, d: Duration): string {
  const ms = d.toMilliseconds({ integral: false });
  if (!(Number.isInteger(ms) && ms > 0)) throw invalidProp(scope, prop, `(${ms}ms) must be a positive whole number of milliseconds`);
  const parts: [number, string][] = [[3600_000, 'h'], [60_000, 'm'], [1000, 's'], [1, 'ms']];
  let rest = ms;
  let text = '';
  for (const [unit, suffix] of parts) {
    const n = Math.floor(rest / unit);
    if (n > 0) text += `${n}${suffix}`;
    rest -= n * unit;
  }
  return text;
}
