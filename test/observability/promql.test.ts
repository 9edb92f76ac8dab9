import * as promql from '@grafana/promql-builder';
import * as fc from 'fast-check';
import { syntaxErrors } from './util/promql-grammar';
import { exprsAsRuleFile, promtoolTest, runPromtool } from './util/promtool';
import { deploymentPodRegex, isLabelName, isMetricName, num, render, series } from '../../src/observability/promql';

describe('PromQL composition (@grafana/promql-builder behind checked selectors and numbers)', () => {
  test('composes selectors, rates, aggregations, quantiles and comparisons', () => {
    const sel = () => series('http_requests_total', [promql.labelEq('namespace', 'ml'), promql.labelMatchRegexp('code', '5..')]);
    expect(render(sel())).toBe('http_requests_total{namespace="ml",code=~"5.."}');
    expect(render(promql.sum(promql.rate(sel().range('5m'))).by(['pod', 'code'])))
      .toBe('sum by(pod, code) (rate(http_requests_total{namespace="ml",code=~"5.."}[5m]))');
    expect(render(promql.histogramQuantile(0.9, promql.sum(promql.rate(series('x_bucket').range('1m'))).by(['le']))))
      .toBe('histogram_quantile(0.9, sum by(le) (rate(x_bucket[1m])))');
    expect(render(promql.gt(promql.div(series('a'), series('b')).on(['pod']), num(0.5)))).toBe('((a) / on(pod) (b)) > (0.5)');
  });

  test('refuses invalid names and non-finite numbers, which the builder alone would render', () => {
    expect(promql.vector('http-requests').toString()).toBe('http-requests');
    expect(promql.n(Number.NaN).toString()).toBe('null');
    expect(() => series('http-requests')).toThrow("invalid metric name 'http-requests'");
    expect(() => series('up', [promql.labelEq('app.kubernetes.io/name', 'x')])).toThrow("invalid label name 'app.kubernetes.io/name'");
    expect(() => num(Number.NaN)).toThrow('not a finite number: NaN');
    expect(() => num(Infinity)).toThrow('not a finite number: Infinity');
  });

  test('any label value renders into a selector the Prometheus grammar parses, and its quoting round-trips (property)', () => {
    fc.assert(fc.property(fc.fullUnicodeString(), (value) => {
      const text = render(series('up', [promql.labelEq('v', value)]));
      expect(syntaxErrors(text)).toEqual([]);
      expect(text.startsWith('up{v=')).toBe(true);
      expect(JSON.parse(text.slice('up{v='.length, -1))).toBe(value);
    }));
  });

  test('metric and label name checks follow the Prometheus data model (property)', () => {
    const head = fc.constantFrom(...'abcXYZ_:'.split(''));
    const tail = fc.array(fc.constantFrom(...'az09_:'.split('')), { maxLength: 20 }).map(a => a.join(''));
    fc.assert(fc.property(head, tail, (h, t) => {
      expect(isMetricName(h + t)).toBe(true);
      expect(isLabelName(h + t)).toBe(!(h + t).includes(':'));
    }));
    fc.assert(fc.property(fc.constantFrom('0', '-', '.', ' '), tail, (h, t) => {
      expect(isMetricName(h + t)).toBe(false);
      expect(isLabelName(h + t)).toBe(false);
    }));
  });

  test('the pod regex matches a Deployment\'s pods and not those of a longer-named one (property)', () => {
    const hash = fc.array(fc.constantFrom(...'bcdfghjklmnpqrstvwxz2456789'.split('')), { minLength: 5, maxLength: 10 }).map(a => a.join(''));
    fc.assert(fc.property(hash, hash, (rs, pod) => {
      const regex = new RegExp(`^(?:${deploymentPodRegex('bert')})$`);
      expect(regex.test(`bert-${rs}-${pod}`)).toBe(true);
      expect(regex.test(`bert-large-${rs}-${pod}`)).toBe(false);
      expect(regex.test(`xbert-${rs}-${pod}`)).toBe(false);
    }));
  });

  promtoolTest('label values with quotes, backslashes, newlines and control characters parse (promtool)', (promtool) => {
    const values = ['a"b', 'c\\d', 'e\nf', 'tab\there', 'bell\u0007', '$namespace', '{{x}}', 'ü', '\u{1F600}'];
    const exprs = values.map(v => render(series('up', [promql.labelEq('v', v)])));
    const result = runPromtool(promtool, ['check', 'rules', 'rules.yml'], { 'rules.yml': exprsAsRuleFile(exprs) });
    expect(result.output).toContain(`SUCCESS: ${exprs.length} rules found`);
  });
});
