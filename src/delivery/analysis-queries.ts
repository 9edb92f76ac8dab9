// The PromQL of a RolloutAnalysis, composed with the same builder and guards as the
// alerts (observability/promql.ts), so a query cannot be syntactically wrong: metric
// and label names are checked by `series`, numbers by `num`, the rest is the builder's.
//
// Queries select the pods of ONE ReplicaSet of the Rollout by pod name:
// `<rollout>-<pod-template-hash>-<suffix>` (Argo Rollouts names ReplicaSets
// `<rollout>-<hash>`, like a Deployment). The hash is the analysis argument
// `pod-template-hash`, which the Rollout fills with `podTemplateHashValue: Latest`
// (the canary, or the blue-green preview); Argo substitutes `{{args.pod-template-hash}}`
// before sending the query. The placeholder sits inside a quoted label value, so the
// query text is valid PromQL before and after substitution.
// https://argo-rollouts.readthedocs.io/en/stable/features/analysis/
import { Matcher, promql, render, series } from '../observability/promql';

/** The argument carrying the analysed ReplicaSet's pod-template hash. */
export const HASH_ARG = 'pod-template-hash';
export const HASH_PLACEHOLDER = `{{args.${HASH_ARG}}}`;

/** Whose pods a query selects. */
export interface QueryTarget {
  /** The Rollout's name (its pods are `<name>-<hash>-<suffix>`). */
  readonly rollout: string;
  /** The namespace label to match, when the chart has one. */
  readonly namespace?: string;
}

/** Namespace and pod-name matchers for one ReplicaSet of the Rollout. */
export function replicaSetMatchers(target: QueryTarget): Matcher[] {
  const pods = `${target.rollout.replace(/[.]/g, '\\.')}-${HASH_PLACEHOLDER}-[a-z0-9]+`;
  return [
    ...(target.namespace ? [promql.labelEq('namespace', target.namespace)] : []),
    promql.labelMatchRegexp('pod', pods),
  ];
}

/**
 * Failed over all requests. A server that never failed has no error series at all
 * (counters appear on first increment), so the numerator falls back to 0; without
 * requests the ratio is empty (or NaN), which the analysis treats as inconclusive.
 */
export function errorRatioQuery(target: QueryTarget, counter: string, codeLabel: string, codes: string, window: string): string {
  const m = replicaSetMatchers(target);
  const errors = promql.sum(promql.rate(series(counter, [...m, promql.labelMatchRegexp(codeLabel, codes)]).range(window)));
  const total = promql.sum(promql.rate(series(counter, m).range(window)));
  return render(promql.div(promql.or(errors, promql.vect(0)), total));
}

/** The `quantile` of a histogram (seconds), over the window. */
export function histogramQuantileQuery(target: QueryTarget, histogram: string, quantile: number, window: string): string {
  const buckets = promql.sum(promql.rate(series(`${histogram}_bucket`, replicaSetMatchers(target)).range(window))).by(['le']);
  return render(promql.histogramQuantile(quantile, buckets));
}

/** The largest value of a gauge across the ReplicaSet's pods (e.g. requests waiting). */
export function gaugeMaxQuery(target: QueryTarget, gauge: string): string {
  return render(promql.max(series(gauge, replicaSetMatchers(target))));
}
