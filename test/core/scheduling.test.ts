import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import * as fc from 'fast-check';
import { MlModelServing, NodeSelectorOperator, SchedulableWorkload, SpotNodePool } from '../../src';
import { Placement } from '../../src/core/scheduling';
import { findObject, synthAndValidate } from '../util';

const SPOT = { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot'] };

function requiredTerms(spec: any): any[] {
  return spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms;
}

describe('Placement', () => {
  test('renders tolerations, ANDed requirements and preferences into a pod spec', () => {
    const placement = new Placement(new Chart(Testing.app(), 'c'));
    placement.tolerate({ key: 'spot', value: 'true', effect: kplus.TaintEffect.NO_SCHEDULE });
    placement.tolerate({ key: 'nvidia.com/gpu' });
    placement.tolerate({ key: 'nvidia.com/gpu' });
    placement.requireNodes([{ key: 'a', operator: NodeSelectorOperator.IN, values: ['1'] }]);
    placement.requireNodes([{ key: 'b', operator: NodeSelectorOperator.EXISTS }]);
    placement.preferNodes(30, [{ key: 'c', operator: NodeSelectorOperator.NOT_IN, values: ['x'] }]);
    const spec: any = {};
    placement._renderInto(spec);
    expect(spec.tolerations).toEqual([
      { key: 'spot', operator: 'Equal', value: 'true', effect: 'NoSchedule' },
      { key: 'nvidia.com/gpu', operator: 'Exists' },
    ]);
    expect(spec.affinity).toEqual({
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: 'a', operator: 'In', values: ['1'] }, { key: 'b', operator: 'Exists' }] }],
        },
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 30, preference: { matchExpressions: [{ key: 'c', operator: 'NotIn', values: ['x'] }] } },
        ],
      },
    });
  });

  test('a preference weight outside 1..100 is refused, never turned into a requirement', () => {
    const c = new Chart(Testing.app(), 'c');
    const server = new MlModelServing(c, 'bert', { image: 'ml-model:v1' });
    expect(() => server.preferNodes(0, [{ key: 'a', operator: NodeSelectorOperator.EXISTS }]))
      .toThrow("MlModelServing 'c/bert': preferNodes weight (0) must be between 1 and 100");
  });

  test('SchedulableWorkload adapts any cdk8s-plus workload, rendered after conversion', () => {
    const chart = new Chart(Testing.app(), 'c');
    const job = new kplus.Job(chart, 'job', { containers: [{ image: 'x:1' }] });
    const target = SchedulableWorkload.of(job);
    expect(SchedulableWorkload.of(job)).toBe(target);
    target.tolerate({ key: 'spot', value: 'true', effect: kplus.TaintEffect.NO_SCHEDULE });
    target.requireNodes([{ key: 'a', operator: NodeSelectorOperator.GT, values: ['3'] }]);
    target.preferNodes(10, [{ key: 'c', operator: NodeSelectorOperator.DOES_NOT_EXIST }]);
    const spec = Testing.synth(chart)[0].spec.template.spec;
    expect(spec.tolerations).toEqual([{ key: 'spot', operator: 'Equal', value: 'true', effect: 'NoSchedule' }]);
    expect(requiredTerms(spec)).toEqual([{ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['3'] }] }]);
    expect(spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0])
      .toEqual({ weight: 10, preference: { matchExpressions: [{ key: 'c', operator: 'DoesNotExist' }] } });
  });

  test("a server's GPU model and a pool's requirements share one term; tolerations added once", () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'ml' });
    const server = new MlModelServing(chart, 'bert', { image: 'ml-model:v1', gpus: { count: 1, product: 'A100' } });
    // The pool declares the product label: Karpenter launches only for labels it knows.
    const pool = new SpotNodePool(chart, 'spot', {
      gpu: { maxGpus: 8 }, requirements: [{ key: 'nvidia.com/gpu.product', operator: NodeSelectorOperator.IN, values: ['A100'] }],
    });
    pool.schedule(server);
    const spec = findObject(synthAndValidate(chart), 'Deployment').spec.template.spec;
    expect(requiredTerms(spec)).toHaveLength(1);
    expect(requiredTerms(spec)[0].matchExpressions).toEqual(expect.arrayContaining([
      { key: 'nvidia.com/gpu.product', operator: 'In', values: ['A100'] }, SPOT,
    ]));
    const gpuTolerations = spec.tolerations.filter((t: any) => t.key === 'nvidia.com/gpu');
    expect(gpuTolerations).toHaveLength(1);
  });

  // Kubernetes ORs required terms: a pool's requirements must be in EVERY term, or
  // pods could land on any node matching the user's own term, outside the pool.
  test.each(['user first', 'pool first'])("user scheduling.attract() and pool.schedule() in either order (%s): the pool's requirements are in every term", order => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'ml' });
    const server = new MlModelServing(chart, 'bert', { image: 'ml-model:v1' });
    const pool = new SpotNodePool(chart, 'spot');
    const userTerms = () => {
      server.deployment.scheduling.attract(kplus.Node.labeled(kplus.NodeLabelQuery.is('zone-tier', 'gold')));
      server.deployment.scheduling.attract(kplus.Node.labeled(kplus.NodeLabelQuery.is('zone-tier', 'silver')));
    };
    if (order === 'user first') { userTerms(); pool.schedule(server); } else { pool.schedule(server); userTerms(); }
    const terms = requiredTerms(findObject(synthAndValidate(chart), 'Deployment').spec.template.spec);
    expect(terms).toHaveLength(2);
    for (const term of terms) expect(term.matchExpressions).toContainEqual(SPOT);
    expect(terms.map(t => t.matchExpressions.find((e: any) => e.key === 'zone-tier').values[0]).sort()).toEqual(['gold', 'silver']);
  });

  test('property: every required requirement holds in every rendered term, whatever the number of user terms', () => {
    const req = fc.record({ key: fc.constantFrom('a', 'b', 'c', 'd'), value: fc.constantFrom('1', '2') });
    const userTermLists = fc.array(fc.array(req, { minLength: 1, maxLength: 3 }), { maxLength: 3 });
    fc.assert(fc.property(fc.array(req, { maxLength: 4 }), userTermLists, (ours, userTerms) => {
      const placement = new Placement(new Chart(Testing.app(), 'c'));
      ours.forEach(r => placement.requireNodes([{ key: r.key, operator: NodeSelectorOperator.IN, values: [r.value] }]));
      const spec: any = userTerms.length === 0 ? {} : {
        affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: userTerms.map(t => ({ matchExpressions: t.map(r => ({ key: r.key, operator: 'In', values: [r.value] })) })) } } },
      };
      placement._renderInto(spec);
      const terms = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
      if (ours.length === 0) return terms.length === userTerms.length;
      return terms.length === Math.max(userTerms.length, 1) && terms.every((t: any) =>
        ours.every(r => t.matchExpressions.some((e: any) => e.key === r.key && e.values[0] === r.value)));
    }));
  });
});
