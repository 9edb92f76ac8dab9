import { Chart, Size, Testing } from 'cdk8s';
import { MlModelServing, MlModelServingProps, ServingRuntime, ServingScaledObject, ServingScaledObjectProps, ServingScaling } from '../../src';
import { findObject, synthAndValidate } from '../util';
import { exprsAsRuleFile, promtoolTest, runPromtool } from './util/promtool';

const GPU = { gpus: { count: 1 }, resources: { memory: { request: Size.gibibytes(32), limit: Size.gibibytes(32) } } };

function setup(servingProps: Partial<MlModelServingProps>, props: Partial<ServingScaledObjectProps> = {}) {
  const chart = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
  const serving = new MlModelServing(chart, 'llm', { scaling: ServingScaling.external({ minReplicas: 1, maxReplicas: 8 }), ...servingProps });
  const scaled = new ServingScaledObject(chart, 'keda', { serving, ...props });
  return { scaled, so: findObject(synthAndValidate(chart), 'ScaledObject', 'llm') };
}

describe('ServingScaledObject with a serving runtime', () => {
  test('a GPU vLLM server scales on its queue depth per replica by default', () => {
    const { so, scaled } = setup({ runtime: ServingRuntime.vllm({ model: 'org/model' }), ...GPU });
    expect(so.spec.triggers[0].metadata).toMatchObject({
      query: 'sum(vllm:num_requests_waiting{namespace="ml",pod=~"llm-[a-z0-9]+-[a-z0-9]+"})',
      threshold: '5',
    });
    expect(scaled.query).toContain('vllm:num_requests_waiting');
  });

  test('the runtime queue target and a user threshold', () => {
    expect(setup({ runtime: ServingRuntime.tgi({ modelId: 'org/m', queueTarget: 3 }), ...GPU }).so.spec.triggers[0].metadata.threshold).toBe('3');
    expect(setup({ runtime: ServingRuntime.vllm({ model: 'org/m' }), ...GPU }, { threshold: 8 }).so.spec.triggers[0].metadata.threshold).toBe('8');
  });

  test('CPU servers keep the request rate and need a threshold', () => {
    expect(() => setup({ runtime: ServingRuntime.mlserver({ modelsDir: '/models' }) })).toThrow(
      "ServingScaledObject 'prod/keda': threshold is required unless the server is a GPU server whose runtime recommends a scaling signal");
    const { so } = setup({ runtime: ServingRuntime.mlserver({ modelsDir: '/models' }) }, { threshold: 20 });
    expect(so.spec.triggers[0].metadata.query).toContain('rate(model_infer_request_success');
  });

  promtoolTest('the queue queries are valid PromQL', promtool => {
    const queries = [
      setup({ runtime: ServingRuntime.vllm({ model: 'org/m' }), ...GPU }).scaled.query,
      setup({ runtime: ServingRuntime.tgi({ modelId: 'org/m' }), ...GPU }).scaled.query,
      setup({ runtime: ServingRuntime.triton({ modelRepository: '/models' }), ...GPU }).scaled.query,
    ];
    const result = runPromtool(promtool, ['check', 'rules', 'queries.yml'], { 'queries.yml': exprsAsRuleFile(queries) });
    expect(result.output).toContain('SUCCESS');
    expect(result.ok).toBe(true);
  });
});
