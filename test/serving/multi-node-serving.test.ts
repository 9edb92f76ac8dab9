import { Chart, Testing } from 'cdk8s';
import { GroupRestartPolicy, ModelSource, MultiNodeServing, MultiNodeServingProps, ServingRuntime } from '../../src';
import { findObject, synthAndValidate } from '../util';

function synth(props: Partial<MultiNodeServingProps> = {}) {
  const chart = new Chart(Testing.app(), 'prod', { namespace: 'llm' });
  const serving = new MultiNodeServing(chart, 'llama-405b', {
    runtime: ServingRuntime.vllm({ servedModelName: 'llama-405b' }),
    model: ModelSource.fromPersistentVolumeClaim('llama-405b-weights'),
    gpus: { count: 8, product: 'NVIDIA-H100-80GB-HBM3' },
    nodesPerReplica: 2,
    replicas: 2,
    ...props,
  });
  const manifests = synthAndValidate(chart);
  const lws = findObject(manifests, 'LeaderWorkerSet', 'llama-405b');
  return { serving, manifests, lws, leader: lws.spec.leaderWorkerTemplate.leaderTemplate, worker: lws.spec.leaderWorkerTemplate.workerTemplate };
}

describe('MultiNodeServing', () => {
  test('a LeaderWorkerSet of groups of nodesPerReplica pods, restarted as a group', () => {
    const { lws } = synth();
    expect(lws.apiVersion).toBe('leaderworkerset.x-k8s.io/v1');
    expect(lws.spec.replicas).toBe(2);
    expect(lws.spec.startupPolicy).toBe('LeaderCreated');
    expect(lws.spec.leaderWorkerTemplate.size).toBe(2);
    expect(lws.spec.leaderWorkerTemplate.restartPolicy).toBe('RecreateGroupOnPodRestart');
    expect(synth({ restartPolicy: GroupRestartPolicy.none() }).lws.spec.leaderWorkerTemplate.restartPolicy).toBe('None');
  });

  test('leader: Ray head, then vllm serve with TP over the node and PP over the nodes; probes, scrape', () => {
    const { leader } = synth();
    const c = leader.spec.containers[0];
    expect(c.command[0]).toBe('sh');
    expect(c.command[2]).toBe('bash /vllm-workspace/examples/online_serving/multi-node-serving.sh leader --ray_cluster_size=$(LWS_GROUP_SIZE) && exec '
      + "'vllm' 'serve' '/mnt/models' '--port' '8000' '--tensor-parallel-size' '8' '--served-model-name' 'llama-405b' "
      + "'--pipeline-parallel-size' '2' '--distributed-executor-backend' 'ray'");
    expect(c.readinessProbe.httpGet.path).toBe('/v1/models');
    expect(c.resources.limits['nvidia.com/gpu']).toBe('8');
    expect(leader.metadata.annotations).toMatchObject({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': '8000' });
    expect(leader.spec.volumes.map((v: any) => v.name)).toEqual(expect.arrayContaining(['dshm', 'runtime-home', 'model']));
  });

  test('workers: the same pod, joining the leader; no probes, ports or scrape', () => {
    const { leader, worker } = synth();
    const c = worker.spec.containers[0];
    expect(c.name).toBe('vllm-worker');
    expect(c.command).toEqual(['sh', '-c', 'bash /vllm-workspace/examples/online_serving/multi-node-serving.sh worker --ray_address=$(LWS_LEADER_ADDRESS)']);
    expect(c.readinessProbe).toBeUndefined();
    expect(c.ports).toBeUndefined();
    expect(worker.metadata.annotations).toBeUndefined();
    expect(c.resources).toEqual(leader.spec.containers[0].resources);
    expect(worker.spec.volumes).toEqual(leader.spec.volumes);
    expect(worker.spec.affinity).toEqual(leader.spec.affinity);
  });

  test('Service on the leaders, PDB over every pod', () => {
    const { manifests } = synth();
    expect(findObject(manifests, 'Service', 'llama-405b').spec.selector).toEqual({
      'leaderworkerset.sigs.k8s.io/name': 'llama-405b', 'leaderworkerset.sigs.k8s.io/worker-index': '0',
    });
    expect(findObject(manifests, 'PodDisruptionBudget', 'llama-405b').spec).toEqual({
      maxUnavailable: 1, selector: { matchLabels: { 'leaderworkerset.sigs.k8s.io/name': 'llama-405b' } },
    });
  });

  test('NetworkPolicy: the API port to anyone by default, every port within the set', () => {
    const { manifests } = synth();
    const policy = findObject(manifests, 'NetworkPolicy', 'llama-405b');
    expect(policy.spec.ingress).toEqual([
      { ports: [{ port: 8000, protocol: 'TCP' }] },
      { from: [{ podSelector: { matchLabels: { 'leaderworkerset.sigs.k8s.io/name': 'llama-405b' } } }] },
    ]);
  });

  test('errors', () => {
    expect(() => synth({ nodesPerReplica: 1 })).toThrow(/nodesPerReplica \(1\) must be/);
    expect(() => synth({ runtime: ServingRuntime.tgi({ modelId: 'x/y' }) })).toThrow(
      "MultiNodeServing 'prod/llama-405b': runtime ('tgi') must be vLLM: only it runs across nodes here");
    expect(() => synth({ gpus: undefined })).toThrow(/gpus are required/);
  });
});
