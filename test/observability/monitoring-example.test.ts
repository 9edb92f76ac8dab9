import { App } from 'cdk8s';
import { parse } from 'yaml';
import { build } from '../../examples/monitoring';
import { findObject, findObjects, synthAndValidate } from '../util';
import { promtoolTest, runPromtool, withHttpSd } from './util/promtool';

describe('examples/monitoring.ts', () => {
  const app = new App({ outdir: '/dev/null' });
  build(app);
  const [monitoring, serving] = app.charts;
  const monitoringManifests = synthAndValidate(monitoring);
  const servingManifests = synthAndValidate(serving);
  const yml = parse(findObject(monitoringManifests, 'ConfigMap', 'prometheus-config').data['prometheus.yml']);

  test('the guide\'s prometheus-config, with the scrape-config job of the reranker', () => {
    expect(yml.global.scrape_interval).toBe('15s');
    expect(yml.scrape_configs.map((j: any) => j.job_name)).toEqual(['kubernetes-pods', 'ml/reranker']);
  });

  test('the guide\'s four dashboards, plus one for bert', () => {
    const titles = (m: any[]) => findObjects(m, 'ConfigMap').filter((c: any) => c.metadata.labels?.grafana_dashboard === '1').length;
    expect(titles(monitoringManifests)).toBe(4);
    expect(titles(servingManifests)).toBe(1);
  });

  test('each mode is wired: annotations, ServiceMonitor, PodMonitor + KEDA, rules', () => {
    expect(findObject(servingManifests, 'Deployment', 'sentiment').spec.template.metadata.annotations['prometheus.io/scrape']).toBe('true');
    expect(findObject(servingManifests, 'ServiceMonitor', 'bert').metadata.labels.release).toBe('kube-prometheus-stack');
    expect(findObject(servingManifests, 'PodMonitor', 'llm').spec.podMetricsEndpoints[0].port).toBe('http');
    expect(findObject(servingManifests, 'ScaledObject', 'llm').spec.scaleTargetRef.name).toBe('llm');
    expect(findObjects(servingManifests, 'HorizontalPodAutoscaler').map((h: any) => h.metadata.name).sort()).toEqual(['bert', 'reranker', 'sentiment']);
    expect(findObjects(servingManifests, 'PrometheusRule').map((r: any) => r.metadata.name).sort()).toEqual(['bert', 'llm']);
  });

  promtoolTest('promtool accepts the example\'s prometheus.yml and rules', (promtool) => {
    expect(runPromtool(promtool, ['check', 'config', 'prometheus.yml'], { 'prometheus.yml': withHttpSd(yml) }).output).toContain('SUCCESS');
    const groups = findObjects(servingManifests, 'PrometheusRule').flatMap((r: any) => r.spec.groups);
    const result = runPromtool(promtool, ['check', 'rules', 'rules.yml'], { 'rules.yml': { groups } });
    expect(result.output).toContain('SUCCESS: 10 rules found');
  });
});
