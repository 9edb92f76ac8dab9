// PromQL of the observability constructs (alerts, dashboard panels, the KEDA trigger),
// composed with Grafana's `@grafana/promql-builder`. It is bundled (not a jsii package),
// so its types stay internal: no exported signature of the library mentions them.
//
// The builder owns the syntax: function calls, `sum by(...) (...)`, parenthesized binary
// operands, `on(...)` matching, range selectors, and label matchers with their values
// quoted (JSON string escaping, which PromQL's Go-style string literals accept). It does
// not check what it is given: it renders `http-requests{app.kubernetes.io/name="x"}`
// without complaint, and a NaN threshold as `null`. So selectors and number literals are
// made here, by `series` and `num`, which refuse invalid names and non-finite numbers;
// everything else is the builder's own functions (`sum`, `rate`, `histogramQuantile`,
// `div`, `gt`, ...), reached by callers through `promql` below.
import type * as PromqlBuilder from '@grafana/promql-builder';
import { lazyModule } from './lazy-module';

/**
 * `@grafana/promql-builder`, loaded on first use (see lazy-module.ts). Callers import
 * this instead of the package.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const promql: typeof PromqlBuilder = lazyModule(() => require('@grafana/promql-builder'));

/** Any PromQL expression builder. */
export type Expr = PromqlBuilder.Builder<PromqlBuilder.Expr>;
/** One label matcher, e.g. `promql.labelEq('namespace', 'ml')`. */
export type Matcher = PromqlBuilder.LabelSelectorBuilder;

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** True when `name` is a valid Prometheus metric name. */
export function isMetricName(name: string): boolean {
  return METRIC_NAME.test(name);
}

/** True when `name` is a valid Prometheus label name. */
export function isLabelName(name: string): boolean {
  return LABEL_NAME.test(name);
}

/**
 * `name{matchers}`: an instant vector selector (`.range(window)` makes it a range
 * selector). Refuses metric and label names outside Prometheus's data model.
 */
export function series(name: string, matchers: Matcher[] = []): PromqlBuilder.VectorExprBuilder {
  if (!isMetricName(name)) throw new Error(`invalid metric name '${name}'`);
  for (const m of matchers) {
    const label = m.build().name;
    if (!isLabelName(label)) throw new Error(`invalid label name '${label}'`);
  }
  return promql.vector(name).labels(matchers);
}

/** A number literal; NaN and infinities are refused (the builder would render `null`). */
export function num(value: number): PromqlBuilder.NumberLiteralExprBuilder {
  if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
  return promql.n(value);
}

/** The PromQL text of an expression. */
export function render(expr: Expr): string {
  return promql.toString(expr.build());
}

/**
 * The regex matching the pods of a Deployment: `<name>-<replicaset hash>-<pod suffix>`.
 * Domain knowledge, not syntax, so not the builder's business.
 */
export function deploymentPodRegex(deployment: string): string {
  return `${deployment.replace(/[.]/g, '\\.')}-[a-z0-9]+-[a-z0-9]+`;
}
