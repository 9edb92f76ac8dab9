// A small typed PromQL builder, internal to the observability constructs.
//
// Why not a library: `@grafana/promql-builder` (the suggestion) is not a
// dependency yet and, not being a jsii package, would have to be bundled; until it is
// added this module keeps expressions out of ad-hoc string templates: metric and label
// names are checked against Prometheus's grammar, label values are escaped, and every
// expression is composed from the same few functions. Tests parse every rendered
// expression with promtool (the Prometheus parser).

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

/** A PromQL expression (already rendered). */
export class Expr {
  public constructor(public readonly text: string) {}
  public toString(): string {
    return this.text;
  }
}

type MatchOp = '=' | '!=' | '=~' | '!~';

/** One label matcher of a selector. */
export interface Matcher {
  readonly label: string;
  readonly op: MatchOp;
  readonly value: string;
}

/** `label="value"`. */
export function eq(label: string, value: string): Matcher {
  return { label, op: '=', value };
}

/** `label=~"regex"` (fully anchored, RE2). */
export function re(label: string, value: string): Matcher {
  return { label, op: '=~', value };
}

/** A double-quoted PromQL string literal. */
export function quote(value: string): string {
  return '"' + value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') + '"';
}

/** `name{matchers}`: an instant vector selector. */
export function series(name: string, matchers: Matcher[] = []): Expr {
  if (!isMetricName(name)) throw new Error(`invalid metric name '${name}'`);
  for (const m of matchers) {
    if (!isLabelName(m.label)) throw new Error(`invalid label name '${m.label}'`);
  }
  const body = matchers.map(m => `${m.label}${m.op}${quote(m.value)}`).join(',');
  return new Expr(body ? `${name}{${body}}` : name);
}

/** `fn(selector[window])` for a range function such as rate or avg_over_time. */
export function rangeFn(fn: 'rate' | 'increase' | 'avg_over_time' | 'max_over_time', selector: Expr, window: string): Expr {
  return new Expr(`${fn}(${selector}[${window}])`);
}

/** `rate(selector[window])`. */
export function rate(selector: Expr, window: string): Expr {
  return rangeFn('rate', selector, window);
}

/** `op by (labels) (expr)`; `by ()` aggregates everything into one series. */
export function aggregate(op: 'sum' | 'avg' | 'max' | 'min' | 'count', expr: Expr, by: string[] = []): Expr {
  for (const l of by) if (!isLabelName(l)) throw new Error(`invalid label name '${l}'`);
  return new Expr(by.length > 0 ? `${op} by (${by.join(', ')}) (${expr})` : `${op}(${expr})`);
}

/** `histogram_quantile(q, expr)`. */
export function histogramQuantile(q: number, expr: Expr): Expr {
  return new Expr(`histogram_quantile(${num(q)}, ${expr})`);
}

/** `a op b` with optional `on(labels)` matching; both sides parenthesized. */
export function binary(a: Expr, op: '/' | '*' | '-' | '+' | '>' | '<' | '>=' | '<=' | '==' | '!=', b: Expr, on?: string[]): Expr {
  const matching = on ? ` on (${on.join(', ')})` : '';
  return new Expr(`(${a}) ${op}${matching} (${b})`);
}

/** `expr op number`, e.g. a threshold comparison. */
export function compare(expr: Expr, op: '>' | '<' | '>=' | '<=', threshold: number): Expr {
  return new Expr(`${expr} ${op} ${num(threshold)}`);
}

/** A number literal; NaN and infinities are refused. */
export function num(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
  return String(value);
}

/** The regex matching the pods of a Deployment: `<name>-<replicaset hash>-<pod suffix>`. */
export function deploymentPodRegex(deployment: string): string {
  return `${deployment.replace(/[.]/g, '\\.')}-[a-z0-9]+-[a-z0-9]+`;
}
