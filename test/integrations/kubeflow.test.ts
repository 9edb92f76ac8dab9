import { Chart, Size, Testing } from 'cdk8s';
import {
  InferenceScaleMetric, InferenceService, KatibAlgorithm, KatibExperiment, KatibExperimentProps,
  KatibObjectiveType, KatibParameter, Notebook, PipelineRunner,
} from '../../src';
import { findObject, findObjects, synthAndValidate } from '../util';

const chart = () => new Chart(Testing.app(), 'kf', { namespace: 'team-a' });

describe('InferenceService', () => {
  test('Standard mode, model format, runtime, storage URI, replicas and scale metric; restricted model container', () => {
    const c = chart();
    const isvc = new InferenceService(c, 'sklearn-iris', {
      modelFormat: 'sklearn',
      runtime: 'kserve-sklearnserver',
      storageUri: 'gs://kfserving-examples/models/sklearn/1.0/model',
      minReplicas: 2,
      maxReplicas: 5,
      scaleMetric: InferenceScaleMetric.MEMORY,
      scaleTarget: 70,
    });
    const o = findObject(synthAndValidate(c), 'serving.kserve.io/v1beta1/InferenceService');
    expect(o.metadata.annotations).toMatchObject({ 'serving.kserve.io/deploymentMode': 'Standard', 'serving.kserve.io/autoscalerClass': 'hpa' });
    const p = o.spec.predictor;
    expect(p).toMatchObject({ minReplicas: 2, maxReplicas: 5, scaleMetric: 'memory', scaleTarget: 70, automountServiceAccountToken: false, serviceAccountName: 'sklearn-iris' });
    expect(p.model).toMatchObject({ modelFormat: { name: 'sklearn' }, runtime: 'kserve-sklearnserver', storageUri: 'gs://kfserving-examples/models/sklearn/1.0/model' });
    expect(p.model.image).toBeUndefined();
    expect(p.model.securityContext).toMatchObject({ readOnlyRootFilesystem: true, runAsNonRoot: true });
    expect(p.model.resources.limits).toEqual({ cpu: '2', memory: '4096Mi' });
    expect(p.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(isvc.maxReplicas).toBe(5);
    const pdb = findObject(synthAndValidate(c), 'PodDisruptionBudget');
    expect(pdb.spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: isvc.selector } });
  });

  test('GPUs reach the model container and the toleration the predictor', () => {
    const c = chart();
    new InferenceService(c, 'llm', { modelFormat: 'huggingface', storageUri: 'hf://meta-llama/Llama-3.1-8B-Instruct', gpus: { count: 1 } });
    const p = findObject(synthAndValidate(c), 'InferenceService').spec.predictor;
    expect(p.model.resources.limits['nvidia.com/gpu']).toBe('1');
    expect(p.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
  });

  test.each([
    [{ storageUri: 'bucket/model' }, "InferenceService 'kf/isvc': storageUri ('bucket/model') must be an s3://, gs://, pvc://, hf://, oci:// or http(s):// URI"],
    [{ minReplicas: 3, maxReplicas: 2 }, "InferenceService 'kf/isvc': maxReplicas (2) must be >= minReplicas (3)"],
    [{ scaleTarget: 0 }, "InferenceService 'kf/isvc': scaleTarget (0) must be between 1 and 100"],
    [{ minReplicas: 0 }, "InferenceService 'kf/isvc': minReplicas (0) must be >= 1"],
  ])('error %#', (props, message) => {
    expect(() => new InferenceService(chart(), 'isvc', { modelFormat: 'sklearn', storageUri: 's3://b/m', ...props })).toThrow(message);
  });
});

describe('Notebook', () => {
  test('restricted jovyan pod, workspace PVC at /home/jovyan, GPU, stopped annotation', () => {
    const c = chart();
    const nb = new Notebook(c, 'alice', { image: 'kubeflownotebookswg/jupyter-pytorch-cuda-full:v1.9.0', gpus: { count: 1 }, workspaceSize: Size.gibibytes(50), stopped: true });
    const manifests = synthAndValidate(c);
    const o = findObject(manifests, 'kubeflow.org/v1/Notebook');
    expect(o.metadata.annotations).toEqual({ 'kubeflow-resource-stopped': 'true' });
    const pod = o.spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsUser: 1000, runAsGroup: 100, fsGroup: 100, runAsNonRoot: true });
    const ctr = pod.containers[0];
    expect(ctr.name).toBe('alice');
    expect(ctr.ports).toEqual([{ name: 'notebook-port', containerPort: 8888, protocol: 'TCP' }]);
    expect(ctr.volumeMounts).toContainEqual({ mountPath: '/home/jovyan', name: 'workspace' });
    expect(ctr.resources.limits['nvidia.com/gpu']).toBe('1');
    const pvc = findObject(manifests, 'PersistentVolumeClaim');
    expect(pvc.metadata.name).toBe('alice-workspace');
    expect(pvc.spec.resources.requests.storage).toBe('50Gi');
    expect(nb.workspace.name).toBe('alice-workspace');
  });
});

