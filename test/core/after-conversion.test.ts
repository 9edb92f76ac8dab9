import { ApiObject, Chart, Cron, Duration, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { AfterConversion, DistributedTrainingJob, MlModelServing, PreStop, TrainingBackend } from '../../src';
import { podSpecOf } from '../../src/core/pod-template-path';
import { findObject, synthAndValidate } from '../util';

function chart(): Chart {
  return new Chart(Testing.app(), 'prod', { namespace: 'ml' });
}

describe('AfterConversion: fields newer than Kubernetes 1.27 reach the output', () => {
  test('preStop.sleep (1.30+) on a model server', () => {
    const c = chart();
    new MlModelServing(c, 'bert', { image: 'ml-model:v1', preStop: PreStop.sleep(Duration.seconds(15)) });
    const container = findObject(synthAndValidate(c), 'Deployment').spec.template.spec.containers[0];
    expect(container.lifecycle).toEqual({ preStop: { sleep: { seconds: 15 } } });
  });

  test('a native sidecar (init container with restartPolicy Always, 1.29+)', () => {
    const c = chart();
    new MlModelServing(c, 'bert', {
      image: 'ml-model:v1',
      sidecars: [{ name: 'proxy', image: 'envoyproxy/envoy:v1.31.0', ports: [{ name: 'proxy', number: 9901 }] }],
    });
    const spec = findObject(synthAndValidate(c), 'Deployment').spec.template.spec;
    expect(spec.initContainers).toHaveLength(1);
    expect(spec.initContainers[0]).toMatchObject({ name: 'proxy', restartPolicy: 'Always', image: 'envoyproxy/envoy:v1.31.0' });
    expect(spec.initContainers[0].securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
  });

  test('backoffLimitPerIndex and maxFailedIndexes (1.29+) on the Indexed Job', () => {
    const c = chart();
    new DistributedTrainingJob(c, 'train', { image: 'trainer:v1', backend: TrainingBackend.indexedJob({ backoffLimitPerIndex: 1, maxFailedIndexes: 2 }) });
    const job = findObject(synthAndValidate(c), 'Job');
    expect(job.spec.backoffLimitPerIndex).toBe(1);
    expect(job.spec.maxFailedIndexes).toBe(2);
  });

  test("a user's own patch of any field (trafficDistribution 1.31+, managedBy 1.30+) survives; ApiObject.addJsonPatch does not", () => {
    const c = chart();
    const server = new MlModelServing(c, 'bert', { image: 'ml-model:v1' });
    const job = new DistributedTrainingJob(c, 'train', { image: 'trainer:v1' });
    AfterConversion.of(server.service).addJsonPatch(JsonPatch.add('/spec/trafficDistribution', 'PreferClose'));
    AfterConversion.of(job.job!).addJsonPatch(JsonPatch.add('/spec/managedBy', 'kueue.x-k8s.io/multikueue'));
    // The plain cdk8s escape hatch runs BEFORE cdk8s-plus-27's typed converter,
    // which drops every field it does not know: documented, not a bug of ours.
    ApiObject.of(server.deployment).addJsonPatch(JsonPatch.add('/spec/template/spec/containers/0/lifecycle', { preStop: { sleep: { seconds: 5 } } }));
    const manifests = Testing.synth(c);
    expect(findObject(manifests, 'Service', 'bert').spec.trafficDistribution).toBe('PreferClose');
    expect(findObject(manifests, 'Job').spec.managedBy).toBe('kueue.x-k8s.io/multikueue');
    // The 5 s sleep never arrives: what renders is the server's own default drain (15 s).
    expect(findObject(manifests, 'Deployment').spec.template.spec.containers[0].lifecycle).toEqual({ preStop: { sleep: { seconds: 15 } } });
  });

  test('user patches run last, on the complete manifest', () => {
    const c = chart();
    const server = new MlModelServing(c, 'bert', { image: 'ml-model:v1', gpus: { count: 1 } });
    AfterConversion.of(server.deployment).addJsonPatch(JsonPatch.replace('/spec/template/spec/containers/0/resources/limits/nvidia.com~1gpu', '2'));
    expect(findObject(Testing.synth(c), 'Deployment').spec.template.spec.containers[0].resources.limits['nvidia.com/gpu']).toBe('2');
  });

  test('the same pipeline object is returned for a construct and its ApiObject', () => {
    const c = chart();
    const d = new kplus.Deployment(c, 'd', { containers: [{ image: 'x:1' }] });
    expect(AfterConversion.of(d)).toBe(AfterConversion.of(ApiObject.of(d)));
  });

  test('pod templates are found for each workload kind; other kinds are refused', () => {
    const c = chart();
    const kinds = [
      new kplus.Deployment(c, 'd', { containers: [{ image: 'x:1' }] }),
      new kplus.Job(c, 'j', { containers: [{ image: 'x:1' }] }),
      new kplus.CronJob(c, 'cj', { schedule: Cron.daily(), containers: [{ image: 'x:1' }] }),
      new kplus.StatefulSet(c, 's', { containers: [{ image: 'x:1' }], service: new kplus.Service(c, 'svc', { ports: [{ port: 80 }] }) }),
    ];
    for (const w of kinds) AfterConversion.of(w)._addStage(m => { podSpecOf(m).hostname = 'marked'; });
    const specs = Testing.synth(c).filter(m => m.kind !== 'Service').map(m => m.kind === 'CronJob' ? m.spec.jobTemplate.spec.template.spec : m.spec.template.spec);
    expect(specs.map(s => s.hostname)).toEqual(['marked', 'marked', 'marked', 'marked']);
    expect(() => podSpecOf({ kind: 'ConfigMap' })).toThrow('cdk8s-ml: kind ConfigMap has no known pod template');
  });
});
