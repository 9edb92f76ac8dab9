import { App } from 'cdk8s';
import { build } from '../../examples/composition';
import { findObject, findObjects, validateManifests } from '../util';

// The README's composition example, wired by intent: every fact is declared once.
describe('composition: a canaried server on spot, scraped, alerted, scaled by KEDA', () => {
  const app = new App();
  build(app);
  const manifests = app.charts[0].toJson();
  validateManifests(manifests);

  test("both tracks carry the spot pool's requirement in every required term, and its toleration", () => {
    for (const d of findObjects(manifests, 'Deployment')) {
      const spec = d.spec.template.spec;
      for (const term of spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms) {
        expect(term.matchExpressions).toContainEqual({ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot'] });
      }
      expect(spec.tolerations.map((t: any) => t.key)).toContain('nvidia.com/gpu');
    }
  });

  test('one scrape path per track: a PodMonitor each, no prometheus.io annotations left', () => {
    expect(findObjects(manifests, 'PodMonitor')).toHaveLength(2);
    for (const d of findObjects(manifests, 'Deployment')) {
      expect(Object.keys(d.spec.template.metadata.annotations ?? {}).filter(k => k.startsWith('prometheus.io/'))).toEqual([]);
    }
  });

  test("KEDA replaced the stable track's HPA; each track's alerts name the HPA that really scales it", () => {
    const hpas = findObjects(manifests, 'HorizontalPodAutoscaler').map(h => h.metadata.name);
    expect(hpas).toEqual(['llm-canary']);
    const atMax = (name: string) => findObject(manifests, 'PrometheusRule', name).spec.groups[0].rules.find((r: any) => r.alert === 'ModelServerReplicasAtMax');
    expect(atMax('llm-stable').expr).toContain('horizontalpodautoscaler="keda-hpa-llm-stable"');
    expect(atMax('llm-canary').expr).toContain('horizontalpodautoscaler="llm-canary"');
  });

  test("the server's declared metric names reach KEDA and the alerts", () => {
    expect(findObject(manifests, 'ScaledObject').spec.triggers[0].metadata.query).toContain('vllm:request_success_total{');
    const latency = findObject(manifests, 'PrometheusRule', 'llm-stable').spec.groups[0].rules.find((r: any) => r.alert === 'ModelServerHighP99Latency');
    expect(latency.expr).toContain('vllm:e2e_request_latency_seconds_bucket{');
  });

  test('the preStop sleep (Kubernetes 1.30+) survives the 1.27 converter', () => {
    for (const d of findObjects(manifests, 'Deployment')) {
      expect(d.spec.template.spec.containers[0].lifecycle).toEqual({ preStop: { sleep: { seconds: 10 } } });
    }
  });
});