describe('KatibExperiment', () => {
  const base: KatibExperimentProps = {
    image: 'ghcr.io/acme/train:v1',
    args: ['--lr=${trialParameters.lr}', '--layers=${trialParameters.layers}', '--optimizer=${trialParameters.optimizer}'],
    objectiveMetric: 'accuracy',
    objectiveType: KatibObjectiveType.MAXIMIZE,
    goal: 0.95,
    algorithm: KatibAlgorithm.TPE,
    parameters: [KatibParameter.double('lr', 0.0001, 0.1), KatibParameter.int('layers', 2, 8), KatibParameter.categorical('optimizer', ['adam', 'sgd'])],
    parallelTrials: 2,
    maxTrials: 20,
  };

  test('objective, algorithm, parameters, parallel/max trials over a restricted Job trial template', () => {
    const c = chart();
    new KatibExperiment(c, 'tune', base);
    const e = findObject(synthAndValidate(c), 'kubeflow.org/v1beta1/Experiment');
    expect(e.spec).toMatchObject({
      objective: { type: 'maximize', objectiveMetricName: 'accuracy', goal: 0.95 },
      algorithm: { algorithmName: 'tpe' },
      parallelTrialCount: 2,
      maxTrialCount: 20,
      maxFailedTrialCount: 3,
    });
    expect(e.spec.parameters).toEqual([
      { name: 'lr', parameterType: 'double', feasibleSpace: { min: '0.0001', max: '0.1' } },
      { name: 'layers', parameterType: 'int', feasibleSpace: { min: '2', max: '8' } },
      { name: 'optimizer', parameterType: 'categorical', feasibleSpace: { list: ['adam', 'sgd'] } },
    ]);
    const t = e.spec.trialTemplate;
    expect(t.primaryContainerName).toBe('training');
    expect(t.trialParameters).toEqual([{ name: 'lr', reference: 'lr' }, { name: 'layers', reference: 'layers' }, { name: 'optimizer', reference: 'optimizer' }]);
    const pod = t.trialSpec.spec.template.spec;
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.containers[0].args).toEqual(base.args);
    expect(pod.containers[0].securityContext).toMatchObject({ allowPrivilegeEscalation: false });
  });

  test.each([
    [{ args: ['--lr=${trialParameters.lr}'] }, "KatibExperiment 'kf/tune': args never reference parameter 'layers' as ${trialParameters.layers}: every trial would train the same model"],
    [{ parallelTrials: 30 }, "KatibExperiment 'kf/tune': parallelTrials (30) must be <= maxTrials (20)"],
    [{ parameters: [] }, "KatibExperiment 'kf/tune': parameters needs at least one parameter"],
    [{ parameters: [KatibParameter.double('lr', 1, 1)], args: ['${trialParameters.lr}'] }, "KatibExperiment 'kf/tune': parameters[0] (lr) min (1) must be < max (1)"],
    [{ algorithm: KatibAlgorithm.GRID }, "KatibExperiment 'kf/tune': parameters of type double need a step for the grid algorithm"],
  ])('error %#', (props, message) => {
    expect(() => new KatibExperiment(chart(), 'tune', { ...base, ...props })).toThrow(message);
  });
});

describe('PipelineRunner', () => {
  test('ServiceAccount pipeline-runner with a least-privilege Role, no wildcard, no secret listing', () => {
    const c = chart();
    new PipelineRunner(c, 'runner');
    const manifests = synthAndValidate(c);
    expect(findObject(manifests, 'ServiceAccount').metadata.name).toBe('pipeline-runner');
    const role = findObject(manifests, 'Role');
    const rules = role.rules.map((r: any) => [r.apiGroups.join(), r.resources.join(), [...r.verbs].sort().join()]);
    expect(rules).toEqual(expect.arrayContaining([
      ['argoproj.io', 'workflowtaskresults', 'create,patch'],
      ['', 'pods', 'get,patch,watch'],
      ['', 'pods/log', 'get'],
    ]));
    expect(JSON.stringify(role.rules)).not.toMatch(/"\*"|"list"/);
    expect(findObjects(manifests, 'RoleBinding')).toHaveLength(1);
  });
});
