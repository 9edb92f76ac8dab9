import * as fc from 'fast-check';
import { FUZZ_TARGETS, runBuild } from './arbitraries';

// The regular run: a few cases per construct (scripts/fuzz.ts runs 10,000 each).
// Every input is either refused with the library's error or synthesizes manifests
// clean by the whole harness (schemas, CRDs + CEL, API-server rules, restricted).
describe.each(Object.entries(FUZZ_TARGETS))('fuzz %s', (_, arbitrary) => {
  test('refused clearly or accepted clean', () => {
    const seen = { accepted: 0, refused: 0 };
    fc.assert(fc.property(arbitrary, build => {
      const outcome = runBuild(build);
      if (outcome.kind === 'finding') throw new Error(outcome.detail);
      seen[outcome.kind]++;
    }), { numRuns: 25 });
    expect(seen.accepted + seen.refused).toBe(25);
  });
});
