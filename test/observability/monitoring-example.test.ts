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

  test('the guide\'s four dashboards, plus one for bert, all in Grafana\'s namespace', () => {
    const titles = (m: any[]) => findObjects(m, 'ConfigMap').filter((c: any) => c.metadata.labels?.grafana_dashboard === '1').map((c: any) => c.metadata.name);
    expect(titles(monitoringManifests)).toEqual([
      'ml-cluster-overview', 'ml-application-metrics', 'ml-model-metrics', 'ml-resource-utilization', 'bert-dashboard',
    ]);
    expect(titles(servingManifests)).toEqual([]);
  });

  test('each mode is wired: annotations, ServiceMonitor, PodMonitor + KEDA, rules', () => {
    const scrapeAnnotation = (name: string) => findObject(servingManifests, 'Deployment', name).spec.template.metadata.annotations?.['prometheus.io/scrape'];
    expect(scrapeAnnotation('sentiment')).toBe('true');
    // One scraper each: the monitor and scrape-config modes turned the annotation off.
    expect(scrapeAnnotation('bert')).toBeUndefined();
    expect(scrapeAnnotation('reranker')).toBeUndefined();
    expect(scrapeAnnotation('llm')).toBeUndefined();
    expect(findObject(servingManifests, 'ServiceMonitor', 'bert').metadata.labels.release).toBe('kube-prometheus-stack');
    expect(findObject(servingManifests, 'PodMonitor', 'llm').spec.podMetricsEndpoints[0].port).toBe('http');
    expect(findObject(servingManifests, 'ScaledObject', 'llm').spec.scaleTargetRef.name).toBe('llm');
    expect(findObjects(servingManifests, 'HorizontalPodAutoscaler').map((h: any) => h.metadata.name).sort()).toEqual(['bert', 'reranker', 'sentiment']);
    expect(findObjects(servingManifests, 'PrometheusRule').map((r: any) => r.metadata.name).sort()).toEqual(['bert', 'llm']);
    const llmErrors = findObject(servingManifests, 'PrometheusRule', 'llm').spec.groups[0].rules.find((r: any) => r.alert === 'ModelServerHighErrorRatio');
    expect(llmErrors.expr).toContain('status=~"5.."');
  });

  promtoolTest('promtool accepts the example\'s prometheus.yml and rules', (promtool) => {
    expect(runPromtool(promtool, ['check', 'config', 'prometheus.yml'], { 'prometheus.yml': withHttpSd(yml) }).output).toContain('SUCCESS');
    const groups = findObjects(servingManifests, 'PrometheusRule').flatMap((r: any) => r.spec.groups);
    const result = runPromtool(promtool, ['check', 'rules', 'rules.yml'], { 'rules.yml': { groups } });
    expect(result.output).toContain('SUCCESS: 10 rules found');
  });
});
