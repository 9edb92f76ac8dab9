import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { MlflowProjectJobTemplate } from '../../src';
import { findObject, restrictedViolations, synthAndValidate, validationProblems } from '../util';

describe('MlflowProjectJobTemplate', () => {
  const chart = new Chart(Testing.app(), 'mlops', { namespace: 'mlops' });
  const t = new MlflowProjectJobTemplate(chart, 'train', { repositoryUri: 'registry.example.com/ml/projects', gpus: { count: 1 } });
  t.tolerate({ key: 'spot', effect: kplus.TaintEffect.NO_SCHEDULE });
  const manifests = synthAndValidate(chart);
  const cm = findObject(manifests, 'ConfigMap', 'train-job-template');
  const job = JSON.parse(cm.data['job-template.yaml']);

  test('the backend config names the repository and the template', () => {
    expect(JSON.parse(cm.data['kubernetes_config.json'])).toEqual({ 'repository-uri': 'registry.example.com/ml/projects', 'kube-job-template-path': 'job-template.yaml' });
  });

  test('the template is a valid, restricted batch/v1 Job from the core model, with placement added later', () => {
    expect(job).toMatchObject({ apiVersion: 'batch/v1', kind: 'Job', metadata: { namespace: 'mlops' }, spec: { backoffLimit: 0, ttlSecondsAfterFinished: 3600 } });
    const pod = job.spec.template.spec;
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.containers[0].resources.limits['nvidia.com/gpu']).toBe('1');
    expect(pod.tolerations).toContainEqual({ key: 'spot', operator: 'Exists', effect: 'NoSchedule' });
    expect(validationProblems([job])).toEqual([]);
    expect(restrictedViolations([job])).toEqual([]);
  });

  test('errors', () => {
    expect(() => new MlflowProjectJobTemplate(new Chart(Testing.app(), 'x'), 't', { repositoryUri: 'r.io/a/b' }))
      .toThrow("MlflowProjectJobTemplate 'x/t': namespace is required (MLflow reads it from the template) when the chart has none");
    expect(() => new MlflowProjectJobTemplate(chart, 't2', { repositoryUri: 'r.io/a/b:v1' }))
      .toThrow("MlflowProjectJobTemplate 'mlops/t2': repositoryUri ('r.io/a/b:v1') must be an image repository without a tag");
  });
});
