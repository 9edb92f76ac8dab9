import { ApiObject, Chart, JsonPatch, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  MlModelServing, ServingScaling, VerticalPodAutoscaler, VpaContainerMode, VpaControlledValues, VpaResource, VpaTarget, VpaUpdateMode,
} from '../../src';
import { PodSecurity } from '../../src/core/security';
import { findObject, synthAndValidate, validateManifests } from '../util';

function chart(namespace: string | undefined = 'ml'): Chart {
  return new Chart(Testing.app(), 'prod', { namespace });
}

function deployment(c: Chart, name: string, containers = ['main']): kplus.Deployment {
  const d = new kplus.Deployment(c, name, {
    metadata: { name },
    containers: containers.map(n => ({ name: n, image: 'app:v1' })),
  });
  PodSecurity.restricted().applyTo(d);
  return d;
}

const CONFLICT = (mode: string, resources: string) =>
  `VerticalPodAutoscaler 'prod/bert-vpa': updateMode (${mode}) conflicts with HorizontalPodAutoscaler 'bert', which scales Deployment 'bert' on ${resources}: `
  + 'the VPA would change the requests the HPA\'s utilization is measured against, and the two would fight. Keep updateMode Off (recommendations only), '
  + `leave ${resources} out of controlledResources, or scale the HPA on other metrics (e.g. ServingScaling.autoscale({ resourceMetrics: false, extraMetrics }))`;

