import { App } from 'cdk8s';
import { buildAll } from '../../examples/main';

// The package is typed as ESM but ships a CommonJS build (its "require" export),
// which is what jest loads; the types come from the ESM side.
type LezerPromql = typeof import('@prometheus-io/lezer-promql', { with: { 'resolution-mode': 'import' } });
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parser } = require('@prometheus-io/lezer-promql') as LezerPromql;

/** Syntax errors the Prometheus project's own PromQL grammar finds in `expr`. */
function syntaxErrors(expr: string): string[] {
  const errors: string[] = [];
  parser.parse(expr).iterate({
    enter: (node) => {
      if (node.type.isError) errors.push(`at ${node.from}: '${expr.slice(Math.max(0, node.from - 10), node.to + 10)}'`);
    },
  });
  return errors;
}

/** Grafana template variables replaced by values, as Grafana does before querying. */
function withGrafanaVariables(expr: string): string {
  return expr
    .replace(/\$__rate_interval|\$__interval|\$__range/g, '5m')
    .replace(/\$\{?(\w+)\}?/g, 'value');
}

/** Every PromQL expression the example apps render: alert rules, KEDA triggers, dashboard panels. */
function renderedExpressions(): { where: string; expr: string }[] {
  const app = new App({ outdir: '/dev/null' });
  buildAll(app);
  const found: { where: string; expr: string }[] = [];
  for (const chart of app.charts) {
    for (const o of chart.toJson()) {
      const id = `${chart.node.id}/${o.kind}/${o.metadata.name}`;
      if (o.kind === 'PrometheusRule') {
        for (const g of o.spec.groups) for (const r of g.rules) found.push({ where: `${id} ${r.alert ?? r.record}`, expr: r.expr });
      }
      if (o.kind === 'ScaledObject') {
        for (const t of o.spec.triggers) if (t.type === 'prometheus') found.push({ where: `${id} trigger`, expr: t.metadata.query });
      }
      if (o.kind === 'ConfigMap' && o.metadata.labels?.grafana_dashboard === '1') {
        for (const json of Object.values<string>(o.data)) {
          for (const panel of JSON.parse(json).panels) {
            for (const t of panel.targets ?? []) found.push({ where: `${id} ${panel.title}`, expr: withGrafanaVariables(t.expr) });
          }
        }
      }
    }
  }
  return found;
}

describe('PromQL parses with the Prometheus grammar (@prometheus-io/lezer-promql)', () => {
  const expressions = renderedExpressions();

  test('the examples render alert, KEDA and dashboard expressions', () => {
    const where = expressions.map(e => e.where).join('\n');
    expect(where).toMatch(/PrometheusRule/);
    expect(where).toMatch(/ScaledObject/);
    expect(where).toMatch(/ConfigMap/);
  });

  test('every rendered expression parses without a syntax error', () => {
    const failures = expressions
      .map(e => ({ ...e, errors: syntaxErrors(e.expr) }))
      .filter(e => e.errors.length > 0)
      .map(e => `${e.where}: ${e.expr} -> ${e.errors.join(', ')}`);
    expect(failures).toEqual([]);
  });

  test('the grammar check can fail', () => {
    expect(syntaxErrors('sum(rate(http_requests_total[5m])')).not.toEqual([]);
    expect(syntaxErrors('histogram_quantile(0.99, sum by (le) (rate(x_bucket[5m])))')).toEqual([]);
  });
});
