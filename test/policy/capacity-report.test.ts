import { App } from 'cdk8s';
import { deployment, gpuPod, hpa, job, pdb } from './fixtures';
import { build as buildSpot } from '../../examples/spot-capacity';
import { CapacityReport, PriceTable } from '../../src';

describe('capacity report on examples/spot-capacity (EKS chart)', () => {
  const app = new App({ outdir: '/tmp/cdk8s-ml-policy-report' });
  buildSpot(app);
  const eks = app.charts[0];
  const prices = PriceTable.fromOpenCost({ CPU: '0.04', spotCPU: '0.01', RAM: '0.005', spotRAM: '0.001', GPU: '1.00', spotGPU: '0.30', storage: '0' }, 'USD', 'test prices');
  const report = CapacityReport.fromChart(eks, { prices });
  const json = report.toJson();

  test('per workload: pods at min and max from the HPA and Job parallelism, with construct paths', () => {
    const llm = json.workloads.find((w: any) => w.name === 'llm');
    expect(llm).toMatchObject({
      kind: 'Deployment',
      namespace: 'ml',
      constructPath: 'spot-capacity/llm/Deployment/Resource',
      pods: { min: 3, max: 12, from: 'HorizontalPodAutoscaler llm' },
      requestsPerPod: { cpu: 1, memoryGiB: 2, gpu: 1 },
      requests: { min: { cpu: 3, gpu: 3 }, max: { cpu: 12, memoryGiB: 24, gpu: 12 } },
      placement: 'spot-allowed',
    });
    const train = json.workloads.find((w: any) => w.name === 'bert-finetune');
    expect(train).toMatchObject({ kind: 'Job', pods: { min: 2, max: 2 }, placement: 'spot', nodePool: 'gpu-spot', requests: { max: { cpu: 8, gpu: 2 } } });
  });

  test('cost per hour from requests: on-demand prices for pods that may leave spot, spot prices for spot-only pods', () => {
    const llm = json.workloads.find((w: any) => w.name === 'llm');
    // 12 × (1 CPU × 0.04 + 2 GiB × 0.005 + 1 GPU × 1.00)
    expect(llm.costPerHour.max).toBeCloseTo(12 * (0.04 + 0.01 + 1), 4);
    const train = json.workloads.find((w: any) => w.name === 'bert-finetune');
    // 2 × (4 CPU × 0.01 + 8 GiB × 0.001 + 1 GPU × 0.30)
    expect(train.costPerHour.max).toBeCloseTo(2 * (0.04 + 0.008 + 0.3), 4);
    expect(json.totals.costPerMonth.max).toBeCloseTo((llm.costPerHour.max + train.costPerHour.max) * 730, 1);
    expect(json.prices.label).toBe('test prices');
  });

  test('totals against the namespace quota and the pools\' limits', () => {
    expect(json.quotas.find((q: any) => q.resource === 'requests.nvidia.com/gpu')).toEqual({ quota: 'ml/ml-quota', resource: 'requests.nvidia.com/gpu', hard: '16', atMin: 5, atMax: 14, exceededAtMax: false });
    expect(json.nodePools.find((p: any) => p.name === 'gpu-spot')).toMatchObject({ spot: true, limits: { gpu: 16 }, requestsAtMax: { gpu: 2 }, workloads: ['Job ml/bert-finetune'], exceededAtMax: false });
    expect(json.totals.spotShare.gpu).toEqual({ spot: round(2 / 14), spotAllowed: round(12 / 14) });
  });

  test('Markdown and CSV carry the same figures', () => {
    const md = report.toMarkdown();
    expect(md).toContain('| ml | Deployment llm | 3–12 (HorizontalPodAutoscaler llm) | 1 CPU, 2 GiB, 1 GPU | 12 CPU, 24 GiB, 12 GPU |');
    expect(md).toContain('| ml/ml-quota | requests.nvidia.com/gpu | 16 | 5 | 14 | ok |');
    const csv = report.toCsv().trim().split('\n');
    expect(csv[0].split(',').slice(0, 7)).toEqual(['namespace', 'kind', 'name', 'role', 'construct_path', 'pods_min', 'pods_max']);
    expect(csv.find((l) => l.startsWith('ml,Deployment,llm,'))!.split(',').slice(4, 13))
      .toEqual(['spot-capacity/llm/Deployment/Resource', '3', '12', '3', '12', '6', '24', '3', '12']);
  });
});

