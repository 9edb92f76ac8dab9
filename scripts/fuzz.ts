// Benchmark-style fuzzing: N valid-looking props per construct (default 10,000),
// every accepted output checked by the whole test harness (schemas, CRDs + CEL,
// API-server rules, restricted profile). Prints accepted / refused / findings per
// construct and exits non-zero on any finding.
//   npx ts-node --transpile-only -P test/tsconfig.json scripts/fuzz.ts [runs] [seed]
import * as fc from 'fast-check';
import { FUZZ_TARGETS, runBuild } from '../test/fuzz/arbitraries';

const runs = Number(process.argv[2] ?? 10000);
const seed = Number(process.argv[3] ?? 42);
const only = process.env.FUZZ_ONLY;
let findings = 0;
const refusals = new Map<string, number>();
console.log(`| construct | runs | accepted (clean) | refused (MlValidationError) | findings | seconds |`);
console.log('|---|---:|---:|---:|---:|---:|');
for (const [target, arbitrary] of Object.entries(FUZZ_TARGETS)) {
  if (only && !target.includes(only)) continue;
  const counts = { accepted: 0, refused: 0, finding: 0 };
  const examples: string[] = [];
  const start = Date.now();
  for (const build of fc.sample(arbitrary, { numRuns: runs, seed })) {
    const outcome = runBuild(build);
    counts[outcome.kind]++;
    if (outcome.kind === 'finding' && examples.length < 3) examples.push(outcome.detail);
    if (outcome.kind === 'refused') {
      const key = `${target}: ${outcome.detail.replace(/\(.*?\)|'.*?'|\[\d+\]/g, '_').slice(0, 90)}`;
      refusals.set(key, (refusals.get(key) ?? 0) + 1);
    }
  }
  findings += counts.finding;
  console.log(`| ${target} | ${runs} | ${counts.accepted} | ${counts.refused} | ${counts.finding} | ${((Date.now() - start) / 1000).toFixed(1)} |`);
  for (const e of examples) console.log(`    finding: ${e.split('\n').join('\n      ')}`);
}
if (process.env.FUZZ_VERBOSE) {
  for (const [reason, n] of [...refusals].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(`${n}\t${reason}`);
}
process.exit(findings > 0 ? 1 : 0);
