// Benchmark (not a test): `cdk8s-ml check`, `report` and `diagram` over the YAML of
// 1,000 model servers (MlModelServing: Deployment, Service, HPA, PDB, NetworkPolicy,
// ServiceAccount each), in one namespace with a quota and GPU servers among them.
// Target: each command <= 2 s on 2 cores. Run: npx ts-node --transpile-only scripts/bench-policy.ts [servers]
// Each command is timed end to end in-process (read files, parse YAML, run, render),
// three runs after one warm-up; the median and the slowest are printed.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-27';
import { MlModelServing, ResourceQuota, ServingScaling } from '../src';
import { main } from '../src/policy/cli';

const servers = Number(process.argv[2] ?? 1000);
const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-ml-bench-'));
const app = new App({ outdir });
const chart = new Chart(app, 'bench', { namespace: 'ml', disableResourceNameHashes: true });
for (let i = 0; i < servers; i++) {
  new MlModelServing(chart, `model-${i}`, {
    image: `registry.example.com/model-${i}:1.0.${i}`,
    ...(i % 10 === 0 ? { gpus: { count: 1 } } : {}),
    scaling: ServingScaling.autoscale({ minReplicas: 2, maxReplicas: 10 }),
  });
}
new ResourceQuota(chart, 'quota', { name: 'ml-quota', gpus: 64, requests: { cpu: Cpu.units(4000) } });
app.synth();
const file = path.join(outdir, 'bench.k8s.yaml');
const bytes = fs.statSync(file).size;
const objects = fs.readFileSync(file, 'utf-8').split(/^---$/m).length;

const sink = { out: () => undefined, err: () => undefined };
const commands: { [name: string]: string[] } = {
  check: ['check', file, '--json'],
  report: ['report', file, '--format', 'json'],
  diagram: ['diagram', file, '--format', 'dot'],
};
console.log(`${servers} model servers: ${objects} objects, ${(bytes / 2 ** 20).toFixed(1)} MiB of YAML (${file}); ${os.cpus().length} CPUs, node ${process.version}`);
for (const [name, argv] of Object.entries(commands)) {
  main(argv, sink); // warm-up: module loading and JIT
  const runs: number[] = [];
  for (let r = 0; r < 3; r++) {
    const t0 = process.hrtime.bigint();
    main(argv, sink);
    runs.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  runs.sort((a, b) => a - b);
  const verdict = runs[2] <= 2000 ? 'ok' : 'OVER 2 s';
  console.log(`${name.padEnd(8)} median ${runs[1].toFixed(0)} ms, slowest ${runs[2].toFixed(0)} ms  ${verdict}`);
}

// The same commands as users run them, a fresh `node` per command (start-up, module
// loading and all), from the compiled lib/ when it is built (`npx projen compile`).
const bin = path.join(__dirname, '../bin/cdk8s-ml');
if (fs.existsSync(path.join(__dirname, '../lib/policy/cli.js'))) {
  for (const [name, argv] of Object.entries(commands)) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [bin, ...argv], { encoding: 'utf-8', maxBuffer: 256 * 2 ** 20 });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    console.log(`bin ${name.padEnd(8)} ${ms.toFixed(0)} ms (exit ${r.status})  ${ms <= 2000 ? 'ok' : 'OVER 2 s'}`);
  }
} else {
  console.log('lib/ not built: run `npx projen compile` to time the bin as well');
}
