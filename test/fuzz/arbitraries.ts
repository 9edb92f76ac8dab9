// Valid-looking props for the fuzzed constructs: mostly values a user would write,
// with edge cases mixed in (names that start with a digit or are long, ports that
// collide, env names with '=', GPU counts, odd weights), so both accepted and
// refused inputs come up. Shared by test/fuzz/fuzz.test.ts (a few runs) and
// scripts/fuzz.ts (10,000 per construct).
import { App, Chart, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import * as fc from 'fast-check';
import {
  BlueGreenColor, BlueGreenService, CanaryRelease, CanaryTraffic, DistributedTrainingJob, IdleColorPolicy,
  MlModelServing, MlModelServingProps, NodePoolAffinity, NodeSelectorOperator, ServingScaling, SpotNodePool, TopologySpread, TrainingBackend,
  UnsatisfiableSpreadAction,
} from '../../src';
import { MlValidationError } from '../../src/core/errors';
import { restrictedViolations } from '../util/pod-security';
import { validationProblems } from '../util/schema-validator';

/** A build of one construct into a fresh chart, from generated props. */
export type Build = (chart: Chart) => void;

/** Mostly `valid`, now and then (1 in 25) `edge`: valid-looking input that may be refused. */
function rare<T>(valid: fc.Arbitrary<T>, edge: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return fc.oneof({ weight: 24, arbitrary: valid }, { weight: 1, arbitrary: edge });
}

const name = rare(fc.stringMatching(/^[a-z][a-z0-9-]{0,14}[a-z0-9]$/), fc.oneof(
  fc.stringMatching(/^[0-9][a-z0-9-]{0,10}[a-z0-9]$/), fc.stringMatching(/^[a-z][a-z0-9]{50,62}$/)));
const tag = rare(fc.oneof(fc.stringMatching(/^v[0-9]{1,2}(\.[0-9]{1,2}){0,2}$/), fc.constantFrom('2.1.0-cuda12', 'V1_rc.2')), fc.constantFrom('latest', '.v1'));
const image = fc.tuple(rare(fc.constantFrom('ml-model', 'registry.example.com/team/bert', 'nvcr.io/nvidia/tritonserver', 'localhost:5000/m'), fc.constant('Models/Bad')), tag)
  .map(([repo, t]) => `${repo}:${t}`);
const port = rare(fc.oneof(fc.constantFrom(80, 8080, 8000, 9090, 29500), fc.integer({ min: 1, max: 65535 })), fc.constantFrom(0, 65536));
const envName = rare(fc.oneof(fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,10}$/), fc.constant('my.var')), fc.constantFrom('A=B', '', 'café'));
const env = fc.dictionary(envName, fc.string({ maxLength: 8 }), { maxKeys: 3 })
  .map(d => Object.fromEntries(Object.entries(d).map(([k, v]) => [k, kplus.EnvValue.fromValue(v)])));
const labels = fc.dictionary(rare(fc.oneof(fc.constantFrom('team', 'example.com/owner', 'cost-center'), fc.stringMatching(/^[a-z]{1,8}$/)), fc.constant('a/b/c')),
  rare(fc.stringMatching(/^[a-z0-9]{0,10}$/), fc.constant('-bad')), { maxKeys: 2 });
const resources = fc.record({
  cpu: fc.integer({ min: 50, max: 8000 }),
  extraCpu: fc.integer({ min: 0, max: 2000 }),
  mem: fc.integer({ min: 64, max: 65536 }),
  extraMem: fc.integer({ min: 0, max: 4096 }),
  // Now and then KiB that are not whole MiB (cdk8s-plus renders memory in MiB).
  memKib: rare(fc.constant(0), fc.integer({ min: 1, max: 1023 })),
})
  .map(r => ({
    cpu: { request: kplus.Cpu.millis(r.cpu), limit: kplus.Cpu.millis(r.cpu + r.extraCpu) },
    memory: { request: Size.kibibytes(r.mem * 1024 + r.memKib), limit: Size.mebibytes(r.mem + r.extraMem + 1) },
  }));
/** Whole seconds, now and then milliseconds (fractions cdk8s's toSeconds() throws on). */
const seconds = (min: number, max: number) => rare(
  fc.integer({ min, max }).map(s => Duration.seconds(s)),
  fc.integer({ min: 1, max: max * 1000 }).map(ms => Duration.millis(ms)));
