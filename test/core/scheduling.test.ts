import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { NodeSelectorOperator, PodPlacement, SchedulableWorkload } from '../../src';
import { applyGpus } from '../../src/core/resources';

describe('scheduling', () => {
  test('PodPlacement renders tolerations and node affinity for raw pod templates', () => {
    const placement = new PodPlacement();
    expect(placement._renderTolerations()).toBeUndefined();
    expect(placement._renderAffinity()).toBeUndefined();
    placement.tolerate({ key: 'spot', value: 'true', effect: kplus.TaintEffect.NO_SCHEDULE });
    placement.tolerate({ key: 'nvidia.com/gpu' });
    placement.requireNodes([{ key: 'a', operator: NodeSelectorOperator.IN, values: ['1'] }]);
    placement.requireNodes([{ key: 'b', operator: NodeSelectorOperator.EXISTS }]);
    placement.preferNodes(30, [{ key: 'c', operator: NodeSelectorOperator.NOT_IN, values: ['x'] }]);
    expect(placement._renderTolerations()).toEqual([
      { key: 'spot', operator: 'Equal', value: 'true', effect: 'NoSchedule' },
      { key: 'nvidia.com/gpu', operator: 'Exists' },
    ]);
    expect(placement._renderAffinity()).toEqual({
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

  test('SchedulableWorkload renders the same through cdk8s-plus', () => {
    const chart = new Chart(Testing.app(), 'c');
    const job = new kplus.Job(chart, 'job', { containers: [{ image: 'x:1' }] });
    const target = SchedulableWorkload.of(job);
    target.tolerate({ key: 'spot', value: 'true', effect: kplus.TaintEffect.NO_SCHEDULE });
    target.requireNodes([{ key: 'a', operator: NodeSelectorOperator.GT, values: ['3'] }]);
    target.preferNodes(10, [{ key: 'c', operator: NodeSelectorOperator.DOES_NOT_EXIST }]);
    const spec = Testing.synth(chart)[0].spec.template.spec;
    expect(spec.tolerations).toEqual([{ key: 'spot', operator: 'Equal', value: 'true', effect: 'NoSchedule' }]);
    expect(spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions)
      .toEqual([{ key: 'a', operator: 'Gt', values: ['3'] }]);
    expect(spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0])
      .toEqual({ weight: 10, preference: { matchExpressions: [{ key: 'c', operator: 'DoesNotExist' }] } });
  });

  test('required node requirements from every caller are ANDed into one term; tolerations added once', () => {
    const chart = new Chart(Testing.app(), 'c');
    const deployment = new kplus.Deployment(chart, 'd', { containers: [{ image: 'x:1' }] });
    applyGpus(deployment, 0, { count: 1, product: 'A100' });
    const target = SchedulableWorkload.of(deployment);
    expect(SchedulableWorkload.of(deployment)).toBe(target);
    target.requireNodes([{ key: 'karpenter.sh/capacity-type', operator: NodeSelectorOperator.IN, values: ['spot'] }]);
    target.requireNodes([{ key: 'kubernetes.io/arch', operator: NodeSelectorOperator.IN, values: ['amd64'] }]);
    target.tolerate({ key: 'nvidia.com/gpu', effect: kplus.TaintEffect.NO_SCHEDULE });
    const spec = Testing.synth(chart)[0].spec.template.spec;
    // One term: Kubernetes ORs terms, so separate ones would admit spot nodes of any GPU model.
    expect(spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toEqual([{
      matchExpressions: [
        { key: 'nvidia.com/gpu.product', operator: 'In', values: ['A100'] },
        { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot'] },
        { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] },
      ],
    }]);
    expect(spec.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
  });

  test('PodPlacement adds each toleration once', () => {
    const placement = new PodPlacement();
    placement.tolerate({ key: 'spot', value: 'true' });
    placement.tolerate({ key: 'spot', value: 'true' });
    expect(placement._renderTolerations()).toHaveLength(1);
  });
});
