// Import cost, synth cost and package size of the compiled library, side by side with
// cdk8s-plus-27 (our base): what a user pays for `require('cdk8s-ml')`. A benchmark,
// not a timed test: `npx projen bench` (after `npx projen compile`) prints the figures
// and the targets; BENCH_RUNS=<n> changes the number of runs (median of n, default 15).
//
// Every figure is a whole fresh `node` process (startup included), measured wall
// clock, the runs of each pair interleaved so load on the machine hits both alike.
// What ships is what `compile` writes (scripts/bundle-lib.js): lib/index.js, which loads
// lib/'s modules from one chunk file per directory (lib/chunks) when first required, and
// third-party modules in lib/vendor loaded on first use, so the import figure is one
// small file's and the synth figure includes loading what the servers use. Synth also
// pays the App-wide checks (src/core/unique-objects.ts), which read every rendered
// object; inside app.synth() they run once and the YAML is written from what they
// rendered (src/core/synth-rounds.ts), so each object renders once, as in the baseline.
//
// The synth baseline is ten servers written by hand with cdk8s-plus-27 and cdk8s: the
// SAME manifests as ten `MlModelServing` (every object, field and value), so the ratio
// compares like work. Before timing, the script synthesizes both and throws, listing the
// first differing paths, unless they are equal up to the value of the
// `cdk8s.io/metadata.addr` pod label and key order; so the baseline cannot drift from
// what MlModelServing emits (a change to its defaults must be mirrored here).
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'js-yaml';

const root = path.join(__dirname, '..');
const runs = Number(process.env.BENCH_RUNS ?? 15);
const lib = path.join(root, 'lib', 'index.js');
const resolve = (m: string) => JSON.stringify(require.resolve(m, { paths: [root] }));
if (!fs.existsSync(lib)) throw new Error('lib/index.js is missing: run `npx projen compile` first');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-ml-bench-'));
const script = (name: string, body: string) => {
  const file = path.join(dir, `${name}.js`);
  fs.writeFileSync(file, body);
  return file;
};

// What the library's process loads beyond cdk8s-plus-27's, for the explanation.
const loaded = script('loaded', `
  require(${resolve('cdk8s-plus-27')});
  const before = new Set(Object.keys(require.cache));
  require(${JSON.stringify(lib)});
  const extra = Object.keys(require.cache).filter(f => !before.has(f));
  const by = {};
  for (const f of extra) {
    const m = f.match(/node_modules\\/((?:@[^/]+\\/)?[^/]+)/);
    const k = m ? m[1] : 'cdk8s-ml (lib/)';
    by[k] = (by[k] || 0) + 1;
  }
  console.log(JSON.stringify(by));
`);

const importPlus = script('import-plus', `require(${resolve('cdk8s-plus-27')});`);
const importOurs = script('import-ours', `require(${JSON.stringify(lib)});`);
// lib/index.js runs an area of the library (core, serving...) when one of its exports is
// first read (scripts/bundle-lib.js), so `require` alone loads one file and runs nothing:
// reading every export is what an app using all of it pays, for the explanation.
const importAll = script('import-all', `const ml = require(${JSON.stringify(lib)}); for (const k of Object.keys(ml)) void ml[k];`);

// Ten model servers, as MlModelServing...
const out = path.join(dir, 'out');
const synthOurs = script('synth-ours', `
  const { App, Chart } = require(${resolve('cdk8s')});
  const ml = require(${JSON.stringify(lib)});
  const app = new App({ outdir: ${JSON.stringify(out + '-ours')} });
  const chart = new Chart(app, 'bench', { namespace: 'ml' });
  for (let i = 0; i < 10; i++) {
    new ml.MlModelServing(chart, 'model-' + i, {
      image: 'registry.example.com/model-' + i + ':1.0.0',
      scaling: ml.ServingScaling.autoscale({ minReplicas: 2, maxReplicas: 10 }),
      metrics: { port: 9090 },
    });
  }
  app.synth();
`);

