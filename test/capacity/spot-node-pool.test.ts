import { ApiObject, App, Chart, Cron, Duration, JsonPatch, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import * as fc from 'fast-check';
import {
  CapacityType, ConsolidationPolicy, CpuArchitecture, DisruptionReason, INodePool, MlModelServing,
  NodePoolAffinity, NodeSelectorOperator, SchedulableWorkload, SpotNodePool, TargetCluster,
} from '../../src';
import { PodSecurity } from '../../src/core/security';
import { findObject, findObjects, synthAndValidate, validateManifests } from '../util';

const SPOT_TAINT = { key: 'karpenter.sh/capacity-type', value: 'spot', effect: 'NoSchedule' };

function chart(namespace: string | undefined = 'ml'): Chart {
  return new Chart(Testing.app(), 'prod', { namespace });
}

/** The toleration Kubernetes needs for a taint, exactly. */
function tolerationFor(taint: { key: string; value?: string; effect: string }) {
  return taint.value !== undefined
    ? { key: taint.key, operator: 'Equal', value: taint.value, effect: taint.effect }
    : { key: taint.key, operator: 'Exists', effect: taint.effect };
}

/** Does the pod tolerate the taint (Kubernetes semantics)? */
function tolerates(tolerations: any[] | undefined, taint: { key: string; value?: string; effect: string }): boolean {
  return (tolerations ?? []).some(t =>
    (t.key === taint.key || (t.key === undefined && t.operator === 'Exists'))
    && (t.effect === undefined || t.effect === taint.effect)
    && (t.operator === 'Exists' || (t.value ?? '') === (taint.value ?? '')));
}

/** Do node labels satisfy matchExpressions (In, Exists only are used here)? */
function matches(expressions: any[], labels: { [k: string]: string }): boolean {
  return expressions.every(e => {
    switch (e.operator) {
      case 'In': return labels[e.key] !== undefined && e.values.includes(labels[e.key]);
      case 'NotIn': return labels[e.key] === undefined || !e.values.includes(labels[e.key]);
      case 'Exists': return labels[e.key] !== undefined;
      default: throw new Error(`operator ${e.operator} not handled in test`);
    }
  });
}

describe('SpotNodePool (Karpenter)', () => {
  test('defaults: a spot-only karpenter.sh/v1 NodePool, spot-tainted, EC2NodeClass default, consolidation after 5m', () => {
    const c = chart();
    const pool = new SpotNodePool(c, 'spot');
    const manifests = synthAndValidate(c);
    const np = findObject(manifests, 'NodePool', 'spot');
    expect(np.apiVersion).toBe('karpenter.sh/v1');
    expect(np.spec.template.spec.nodeClassRef).toEqual({ group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' });
    expect(np.spec.template.spec.requirements).toEqual([
      { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot'] },
      { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] },
    ]);
    expect(np.spec.template.spec.taints).toEqual([SPOT_TAINT]);
    expect(np.spec.disruption).toEqual({ consolidationPolicy: 'WhenEmptyOrUnderutilized', consolidateAfter: '5m' });
    expect(np.spec.limits).toBeUndefined();
    expect(np.spec.weight).toBeUndefined();
    expect(pool.spot).toBe(true);
    expect(pool.onDemandFallback).toBe(false);
    expect(pool.capacityTypes).toEqual(['spot']);
  });

  test('cluster-scoped: no metadata.namespace even when the chart has one', () => {
    const c = chart('ml');
    new SpotNodePool(c, 'spot');
    new kplus.ConfigMap(c, 'cm', { metadata: { name: 'cm' } });
    const manifests = synthAndValidate(c);
    expect(findObject(manifests, 'NodePool', 'spot').metadata).toEqual({ name: 'spot' });
    // the chart does put its namespace on namespaced objects
    expect(findObject(manifests, 'ConfigMap', 'cm').metadata.namespace).toBe('ml');
  });

  test('a chart without namespace also synthesizes (no patch on a missing field)', () => {
    const c = chart(undefined);
    new SpotNodePool(c, 'spot');
    expect(findObject(synthAndValidate(c), 'NodePool', 'spot').metadata).toEqual({ name: 'spot' });
  });

  test('on-demand fallback: capacity type In [spot, on-demand], still spot-tainted', () => {
    const c = chart();
    const pool = new SpotNodePool(c, 'spot', { onDemandFallback: true });
    const np = findObject(synthAndValidate(c), 'NodePool', 'spot');
    expect(np.spec.template.spec.requirements[0]).toEqual({ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot', 'on-demand'] });
    expect(np.spec.template.spec.taints).toEqual([SPOT_TAINT]);
    expect(pool.capacityTypes).toEqual([CapacityType.SPOT, CapacityType.ON_DEMAND]);
  });

  test('every option reaches the NodePool', () => {
    const c = chart();
    new SpotNodePool(c, 'spot', {
      name: 'ml-spot',
      nodeClass: { name: 'gpu-al2023' },
      architectures: [CpuArchitecture.AMD64, CpuArchitecture.ARM64],
      instanceCategories: ['c', 'm', 'r'],
      instanceFamilies: ['m7i', 'c7i'],
      instanceSizes: ['xlarge', '2xlarge'],
      instanceTypes: ['m7i.xlarge', 'c7i.2xlarge'],
      zones: ['eu-west-1a', 'eu-west-1b'],
      requirements: [{ key: 'karpenter.k8s.aws/instance-generation', operator: NodeSelectorOperator.GT, values: ['5'] }],
      taints: [{ key: 'team', value: 'research', effect: kplus.TaintEffect.NO_SCHEDULE }],
      labels: { team: 'research' },
      limits: { cpu: kplus.Cpu.units(1000), memory: Size.gibibytes(4000) },
      disruption: {
        consolidationPolicy: ConsolidationPolicy.WHEN_EMPTY,
        consolidateAfter: Duration.seconds(90),
        budgets: [
          { nodes: kplus.PercentOrAbsolute.percent(10) },
          { nodes: kplus.PercentOrAbsolute.absolute(0), schedule: Cron.schedule({ minute: '0', hour: '9', weekDay: '1-5' }), duration: Duration.hours(8), reasons: [DisruptionReason.UNDERUTILIZED] },
        ],
      },
      expireAfter: Duration.days(7),
      weight: 50,
    });
    const np = findObject(synthAndValidate(c), 'NodePool', 'ml-spot');
    expect(np.spec).toEqual({
      template: {
        metadata: { labels: { team: 'research' } },
        spec: {
          nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'gpu-al2023' },
          requirements: [
            { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot'] },
            { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64', 'arm64'] },
            { key: 'karpenter.k8s.aws/instance-category', operator: 'In', values: ['c', 'm', 'r'] },
            { key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: ['m7i', 'c7i'] },
            { key: 'karpenter.k8s.aws/instance-size', operator: 'In', values: ['xlarge', '2xlarge'] },
            { key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['m7i.xlarge', 'c7i.2xlarge'] },
            { key: 'topology.kubernetes.io/zone', operator: 'In', values: ['eu-west-1a', 'eu-west-1b'] },
            { key: 'karpenter.k8s.aws/instance-generation', operator: 'Gt', values: ['5'] },
          ],
          taints: [SPOT_TAINT, { key: 'team', value: 'research', effect: 'NoSchedule' }],
          expireAfter: '168h',
        },
      },
      disruption: {
        consolidationPolicy: 'WhenEmpty',
        consolidateAfter: '90s',
        budgets: [
          { nodes: '10%' },
          { nodes: '0', schedule: '0 9 * * 1-5', duration: '8h', reasons: ['Underutilized'] },
        ],
      },
      limits: { cpu: '1000', memory: '4000Gi' },
      weight: 50,
    });
  });

  test('Karpenter durations render as minutes, hours, seconds and Never', () => {
    const render = (d?: Duration) => {
      const c = chart();
      new SpotNodePool(c, 'spot', d ? { expireAfter: d, disruption: { consolidateAfter: d } } : { neverExpire: true, disruption: { neverConsolidate: true } });
      const np = findObject(synthAndValidate(c), 'NodePool', 'spot');
      expect(np.spec.disruption.consolidateAfter).toBe(np.spec.template.spec.expireAfter);
      return np.spec.template.spec.expireAfter;
    };
    expect(render(Duration.minutes(30))).toBe('30m');
    expect(render(Duration.hours(720))).toBe('720h');
    expect(render(Duration.seconds(61))).toBe('61s');
    // consolidateAfter 0s is valid (consolidate at once); expireAfter 0s would expire every node at start.
    const c = chart();
    new SpotNodePool(c, 'spot', { disruption: { consolidateAfter: Duration.seconds(0) } });
    expect(findObject(synthAndValidate(c), 'NodePool', 'spot').spec.disruption.consolidateAfter).toBe('0s');
    expect(render(undefined)).toBe('Never');
  });

  test('the NodePool really is checked against the Karpenter CRD (a bad field fails validation)', () => {
    const c = chart();
    const pool = new SpotNodePool(c, 'spot');
    const good = Testing.synth(c);
    expect(() => validateManifests(good)).not.toThrow();
    ApiObject.of(pool.apiObject).addJsonPatch(JsonPatch.add('/spec/weight', 0), JsonPatch.add('/spec/disruption/consolidateAfter', 'soon'));
    expect(() => validateManifests(Testing.synth(c))).toThrow();
  });

  test('property: every whole-second Duration renders to the CRD pattern and back to the same seconds', () => {
    const unit: { [u: string]: number } = { s: 1, m: 60, h: 3600 };
    fc.assert(fc.property(fc.integer({ min: 1, max: 10_000_000 }), seconds => {
      const c = chart();
      new SpotNodePool(c, 'spot', { expireAfter: Duration.seconds(seconds) });
      const rendered: string = findObject(Testing.synth(c), 'NodePool', 'spot').spec.template.spec.expireAfter;
      expect(rendered).toMatch(/^(([0-9]+(s|m|h))+|Never)$/);
      expect(Number(rendered.slice(0, -1)) * unit[rendered.slice(-1)]).toBe(seconds);
    }), { numRuns: 60 });
  });

  test('spotTaint: false leaves the nodes untainted', () => {
    const c = chart();
    const pool = new SpotNodePool(c, 'spot', { spotTaint: false });
    expect(findObject(synthAndValidate(c), 'NodePool', 'spot').spec.template.spec.taints).toBeUndefined();
    expect(pool.taints).toEqual([]);
  });
});

describe('SpotNodePool.schedule', () => {
  function setup(props: { onDemandFallback?: boolean } = {}) {
    const c = chart();
    const pool = new SpotNodePool(c, 'spot', props);
    const serving = new MlModelServing(c, 'bert', { image: 'ml-model:v1' });
    return { c, pool, serving };
  }

  test('required (default): the toleration matches the taint exactly and the affinity selects exactly the pool\'s nodes', () => {
    const { c, pool, serving } = setup();
    pool.schedule(serving);
    const manifests = synthAndValidate(c);
    const np = findObject(manifests, 'NodePool', 'spot');
    const pod = findObject(manifests, 'Deployment', 'bert').spec.template.spec;

    expect(pod.tolerations).toEqual(np.spec.template.spec.taints.map(tolerationFor));
    const terms = pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms;
    expect(terms).toEqual([{
      matchExpressions: [
        { key: 'karpenter.sh/nodepool', operator: 'In', values: ['spot'] },
        { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot'] },
      ],
    }]);
    expect(pod.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution).toBeUndefined();

    // A node this pool launches (Karpenter labels it with the pool and capacity type) is selected and tolerated...
    const node = { 'karpenter.sh/nodepool': 'spot', 'karpenter.sh/capacity-type': 'spot', 'kubernetes.io/arch': 'amd64' };
    expect(matches(terms[0].matchExpressions, node)).toBe(true);
    for (const taint of np.spec.template.spec.taints) expect(tolerates(pod.tolerations, taint)).toBe(true);
    // ...an on-demand node of another pool is not.
    expect(matches(terms[0].matchExpressions, { 'karpenter.sh/nodepool': 'default', 'karpenter.sh/capacity-type': 'on-demand' })).toBe(false);
  });

  test('preferred: spot first with on-demand fallback — a preferred term and tolerations, no required term', () => {
    const { c, pool, serving } = setup();
    pool.schedule(serving, { affinity: NodePoolAffinity.preferred(80) });
    const pod = findObject(synthAndValidate(c), 'Deployment', 'bert').spec.template.spec;
    expect(pod.tolerations).toEqual([tolerationFor(SPOT_TAINT)]);
    expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution).toBeUndefined();
    expect(pod.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution).toEqual([{
      weight: 80,
      preference: {
        matchExpressions: [
          { key: 'karpenter.sh/nodepool', operator: 'In', values: ['spot'] },
          { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot'] },
        ],
      },
    }]);
  });

  test('preferred weight defaults to 100', () => {
    const { c, pool, serving } = setup();
    pool.schedule(serving, { affinity: NodePoolAffinity.preferred() });
    const pod = findObject(synthAndValidate(c), 'Deployment', 'bert').spec.template.spec;
    expect(pod.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight).toBe(100);
  });

  test('a fallback pool is selected on both capacity types', () => {
    const { c, pool, serving } = setup({ onDemandFallback: true });
    pool.schedule(serving);
    const pod = findObject(synthAndValidate(c), 'Deployment', 'bert').spec.template.spec;
    const exprs = pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions;
    expect(exprs[1]).toEqual({ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot', 'on-demand'] });
    expect(matches(exprs, { 'karpenter.sh/nodepool': 'spot', 'karpenter.sh/capacity-type': 'on-demand' })).toBe(true);
  });

  test('any cdk8s-plus workload, through SchedulableWorkload.of: Deployment and Job', () => {
    const c = chart();
    const pool = new SpotNodePool(c, 'spot');
    const deployment = new kplus.Deployment(c, 'dep', {
      metadata: { name: 'dep' },
      containers: [{ image: 'batch:v1' }],
    });
    const job = new kplus.Job(c, 'job', {
      metadata: { name: 'job' },
      containers: [{ image: 'train:v1' }],
    });
    PodSecurity.restricted().applyTo(deployment);
    PodSecurity.restricted().applyTo(job);
    pool.schedule(SchedulableWorkload.of(deployment));
    pool.schedule(SchedulableWorkload.of(job), { affinity: NodePoolAffinity.preferred() });
    const manifests = synthAndValidate(c);
    const depPod = findObject(manifests, 'Deployment', 'dep').spec.template.spec;
    const jobPod = findObject(manifests, 'Job', 'job').spec.template.spec;
    for (const pod of [depPod, jobPod]) {
      expect(pod.tolerations).toEqual([tolerationFor(SPOT_TAINT)]);
    }
    expect(depPod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions)
      .toEqual(pool.nodeRequirements.map(r => ({ key: r.key, operator: r.operator, values: r.values })));
    expect(jobPod.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].preference.matchExpressions)
      .toEqual(pool.nodeRequirements.map(r => ({ key: r.key, operator: r.operator, values: r.values })));
  });

  test('an untainted pool needs no toleration: tolerate false is accepted and adds none', () => {
    const c = chart();
    const pool = new SpotNodePool(c, 'spot', { spotTaint: false });
    const serving = new MlModelServing(c, 'bert', { image: 'ml-model:v1' });
    pool.schedule(serving, { tolerate: false });
    const pod = findObject(synthAndValidate(c), 'Deployment', 'bert').spec.template.spec;
    expect(pod.tolerations).toBeUndefined();
    expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution).toBeDefined();
  });

  test('property: whatever the pool, the workload tolerates exactly its taints and selects exactly its nodes', () => {
    const extraTaint = fc.record({
      key: fc.constantFrom('team', 'example.com/dedicated'),
      value: fc.option(fc.constantFrom('research', 'ml'), { nil: undefined }),
      effect: fc.constantFrom(...Object.values(kplus.TaintEffect)),
    });
    fc.assert(fc.property(
      fc.boolean(), fc.boolean(), fc.boolean(), fc.option(extraTaint, { nil: undefined }),
      fc.boolean(),
      (onDemandFallback, spotTaint, gpu, extra, required) => {
        const c = chart();
        const pool = new SpotNodePool(c, 'spot', { onDemandFallback, spotTaint, gpu: gpu ? { maxGpus: 4 } : undefined, taints: extra ? [extra] : undefined });
        pool.schedule(new MlModelServing(c, 'bert', { image: 'ml-model:v1' }), { affinity: required ? NodePoolAffinity.required() : NodePoolAffinity.preferred() });
        const manifests = synthAndValidate(c);
        const np = findObject(manifests, 'NodePool', 'spot').spec.template.spec;
        const pod = findObject(manifests, 'Deployment', 'bert').spec.template.spec;

        const taints = np.taints ?? [];
        expect(pod.tolerations ?? []).toEqual(taints.map(tolerationFor));
        for (const taint of taints) expect(tolerates(pod.tolerations, taint)).toBe(true);

        const nodeAffinity = pod.affinity.nodeAffinity;
        const other = required ? 'preferredDuringSchedulingIgnoredDuringExecution' : 'requiredDuringSchedulingIgnoredDuringExecution';
        expect(nodeAffinity[other]).toBeUndefined();
        const expressions = required
          ? nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions
          : nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].preference.matchExpressions;
        // Every node the pool may launch (Karpenter labels it with the pool and its capacity type) is selected...
        const capacityTypes: string[] = np.requirements.find((r: any) => r.key === 'karpenter.sh/capacity-type').values;
        for (const capacityType of capacityTypes) {
          expect(matches(expressions, { 'karpenter.sh/nodepool': 'spot', 'karpenter.sh/capacity-type': capacityType })).toBe(true);
        }
        // ...and no node of another pool.
        expect(matches(expressions, { 'karpenter.sh/nodepool': 'default', 'karpenter.sh/capacity-type': 'spot' })).toBe(false);
      }), { numRuns: 25 });
  });

  test('required on one pool and preferred on another is fine', () => {
    const c = chart();
    const a = new SpotNodePool(c, 'spot-a');
    const b = new SpotNodePool(c, 'spot-b', { onDemandFallback: true });
    const serving = new MlModelServing(c, 'bert', { image: 'ml-model:v1' });
    a.schedule(serving);
    b.schedule(serving, { affinity: NodePoolAffinity.preferred() });
    const pod = findObject(synthAndValidate(c), 'Deployment', 'bert').spec.template.spec;
    expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toHaveLength(1);
    expect(pod.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution).toHaveLength(1);
  });
});

describe('spot conventions of the clouds\' own tooling (nothing emitted)', () => {
  function scheduled(make: (c: Chart) => INodePool) {
    const c = chart();
    const pool = make(c);
    const serving = new MlModelServing(c, 'bert', { image: 'ml-model:v1' });
    pool.schedule(serving);
    const manifests = synthAndValidate(c);
    const pod = findObject(manifests, 'Deployment', 'bert').spec.template.spec;
    return {
      pool,
      manifests,
      tolerations: pod.tolerations,
      required: pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions,
    };
  }

  test('GKE: the guide\'s label and taint cloud.google.com/gke-spot=true', () => {
    const { pool, manifests, tolerations, required } = scheduled(c => SpotNodePool.gke(c, 'gke-spot'));
    expect(findObjects(manifests, 'NodePool')).toEqual([]);
    expect(manifests.map((m: any) => m.kind).sort()).toEqual(['Deployment', 'HorizontalPodAutoscaler', 'NetworkPolicy', 'PodDisruptionBudget', 'Service', 'ServiceAccount']);
    expect(pool.taints).toEqual([{ key: 'cloud.google.com/gke-spot', value: 'true', effect: 'NoSchedule' }]);
    expect(tolerations).toEqual([{ key: 'cloud.google.com/gke-spot', operator: 'Equal', value: 'true', effect: 'NoSchedule' }]);
    expect(required).toEqual([{ key: 'cloud.google.com/gke-spot', operator: 'In', values: ['true'] }]);
    // the guide's node: labeled and tainted gke-spot=true
    expect(matches(required, { 'cloud.google.com/gke-spot': 'true' })).toBe(true);
    expect(tolerates(tolerations, { key: 'cloud.google.com/gke-spot', value: 'true', effect: 'NoSchedule' })).toBe(true);
  });

  test('GKE with a pool name pins to that node pool', () => {
    const { required } = scheduled(c => SpotNodePool.gke(c, 'gke-spot', { poolName: 'spot-l4' }));
    expect(required).toEqual([
      { key: 'cloud.google.com/gke-spot', operator: 'In', values: ['true'] },
      { key: 'cloud.google.com/gke-nodepool', operator: 'In', values: ['spot-l4'] },
    ]);
  });

  test('AKS: kubernetes.azure.com/scalesetpriority=spot, label and taint', () => {
    const { tolerations, required } = scheduled(c => SpotNodePool.aks(c, 'aks-spot', { poolName: 'spotgpu' }));
    expect(tolerations).toEqual([{ key: 'kubernetes.azure.com/scalesetpriority', operator: 'Equal', value: 'spot', effect: 'NoSchedule' }]);
    expect(required).toEqual([
      { key: 'kubernetes.azure.com/scalesetpriority', operator: 'In', values: ['spot'] },
      { key: 'kubernetes.azure.com/agentpool', operator: 'In', values: ['spotgpu'] },
    ]);
  });

  test('EKS managed node groups: eks.amazonaws.com/capacityType=SPOT, no taint by default', () => {
    const { pool, tolerations, required } = scheduled(c => SpotNodePool.eksManagedNodeGroup(c, 'eks-spot'));
    expect(pool.taints).toEqual([]);
    expect(tolerations).toBeUndefined();
    expect(required).toEqual([{ key: 'eks.amazonaws.com/capacityType', operator: 'In', values: ['SPOT'] }]);
  });

  test('EKS node group with its own taint and name', () => {
    const taint = { key: 'spot', value: 'true', effect: kplus.TaintEffect.NO_SCHEDULE };
    const { tolerations, required } = scheduled(c => SpotNodePool.eksManagedNodeGroup(c, 'eks-spot', { poolName: 'spot-ng', taints: [taint] }));
    expect(tolerations).toEqual([{ key: 'spot', operator: 'Equal', value: 'true', effect: 'NoSchedule' }]);
    expect(required).toEqual([
      { key: 'eks.amazonaws.com/capacityType', operator: 'In', values: ['SPOT'] },
      { key: 'eks.amazonaws.com/nodegroup', operator: 'In', values: ['spot-ng'] },
    ]);
  });

  test('a Karpenter pool made elsewhere, by name', () => {
    const { manifests, tolerations, required } = scheduled(c => SpotNodePool.fromNodePoolName(c, 'shared', 'shared-spot', { onDemandFallback: true }));
    expect(findObjects(manifests, 'NodePool')).toEqual([]);
    expect(tolerations).toEqual([tolerationFor(SPOT_TAINT)]);
    expect(required).toEqual([
      { key: 'karpenter.sh/nodepool', operator: 'In', values: ['shared-spot'] },
      { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot', 'on-demand'] },
    ]);
  });

  test('the same app on GKE and on Karpenter gives the same pod shape, only the keys differ', () => {
    const app = new App();
    const onGke = new Chart(app, 'gke', { namespace: 'ml' });
    const onAws = new Chart(app, 'aws', { namespace: 'ml' });
    TargetCluster.mark(onGke, 'gke');
    TargetCluster.mark(onAws, 'aws');
    const pools: INodePool[] = [SpotNodePool.gke(onGke, 'spot'), new SpotNodePool(onAws, 'spot')];
    [onGke, onAws].forEach((c, i) => pools[i].schedule(new MlModelServing(c, 'bert', { image: 'ml-model:v1' })));
    for (const [i, c] of [onGke, onAws].entries()) {
      const pod = findObject(synthAndValidate(c), 'Deployment', 'bert').spec.template.spec;
      expect(pod.tolerations).toEqual(pools[i].taints.map(tolerationFor));
    }
  });
});