describe('VerticalPodAutoscaler', () => {
  test('default: recommendation-only (Off) next to the model server and its HPA, in the target\'s namespace', () => {
    const c = chart();
    const serving = new MlModelServing(c, 'bert', { image: 'ml-model:v1' });
    const vpa = new VerticalPodAutoscaler(c, 'bert-vpa', { target: VpaTarget.modelServing(serving) });
    const manifests = synthAndValidate(c);
    const obj = findObject(manifests, 'VerticalPodAutoscaler', 'bert-vpa');
    expect(obj.apiVersion).toBe('autoscaling.k8s.io/v1');
    expect(obj.metadata.namespace).toBe('ml');
    expect(obj.spec).toEqual({
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'bert' },
      updatePolicy: { updateMode: 'Off' },
    });
    expect(vpa.updateMode).toBe(VpaUpdateMode.OFF);
    // the HPA on cpu and memory is there, and allowed next to a recommending VPA
    expect(findObject(manifests, 'HorizontalPodAutoscaler', 'bert').spec.metrics.map((m: any) => m.resource.name)).toEqual(['cpu', 'memory']);
  });

  test('min/max allowed, controlled resources and values, per-container policies, minReplicas', () => {
    const c = chart();
    const d = deployment(c, 'worker', ['main', 'sidecar']);
    new VerticalPodAutoscaler(c, 'worker-vpa', {
      target: VpaTarget.workload(d),
      updateMode: VpaUpdateMode.INITIAL,
      minAllowed: { cpu: kplus.Cpu.millis(250), memory: Size.mebibytes(512) },
      maxAllowed: { cpu: kplus.Cpu.units(8), memory: Size.gibibytes(32) },
      controlledResources: [VpaResource.CPU, VpaResource.MEMORY],
      controlledValues: VpaControlledValues.REQUESTS_ONLY,
      containerPolicies: [{ containerName: 'sidecar', mode: VpaContainerMode.OFF }],
      minReplicas: 1,
    });
    expect(findObject(synthAndValidate(c), 'VerticalPodAutoscaler', 'worker-vpa').spec).toEqual({
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'worker' },
      updatePolicy: { updateMode: 'Initial', minReplicas: 1 },
      resourcePolicy: {
        containerPolicies: [
          {
            containerName: '*',
            controlledResources: ['cpu', 'memory'],
            controlledValues: 'RequestsOnly',
            minAllowed: { cpu: '250m', memory: '512Mi' },
            maxAllowed: { cpu: '8', memory: '32768Mi' },
          },
          { containerName: 'sidecar', mode: 'Off' },
        ],
      },
    });
  });

  test('the VPA really is checked against its CRD (a bad field fails validation)', () => {
    const c = chart();
    const vpa = new VerticalPodAutoscaler(c, 'vpa', { target: VpaTarget.workload(deployment(c, 'api')) });
    expect(() => validateManifests(Testing.synth(c))).not.toThrow();
    vpa.apiObject.addJsonPatch(JsonPatch.replace('/spec/updatePolicy/updateMode', 'Sometimes'));
    expect(() => validateManifests(Testing.synth(c))).toThrow(/updateMode/);
  });

  test('a workload by reference lives in the chart\'s namespace', () => {
    const c = chart('training');
    new VerticalPodAutoscaler(c, 'vpa', { target: VpaTarget.reference({ apiVersion: 'kubeflow.org/v1', kind: 'PyTorchJob', name: 'bert-ft' }) });
    const obj = findObject(synthAndValidate(c), 'VerticalPodAutoscaler', 'vpa');
    expect(obj.metadata.namespace).toBe('training');
    expect(obj.spec.targetRef).toEqual({ apiVersion: 'kubeflow.org/v1', kind: 'PyTorchJob', name: 'bert-ft' });
  });

  describe('VPA + HPA', () => {
    test.each([VpaUpdateMode.AUTO, VpaUpdateMode.RECREATE, VpaUpdateMode.INITIAL, VpaUpdateMode.IN_PLACE_OR_RECREATE, VpaUpdateMode.IN_PLACE])(
      'an active VPA (%s) on a model server whose HPA scales on cpu and memory is refused', (mode) => {
        const c = chart();
        const serving = new MlModelServing(c, 'bert', { image: 'ml-model:v1' });
        expect(() => new VerticalPodAutoscaler(c, 'bert-vpa', { target: VpaTarget.modelServing(serving), updateMode: mode }))
          .toThrow(CONFLICT(mode, 'cpu and memory'));
      });

    test('controlling memory only still conflicts on memory', () => {
      const c = chart();
      const serving = new MlModelServing(c, 'bert', { image: 'ml-model:v1' });
      expect(() => new VerticalPodAutoscaler(c, 'bert-vpa', {
        target: VpaTarget.modelServing(serving), updateMode: VpaUpdateMode.AUTO, controlledResources: [VpaResource.MEMORY],
      })).toThrow(CONFLICT('Auto', 'memory'));
    });

    test('an HPA on other metrics, a fixed replica count, or the container turned Off: no conflict', () => {
      const c = chart();
      const custom = new MlModelServing(c, 'custom', {
        image: 'ml-model:v1',
        scaling: ServingScaling.autoscale({
          resourceMetrics: false,
          extraMetrics: [kplus.Metric.pods({ name: 'inference_requests_per_second', target: kplus.MetricTarget.averageValue(50) })],
        }),
      });
      const fixed = new MlModelServing(c, 'fixed', { image: 'ml-model:v1', scaling: ServingScaling.fixed(3) });
      const off = new MlModelServing(c, 'off', { image: 'ml-model:v1' });
      new VerticalPodAutoscaler(c, 'custom-vpa', { target: VpaTarget.modelServing(custom), updateMode: VpaUpdateMode.AUTO });
      new VerticalPodAutoscaler(c, 'fixed-vpa', { target: VpaTarget.modelServing(fixed), updateMode: VpaUpdateMode.RECREATE });
      new VerticalPodAutoscaler(c, 'off-vpa', {
        target: VpaTarget.modelServing(off),
        updateMode: VpaUpdateMode.AUTO,
        containerPolicies: [{ containerName: 'model-server', mode: VpaContainerMode.OFF }],
      });
      const manifests = synthAndValidate(c);
      expect(findObject(manifests, 'VerticalPodAutoscaler', 'custom-vpa').spec.updatePolicy.updateMode).toBe('Auto');
      expect(findObject(manifests, 'VerticalPodAutoscaler', 'fixed-vpa').spec.updatePolicy.updateMode).toBe('Recreate');
    });

    test('a plain HPA on cpu next to a VPA on memory only is fine; on cpu it is refused', () => {
      const c = chart();
      const d = deployment(c, 'api');
      new kplus.HorizontalPodAutoscaler(c, 'api-hpa', {
        target: d, maxReplicas: 10, metrics: [kplus.Metric.resourceCpu(kplus.MetricTarget.averageUtilization(60))],
      });
      new VerticalPodAutoscaler(c, 'mem', { target: VpaTarget.workload(d), updateMode: VpaUpdateMode.AUTO, controlledResources: [VpaResource.MEMORY] });
      expect(() => new VerticalPodAutoscaler(c, 'cpu', { target: VpaTarget.workload(d), updateMode: VpaUpdateMode.AUTO, controlledResources: [VpaResource.CPU] }))
        .toThrow(/VerticalPodAutoscaler 'prod\/cpu': updateMode \(Auto\) conflicts with HorizontalPodAutoscaler '.*', which scales Deployment 'api' on cpu:/);
    });

    test('container metrics conflict only with the VPA of that container', () => {
      const c = chart();
      const d = deployment(c, 'api', ['main', 'sidecar']);
      new kplus.HorizontalPodAutoscaler(c, 'api-hpa', {
        target: d,
        maxReplicas: 10,
        metrics: [kplus.Metric.containerCpu({ container: d.containers[1], target: kplus.MetricTarget.averageUtilization(60) })],
      });
      // the sidecar is left alone by the VPA: fine
      new VerticalPodAutoscaler(c, 'ok', {
        target: VpaTarget.workload(d),
        updateMode: VpaUpdateMode.AUTO,
        containerPolicies: [{ containerName: 'sidecar', mode: VpaContainerMode.OFF }],
      });
      // the sidecar's cpu is right-sized too: refused
      expect(() => new VerticalPodAutoscaler(c, 'bad', { target: VpaTarget.workload(d), updateMode: VpaUpdateMode.AUTO }))
        .toThrow(/'prod\/bad': updateMode \(Auto\) conflicts .* on cpu:/);
    });

    test('a KEDA ScaledObject drives an HPA: its cpu/memory triggers conflict, its Prometheus triggers do not', () => {
      const c = chart();
      const api = deployment(c, 'api');
      const worker = deployment(c, 'worker');
      const scaledObject = (name: string, target: string, trigger: object) => new ApiObject(c, `${name}-so`, {
        apiVersion: 'keda.sh/v1alpha1',
        kind: 'ScaledObject',
        metadata: { name },
        spec: { scaleTargetRef: { name: target }, maxReplicaCount: 10, triggers: [trigger] },
      });
      scaledObject('api', 'api', { type: 'cpu', metricType: 'Utilization', metadata: { value: '60', containerName: 'main' } });
      scaledObject('worker', 'worker', {
        type: 'prometheus',
        metadata: { serverAddress: 'http://prometheus-operated.monitoring.svc:9090', query: 'sum(rate(jobs_total[2m]))', threshold: '10' },
      });
      new VerticalPodAutoscaler(c, 'worker-vpa', { target: VpaTarget.workload(worker), updateMode: VpaUpdateMode.AUTO });
      expect(() => new VerticalPodAutoscaler(c, 'api-vpa', { target: VpaTarget.workload(api), updateMode: VpaUpdateMode.AUTO }))
        .toThrow("VerticalPodAutoscaler 'prod/api-vpa': updateMode (Auto) conflicts with KEDA ScaledObject 'api', which scales Deployment 'api' on cpu: "
          + 'the VPA would change the requests the HPA\'s utilization is measured against, and the two would fight. Keep updateMode Off (recommendations only), '
          + 'leave cpu out of controlledResources, or drop its cpu and memory triggers (scale on requests or queue depth instead)');
      // the same workload in recommendation mode is fine, and the ScaledObjects are schema-valid
      new VerticalPodAutoscaler(c, 'api-recommender', { target: VpaTarget.workload(api) });
      expect(findObject(synthAndValidate(c), 'VerticalPodAutoscaler', 'worker-vpa').spec.updatePolicy.updateMode).toBe('Auto');
    });

    test('an HPA added after the VPA is caught at synthesis', () => {
      const c = chart();
      const d = deployment(c, 'api');
      new VerticalPodAutoscaler(c, 'vpa', { target: VpaTarget.workload(d), updateMode: VpaUpdateMode.AUTO });
      new kplus.HorizontalPodAutoscaler(c, 'late-hpa', { target: d, maxReplicas: 5, metrics: [kplus.Metric.resourceMemory(kplus.MetricTarget.averageUtilization(70))] });
      expect(() => Testing.synth(c)).toThrow(/VerticalPodAutoscaler 'prod\/vpa': updateMode \(Auto\) conflicts .* on memory:/);
    });

    test('an HPA of a same-named Deployment in another namespace does not conflict', () => {
      const app = Testing.app();
      const a = new Chart(app, 'a', { namespace: 'team-a' });
      const b = new Chart(app, 'b', { namespace: 'team-b' });
      new MlModelServing(a, 'bert', { image: 'ml-model:v1' });
      const servingB = new MlModelServing(b, 'bert', { image: 'ml-model:v1', scaling: ServingScaling.fixed(2) });
      new VerticalPodAutoscaler(b, 'vpa', { target: VpaTarget.modelServing(servingB), updateMode: VpaUpdateMode.AUTO });
      expect(findObject(synthAndValidate(b), 'VerticalPodAutoscaler', 'vpa').metadata.namespace).toBe('team-b');
    });

    test('targets known by reference: an HPA on the same kind and name conflicts', () => {
      const c = chart();
      new MlModelServing(c, 'bert', { image: 'ml-model:v1' });
      expect(() => new VerticalPodAutoscaler(c, 'bert-vpa', {
        target: VpaTarget.reference({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'bert' }), updateMode: VpaUpdateMode.RECREATE,
      })).toThrow(CONFLICT('Recreate', 'cpu and memory'));
    });
  });

  describe('errors', () => {
    function target(c: Chart) {
      return VpaTarget.workload(deployment(c, 'api', ['main']));
    }
    test('container policies', () => {
      let c = chart();
      expect(() => new VerticalPodAutoscaler(c, 'v', { target: target(c), containerPolicies: [{ containerName: 'nope' }] }))
        .toThrow("VerticalPodAutoscaler 'prod/v': containerPolicies[0].containerName ('nope') is not a container of Deployment 'api' (main)");
      c = chart();
      expect(() => new VerticalPodAutoscaler(c, 'v', { target: target(c), containerPolicies: [{ containerName: '*' }] }))
        .toThrow("VerticalPodAutoscaler 'prod/v': containerPolicies[0].containerName ('*') must name a container; settings for every container are the top-level props");
      c = chart();
      expect(() => new VerticalPodAutoscaler(c, 'v', { target: target(c), containerPolicies: [{ containerName: 'main' }, { containerName: 'main' }] }))
        .toThrow("VerticalPodAutoscaler 'prod/v': containerPolicies[1].containerName ('main') has a policy already");
      c = chart();
      expect(() => new VerticalPodAutoscaler(c, 'v', { target: target(c), containerPolicies: [{ containerName: 'main', mode: 'Maybe' as VpaContainerMode }] }))
        .toThrow("VerticalPodAutoscaler 'prod/v': containerPolicies[0].mode ('Maybe') must be one of Auto, Off");
    });

    test('controlled resources and bounds', () => {
      let c = chart();
      expect(() => new VerticalPodAutoscaler(c, 'v', { target: target(c), controlledResources: [] }))
        .toThrow("VerticalPodAutoscaler 'prod/v': controlledResources is empty: leave it out for cpu and memory, or set the container mode to Off");
      c = chart();
      expect(() => new VerticalPodAutoscaler(c, 'v', { target: target(c), controlledResources: ['nvidia.com/gpu' as VpaResource] }))
        .toThrow("VerticalPodAutoscaler 'prod/v': controlledResources ('nvidia.com/gpu') must be one of cpu, memory");
      c = chart();
      expect(() => new VerticalPodAutoscaler(c, 'v', { target: target(c), minAllowed: { cpu: kplus.Cpu.units(4) }, maxAllowed: { cpu: kplus.Cpu.units(2) } }))
        .toThrow("VerticalPodAutoscaler 'prod/v': minAllowed.cpu (4) must be <= maxAllowed.cpu (2)");
      c = chart();
      expect(() => new VerticalPodAutoscaler(c, 'v', {
        target: target(c),
        containerPolicies: [{ containerName: 'main', minAllowed: { memory: Size.gibibytes(4) }, maxAllowed: { memory: Size.gibibytes(1) } }],
      })).toThrow("VerticalPodAutoscaler 'prod/v': containerPolicies[0].minAllowed.memory (4096Mi) must be <= maxAllowed.memory (1024Mi)");
      c = chart();
      expect(() => new VerticalPodAutoscaler(c, 'v', { target: target(c), maxAllowed: { cpu: kplus.Cpu.millis(0) } }))
        .toThrow("VerticalPodAutoscaler 'prod/v': maxAllowed.cpu (0m) must be a positive quantity");
      c = chart();
      expect(() => new VerticalPodAutoscaler(c, 'v', { target: target(c), containerPolicies: [{ containerName: 'main', minAllowed: { memory: Size.mebibytes(0) } }] }))
        .toThrow("VerticalPodAutoscaler 'prod/v': containerPolicies[0].minAllowed.memory (0Mi) must be a positive quantity");
    });

    test('update mode, minReplicas, name', () => {
      let c = chart();
      expect(() => new VerticalPodAutoscaler(c, 'v', { target: target(c), updateMode: 'Sometimes' as VpaUpdateMode }))
        .toThrow("VerticalPodAutoscaler 'prod/v': updateMode ('Sometimes') must be one of Off, Initial, Recreate, InPlaceOrRecreate, InPlace, Auto");
      c = chart();
      expect(() => new VerticalPodAutoscaler(c, 'v', { target: target(c), minReplicas: 0 }))
        .toThrow("VerticalPodAutoscaler 'prod/v': minReplicas (0) must be >= 1");
      c = chart();
      expect(() => new VerticalPodAutoscaler(c, 'v', { target: target(c), name: 'Bad_Name' }))
        .toThrow("VerticalPodAutoscaler 'prod/v': name ('Bad_Name') must be a valid RFC 1123 DNS subdomain");
    });
  });
});