// ...and the same manifests written by hand with cdk8s-plus-27 and cdk8s, as a careful
// user would, field for field (checked below, before timing): kplus props where kplus-27
// has them; JSON patches for fields its API lacks but the 1.27 typed converter keeps
// (revisionHistoryLimit, seccompProfile, topologySpreadConstraints); the converted
// manifest edited by hand for lifecycle.preStop.sleep, Kubernetes 1.29 (KEP-3960,
// https://www.kubernetes.dev/resources/keps/3960/), which that converter drops even from
// a patch; the typed L1s for the PDB (no kplus-27 L2) and the NetworkPolicy (kplus-27 has
// no peer for "any source, these ports"). No cdk8s-ml code.
const synthPlus = script('synth-plus', `
  const { App, Chart, ApiObject, JsonPatch, Duration, Size } = require(${resolve('cdk8s')});
  const kplus = require(${resolve('cdk8s-plus-27')});
  const app = new App({ outdir: ${JSON.stringify(out + '-plus')} });
  const chart = new Chart(app, 'bench', { namespace: 'ml' });
  for (let i = 0; i < 10; i++) {
    const name = 'model-' + i;
    const selector = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': name, 'app.kubernetes.io/component': 'model-server' };
    const labels = { ...selector, 'app.kubernetes.io/managed-by': 'cdk8s-ml', 'app.kubernetes.io/version': '1.0.0' };
    const metadata = { name, labels };
    const sa = new kplus.ServiceAccount(chart, name + '-sa', { metadata, automountToken: false });
    const d = new kplus.Deployment(chart, name, {
      metadata, serviceAccount: sa, automountServiceAccountToken: false, select: false,
      podMetadata: { labels, annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9090', 'prometheus.io/path': '/metrics', 'prometheus.io/scheme': 'http' } },
      strategy: kplus.DeploymentStrategy.rollingUpdate({ maxSurge: kplus.PercentOrAbsolute.percent(25), maxUnavailable: kplus.PercentOrAbsolute.absolute(0) }),
      progressDeadline: Duration.seconds(720),
      securityContext: { ensureNonRoot: true, user: 1000, group: 1000, fsGroup: 1000, fsGroupChangePolicy: kplus.FsGroupChangePolicy.ON_ROOT_MISMATCH },
      terminationGracePeriod: Duration.seconds(60),
    });
    d.select(kplus.LabelSelector.of({ labels: selector }));
    d.addContainer({
      name: 'model-server', image: 'registry.example.com/' + name + ':1.0.0', imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      ports: [{ number: 8080, name: 'http' }, { number: 9090, name: 'metrics' }],
      resources: { cpu: { request: kplus.Cpu.units(1), limit: kplus.Cpu.units(2) }, memory: { request: Size.gibibytes(2), limit: Size.gibibytes(4) } },
      securityContext: { ensureNonRoot: true, privileged: false, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
      liveness: kplus.Probe.fromHttpGet('/health', { port: 8080, periodSeconds: Duration.seconds(10), timeoutSeconds: Duration.seconds(5) }),
      readiness: kplus.Probe.fromHttpGet('/ready', { port: 8080, periodSeconds: Duration.seconds(5), timeoutSeconds: Duration.seconds(5) }),
      startup: kplus.Probe.fromHttpGet('/health', { port: 8080, failureThreshold: 60, periodSeconds: Duration.seconds(10), timeoutSeconds: Duration.seconds(5) }),
      volumeMounts: [{ path: '/tmp', volume: kplus.Volume.fromEmptyDir(chart, name + '-tmp', 'tmp') }],
    });
    // Fields kplus-27 has no prop for but the 1.27 typed converter keeps: JSON patches.
    ApiObject.of(d).addJsonPatch(
      JsonPatch.add('/spec/revisionHistoryLimit', 10),
      JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }),
      JsonPatch.add('/spec/template/spec/topologySpreadConstraints', [
        { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: selector } },
      ]),
    );
    // lifecycle.preStop.sleep is Kubernetes 1.29: the 1.27 converter drops it even from a
    // JSON patch, so it goes into the converted manifest.
    const toJson = ApiObject.of(d).toJson.bind(ApiObject.of(d));
    ApiObject.of(d).toJson = () => {
      const manifest = toJson();
      const server = manifest.spec.template.spec.containers.find(c => c.name === 'model-server');
      server.lifecycle = { preStop: { sleep: { seconds: 15 } } };
      return manifest;
    };
    const svc = new kplus.Service(chart, name + '-svc', {
      metadata, ports: [{ name: 'http', port: 80, targetPort: 8080 }, { name: 'metrics', port: 9090, targetPort: 9090 }],
    });
    for (const [k, v] of Object.entries(selector)) svc.selectLabel(k, v);
    new kplus.HorizontalPodAutoscaler(chart, name + '-hpa', {
      metadata, target: d, minReplicas: 2, maxReplicas: 10,
      metrics: [kplus.Metric.resourceCpu(kplus.MetricTarget.averageUtilization(70)), kplus.Metric.resourceMemory(kplus.MetricTarget.averageUtilization(80))],
      scaleUp: { strategy: kplus.ScalingStrategy.MAX_CHANGE, stabilizationWindow: Duration.seconds(0), policies: [
        { replicas: kplus.Replicas.absolute(4), duration: Duration.minutes(1) },
        { replicas: kplus.Replicas.percent(200), duration: Duration.minutes(1) },
      ] },
      scaleDown: { strategy: kplus.ScalingStrategy.MAX_CHANGE, stabilizationWindow: Duration.minutes(5), policies: [
        { replicas: kplus.Replicas.absolute(2), duration: Duration.minutes(5) },
      ] },
    });
    new kplus.k8s.KubePodDisruptionBudget(chart, name + '-pdb', { metadata, spec: { maxUnavailable: kplus.k8s.IntOrString.fromNumber(1), selector: { matchLabels: selector } } });
    new kplus.k8s.KubeNetworkPolicy(chart, name + '-netpol', {
      metadata, spec: { podSelector: { matchLabels: selector }, policyTypes: ['Ingress'], ingress: [{ ports: [8080, 9090].map(p => ({ port: kplus.k8s.IntOrString.fromNumber(p), protocol: 'TCP' })) }] },
    });
  }
  app.synth();
`);

