import { App } from 'cdk8s';
import { build } from '../../examples/distributed-training';
import { findObject, synthAndValidate } from '../util';

// examples/distributed-training.ts must reproduce the guide's job:
// parallelism 4, WORLD_SIZE 4, RANK from the completion index, 1 GPU / 8Gi / 4 CPU, restartPolicy Never.
describe('examples/distributed-training.ts', () => {
  const app = new App({ outdir: '/dev/null' });
  build(app);
  const chart = app.charts.find(c => c.node.id === 'distributed-training')!;
  const manifests = synthAndValidate(chart);

  test('reproduces the guide\'s distributed-training Job', () => {
    const job = findObject(manifests, 'Job', 'distributed-training');
    expect(job.metadata.namespace).toBe('ml');
    expect(job.spec.parallelism).toBe(4);
    const pod = job.spec.template.spec;
    expect(pod.restartPolicy).toBe('Never');
    const c = pod.containers[0];
    expect(c.name).toBe('training-worker');
    expect(c.image).toBe('training-worker:v1');
    expect(c.env).toContainEqual({ name: 'WORLD_SIZE', value: '4' });
    expect(c.env).toContainEqual({
      name: 'RANK', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } },
    });
    expect(c.resources.requests).toEqual({ 'nvidia.com/gpu': '1', 'memory': '8192Mi', 'cpu': '4' });
    expect(findObject(manifests, 'Service', 'distributed-training').spec.clusterIP).toBe('None');
  });

  test('shows the PyTorchJob backend', () => {
    const pt = findObject(manifests, 'PyTorchJob', 'distributed-training-pt');
    expect(pt.spec.pytorchReplicaSpecs.Master.replicas + pt.spec.pytorchReplicaSpecs.Worker.replicas).toBe(4);
    expect(pt.spec.runPolicy.schedulingPolicy.minAvailable).toBe(4);
  });

  test('snapshot', () => {
    expect(manifests).toMatchSnapshot();
  });
});
