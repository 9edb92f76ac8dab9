import { Chart, Size, Testing } from 'cdk8s';
import { Ec2Ami, Ec2NodeClass, Ec2NodeClassProps, Ec2NodeIdentity, GpuNodePool, MlModelServing } from '../../src';
import { findObject, synthAndValidate } from '../util';

const BASE: Ec2NodeClassProps = {
  ami: Ec2Ami.alias('al2023@v20240807'),
  identity: Ec2NodeIdentity.role('KarpenterNodeRole-ml'),
  subnets: { tags: { 'karpenter.sh/discovery': 'ml' } },
  securityGroups: { tags: { 'karpenter.sh/discovery': 'ml' } },
};

function synth(props: Partial<Ec2NodeClassProps> = {}) {
  const chart = new Chart(Testing.app(), 'cluster');
  const nodeClass = new Ec2NodeClass(chart, 'gpu', { ...BASE, ...props });
  return { chart, nodeClass, manifests: synthAndValidate(chart) };
}

describe('Ec2NodeClass', () => {
  test('an EKS-optimized AMI, a role, discovery selectors, a 200Gi gp3 root volume, IMDSv2 only', () => {
    const spec = findObject(synth().manifests, 'EC2NodeClass', 'gpu').spec;
    expect(spec).toEqual({
      amiSelectorTerms: [{ alias: 'al2023@v20240807' }],
      role: 'KarpenterNodeRole-ml',
      subnetSelectorTerms: [{ tags: { 'karpenter.sh/discovery': 'ml' } }],
      securityGroupSelectorTerms: [{ tags: { 'karpenter.sh/discovery': 'ml' } }],
      blockDeviceMappings: [{ deviceName: '/dev/xvda', rootVolume: true, ebs: { volumeSize: '200Gi', volumeType: 'gp3', iops: 3000, throughput: 250, encrypted: true, deleteOnTermination: true } }],
      metadataOptions: { httpEndpoint: 'enabled', httpProtocolIPv6: 'disabled', httpPutResponseHopLimit: 1, httpTokens: 'required' },
    });
  });

  test('own AMIs by selector, an instance profile, ids, RAID0 instance store, a bigger volume, tags', () => {
    const spec = findObject(synth({
      name: 'custom',
      ami: Ec2Ami.selector({ family: 'Bottlerocket', tags: { team: 'ml' } }),
      identity: Ec2NodeIdentity.instanceProfile('ml-nodes'),
      subnets: { ids: ['subnet-1', 'subnet-2'] },
      rootVolume: { size: Size.gibibytes(500), iops: 6000, throughput: 500, kmsKeyId: 'arn:aws:kms:eu-west-1:1:key/x' },
      raid0InstanceStore: true,
      tags: { 'cost-center': 'ml-42' },
    }).manifests, 'EC2NodeClass', 'custom').spec;
    expect(spec.amiSelectorTerms).toEqual([{ tags: { team: 'ml' } }]);
    expect(spec.amiFamily).toBe('Bottlerocket');
    expect(spec.instanceProfile).toBe('ml-nodes');
    expect(spec.role).toBeUndefined();
    expect(spec.subnetSelectorTerms).toEqual([{ id: 'subnet-1' }, { id: 'subnet-2' }]);
    expect(spec.blockDeviceMappings[0]).toMatchObject({ deviceName: '/dev/xvdb', ebs: { volumeSize: '500Gi', iops: 6000, throughput: 500, kmsKeyID: 'arn:aws:kms:eu-west-1:1:key/x' } });
    expect(spec.instanceStorePolicy).toBe('RAID0');
    expect(spec.tags).toEqual({ 'cost-center': 'ml-42' });
  });

  test('cluster-scoped in a chart with a namespace: no metadata.namespace (the API server refuses one)', () => {
    const chart = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
    new Ec2NodeClass(chart, 'gpu', BASE);
    expect(findObject(synthAndValidate(chart), 'EC2NodeClass', 'gpu').metadata.namespace).toBeUndefined();
  });

  test('paired with its NodePools; GPUs unlimited on purpose; a taint with a value; a server scheduled there', () => {
    const chart = new Chart(Testing.app(), 'cluster');
    const nodeClass = new Ec2NodeClass(chart, 'gpu', { ...BASE, metadata: { labels: { team: 'ml' } } });
    nodeClass.addNodePool('cpu', { limits: undefined });
    const pool = new GpuNodePool(chart, 'gpu-pool', { nodeClass: nodeClass.reference, unlimitedGpus: true, gpuTaintValue: 'present' });
    const serving = new MlModelServing(new Chart(chart.node.scope as any, 'ml', { namespace: 'ml' }), 'llm', { image: 'vllm:v1', gpus: { count: 1 } });
    pool.schedule(serving);
    const manifests = synthAndValidate(chart);
    expect(findObject(manifests, 'EC2NodeClass', 'gpu').metadata.labels).toEqual({ team: 'ml' });
    expect(findObject(manifests, 'NodePool', 'cpu').spec.template.spec.nodeClassRef).toEqual({ group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'gpu' });
    const gpu = findObject(manifests, 'NodePool', 'gpu-pool').spec;
    expect(gpu.limits?.['nvidia.com/gpu']).toBeUndefined();
    expect(gpu.template.spec.taints).toContainEqual({ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' });
    const tolerations = findObject(synthAndValidate(serving.node.scope as Chart), 'Deployment', 'llm').spec.template.spec.tolerations;
    expect(tolerations).toContainEqual(expect.objectContaining({ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }));
  });

  test.each([
    ['an unpinned alias', { ami: Ec2Ami.alias('al2023@latest') }, "Ec2NodeClass 'cluster/gpu': ami ('al2023@latest') follows every AMI release and rolls all nodes with it: pin a version, or pass allowLatest"],
    ['an unknown family', { ami: Ec2Ami.alias('ubuntu@v1') }, "Ec2NodeClass 'cluster/gpu': ami ('ubuntu@v1') must be 'family@version' (at most 30 characters) with family one of al2, al2023, bottlerocket, windows2019, windows2022, windows2025"],
    ['a selector selecting nothing', { ami: Ec2Ami.selector({ family: 'AL2023' }) }, "Ec2NodeClass 'cluster/gpu': ami selects no AMI: give ids, tags or a name"],
    ['no subnets', { subnets: {} }, "Ec2NodeClass 'cluster/gpu': subnets selects nothing: give tags (e.g. karpenter.sh/discovery) or ids"],
    ['a tiny root volume', { rootVolume: { size: Size.gibibytes(8) } }, "Ec2NodeClass 'cluster/gpu': rootVolume.size (8Gi) must be a whole number of GiB between 20 and 16384 (gp3's limit); GPU images and model caches need 100Gi or more"],
    ['throughput beyond the IOPS', { rootVolume: { throughput: 1000 } }, "Ec2NodeClass 'cluster/gpu': rootVolume.throughput (1000 MiB/s) needs at least 4000 IOPS (gp3 allows 0.25 MiB/s per IOPS)"],
    ['a reserved tag', { tags: { 'karpenter.sh/nodepool': 'x' } }, "Ec2NodeClass 'cluster/gpu': tags ('karpenter.sh/nodepool') is set by Karpenter or EKS and may not be given"],
    ['an empty role', { identity: Ec2NodeIdentity.role(' ') }, "Ec2NodeClass 'cluster/gpu': identity (role) must not be empty"],
  ] as [string, Partial<Ec2NodeClassProps>, string][])('refuses %s', (_n, props, message) => {
    expect(() => synth(props)).toThrow(message);
  });

  test('a GPU pool needs a budget or unlimitedGpus', () => {
    const chart = new Chart(Testing.app(), 'cluster');
    expect(() => new GpuNodePool(chart, 'g', {})).toThrow("GpuNodePool 'cluster/g': maxGpus or unlimitedGpus must be given, not both: a GPU pool either has a budget or is unlimited on purpose");
    expect(() => new GpuNodePool(chart, 'h', { maxGpus: 8, unlimitedGpus: true })).toThrow(/maxGpus or unlimitedGpus must be given, not both/);
  });
});
