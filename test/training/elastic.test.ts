import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { launchOf } from './launch';
import { DistributedTrainingJob, DistributedTrainingJobProps, Torchrun, TrainingBackend } from '../../src';
import { findObject, findObjects, synthAndValidate } from '../util';

function indexedJob(props: Partial<DistributedTrainingJobProps>) {
  const chart = new Chart(Testing.app(), 'train', { namespace: 'ml' });
  const job = new DistributedTrainingJob(chart, 'llm', { image: 'training-worker:v1', gpus: { count: 8 }, ...props });
  const manifests = synthAndValidate(chart);
  return { job, manifests, k8sJob: findObject(manifests, 'Job'), service: findObject(manifests, 'Service') };
}

describe('elastic training on the Indexed Job backend: a replaced worker rejoins', () => {
  test('the rendezvous endpoint is worker 0 through the headless Service, which publishes not-ready pods', () => {
    const { k8sJob, service, job } = indexedJob({ torchrun: Torchrun.script('train.py') });
    const launch = launchOf(k8sJob.spec.template.spec.containers[0].command);
    expect(job.elastic).toBe(true);
    expect(launch.torchrun).toContain(`--rdzv-endpoint=llm-0.${service.metadata.name}:29500`);
    expect(launch.torchrun).toContain('--nproc-per-node=8');
    expect(service.spec.clusterIP).toBe('None');
    expect(service.spec.publishNotReadyAddresses).toBe(true);
    expect(service.spec.ports).toEqual([expect.objectContaining({ port: 29500 })]);
    // The replacement keeps its index, so its hostname: the endpoint stays valid.
    expect(k8sJob.spec.template.spec.subdomain).toBe(service.metadata.name);
  });

  test('failures: the lost pod is ignored and recreated; survivors spend their own per-index retries', () => {
    const { k8sJob } = indexedJob({ torchrun: Torchrun.script('train.py') });
    expect(k8sJob.spec.podFailurePolicy.rules).toEqual([
      { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
    ]);
    expect(k8sJob.spec.backoffLimitPerIndex).toBe(3);
    expect(k8sJob.spec.maxFailedIndexes).toBe(0);
    expect(k8sJob.spec.backoffLimit).toBeUndefined();
    expect(k8sJob.spec.template.spec.restartPolicy).toBe('Never');
  });

  test('backoffLimit sets the per-index budget; explicit per-index options win', () => {
    expect(indexedJob({ torchrun: Torchrun.script('t.py'), backend: TrainingBackend.indexedJob({ backoffLimit: 5 }) }).k8sJob.spec.backoffLimitPerIndex).toBe(5);
    const { k8sJob } = indexedJob({ torchrun: Torchrun.script('t.py'), backend: TrainingBackend.indexedJob({ backoffLimitPerIndex: 1, maxFailedIndexes: 2, backoffLimit: 6 }) });
    expect([k8sJob.spec.backoffLimitPerIndex, k8sJob.spec.maxFailedIndexes, k8sJob.spec.backoffLimit]).toEqual([1, 2, 6]);
  });

  test('a static launch and a plain command keep the Job-wide backoffLimit', () => {
    for (const props of [{ torchrun: Torchrun.script('t.py', { elastic: false }) }, { command: ['python', 't.py'] }]) {
      const { k8sJob, job } = indexedJob(props);
      expect(job.elastic).toBe(false);
      expect(k8sJob.spec.backoffLimit).toBe(3);
      expect(k8sJob.spec.backoffLimitPerIndex).toBeUndefined();
    }
  });

  test('errors: minWorkers range, minWorkers and elastic: false on the Kubeflow backends', () => {
    const chart = new Chart(Testing.app(), 'train');
    expect(() => new DistributedTrainingJob(chart, 'a', { image: 'w:v1', workers: 4, torchrun: Torchrun.script('t.py', { minWorkers: 5 }) }))
      .toThrow("DistributedTrainingJob 'train/a': torchrun.minWorkers (5) must be between 1 and 4");
    expect(() => new DistributedTrainingJob(chart, 'b', { image: 'w:v1', backend: TrainingBackend.pytorchJob(), torchrun: Torchrun.script('t.py', { minWorkers: 2 }) }))
      .toThrow("DistributedTrainingJob 'train/b': torchrun.minWorkers applies to the IndexedJob backend; on the PyTorchJob backend use backend.elasticPolicy.minReplicas");
    expect(() => new DistributedTrainingJob(chart, 'c', { image: 'w:v1', backend: TrainingBackend.trainJob(), torchrun: Torchrun.script('t.py', { elastic: false }) }))
      .toThrow("DistributedTrainingJob 'train/c': torchrun.elastic applies to the IndexedJob backend; on the TrainJob backend the runtime configures the rendezvous");
  });
});

describe('elastic PyTorchJob', () => {
  test('elasticPolicy with metrics: Workers only, the operator\'s HPA metrics rendered as autoscaling/v2 MetricSpecs', () => {
    const chart = new Chart(Testing.app(), 'train', { namespace: 'ml' });
    const job = new DistributedTrainingJob(chart, 'llm', {
      image: 'training-worker:v1',
      workers: 4,
      torchrun: Torchrun.script('train.py'),
      backend: TrainingBackend.pytorchJob({
        elasticPolicy: {
          minReplicas: 2,
          maxReplicas: 4,
          maxRestarts: 5,
          metrics: [kplus.Metric.resourceCpu(kplus.MetricTarget.averageUtilization(80))],
        },
      }),
    });
    const pt = findObject(synthAndValidate(chart), 'PyTorchJob');
    expect(job.elastic).toBe(true);
    expect(pt.spec.elasticPolicy).toEqual({
      minReplicas: 2,
      maxReplicas: 4,
      maxRestarts: 5,
      rdzvBackend: 'c10d',
      rdzvPort: 29400,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }],
    });
    expect(Object.keys(pt.spec.pytorchReplicaSpecs)).toEqual(['Worker']);
    // The operator sets PET_NNODES=min:max, PET_RDZV_ENDPOINT, PET_MAX_RESTARTS: no flags of ours.
    expect(launchOf(pt.spec.pytorchReplicaSpecs.Worker.template.spec.containers[0].command).torchrun).toEqual(['torchrun']);
    expect(findObjects(synthAndValidate(chart), 'Job')).toEqual([]);
  });
});
