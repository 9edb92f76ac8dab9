import * as fc from 'fast-check';
import { minimumTotalForBothTracks, splitReplicas } from '../../src/delivery/replica-split';

const total = fc.integer({ min: 1, max: 500 });
const weight = fc.integer({ min: 0, max: 100 });

describe('splitReplicas: the replica-ratio canary split', () => {
  test('the replicas always sum to the total, none negative', () => {
    fc.assert(fc.property(total, weight, (t, w) => {
      const s = splitReplicas(t, w);
      expect(s.stable + s.canary).toBe(t);
      expect(s.stable).toBeGreaterThanOrEqual(0);
      expect(s.canary).toBeGreaterThanOrEqual(0);
      expect(Number.isInteger(s.canary)).toBe(true);
    }));
  });

  test('the realized share is the closest achievable to the weight: no other canary count is closer', () => {
    fc.assert(fc.property(total, weight, (t, w) => {
      const s = splitReplicas(t, w);
      // |100c - wt| compares |c/t - w/100| exactly, in integers.
      const error = Math.abs(100 * s.canary - w * t);
      for (let c = 0; c <= t; c++) expect(error).toBeLessThanOrEqual(Math.abs(100 * c - w * t));
    }));
  });

  test('the reported share is 100 * canary / total', () => {
    fc.assert(fc.property(total, weight, (t, w) => {
      const s = splitReplicas(t, w);
      expect(s.canaryShare).toBeCloseTo((100 * s.canary) / t, 10);
      expect(Math.abs(s.canaryShare - w)).toBeLessThanOrEqual(50 / t + 1e-9);
    }));
  });

  test('weights 0 and 100 are exact for every total', () => {
    fc.assert(fc.property(total, t => {
      expect(splitReplicas(t, 0)).toEqual({ stable: t, canary: 0, canaryShare: 0 });
      expect(splitReplicas(t, 100)).toEqual({ stable: 0, canary: t, canaryShare: 100 });
    }));
  });

  test('more weight never means fewer canary replicas', () => {
    fc.assert(fc.property(total, weight, weight, (t, a, b) => {
      const [lo, hi] = a <= b ? [a, b] : [b, a];
      expect(splitReplicas(t, lo).canary).toBeLessThanOrEqual(splitReplicas(t, hi).canary);
    }));
  });

  test('when the weight is an exact fraction of the total, it is realized exactly (e.g. the guide\'s 1 of 4)', () => {
    expect(splitReplicas(4, 25)).toEqual({ stable: 3, canary: 1, canaryShare: 25 });
    fc.assert(fc.property(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 0, max: 100 }), (t, c) => {
      fc.pre(c <= t && (100 * c) % t === 0);
      expect(splitReplicas(t, (100 * c) / t).canary).toBe(c);
    }));
  });

  test('ties go to the canary: 1 of 2 replicas for weight 25 is as close as 0 of 2', () => {
    expect(splitReplicas(2, 25)).toEqual({ stable: 1, canary: 1, canaryShare: 50 });
    expect(splitReplicas(3, 10)).toEqual({ stable: 3, canary: 0, canaryShare: 0 });
  });

  test('minimumTotalForBothTracks is the smallest total giving each track a replica', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 99 }), w => {
      const min = minimumTotalForBothTracks(w);
      const both = (t: number) => { const s = splitReplicas(t, w); return s.stable >= 1 && s.canary >= 1; };
      expect(both(min)).toBe(true);
      for (let t = 1; t < min; t++) expect(both(t)).toBe(false);
    }));
    expect(minimumTotalForBothTracks(10)).toBe(5);
    expect(minimumTotalForBothTracks(1)).toBe(50);
    expect(minimumTotalForBothTracks(99)).toBe(51); // at 50 the tie at 49.5 goes to the canary
  });
});