function round(n: number) {
  return Math.round(n * 10000) / 10000;
}

describe('capacity report on YAML', () => {
  test('Ray worker groups, LeaderWorkerSet groups, containers without requests', () => {
    const rayCluster = {
      apiVersion: 'ray.io/v1',
      kind: 'RayCluster',
      metadata: { name: 'ray', namespace: 'ml' },
      spec: {
        headGroupSpec: { template: { spec: { containers: [{ name: 'head', image: 'rayproject/ray:2.9.0', resources: { requests: { cpu: '2', memory: '8Gi' } } }] } } },
        workerGroupSpecs: [{ groupName: 'gpu', minReplicas: 1, maxReplicas: 4, numOfHosts: 2, template: { spec: { containers: [{ name: 'w', image: 'rayproject/ray:2.9.0', resources: { limits: { 'nvidia.com/gpu': 1 } } }] } } }],
      },
    };
    const lws = {
      apiVersion: 'leaderworkerset.x-k8s.io/v1',
      kind: 'LeaderWorkerSet',
      metadata: { name: 'llama', namespace: 'ml' },
      spec: { replicas: 2, leaderWorkerTemplate: { size: 4, leaderTemplate: gpuTemplate(), workerTemplate: gpuTemplate() } },
    };
    const json = CapacityReport.fromManifests([rayCluster, lws]).toJson();
    const pods = (name: string, role: string) => json.workloads.find((w: any) => w.name === name && w.role === role).pods;
    expect(pods('ray', 'headGroupSpec')).toMatchObject({ min: 1, max: 1 });
    expect(pods('ray', 'workerGroupSpecs[0]')).toMatchObject({ min: 2, max: 8 });
    expect(pods('llama', 'leaderTemplate')).toMatchObject({ min: 2, max: 2 });
    expect(pods('llama', 'workerTemplate')).toMatchObject({ min: 6, max: 6 });
    expect(json.workloads.find((w: any) => w.role === 'workerGroupSpecs[0]').containersWithoutRequests).toEqual(['w']);
    expect(json.prices.label).toBe("EXAMPLE PRICES (illustrative, not your provider's; pass your own price table)");
  });

  test('a quota exceeded at maximum scale is flagged', () => {
    const quota = { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: 'ml' }, spec: { hard: { 'requests.cpu': '10', 'pods': '5' } } };
    const json = CapacityReport.fromManifests([quota, deployment('llm', {}, gpuPod(1)), pdb('llm'), hpa('llm', 2, 6), job('train', { parallelism: 4, completions: 2 })]).toJson();
    expect(json.quotas).toEqual([
      { quota: 'ml/q', resource: 'requests.cpu', hard: '10', atMin: 10, atMax: 26, exceededAtMax: true },
      { quota: 'ml/q', resource: 'pods', hard: '5', atMin: 4, atMax: 8, exceededAtMax: true },
    ]);
  });

  test('price tables are validated', () => {
    expect(() => PriceTable.fromOpenCost({ CPU: '0.03', RAM: 'cheap', GPU: 1 })).toThrow('PriceTable.fromOpenCost: RAM ("cheap") must be a non-negative number of USD per hour');
    expect(() => PriceTable.fromOpenCost({ CPU: '0.03', RAM: '0.004' })).toThrow('PriceTable.fromOpenCost: GPU is required (USD per hour)');
    expect(PriceTable.fromOpenCost({ CPU: '0.03', RAM: '0.004', GPU: '2' }).price('spotGPU')).toBe(2);
  });
});

function gpuTemplate() {
  return { spec: gpuPod(1) };
}
