import * as fc from 'fast-check';
import { exprsAsRuleFile, promtoolTest, runPromtool } from './util/promtool';
import {
  aggregate, binary, compare, deploymentPodRegex, eq, histogramQuantile, isLabelName, isMetricName, num, quote, rate, re, series,
} from '../../src/observability/promql';

describe('the internal PromQL builder', () => {
  test('composes selectors, rates, aggregations, quantiles and comparisons', () => {
    const sel = series('http_requests_total', [eq('namespace', 'ml'), re('code', '5..')]);
    expect(sel.text).toBe('http_requests_total{namespace="ml",code=~"5.."}');
    expect(aggregate('sum', rate(sel, '5m'), ['pod', 'code']).text).toBe('sum by (pod, code) (rate(http_requests_total{namespace="ml",code=~"5.."}[5m]))');
    expect(histogramQuantile(0.9, aggregate('sum', rate(series('x_bucket'), '1m'), ['le'])).text).toBe('histogram_quantile(0.9, sum by (le) (rate(x_bucket[1m])))');
    expect(compare(binary(series('a'), '/', series('b'), ['pod']), '>', 0.5).text).toBe('(a) / on (pod) (b) > 0.5');
  });

  test('refuses invalid names and non-finite numbers', () => {
    expect(() => series('http-requests')).toThrow("invalid metric name 'http-requests'");
    expect(() => series('up', [eq('app.kubernetes.io/name', 'x')])).toThrow("invalid label name 'app.kubernetes.io/name'");
    expect(() => aggregate('sum', series('up'), ['a-b'])).toThrow("invalid label name 'a-b'");
    expect(() => num(Number.NaN)).toThrow('not a finite number: NaN');
    expect(() => num(Infinity)).toThrow('not a finite number: Infinity');
  });

  test('quoted label values round-trip, whatever they contain (property)', () => {
    fc.assert(fc.property(fc.string(), (value) => {
      const unescaped = JSON.parse(quote(value).replace(/[\u0000-\u0009\u000b-\u001f]/g, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
      expect(unescaped).toBe(value);
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

  promtoolTest('label values with quotes, backslashes and newlines parse (promtool)', (promtool) => {
    const values = ['a"b', 'c\\d', 'e\nf', '$namespace', '{{x}}', 'ü'];
    const exprs = values.map(v => series('up', [eq('v', v)]).text);
    const result = runPromtool(promtool, ['check', 'rules', 'rules.yml'], { 'rules.yml': exprsAsRuleFile(exprs) });
    expect(result.output).toContain(`SUCCESS: ${exprs.length} rules found`);
  });
});