function time(file: string): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [file], { encoding: 'utf-8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${path.basename(file)} failed:\n${r.stderr}`);
  return ms;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Median wall clock of each script over `runs` interleaved runs (after one warm-up each). */
function pair(a: string, b: string): [number, number] {
  time(a); time(b);
  const ta: number[] = [];
  const tb: number[] = [];
  for (let i = 0; i < runs; i++) {
    ta.push(time(a));
    tb.push(time(b));
  }
  return [median(ta), median(tb)];
}

// The baseline must emit what MlModelServing emits, or the ratio compares unlike work:
// synthesize both once and compare every object, field by field. Allowed to differ: the
// value of the `cdk8s.io/metadata.addr` pod label (a hash of the construct path) and key
// order within a mapping (objects are compared by key, arrays by position).
const ADDR = 'cdk8s.io/metadata.addr';
const manifests = (d: string): any[] => fs.readdirSync(d).sort()
  .flatMap(f => yaml.loadAll(fs.readFileSync(path.join(d, f), 'utf-8')))
  .filter(m => m != null);
const normalize = (v: any): any => {
  if (Array.isArray(v)) return v.map(normalize);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, k === ADDR ? '<addr>' : normalize(x)]));
};
function differences(a: any, b: any, at: string, found: string[]): void {
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) found.push(`${at}: ${a.length} items vs ${b.length}`);
    for (let i = 0; i < Math.min(a.length, b.length); i++) differences(a[i], b[i], `${at}[${i}]`, found);
  } else if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) differences(a[k], b[k], `${at}.${k}`, found);
  } else if (JSON.stringify(a) !== JSON.stringify(b)) {
    found.push(`${at}: ${JSON.stringify(a) ?? '(absent)'} vs ${JSON.stringify(b) ?? '(absent)'}`);
  }
}
function checkEquivalent(): void {
  for (const f of [synthPlus, synthOurs]) execFileSync(process.execPath, [f], { stdio: ['ignore', 'ignore', 'inherit'] });
  const plus = manifests(out + '-plus').map(normalize);
  const ours = manifests(out + '-ours').map(normalize);
  const found: string[] = [];
  if (plus.length === 0) found.push('the baseline emits no objects');
  if (plus.length !== ours.length) found.push(`${plus.length} objects vs ${ours.length}`);
  for (let i = 0; i < Math.min(plus.length, ours.length); i++) {
    differences(plus[i], ours[i], `#${i} ${ours[i]?.kind}/${ours[i]?.metadata?.name}`, found);
  }
  if (found.length > 0) {
    throw new Error(`bench-import: the cdk8s-plus-27 baseline is not equivalent to MlModelServing (outputs in ${dir}: `
      + `${found.length} differences, baseline vs ours; first ${Math.min(found.length, 10)}):\n  ${found.slice(0, 10).join('\n  ')}`);
  }
}
checkEquivalent();