const probeTiming = fc.option(fc.record({ period: seconds(1, 30), timeout: seconds(1, 10) }), { nil: undefined });
const gpus = fc.option(fc.record({ count: rare(fc.integer({ min: 0, max: 8 }), fc.constant(9)), product: fc.option(fc.constantFrom('NVIDIA-A100-SXM4-40GB', 'NVIDIA-L4'), { nil: undefined }) }), { nil: undefined });
const scaling = fc.oneof(
  fc.record({
    min: rare(fc.integer({ min: 1, max: 6 }), fc.constant(0)),
    extra: rare(fc.integer({ min: 0, max: 10 }), fc.constant(-1)),
    cpu: fc.integer({ min: 1, max: 150 }),
  })
    .map(s => ServingScaling.autoscale({ minReplicas: s.min, maxReplicas: s.min + s.extra, cpuUtilization: s.cpu })),
  fc.integer({ min: 0, max: 6 }).map(n => ServingScaling.fixed(n)),
);
const spread = fc.option(fc.array(fc.record({
  zones: fc.boolean(),
  skew: rare(fc.integer({ min: 1, max: 3 }), fc.constant(0)),
  hard: fc.boolean(),
  minDomains: rare(fc.constant(undefined), fc.integer({ min: 1, max: 3 })),
})
  .map(s => (s.zones ? TopologySpread.acrossZones : TopologySpread.acrossNodes)({
    maxSkew: s.skew,
    minDomains: s.minDomains,
    whenUnsatisfiable: s.hard ? UnsatisfiableSpreadAction.DO_NOT_SCHEDULE : UnsatisfiableSpreadAction.SCHEDULE_ANYWAY,
  })), { maxLength: 2 }), { nil: undefined });

const servingProps: fc.Arbitrary<MlModelServingProps> = fc.record({
  name: fc.option(name, { nil: undefined }),
  image,
  port: fc.option(port, { nil: undefined }),
  servicePort: fc.option(port, { nil: undefined }),
  metricsPort: fc.option(port, { nil: undefined }),
  env,
  labels,
  partOf: fc.option(rare(fc.stringMatching(/^[a-z]{1,20}$/), fc.stringMatching(/^[a-z]{64,70}$/)), { nil: undefined }),
  resources,
  gpus,
  scaling,
  spread,
  startupMinutes: rare(fc.integer({ min: 1, max: 30 }), fc.constant(0)),
  drainPeriod: fc.option(seconds(0, 30), { nil: undefined }),
  probe: probeTiming,
}).map(p => ({
  name: p.name,
  image: p.image,
  port: p.port,
  servicePort: p.servicePort,
  env: p.env,
  labels: p.labels,
  partOf: p.partOf,
  resources: p.resources,
  gpus: p.gpus,
  scaling: p.scaling,
  spread: p.spread,
  startupTimeout: Duration.minutes(p.startupMinutes),
  drainPeriod: p.drainPeriod,
  // On the server's port (8080 by default), so only the probe's timing can be refused.
  liveness: p.probe && kplus.Probe.fromHttpGet('/health', { port: p.port ?? 8080, periodSeconds: p.probe.period, timeoutSeconds: p.probe.timeout }),
  metrics: p.metricsPort ? { port: p.metricsPort, path: '/metrics' } : undefined,
}));

/** MlModelServing. */
export const servingBuild: fc.Arbitrary<Build> = servingProps.map(p => (chart: Chart) => { new MlModelServing(chart, 'server', p); });

const trainingCommon = fc.record({
  name: fc.option(name, { nil: undefined }),
  image,
  workers: rare(fc.integer({ min: 1, max: 64 }), fc.constant(0)),
  env,
  labels,
  resources,
  gpus,
  guaranteedQos: fc.constant(false),
});

/** DistributedTrainingJob on each backend. */
export const trainingBuilds: { [backend: string]: fc.Arbitrary<Build> } = {
  indexedJob: fc.tuple(trainingCommon, rare(fc.integer({ min: 1, max: 65535 }), fc.constant(70000)),
    rare(fc.integer({ min: 0, max: 10 }), fc.constant(-1)), fc.option(seconds(0, 3600), { nil: undefined }))
    .map(([p, masterPort, backoffLimit, ttlAfterFinished]) => (chart: Chart) => {
      new DistributedTrainingJob(chart, 'job', { ...p, backend: TrainingBackend.indexedJob({ masterPort, backoffLimit, ttlAfterFinished }) });
    }),
  pytorchJob: fc.tuple(trainingCommon, rare(fc.integer({ min: 1, max: 65535 }), fc.constant(0)))
    .map(([p, masterPort]) => (chart: Chart) => {
      new DistributedTrainingJob(chart, 'job', { ...p, backend: TrainingBackend.pytorchJob({ masterPort }) });
    }),
  trainJob: trainingCommon.map(p => (chart: Chart) => {
    new DistributedTrainingJob(chart, 'job', { ...p, backend: TrainingBackend.trainJob() });
  }),
};

/** CanaryRelease. */
export const canaryBuild: fc.Arbitrary<Build> = fc.record({
  name: fc.option(name, { nil: undefined }),
  stable: servingProps,
  canary: fc.option(servingProps, { nil: undefined }),
  weight: rare(fc.integer({ min: 0, max: 100 }), fc.constant(101)),
  total: rare(fc.integer({ min: 2, max: 12 }), fc.constant(0)),
  gateway: fc.boolean(),
  servicePort: fc.option(port, { nil: undefined }),
}).map(p => (chart: Chart) => {
  // Replica-ratio traffic runs fixed replica counts (scaling is the release's), routed traffic has no shared Service port.
  const track = (t: MlModelServingProps) => (p.gateway ? t : { ...t, scaling: undefined });
  new CanaryRelease(chart, 'release', {
    name: p.name,
    stable: track(p.stable),
    canary: p.canary && { ...track(p.canary), port: p.stable.port, liveness: p.stable.liveness },
    weight: p.canary ? p.weight : 0,
    servicePort: p.gateway ? undefined : p.servicePort,
    traffic: p.gateway ? CanaryTraffic.gatewayApi({ gateway: { name: 'shared', namespace: 'gateway-system' } }) : CanaryTraffic.replicaRatio({ totalReplicas: p.total }),
  });
});

