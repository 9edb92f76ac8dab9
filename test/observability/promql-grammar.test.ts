import { App } from 'cdk8s';
import { syntaxErrors } from './util/promql-grammar';
import { buildAll } from '../../examples/main';

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