const empty = script('empty', '');
const [node] = pair(empty, empty);
const [imPlus, imOurs] = pair(importPlus, importOurs);
const [, imAll] = pair(importPlus, importAll);
const [syPlus, syOurs] = pair(synthPlus, synthOurs);
const yamlOf = (d: string) => fs.readdirSync(d).map(f => fs.readFileSync(path.join(d, f), 'utf-8')).join('');
const kinds = (d: string) => `${yamlOf(d).match(/^kind: .*/gm)?.length ?? 0} objects, ${(yamlOf(d).length / 1024).toFixed(0)} KB of YAML`;

const pack = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf-8', stdio: ['ignore', 'pipe', 'ignore'] }))[0];
const bySize: Record<string, number> = {};
for (const f of pack.files as Array<{ path: string; size: number }>) {
  const m = f.path.match(/^node_modules\/((?:@[^/]+\/)?[^/]+)/);
  const k = m ? `node_modules/${m[1]}` : f.path.split('/')[0];
  bySize[k] = (bySize[k] ?? 0) + f.size;
}

const kb = (n: number) => `${(n / 1024).toFixed(0)} KB`;
const s = (ms: number) => `${(ms / 1000).toFixed(3)} s`;
const check = (ratio: number, max: number) => `${ratio.toFixed(2)}x (target <= ${max.toFixed(2)}x: ${ratio <= max ? 'met' : 'NOT met'})`;
console.log(`bench-import: median of ${runs} fresh processes each, node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(1)}`);
console.log(`  empty node process             ${s(node)}`);
console.log(`  import cdk8s-plus-27           ${s(imPlus)}`);
console.log(`  import cdk8s-ml                ${s(imOurs)}  ${check(imOurs / imPlus, 1.15)}`);
console.log(`  modules cdk8s-ml adds          ${execFileSync(process.execPath, [loaded], { encoding: 'utf-8' }).trim()} (lib/index.js alone: its chunks load on first use)`);
console.log(`  ...and every export read       ${s(imAll)}  ${(imAll / imPlus).toFixed(2)}x (cdk8s-plus-27 included: an app using all of the library)`);
console.log(`  10 servers, cdk8s-plus-27      ${s(syPlus)}  (${kinds(out + '-plus')})`);
console.log(`  10 servers, MlModelServing     ${s(syOurs)}  (${kinds(out + '-ours')})  ${check(syOurs / syPlus, 1.10)}`);
console.log(`  tarball (npm pack)             ${kb(pack.size)} packed, ${kb(pack.unpackedSize)} unpacked, ${pack.entryCount} files  (target <= 600 KB: ${pack.size <= 600 * 1024 ? 'met' : 'NOT met'})`);
for (const [k, v] of Object.entries(bySize).sort((a, b) => b[1] - a[1]).slice(0, 6)) {
  console.log(`    ${k.padEnd(44)} ${kb(v)} unpacked`);
}
fs.rmSync(dir, { recursive: true, force: true });