/** BlueGreenService. */
export const blueGreenBuild: fc.Arbitrary<Build> = fc.record({
  name: fc.option(name, { nil: undefined }),
  blue: servingProps,
  green: fc.option(servingProps, { nil: undefined }),
  active: fc.constantFrom(BlueGreenColor.BLUE, BlueGreenColor.GREEN),
  idle: fc.constantFrom('warm', 'one', 'remove'),
  servicePort: fc.option(port, { nil: undefined }),
}).map(p => (chart: Chart) => {
  new BlueGreenService(chart, 'bg', {
    name: p.name,
    blue: p.blue,
    green: p.green ? { ...p.green, port: p.blue.port, liveness: p.blue.liveness } : undefined,
    activeColor: p.active,
    servicePort: p.servicePort,
    idle: p.idle === 'warm' ? IdleColorPolicy.keepWarm() : p.idle === 'one' ? IdleColorPolicy.scaleTo(1) : IdleColorPolicy.remove(),
  });
});

/** SpotNodePool (Karpenter), scheduling a model server. */
export const spotPoolBuild: fc.Arbitrary<Build> = fc.record({
  poolName: fc.option(name, { nil: undefined }),
  fallback: fc.boolean(),
  zones: fc.uniqueArray(rare(fc.constantFrom('us-east-1a', 'us-east-1b', 'us-east-1c'), fc.constant('Bad Zone')), { maxLength: 2 }),
  gpu: fc.option(fc.record({
    maxGpus: rare(fc.integer({ min: 1, max: 64 }), fc.constant(0)),
    gpuNames: fc.option(fc.array(fc.constantFrom('a100', 'l4', 'h100'), { minLength: 1, maxLength: 2 }), { nil: undefined }),
  }), { nil: undefined }),
  expireHours: fc.option(rare(fc.integer({ min: 1, max: 720 }), fc.constant(0)), { nil: undefined }),
  weight: fc.option(rare(fc.integer({ min: 1, max: 100 }), fc.constant(0)), { nil: undefined }),
  required: fc.boolean(),
  serving: servingProps,
  declareProduct: rare(fc.constant(true), fc.constant(false)),
}).map(p => (chart: Chart) => {
  // A server asking for a GPU model goes to a pool that declares the model label (or is refused).
  const product = p.serving.gpus?.product;
  const pool = new SpotNodePool(chart, 'spot', {
    name: p.poolName,
    onDemandFallback: p.fallback,
    zones: p.zones.length ? p.zones : undefined,
    gpu: p.gpu,
    requirements: product && p.declareProduct ? [{ key: 'nvidia.com/gpu.product', operator: NodeSelectorOperator.IN, values: [product] }] : undefined,
    expireAfter: p.expireHours !== undefined ? Duration.hours(p.expireHours) : undefined,
    weight: p.weight,
  });
  const server = new MlModelServing(chart, 'server', p.serving);
  pool.schedule(server, { affinity: p.required ? NodePoolAffinity.required() : NodePoolAffinity.preferred(50) });
});

/** Every fuzzed construct, by name. */
export const FUZZ_TARGETS: { [target: string]: fc.Arbitrary<Build> } = {
  'MlModelServing': servingBuild,
  'DistributedTrainingJob (indexedJob)': trainingBuilds.indexedJob,
  'DistributedTrainingJob (pytorchJob)': trainingBuilds.pytorchJob,
  'DistributedTrainingJob (trainJob)': trainingBuilds.trainJob,
  'CanaryRelease': canaryBuild,
  'BlueGreenService': blueGreenBuild,
  'SpotNodePool': spotPoolBuild,
};

/** What one build came to: refused with our error, accepted and clean, or a finding. */
export type Outcome = { kind: 'refused'; detail: string } | { kind: 'accepted' } | { kind: 'finding'; detail: string };

/** Builds into a fresh app; accepted output must be clean by the whole harness. */
export function runBuild(build: Build): Outcome {
  const chart = new Chart(new App({ outdir: '/dev/null' }), 'fuzz', { namespace: 'ml' });
  let manifests: any[];
  try {
    build(chart);
    manifests = chart.toJson();
  } catch (e) {
    if (e instanceof MlValidationError) return { kind: 'refused', detail: `${e.prop} ${e.problem}` };
    if (e instanceof Error && /^Validation failed with the following errors/.test(e.message)) return { kind: 'refused', detail: e.message };
    return { kind: 'finding', detail: `crash: ${e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e)}` };
  }
  const problems = [...validationProblems(manifests), ...restrictedViolations(manifests).map(v => `pod security: ${v}`)];
  return problems.length ? { kind: 'finding', detail: problems.slice(0, 5).join('\n') } : { kind: 'accepted' };
}
