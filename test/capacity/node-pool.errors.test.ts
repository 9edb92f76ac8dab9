import { Chart, Cron, Duration, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import * as fc from 'fast-check';
import {
  CapacityType, ConsolidationPolicy, DisruptionReason, GpuNodePool, KarpenterNodePool, MlModelServing,
  NodePoolAffinity, NodePoolRequirement, NodeSelectorOperator, SpotNodePool,
} from '../../src';
import { validateRequirement } from '../../src/capacity/node-pool-requirement';
import { isQuantity } from '../../src/capacity/quantity';
import { findObject } from '../util';

function chart(): Chart {
  return new Chart(Testing.app(), 'prod', { namespace: 'ml' });
}

describe('Karpenter node pool errors', () => {
  const requirementCases: Array<[string, NodePoolRequirement, string]> = [
    ['empty In values', { key: 'team', operator: NodeSelectorOperator.IN, values: [] },
      "SpotNodePool 'prod/spot': requirements[0] (team In) has no values: In and NotIn need at least one"],
    ['In without values', { key: 'team', operator: NodeSelectorOperator.IN },
      "SpotNodePool 'prod/spot': requirements[0] (team In) has no values: In and NotIn need at least one"],
    ['empty NotIn values', { key: 'team', operator: NodeSelectorOperator.NOT_IN, values: [] },
      "SpotNodePool 'prod/spot': requirements[0] (team NotIn) has no values: In and NotIn need at least one"],
    ['an empty string value', { key: 'team', operator: NodeSelectorOperator.IN, values: ['a', ''] },
      "SpotNodePool 'prod/spot': requirements[0] (team In) has an empty value"],
    ['unknown operator', { key: 'team', operator: 'Like' as NodeSelectorOperator, values: ['a'] },
      "SpotNodePool 'prod/spot': requirements[0].operator ('Like') is not a known operator; use one of In, NotIn, Exists, DoesNotExist, Gt, Lt"],
    ['Exists with values', { key: 'team', operator: NodeSelectorOperator.EXISTS, values: ['a'] },
      "SpotNodePool 'prod/spot': requirements[0] (team Exists) takes no values, got [a]"],
    ['Gt with two values', { key: 'karpenter.k8s.aws/instance-generation', operator: NodeSelectorOperator.GT, values: ['5', '6'] },
      "SpotNodePool 'prod/spot': requirements[0] (karpenter.k8s.aws/instance-generation Gt) needs exactly one non-negative integer value, got [5, 6]"],
    ['Lt with a non-integer', { key: 'karpenter.k8s.aws/instance-cpu', operator: NodeSelectorOperator.LT, values: ['lots'] },
      "SpotNodePool 'prod/spot': requirements[0] (karpenter.k8s.aws/instance-cpu Lt) needs exactly one non-negative integer value, got [lots]"],
    ['an invalid value', { key: 'team', operator: NodeSelectorOperator.IN, values: ['a b'] },
      "SpotNodePool 'prod/spot': requirements[0] (team In) value 'a b' is not a valid label value"],
    ['duplicate values', { key: 'team', operator: NodeSelectorOperator.IN, values: ['a', 'a'] },
      "SpotNodePool 'prod/spot': requirements[0] (team In) has duplicate values [a, a]"],
    ['an invalid key', { key: 'not a key', operator: NodeSelectorOperator.EXISTS },
      "SpotNodePool 'prod/spot': requirements[0].key ('not a key') is not a valid label key: an optional DNS subdomain prefix and '/', then a name of at most 63 alphanumerics, '-', '_' or '.'"],
    ['a restricted karpenter.sh key', { key: 'karpenter.sh/nodepool', operator: NodeSelectorOperator.EXISTS },
      "SpotNodePool 'prod/spot': requirements[0].key ('karpenter.sh/nodepool') is set by Karpenter on every node of the pool"],
    ['the karpenter.sh domain', { key: 'karpenter.sh/other', operator: NodeSelectorOperator.EXISTS },
      "SpotNodePool 'prod/spot': requirements[0].key ('karpenter.sh/other') is in the restricted label domain \"karpenter.sh\""],
    ['the hostname', { key: 'kubernetes.io/hostname', operator: NodeSelectorOperator.EXISTS },
      "SpotNodePool 'prod/spot': requirements[0].key ('kubernetes.io/hostname') is restricted by Karpenter"],
    ['minValues above the values', { key: 'node.kubernetes.io/instance-type', operator: NodeSelectorOperator.IN, values: ['a', 'b'], minValues: 3 },
      "SpotNodePool 'prod/spot': requirements[0] (node.kubernetes.io/instance-type In).minValues (3) exceeds the 2 value(s) given"],
    ['minValues on NotIn', { key: 'team', operator: NodeSelectorOperator.NOT_IN, values: ['a'], minValues: 1 },
      "SpotNodePool 'prod/spot': requirements[0] (team NotIn).minValues applies to In requirements only"],
    ['minValues out of range', { key: 'team', operator: NodeSelectorOperator.IN, values: ['a'], minValues: 0 },
      "SpotNodePool 'prod/spot': requirements[0] (team In).minValues (0) must be an integer between 1 and 50"],
  ];
  test.each(requirementCases)('requirement: %s', (_name, requirement, message) => {
    expect(() => new SpotNodePool(chart(), 'spot', { requirements: [requirement] })).toThrow(message);
  });

  test('a requirement duplicating a prop', () => {
    expect(() => new SpotNodePool(chart(), 'spot', {
      zones: ['eu-west-1a'],
      requirements: [{ key: 'topology.kubernetes.io/zone', operator: NodeSelectorOperator.IN, values: ['eu-west-1b'] }],
    })).toThrow("SpotNodePool 'prod/spot': requirements constrain 'topology.kubernetes.io/zone' twice (from a prop and from requirements); give it once");
  });

  test('empty requirement props', () => {
    expect(() => new SpotNodePool(chart(), 'spot', { zones: [] }))
      .toThrow("SpotNodePool 'prod/spot': zones is empty: leave it out to allow any topology.kubernetes.io/zone, or give at least one value");
    expect(() => new SpotNodePool(chart(), 'spot', { instanceTypes: [] }))
      .toThrow("SpotNodePool 'prod/spot': instanceTypes is empty: leave it out to allow any node.kubernetes.io/instance-type, or give at least one value");
    expect(() => new SpotNodePool(chart(), 'spot', { architectures: [] }))
      .toThrow("SpotNodePool 'prod/spot': architectures is empty: leave it out to allow any kubernetes.io/arch, or give at least one value");
  });

  test('an on-demand-only pool named spot', () => {
    expect(() => new SpotNodePool(chart(), 'spot', {
      requirements: [{ key: 'karpenter.sh/capacity-type', operator: NodeSelectorOperator.IN, values: ['on-demand'] }],
    })).toThrow("SpotNodePool 'prod/spot': requirements[0] (karpenter.sh/capacity-type In [on-demand]) would make this spot pool on-demand only: a pool named spot must allow spot (set onDemandFallback for spot with on-demand fallback, or use a KarpenterNodePool for on-demand capacity)");
    expect(() => new SpotNodePool(chart(), 'spot', {
      requirements: [{ key: 'karpenter.sh/capacity-type', operator: NodeSelectorOperator.NOT_IN, values: ['spot'] }],
    })).toThrow('would make this spot pool on-demand only');
    expect(() => new KarpenterNodePool(chart(), 'gpu-spot', { capacityTypes: [CapacityType.ON_DEMAND] }))
      .toThrow("KarpenterNodePool 'prod/gpu-spot': capacityTypes ([on-demand]) make an on-demand-only pool, but its name ('gpu-spot') says spot: allow CapacityType.SPOT (or use a SpotNodePool), or rename the pool");
    expect(() => new GpuNodePool(chart(), 'gpu', { name: 'spot-gpu', maxGpus: 4 }))
      .toThrow("GpuNodePool 'prod/gpu': capacityTypes ([on-demand]) make an on-demand-only pool, but its name ('spot-gpu') says spot");
    // names that merely contain the letters are fine
    expect(() => new KarpenterNodePool(chart(), 'spotless', { capacityTypes: [CapacityType.ON_DEMAND] })).not.toThrow();
  });

  test('a capacity-type requirement where capacityTypes say it', () => {
    expect(() => new KarpenterNodePool(chart(), 'pool', {
      capacityTypes: [CapacityType.SPOT],
      requirements: [{ key: 'karpenter.sh/capacity-type', operator: NodeSelectorOperator.IN, values: ['spot'] }],
    })).toThrow("KarpenterNodePool 'prod/pool': requirements[0] (karpenter.sh/capacity-type) is set by the pool from its capacity types; do not repeat it in requirements");
  });

  test('bad capacity types', () => {
    expect(() => new KarpenterNodePool(chart(), 'pool', { capacityTypes: [] }))
      .toThrow("KarpenterNodePool 'prod/pool': capacityTypes is empty: give at least one of spot, on-demand");
    expect(() => new KarpenterNodePool(chart(), 'pool', { capacityTypes: ['reserved' as CapacityType] }))
      .toThrow("KarpenterNodePool 'prod/pool': capacityTypes ('reserved') must be one of spot, on-demand");
    expect(() => new KarpenterNodePool(chart(), 'pool', { capacityTypes: [CapacityType.SPOT, CapacityType.SPOT] }))
      .toThrow("KarpenterNodePool 'prod/pool': capacityTypes has duplicates [spot, spot]");
  });

  test('negative limits, and a GPU resource name that is not one', () => {
    expect(() => new SpotNodePool(chart(), 'spot', { limits: { cpu: kplus.Cpu.units(-1) } }))
      .toThrow("SpotNodePool 'prod/spot': limits.cpu (-1) must be a non-negative quantity");
    expect(() => new SpotNodePool(chart(), 'spot', { limits: { cpu: kplus.Cpu.millis(-500), memory: Size.gibibytes(64) } }))
      .toThrow("SpotNodePool 'prod/spot': limits.cpu (-500m) must be a non-negative quantity");
    expect(() => new GpuNodePool(chart(), 'gpu', { maxGpus: 8, resourceName: 'not a resource', gpuTaint: false }))
      .toThrow("GpuNodePool 'prod/gpu': limits key ('not a resource') is not a resource name such as 'cpu', 'memory' or 'nvidia.com/gpu'");
  });

  test('bad names, weights, labels, node classes', () => {
    expect(() => new SpotNodePool(chart(), 'Spot_Pool')).toThrow("SpotNodePool 'prod/Spot_Pool': name ('Spot_Pool') must be a valid RFC 1123 DNS label");
    expect(() => new SpotNodePool(chart(), 'spot', { weight: 0 })).toThrow("SpotNodePool 'prod/spot': weight (0) must be between 1 and 100");
    expect(() => new SpotNodePool(chart(), 'spot', { weight: 101 })).toThrow("SpotNodePool 'prod/spot': weight (101) must be between 1 and 100");
    expect(() => new SpotNodePool(chart(), 'spot', { labels: { 'karpenter.sh/capacity-type': 'spot' } }))
      .toThrow("SpotNodePool 'prod/spot': labels['karpenter.sh/capacity-type'] is set by Karpenter from the capacity types");
    expect(() => new SpotNodePool(chart(), 'spot', { labels: { 'kubernetes.io/hostname': 'x' } }))
      .toThrow("SpotNodePool 'prod/spot': labels['kubernetes.io/hostname'] is restricted by Karpenter");
    expect(() => new SpotNodePool(chart(), 'spot', { labels: { team: 'a b' } }))
      .toThrow("SpotNodePool 'prod/spot': labels['team'] ('a b') must be a valid label value");
    expect(() => new SpotNodePool(chart(), 'spot', { nodeClass: { name: '' } }))
      .toThrow("SpotNodePool 'prod/spot': nodeClass.name must not be empty");
    expect(() => new SpotNodePool(chart(), 'spot', { nodeClass: { name: 'gpu', group: '' } }))
      .toThrow("SpotNodePool 'prod/spot': nodeClass.group must not be empty");
    expect(() => new SpotNodePool(chart(), 'spot', { nodeClass: { name: 'gpu', kind: '' } }))
      .toThrow("SpotNodePool 'prod/spot': nodeClass.kind must not be empty");
    expect(() => new SpotNodePool(chart(), 'spot', { labels: { 'not a key': 'x' } }))
      .toThrow("SpotNodePool 'prod/spot': labels key ('not a key') is not a valid label key");
    expect(() => new SpotNodePool(chart(), 'spot', { labels: { 'nodes.karpenter.sh/team': 'x' } }))
      .toThrow("SpotNodePool 'prod/spot': labels['nodes.karpenter.sh/team'] is in the restricted label domain \"karpenter.sh\"");
  });

  test('bad taints', () => {
    expect(() => new SpotNodePool(chart(), 'spot', { taints: [{ key: 'karpenter.sh/capacity-type', value: 'spot', effect: kplus.TaintEffect.NO_SCHEDULE }] }))
      .toThrow("SpotNodePool 'prod/spot': taints[0] duplicates the taint karpenter.sh/capacity-type:NoSchedule");
    expect(() => new SpotNodePool(chart(), 'spot', { taints: [{ key: 'team', effect: 'Sometimes' as kplus.TaintEffect }] }))
      .toThrow("SpotNodePool 'prod/spot': taints[0].effect ('Sometimes') is not a taint effect; use one of NoSchedule, PreferNoSchedule, NoExecute");
    expect(() => new SpotNodePool(chart(), 'spot', { taints: [{ key: 'team', value: 'a b', effect: kplus.TaintEffect.NO_SCHEDULE }] }))
      .toThrow("SpotNodePool 'prod/spot': taints[0].value ('a b') is not a valid taint value");
    expect(() => new SpotNodePool(chart(), 'spot', { taints: [{ key: '-team', effect: kplus.TaintEffect.NO_SCHEDULE }] }))
      .toThrow("SpotNodePool 'prod/spot': taints[0].key ('-team') is not a valid label key");
  });

  test('bad disruption settings', () => {
    expect(() => new SpotNodePool(chart(), 'spot', { disruption: { budgets: [{ nodes: kplus.PercentOrAbsolute.percent(150) }] } }))
      .toThrow("SpotNodePool 'prod/spot': disruption.budgets[0].nodes ('150%') must be a whole number of nodes or a percentage between 0% and 100%");
    expect(() => new SpotNodePool(chart(), 'spot', { disruption: { budgets: [{ nodes: kplus.PercentOrAbsolute.absolute(0), schedule: Cron.daily() }] } }))
      .toThrow("SpotNodePool 'prod/spot': disruption.budgets[0] must set schedule and duration together (a cron window), or neither");
    expect(() => new SpotNodePool(chart(), 'spot', { disruption: { budgets: [{ nodes: kplus.PercentOrAbsolute.absolute(0), schedule: Cron.daily(), duration: Duration.seconds(30) }] } }))
      .toThrow("SpotNodePool 'prod/spot': disruption.budgets[0].duration (30s) must be a positive whole number of minutes");
    expect(() => new SpotNodePool(chart(), 'spot', { disruption: { budgets: [{ nodes: kplus.PercentOrAbsolute.absolute(0), schedule: Cron.schedule({ weekDay: 'week days' }), duration: Duration.hours(1) }] } }))
      .toThrow("SpotNodePool 'prod/spot': disruption.budgets[0].schedule ('* * * * week days') must be a cron expression of 5 fields (minute hour day-of-month month day-of-week)");
    expect(() => new SpotNodePool(chart(), 'spot', { disruption: { budgets: [{ nodes: kplus.PercentOrAbsolute.absolute(0), schedule: Cron.schedule({ hour: '9;17' }), duration: Duration.hours(1) }] } }))
      .toThrow("SpotNodePool 'prod/spot': disruption.budgets[0].schedule ('* 9;17 * * *') must be a cron expression of 5 fields");
    expect(() => new SpotNodePool(chart(), 'spot', { disruption: { budgets: [{ nodes: kplus.PercentOrAbsolute.absolute(1), reasons: ['Bored' as DisruptionReason] }] } }))
      .toThrow("SpotNodePool 'prod/spot': disruption.budgets[0].reasons ('Bored') is not a disruption reason; use one of Underutilized, Empty, Drifted");
    expect(() => new SpotNodePool(chart(), 'spot', { disruption: { consolidationPolicy: 'Always' as ConsolidationPolicy } }))
      .toThrow("SpotNodePool 'prod/spot': disruption.consolidationPolicy ('Always') must be one of WhenEmpty, WhenEmptyOrUnderutilized, Balanced");
    expect(() => new SpotNodePool(chart(), 'spot', { expireAfter: Duration.millis(1500) }))
      .toThrow("SpotNodePool 'prod/spot': expireAfter (1.5s) must be a whole, non-negative number of seconds");
    expect(() => new SpotNodePool(chart(), 'spot', { expireAfter: Duration.days(7), neverExpire: true }))
      .toThrow("SpotNodePool 'prod/spot': neverExpire cannot be combined with expireAfter: give one");
    expect(() => new SpotNodePool(chart(), 'spot', { disruption: { consolidateAfter: Duration.minutes(1), neverConsolidate: true } }))
      .toThrow("SpotNodePool 'prod/spot': disruption.neverConsolidate cannot be combined with disruption.consolidateAfter: give one");
    expect(() => new SpotNodePool(chart(), 'spot', { disruption: { consolidateAfter: Duration.millis(100) } }))
      .toThrow("SpotNodePool 'prod/spot': disruption.consolidateAfter (0.1s) must be a whole, non-negative number of seconds");
  });

  test('bad GPU options', () => {
    expect(() => new GpuNodePool(chart(), 'gpu', { maxGpus: 0 })).toThrow("GpuNodePool 'prod/gpu': maxGpus (0) must be >= 1");
    expect(() => new GpuNodePool(chart(), 'gpu', { maxGpus: 2.5 })).toThrow("GpuNodePool 'prod/gpu': maxGpus (2.5) must be an integer");
    expect(() => new GpuNodePool(chart(), 'gpu', { maxGpus: 8, minGpusPerNode: 0 })).toThrow("GpuNodePool 'prod/gpu': minGpusPerNode (0) must be >= 1");
    expect(() => new GpuNodePool(chart(), 'gpu', { maxGpus: 8, gpuNames: [] }))
      .toThrow("GpuNodePool 'prod/gpu': gpuNames is empty: leave it out to allow any GPU model, or give at least one");
    expect(() => new GpuNodePool(chart(), 'gpu', { maxGpus: 8, instanceRequirements: [] }))
      .toThrow("GpuNodePool 'prod/gpu': instanceRequirements is empty: give the requirements that select GPU instances, or leave it out for the AWS defaults");
    expect(() => new GpuNodePool(chart(), 'gpu', { maxGpus: 8, nodeClass: { group: 'karpenter.azure.com', kind: 'AKSNodeClass', name: 'default' } }))
      .toThrow("GpuNodePool 'prod/gpu': instanceRequirements must be given for node class group 'karpenter.azure.com': the defaults use AWS instance labels (or list GPU instanceTypes)");
  });

  test('GPU options of the AWS defaults next to requirements that replace them (they would be dropped)', () => {
    const azure = { group: 'karpenter.azure.com', kind: 'AKSNodeClass', name: 'default' };
    const azureGpus: NodePoolRequirement[] = [{ key: 'karpenter.azure.com/sku-gpu-count', operator: NodeSelectorOperator.GT, values: ['0'] }];
    expect(() => new GpuNodePool(chart(), 'gpu', { maxGpus: 8, nodeClass: azure, instanceRequirements: azureGpus, gpuNames: ['a100'] }))
      .toThrow("GpuNodePool 'prod/gpu': gpuNames applies to the default AWS GPU requirements only, which are not used when instanceRequirements is given; select GPU models and sizes in instanceRequirements instead");
    expect(() => new GpuNodePool(chart(), 'gpu', { maxGpus: 8, instanceRequirements: azureGpus, nodeClass: azure, minGpusPerNode: 4 }))
      .toThrow("GpuNodePool 'prod/gpu': minGpusPerNode applies to the default AWS GPU requirements only, which are not used when instanceRequirements is given");
    expect(() => new GpuNodePool(chart(), 'gpu', { maxGpus: 8, nodeClass: azure, instanceTypes: ['Standard_NC24ads_A100_v4'], gpuNames: ['a100'] }))
      .toThrow("GpuNodePool 'prod/gpu': gpuNames applies to the default AWS GPU requirements only, which are not used for node class group 'karpenter.azure.com' (the pool selects GPU instances by instanceTypes)");
  });
});

describe('schedule() errors', () => {
  function setup() {
    const c = chart();
    const spot = new SpotNodePool(c, 'spot');
    const serving = new MlModelServing(c, 'bert', { image: 'ml-model:v1' });
    return { c, spot, serving };
  }

  test('onto a tainted pool without tolerating its taints', () => {
    const { spot, serving } = setup();
    expect(() => spot.schedule(serving, { tolerate: false }))
      .toThrow("SpotNodePool 'prod/spot': schedule() tolerate is false, but the pool's nodes carry karpenter.sh/capacity-type=spot:NoSchedule: the workload 'prod/bert' could never run there. Keep tolerate true, or schedule it onto an untainted pool");
    expect(() => spot.schedule(serving, { tolerate: false, affinity: NodePoolAffinity.preferred() }))
      .toThrow("SpotNodePool 'prod/spot': schedule() tolerate is false, but the pool's nodes carry karpenter.sh/capacity-type=spot:NoSchedule");
  });

  test('onto a GKE pool without tolerating its taint', () => {
    const c = chart();
    const gke = SpotNodePool.gke(c, 'gke');
    expect(() => gke.schedule(new MlModelServing(c, 'bert', { image: 'ml-model:v1' }), { tolerate: false }))
      .toThrow("SpotNodePool 'prod/gke': schedule() tolerate is false, but the pool's nodes carry cloud.google.com/gke-spot=true:NoSchedule");
  });

  test('PreferNoSchedule taints do not keep pods away, so tolerate false is accepted', () => {
    const c = chart();
    const pool = new SpotNodePool(c, 'spot', { spotTaint: false, taints: [{ key: 'soft', effect: kplus.TaintEffect.PREFER_NO_SCHEDULE }] });
    expect(() => pool.schedule(new MlModelServing(c, 'bert', { image: 'ml-model:v1' }), { tolerate: false })).not.toThrow();
  });

  test('required on two pools (the affinities are ANDed: no node matches both)', () => {
    const { c, spot, serving } = setup();
    const gpu = new GpuNodePool(c, 'gpu', { maxGpus: 4 });
    spot.schedule(serving);
    expect(() => gpu.schedule(serving))
      .toThrow("GpuNodePool 'prod/gpu': schedule() cannot require the workload 'prod/bert' on this pool: it is already required on 'prod/spot', and required node affinities are ANDed, so no node would match both. Use NodePoolAffinity.preferred() for one of them");
  });

  test('the same pool twice', () => {
    const { spot, serving } = setup();
    spot.schedule(serving, { affinity: NodePoolAffinity.preferred() });
    expect(() => spot.schedule(serving))
      .toThrow("SpotNodePool 'prod/spot': schedule() was already called for the workload 'prod/bert'; tolerations and affinity are in place");
  });

  test('a preferred weight out of range', () => {
    const { spot, serving } = setup();
    expect(() => spot.schedule(serving, { affinity: NodePoolAffinity.preferred(0) }))
      .toThrow("SpotNodePool 'prod/spot': schedule() affinity weight (0) must be between 1 and 100");
    expect(() => spot.schedule(serving, { affinity: NodePoolAffinity.preferred(2.5) }))
      .toThrow("SpotNodePool 'prod/spot': schedule() affinity weight (2.5) must be an integer");
    // Refused before anything is recorded: the workload can still be scheduled.
    expect(() => spot.schedule(serving, { affinity: NodePoolAffinity.preferred(50) })).not.toThrow();
  });

  test('a failed schedule() leaves the workload untouched', () => {
    const { c, spot, serving } = setup();
    expect(() => spot.schedule(serving, { tolerate: false })).toThrow();
    const pod = findObject(Testing.synth(c), 'Deployment', 'bert').spec.template.spec;
    expect(pod.tolerations).toBeUndefined();
    expect(pod.affinity?.nodeAffinity).toBeUndefined();
    expect(() => spot.schedule(serving)).not.toThrow(); // not "already called"
  });

  test('managed pools validate their options', () => {
    expect(() => SpotNodePool.gke(chart(), 'gke', { poolName: '' })).toThrow("SpotNodePool 'prod/gke': poolName must not be empty");
    expect(() => SpotNodePool.aks(chart(), 'aks', { poolName: 'a b' })).toThrow("SpotNodePool 'prod/aks': poolName ('a b') must be a valid label value");
    expect(() => SpotNodePool.fromNodePoolName(chart(), 'ext', '')).toThrow("SpotNodePool 'prod/ext': name must not be empty");
    expect(() => SpotNodePool.fromNodePoolName(chart(), 'ext', 'Shared_Spot'))
      .toThrow("SpotNodePool 'prod/ext': name ('Shared_Spot') must be a valid RFC 1123 DNS label");
  });
});

describe('requirement validation (property-based)', () => {
  const scope = new Chart(Testing.app(), 'p');
  const labelValue = fc.stringMatching(/^[a-z0-9]([-a-z0-9_.]{0,20}[a-z0-9])?$/);
  const key = fc.constantFrom('team', 'topology.kubernetes.io/zone', 'node.kubernetes.io/instance-type', 'example.com/tier');

  test('In/NotIn with one or more distinct valid values is accepted', () => {
    const operators = fc.constantFrom(NodeSelectorOperator.IN, NodeSelectorOperator.NOT_IN);
    fc.assert(fc.property(key, operators, fc.uniqueArray(labelValue, { minLength: 1, maxLength: 8 }),
      (k, operator, values) => { validateRequirement(scope, 'r', { key: k, operator, values }); }));
  });

  test('In/NotIn with no values is always refused', () => {
    fc.assert(fc.property(key, fc.constantFrom(NodeSelectorOperator.IN, NodeSelectorOperator.NOT_IN),
      (k, operator) => { expect(() => validateRequirement(scope, 'r', { key: k, operator, values: [] })).toThrow(/has no values/); }));
  });

  test('Gt/Lt accept exactly one non-negative integer', () => {
    fc.assert(fc.property(fc.constantFrom(NodeSelectorOperator.GT, NodeSelectorOperator.LT), fc.nat(), (operator, n) => {
      validateRequirement(scope, 'r', { key: 'x', operator, values: [String(n)] });
      expect(() => validateRequirement(scope, 'r', { key: 'x', operator, values: [String(-n - 1)] })).toThrow(/non-negative integer/);
      expect(() => validateRequirement(scope, 'r', { key: 'x', operator, values: [String(n), String(n + 1)] })).toThrow(/non-negative integer/);
    }));
  });

  test('any operator outside the enum is refused', () => {
    fc.assert(fc.property(fc.string().filter(s => !Object.values(NodeSelectorOperator).includes(s as NodeSelectorOperator)), op => {
      expect(() => validateRequirement(scope, 'r', { key: 'x', operator: op as NodeSelectorOperator, values: ['a'] })).toThrow(/is not a known operator/);
    }));
  });

  test('quantities: numbers with or without suffix are quantities, words are not', () => {
    fc.assert(fc.property(fc.nat(), fc.constantFrom('', 'm', 'k', 'M', 'G', 'Ki', 'Mi', 'Gi', 'Ti'), (n, suffix) => {
      expect(isQuantity(`${n}${suffix}`)).toBe(true);
    }));
    fc.assert(fc.property(fc.stringMatching(/^[a-zA-Z ]+$/), s => {
      expect(isQuantity(s)).toBe(false);
    }));
  });
});
