import { App } from 'cdk8s';
import { build } from '../../examples/model-serving';
import { findObject, validateManifests, assertRestricted } from '../util';

// examples/model-serving.ts must reproduce the guide's model-serving-deployment.yaml
// and hpa-config.yaml (with :latest pinned), plus a GPU variant.
describe('examples/model-serving.ts', () => {
  const app = new App({ outdir: '/dev/null' });
  build(app);
  const manifests = app.charts[0].toJson();

  test('every object is schema-valid and restricted-compliant', () => {
    validateManifests(manifests);
    assertRestricted(manifests);
  });

  test('the guide\'s ml-model-serving Deployment', () => {
    const d = findObject(manifests, 'Deployment', 'ml-model-serving');
    expect(d.spec.template.metadata.labels.app).toBe('ml-model');
    const c = d.spec.template.spec.containers[0];
    expect(c.name).toBe('model-server');
    expect(c.ports[0].containerPort).toBe(8080);
    expect(c.resources).toEqual({ requests: { cpu: '1', memory: '2048Mi' }, limits: { cpu: '2', memory: '4096Mi' } });
    expect(c.livenessProbe.httpGet).toMatchObject({ path: '/health', port: 8080 });
    expect(c.readinessProbe.httpGet).toMatchObject({ path: '/ready', port: 8080 });
  });

  test('the guide\'s ml-model-hpa', () => {
    const hpa = findObject(manifests, 'HorizontalPodAutoscaler', 'ml-model-hpa');
    expect(hpa.spec).toMatchObject({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'ml-model-serving' },
      minReplicas: 2,
      maxReplicas: 20,
    });
    expect(hpa.spec.metrics.map((m: any) => [m.resource.name, m.resource.target.averageUtilization])).toEqual([['cpu', 70], ['memory', 80]]);
  });

  test('the GPU variant requests a GPU and loads its model before starting', () => {
    const d = findObject(manifests, 'Deployment', 'llm-gpu');
    expect(d.spec.template.spec.containers[0].resources.limits['nvidia.com/gpu']).toBe('1');
    expect(d.spec.template.spec.initContainers[0].args[0]).toBe('s3://models/llama-3-8b');
  });
});
