import { Chart, Size, Testing } from 'cdk8s';
import { MlModelServing, MlModelServingProps, ModelServingDashboard, ModelSource, ServingRuntime } from '../../src';
import { findObjects, synthAndValidate } from '../util';
import { exprsAsRuleFile, promtoolTest, runPromtool } from './util/promtool';

const GPU = { gpus: { count: 1 }, resources: { memory: { request: Size.gibibytes(32), limit: Size.gibibytes(32) } } };

function dashboard(servingProps: Partial<MlModelServingProps>): any {
  const chart = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
  const serving = new MlModelServing(chart, 'llm', { model: ModelSource.fromPersistentVolumeClaim('weights'), ...GPU, ...servingProps });
  new ModelServingDashboard(chart, 'dashboard', { serving });
  const [cm] = findObjects(synthAndValidate(chart), 'ConfigMap').filter((c: any) => c.metadata.labels?.grafana_dashboard === '1');
  return JSON.parse(Object.values(cm.data)[0] as string);
}

const titles = (json: any) => json.panels.map((p: any) => p.title);
const exprs = (json: any): string[] => json.panels.flatMap((p: any) => p.targets.map((t: any) => t.expr))
  .filter((e: string) => !/^[0-9]+$/.test(e))
  .map((e: string) => e.replace(/\$__rate_interval/g, '5m').replace(/\$namespace/g, 'ml'));

describe('ModelServingDashboard per runtime', () => {
  const vllm = dashboard({ runtime: ServingRuntime.vllm() });
  const triton = dashboard({ runtime: ServingRuntime.triton() });

  test('vLLM: TTFT, tokens per second, queue, KV cache, GPU; on its own metric names', () => {
    expect(titles(vllm)).toEqual(expect.arrayContaining(['Request latency', 'Time to first token', 'Tokens per second', 'Queue', 'KV-cache usage']));
    expect(titles(vllm)).not.toContain('Inference latency');
    const all = exprs(vllm).join('\n');
    expect(all).toContain('vllm:time_to_first_token_seconds_bucket');
    expect(all).toContain('vllm:generation_tokens_total');
    expect(all).toContain('vllm:num_requests_waiting');
    expect(all).toContain('vllm:kv_cache_usage_perc');
    expect(all).toContain('DCGM_FI_DEV_GPU_UTIL');
  });

  test('Triton: no latency histogram panels, error ratio from the failure counter', () => {
    expect(titles(triton)).not.toContain('Request latency');
    expect(titles(triton)).toContain('Queue');
    expect(exprs(triton).join('\n')).toContain('nv_inference_request_failure');
  });

  promtoolTest('every query parses (promtool)', (promtool) => {
    const all = [...exprs(vllm), ...exprs(triton), ...exprs(dashboard({ runtime: ServingRuntime.tgi({ modelId: 'org/m' }) }))];
    const result = runPromtool(promtool, ['check', 'rules', 'rules.yml'], { 'rules.yml': exprsAsRuleFile(all) });
    expect(result.output).toContain(`SUCCESS: ${all.length} rules found`);
  });
});
