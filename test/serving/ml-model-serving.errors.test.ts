import { Chart, Duration, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { MlModelServing, MlModelServingProps, ModelSource, PodSecurity, PreStop, PriorityClassRef, ServingScaling, WorkloadVolume } from '../../src';

function make(props: Partial<MlModelServingProps>, id = 'bert') {
  const chart = new Chart(Testing.app(), 'prod');
  return () => new MlModelServing(chart, id, { image: 'ml-model:v1', ...props });
}

describe('MlModelServing rejects bad input at synth time, naming path and prop', () => {
  test.each<[string, Partial<MlModelServingProps>, string]>([
    ['maxReplicas below minReplicas', { scaling: ServingScaling.autoscale({ minReplicas: 2, maxReplicas: 1 }) },
      "MlModelServing 'prod/bert': scaling.maxReplicas (1) must be >= minReplicas (2)"],
    ['zero minReplicas', { scaling: ServingScaling.autoscale({ minReplicas: 0 }) },
      "MlModelServing 'prod/bert': scaling.minReplicas (0) must be >= 1"],
    ['negative fixed replicas', { scaling: ServingScaling.fixed(-1) },
      "MlModelServing 'prod/bert': scaling.replicas (-1) must be >= 0"],
    ['memory utilization 0', { scaling: ServingScaling.autoscale({ memoryUtilization: 0 }) },
      "MlModelServing 'prod/bert': scaling.memoryUtilization (0) must be >= 1"],
    ['no metric at all', { scaling: ServingScaling.autoscale({ resourceMetrics: false }) },
      "MlModelServing 'prod/bert': scaling has no metric: resourceMetrics is false and extraMetrics is empty"],
    ['cpu limit below request', { resources: { cpu: { request: kplus.Cpu.units(2), limit: kplus.Cpu.millis(500) } } },
      "MlModelServing 'prod/bert': resources.cpu.limit (500m) must be >= cpu.request (2)"],
    ['memory limit below request', { resources: { memory: { request: Size.gibibytes(8), limit: Size.gibibytes(4) } } },
      "MlModelServing 'prod/bert': resources.memory.limit (4096Mi) must be >= memory.request (8192Mi)"],
    ['guaranteed with different limits', { guaranteedQos: true, resources: { cpu: { request: kplus.Cpu.units(1), limit: kplus.Cpu.units(2) } } },
      "MlModelServing 'prod/bert': resources must have limits equal to requests for the Guaranteed QoS class"],
    ['fractional GPUs', { gpus: { count: 0.5 } },
      "MlModelServing 'prod/bert': gpus.count (0.5) must be a whole number: extended resources such as GPUs cannot be fractional"],
    ['negative GPUs', { gpus: { count: -1 } },
      "MlModelServing 'prod/bert': gpus.count (-1) must not be negative"],
    ['absurd GPU count', { gpus: { count: 64 } },
      "MlModelServing 'prod/bert': gpus.count (64) exceeds the per-node maximum (16); no node offers more to one pod"],
    ['bad GPU resource name', { gpus: { count: 1, resourceName: 'gpu' } },
      "MlModelServing 'prod/bert': gpus.resourceName ('gpu') must be a domain-prefixed extended resource name such as 'nvidia.com/gpu'"],
    ['port out of range', { port: 70000 },
      "MlModelServing 'prod/bert': port (70000) must be between 1 and 65535"],
    ['service port 0', { servicePort: 0 },
      "MlModelServing 'prod/bert': servicePort (0) must be between 1 and 65535"],
    ['metrics port out of range', { metrics: { port: -5 } },
      "MlModelServing 'prod/bert': metrics.port (-5) must be between 1 and 65535"],
    [':latest image', { image: 'ml-model:latest' },
      "MlModelServing 'prod/bert': image ('ml-model:latest') uses the mutable ':latest' tag; pin a version tag or digest, or set allowMutableImageTag: true"],
    ['untagged image', { image: 'registry.local:5000/ml-model' },
      "MlModelServing 'prod/bert': image ('registry.local:5000/ml-model') has no tag, which means ':latest'; pin a version tag or digest, or set allowMutableImageTag: true"],
    ['metrics scheme other than http(s)', { metrics: { port: 9090, scheme: 'ftp' } },
      "MlModelServing 'prod/bert': metrics.scheme ('ftp') must be 'http' or 'https'"],
    ['invalid container name', { containerName: 'Model_Server' },
      "MlModelServing 'prod/bert': containerName ('Model_Server') must be a valid RFC 1123 DNS label"],
    ['invalid priority class name', { priorityClass: PriorityClassRef.fromName('High Priority') },
      "MlModelServing 'prod/bert': priorityClass ('High Priority') must be a valid RFC 1123 DNS subdomain"],
    ['relaxed pod security without a reason', { podSecurity: PodSecurity.relaxed({ reason: ' ', writableRootFilesystem: true }) },
      "MlModelServing 'prod/bert': podSecurity relaxes the restricted profile without a reason"],
    ['a mount path that is not absolute', { mounts: [{ volume: WorkloadVolume.emptyDir('cache'), path: 'cache' }] },
      "MlModelServing 'prod/bert': mounts[0].path ('cache') must be an absolute path other than '/'"],
    ['a subPath escaping its volume', { mounts: [{ volume: WorkloadVolume.emptyDir('cache'), path: '/cache', subPath: '../etc' }] },
      "MlModelServing 'prod/bert': mounts[0].subPath ('../etc') must be a relative path without '..'"],
    ['two mounts at one path', { mounts: [{ volume: WorkloadVolume.emptyDir('a'), path: '/data' }, { volume: WorkloadVolume.emptyDir('b'), path: '/data/' }] },
      "MlModelServing 'prod/bert': mounts[1] ('/data/') is already a mount path of container 'model-server' (volume 'a')"],
    ['a mount over the writable /tmp', { mounts: [{ volume: WorkloadVolume.emptyDir('scratch'), path: '/tmp' }] },
      "MlModelServing 'prod/bert': mounts[0] ('/tmp') is already a mount path of container 'model-server' (volume 'tmp')"],
    ['two different volumes with one name', { mounts: [{ volume: WorkloadVolume.emptyDir('data'), path: '/a' }, { volume: WorkloadVolume.fromPersistentVolumeClaim('data', 'claim'), path: '/b' }] },
      "MlModelServing 'prod/bert': mounts[1] volume name 'data' is already used by another volume of the pod"],
    ['an init container with a probe', { initContainers: [{ name: 'init', image: 'busybox:1.36', readiness: kplus.Probe.fromCommand(['true']) }] },
      "MlModelServing 'prod/bert': initContainers[0] has a probe; init containers run to completion and must not have probes (use sidecars for long-running helpers)"],
    ['a sidecar named like the server', { sidecars: [{ name: 'model-server', image: 'envoyproxy/envoy:v1.31.0' }] },
      "MlModelServing 'prod/bert': sidecars[0].name ('model-server') is already the name of another container of the pod"],
    ['a mutable sidecar image', { sidecars: [{ name: 'proxy', image: 'envoyproxy/envoy' }] },
      "MlModelServing 'prod/bert': sidecars[0].image ('envoyproxy/envoy') has no tag, which means ':latest'; pin a version tag or digest, or set allowMutableImageTag: true"],
    // Metric names are declared once, on the server, and checked there.
    ['bad histogram name', { metrics: { port: 8080, names: { latencyHistogram: 'request-latency' } } },
      "MlModelServing 'prod/bert': metrics.names.latencyHistogram ('request-latency') must be a valid Prometheus metric name"],
    ['bad counter name', { metrics: { port: 8080, names: { requestsCounter: '1requests' } } },
      "MlModelServing 'prod/bert': metrics.names.requestsCounter ('1requests') must be a valid Prometheus metric name"],
    ['bad status label', { metrics: { port: 8080, names: { statusCodeLabel: 'status.code' } } },
      "MlModelServing 'prod/bert': metrics.names.statusCodeLabel ('status.code') must be a valid Prometheus label name"],
    ['bad error regex', { metrics: { port: 8080, names: { errorCodeRegex: '5[0-9' } } },
      "MlModelServing 'prod/bert': metrics.names.errorCodeRegex ('5[0-9') is not an RE2 regular expression (what Prometheus uses)"],
    // Fractional durations are refused by the prop's name, not by cdk8s's conversion error.
    ['a fractional startup timeout', { startupTimeout: Duration.millis(90500) },
      "MlModelServing 'prod/bert': startupTimeout (90.5s) must be a whole number of seconds >= 0"],
    ['a fractional progress deadline', { progressDeadline: Duration.millis(1500) },
      "MlModelServing 'prod/bert': progressDeadline (1.5s) must be a whole number of seconds >= 1"],
    ['a fractional minReady', { minReady: Duration.millis(500) },
      "MlModelServing 'prod/bert': minReady (0.5s) must be a whole number of seconds >= 0"],
    ['a fractional preStop sleep', { preStop: PreStop.sleep(Duration.millis(2500)) },
      "MlModelServing 'prod/bert': preStop (2.5s) must be a whole number of seconds"],
    ['invalid name', { name: 'BERT_model' },
      "MlModelServing 'prod/bert': name ('BERT_model') must be a valid RFC 1123 DNS label: lowercase alphanumerics and '-', starting and ending with an alphanumeric, at most 63 characters"],
    ['PDB minAvailable blocking every eviction', { scaling: ServingScaling.fixed(3), disruptionBudget: { minAvailable: 3 } },
      "MlModelServing 'prod/bert': disruptionBudget.minAvailable (3) must be below the fewest replicas (3), or no pod could ever be evicted and node drains would hang"],
    ['PDB maxUnavailable 0', { disruptionBudget: { maxUnavailable: 0 } },
      "MlModelServing 'prod/bert': disruptionBudget.maxUnavailable (0) must be >= 1"],
    ['PDB with both fields', { disruptionBudget: { maxUnavailable: 1, minAvailable: 1 } },
      "MlModelServing 'prod/bert': disruptionBudget takes minAvailable or maxUnavailable, not both"],
    ['invalid label value', { labels: { app: 'ml model' } },
      "MlModelServing 'prod/bert': labels['app'] ('ml model') must be a valid label value: at most 63 characters, alphanumeric at both ends, '-', '_' or '.' inside"],
    ['startup timeout too short', { startupTimeout: Duration.seconds(0) },
      "MlModelServing 'prod/bert': startupTimeout (0s) must be at least 10s"],
    ['negative revision history', { revisionHistoryLimit: -1 },
      "MlModelServing 'prod/bert': revisionHistoryLimit (-1) must be >= 0"],
    ['storage URI without scheme', { model: ModelSource.fromStorageUri('models/bert') },
      "MlModelServing 'prod/bert': model storage URI ('models/bert') must look like scheme://location, e.g. s3://bucket/model"],
    ['mutable initializer image', { model: ModelSource.fromStorageUri('s3://m/b', { initializerImage: 'kserve/storage-initializer' }) },
      "MlModelServing 'prod/bert': model.initializerImage ('kserve/storage-initializer') has no tag, which means ':latest'; pin a version tag or digest"],
  ])('%s', (_name, props, message) => {
    expect(make(props)).toThrow(message);
  });

  test('utilization targets above 100% are accepted, as the HPA accepts them (limits above requests)', () => {
    expect(make({ scaling: ServingScaling.autoscale({ cpuUtilization: 120 }) })).not.toThrow();
  });

  test('the id is used as the name and validated when no name is given', () => {
    expect(make({}, 'Bert')).toThrow("MlModelServing 'prod/Bert': name ('Bert') must be a valid RFC 1123 DNS label");
  });
});
