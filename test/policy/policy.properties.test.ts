import * as fc from 'fast-check';
import { selectorMatches } from '../../src/policy/model/manifest';
import { quantityValue } from '../../src/policy/model/quantity';
import { BUILT_IN_RULES } from '../../src/policy/rules';
import { evictable } from '../../src/policy/rules/disruption-budget-allows-eviction';
import { parseSuppressAnnotation } from '../../src/policy/suppressions';

const labelKey = fc.constantFrom('app', 'tier', 'app.kubernetes.io/name', 'team');
const labelValue = fc.constantFrom('a', 'b', 'c', 'bert', 'llm');
const labels = fc.dictionary(labelKey, labelValue);

describe('quantities', () => {
  test('milli, binary and plain suffixes scale exactly; numbers pass through', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 1_000_000 }), (n) => {
      expect(quantityValue(`${n}m`)).toBeCloseTo(n / 1000, 9);
      expect(quantityValue(`${n}Gi`)).toBe(n * 2 ** 30);
      expect(quantityValue(`${n}Mi`)).toBe(n * 2 ** 20);
      expect(quantityValue(`${n}k`)).toBe(n * 1000);
      expect(quantityValue(String(n))).toBe(n);
      expect(quantityValue(n)).toBe(n);
    }));
  });

  test('anything that is not a quantity reads as undefined', () => {
    fc.assert(fc.property(fc.string().filter((s) => !/^[+-]?(\d+(\.\d*)?|\.\d+)([KMGTPE]i|[numkMGTPE]|[eE][+-]?(\d+(\.\d*)?|\.\d+))?$/.test(s)), (s) => {
      expect(quantityValue(s)).toBeUndefined();
    }));
  });
});

describe('label selectors', () => {
  test('matchLabels select exactly the label sets that contain them', () => {
    fc.assert(fc.property(labels, labels, (selector, have) => {
      const contained = Object.entries(selector).every(([k, v]) => have[k] === v);
      expect(selectorMatches({ matchLabels: selector }, have)).toBe(contained);
    }));
  });

  test('In, NotIn, Exists and DoesNotExist follow their definitions', () => {
    const op = fc.constantFrom('In', 'NotIn', 'Exists', 'DoesNotExist');
    fc.assert(fc.property(labels, labelKey, op, fc.array(labelValue, { maxLength: 3 }), (have, key, operator, values) => {
      const v = have[key];
      const expected = operator === 'In' ? v !== undefined && values.includes(v)
        : operator === 'NotIn' ? v === undefined || !values.includes(v)
          : operator === 'Exists' ? v !== undefined : v === undefined;
      expect(selectorMatches({ matchExpressions: [{ key, operator, values }] }, have)).toBe(expected);
    }));
  });
});

describe('PodDisruptionBudget evictions (REL-003)', () => {
  test('an integer minAvailable leaves pods - minAvailable; maxUnavailable >= 1 always lets one go', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 0, max: 100 }), (pods, k) => {
      expect(evictable({ spec: { minAvailable: k } }, pods)).toBe(pods - k);
      if (k >= 1) expect(evictable({ spec: { maxUnavailable: k } }, pods)).toBeGreaterThanOrEqual(1);
    }));
  });

  test('percentages round up as the disruption controller does', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 0, max: 100 }), (pods, pct) => {
      expect(evictable({ spec: { maxUnavailable: `${pct}%` } }, pods)).toBe(Math.ceil((pct / 100) * pods));
      expect(evictable({ spec: { minAvailable: `${pct}%` } }, pods)).toBe(pods - Math.ceil((pct / 100) * pods));
    }));
  });
});

describe('suppression annotations', () => {
  test('an entry is accepted iff its rule may be waived and its reason has 10+ characters', () => {
    fc.assert(fc.property(fc.constantFrom(...BUILT_IN_RULES), fc.string({ maxLength: 30 }), (rule, reason) => {
      const parsed = parseSuppressAnnotation(JSON.stringify([{ id: rule.id, reason }]));
      const ok = rule.suppressible && reason.trim().length >= 10;
      expect(parsed.entries.length).toBe(ok ? 1 : 0);
      expect(parsed.problems.length).toBe(ok ? 0 : 1);
    }));
  });

  test('anything but a JSON array is reported as one problem and waives nothing', () => {
    fc.assert(fc.property(fc.string(), (value) => {
      let isArray = false;
      try { isArray = Array.isArray(JSON.parse(value)); } catch { isArray = false; }
      fc.pre(!isArray);
      const parsed = parseSuppressAnnotation(value);
      expect(parsed.entries).toEqual([]);
      expect(parsed.problems.length).toBe(1);
    }));
  });
});
