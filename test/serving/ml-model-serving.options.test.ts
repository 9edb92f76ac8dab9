import { Chart, Duration, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  MlModelServing, MlModelServingProps, ModelSource, NodeSelectorOperator, PodSecurity, PriorityClassRef, ServingScaling, TopologySpread,
  UnsatisfiableSpreadAction,
} from '../../src';
import { findObject, findObjects, synthAndValidate } from '../util';

function synth(props: Partial<MlModelServingProps> = {}, configure?: (s: MlModelServing, c: Chart) => void) {
  const chart = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
  const serving = new MlModelServing(chart, 'bert', { image: 'ml-model:v1', ...props });
  configure?.(serving, chart);
  const manifests = synthAndValidate(chart);
  const deployment = findObject(manifests, 'Deployment', 'bert');
  return { serving, manifests, deployment, pod: deployment.spec.template.spec, container: deployment.spec.template.spec.containers[0] };
}

describe('MlModelServing options', () => {
  test('GPUs go in requests and limits, with the GPU toleration and product affinity', () => {
    const { pod, container } = synth({ gpus: { count: 2, product: 'NVIDIA-A100-SXM4-40GB' } });
    expect(container.resources.requests['nvidia.com/gpu']).toBe('2');
    expect(container.resources.limits['nvidia.com/gpu']).toBe('2');
    expect(pod.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toEqual([
      { matchExpressions: [{ key: 'nvidia.com/gpu.product', operator: 'In', values: ['NVIDIA-A100-SXM4-40GB'] }] },
    ]);
  });

  test('another extended resource name, no toleration when told so', () => {
    const { pod, container } = synth({ gpus: { count: 1, resourceName: 'amd.com/gpu', tolerateGpuTaint: false } });
    expect(container.resources.limits['amd.com/gpu']).toBe('1');
    expect(pod.tolerations).toBeUndefined();
  });

  test('resources: given values, a missing limit follows a large request', () => {
    const { container } = synth({
      resources: { cpu: { request: kplus.Cpu.units(4) }, memory: { request: Size.gibibytes(1), limit: Size.gibibytes(2) } },
    });
    expect(container.resources).toEqual({ requests: { cpu: '4', memory: '1024Mi' }, limits: { cpu: '4', memory: '2048Mi' } });
  });

  test('guaranteedQos sets limits to requests', () => {
    const { serving, container } = synth({ guaranteedQos: true });
    expect(container.resources.limits).toEqual(container.resources.requests);
    expect(serving.qosClass).toBe('Guaranteed');
  });

  test('fixed replicas: no HPA, replicas on the Deployment, PDB only when more than one', () => {
    const three = synth({ scaling: ServingScaling.fixed(3) });
    expect(three.deployment.spec.replicas).toBe(3);
    expect(findObjects(three.manifests, 'HorizontalPodAutoscaler')).toHaveLength(0);
    expect(findObject(three.manifests, 'PodDisruptionBudget', 'bert').spec.maxUnavailable).toBe(1);
    expect(three.serving.autoscaler).toBeUndefined();

    const one = synth({ scaling: ServingScaling.fixed(1) });
    expect(findObjects(one.manifests, 'PodDisruptionBudget')).toHaveLength(0);
    expect(one.serving.disruptionBudget).toBeUndefined();
  });

  test('external scaling: neither HPA nor replicas, PDB sized from the minimum', () => {
    const { deployment, manifests, serving } = synth({ scaling: ServingScaling.external({ minReplicas: 2, maxReplicas: 10 }) });
    expect(deployment.spec.replicas).toBeUndefined();
    expect(findObjects(manifests, 'HorizontalPodAutoscaler')).toHaveLength(0);
    expect(serving.minReplicas).toBe(2);
    expect(serving.maxReplicas).toBe(10);
  });

  test('autoscaling knobs and extra metrics', () => {
    const { manifests } = synth({
      scaling: ServingScaling.autoscale({
        minReplicas: 3,
        maxReplicas: 9,
        cpuUtilization: 60,
        resourceMetrics: true,
        memoryUtilization: 75,
        extraMetrics: [kplus.Metric.pods({ name: 'inference_requests_per_second', target: kplus.MetricTarget.averageValue(20) })],
        scaleDownStabilization: Duration.minutes(10),
      }),
    });
    const hpa = findObject(manifests, 'HorizontalPodAutoscaler', 'bert');
    expect(hpa.spec.minReplicas).toBe(3);
    expect(hpa.spec.maxReplicas).toBe(9);
    expect(hpa.spec.metrics.map((m: any) => m.type)).toEqual(['Resource', 'Resource', 'Pods']);
    expect(hpa.spec.metrics[0].resource.target.averageUtilization).toBe(60);
    expect(hpa.spec.metrics[1].resource.target.averageUtilization).toBe(75);
    expect(hpa.spec.behavior.scaleDown.stabilizationWindowSeconds).toBe(600);
  });

  test('resourceMetrics false scales on the extra metrics alone', () => {
    const { manifests } = synth({
      scaling: ServingScaling.autoscale({
        resourceMetrics: false,
        extraMetrics: [kplus.Metric.pods({ name: 'queue_depth', target: kplus.MetricTarget.averageValue(5) })],
      }),
    });
    expect(findObject(manifests, 'HorizontalPodAutoscaler', 'bert').spec.metrics.map((m: any) => m.type)).toEqual(['Pods']);
  });

  test('PDB minAvailable', () => {
    const { manifests } = synth({ scaling: ServingScaling.fixed(4), disruptionBudget: { minAvailable: 3 } });
    const pdb = findObject(manifests, 'PodDisruptionBudget', 'bert');
    expect(pdb.spec.minAvailable).toBe(3);
    expect(pdb.spec.maxUnavailable).toBeUndefined();
  });

  test('metrics on a separate port: annotations, a named container port, admitted by the NetworkPolicy', () => {
    const { deployment, container, manifests } = synth({ metrics: { port: 9090, path: '/stats' } });
    expect(deployment.spec.template.metadata.annotations).toEqual({
      'prometheus.io/scrape': 'true', 'prometheus.io/port': '9090', 'prometheus.io/path': '/stats', 'prometheus.io/scheme': 'http',
    });
    expect(container.ports).toContainEqual({ containerPort: 9090, name: 'metrics' });
    expect(findObject(manifests, 'Service', 'bert').spec.ports).toContainEqual({ name: 'metrics', port: 9090, targetPort: 9090 });
    expect(findObject(manifests, 'NetworkPolicy', 'bert').spec.ingress[0].ports).toEqual([
      { port: 8080, protocol: 'TCP' }, { port: 9090, protocol: 'TCP' },
    ]);
  });

  test('ingressFrom restricts the NetworkPolicy to the given peers', () => {
    const { manifests } = synth({}, undefined);
    expect(findObject(manifests, 'NetworkPolicy', 'bert').spec.ingress[0].from).toBeUndefined();
    const chart = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
    const gateway = kplus.Pods.select(chart, 'Gateway', { labels: { app: 'gateway' } });
    new MlModelServing(chart, 'bert', { image: 'ml-model:v1', ingressFrom: [gateway] });
    const np = findObject(synthAndValidate(chart), 'NetworkPolicy', 'bert');
    expect(np.spec.ingress).toEqual([{ from: [{ podSelector: { matchLabels: { app: 'gateway' } } }], ports: [{ port: 8080, protocol: 'TCP' }] }]);
  });

  test('egressTo denies other egress, but allows the peers and DNS', () => {
    const chart = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
    const store = kplus.Pods.select(chart, 'Store', { labels: { app: 'feature-store' } });
    new MlModelServing(chart, 'bert', { image: 'ml-model:v1', egressTo: [store] });
    const np = findObject(synthAndValidate(chart), 'NetworkPolicy', 'bert');
    expect(np.spec.policyTypes.sort()).toEqual(['Egress', 'Ingress']);
    expect(np.spec.egress).toEqual([
      { ports: [], to: [{ podSelector: { matchLabels: { app: 'feature-store' } } }] },
      { ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] },
    ]);
    // Without egressTo, egress is not governed by the policy at all.
    expect(findObject(synth().manifests, 'NetworkPolicy', 'bert').spec.egress).toBeUndefined();
  });

  test('fixed scaling defaults to the guide\'s 3 replicas; the HPA can be named like the guide\'s', () => {
    expect(synth({ scaling: ServingScaling.fixed() }).deployment.spec.replicas).toBe(3);
    const { manifests } = synth({ scaling: ServingScaling.autoscale({ name: 'ml-model-hpa' }) });
    expect(findObject(manifests, 'HorizontalPodAutoscaler').metadata.name).toBe('ml-model-hpa');
  });

  test('model from a storage URI: hardened init container, shared volume mounted read-only', () => {
    const { pod, container } = synth({ model: ModelSource.fromStorageUri('s3://models/bert', { sizeLimit: Size.gibibytes(20) }) });
    const init = pod.initContainers[0];
    expect(init.name).toBe('storage-initializer');
    expect(init.args).toEqual(['s3://models/bert', '/mnt/models']);
    expect(init.volumeMounts).toContainEqual({ mountPath: '/mnt/models', name: 'model' });
    expect(init.resources.limits).toBeDefined();
    expect(container.volumeMounts).toContainEqual({ mountPath: '/mnt/models', name: 'model', readOnly: true });
    expect(pod.volumes).toContainEqual({ name: 'model', emptyDir: { sizeLimit: '20480Mi' } });
  });

  test('model from an existing PVC, read-only', () => {
    const { pod, container } = synth({ model: ModelSource.fromPersistentVolumeClaim('model-store', { subPath: 'bert' }), modelMountPath: '/models' });
    expect(container.volumeMounts).toContainEqual({ mountPath: '/models', name: 'model', readOnly: true, subPath: 'bert' });
    expect(pod.volumes).toContainEqual({ name: 'model', persistentVolumeClaim: { claimName: 'model-store', readOnly: true } });
  });

  test('extra labels on pods and objects; selector labels join the selector', () => {
    const { deployment, manifests, serving } = synth({ labels: { app: 'ml-model' }, selectorLabels: { version: 'blue' } });
    expect(deployment.spec.template.metadata.labels).toMatchObject({ app: 'ml-model', version: 'blue' });
    expect(deployment.spec.selector.matchLabels).toEqual({ ...serving.selector });
    expect(serving.selector.version).toBe('blue');
    expect(serving.selector.app).toBeUndefined();
    expect(findObject(manifests, 'Service', 'bert').spec.selector.version).toBe('blue');
  });

  test('rolling-update and lifecycle knobs', () => {
    const { deployment, pod } = synth({
      maxSurge: kplus.PercentOrAbsolute.absolute(2),
      maxUnavailable: kplus.PercentOrAbsolute.percent(10),
      minReady: Duration.seconds(15),
      progressDeadline: Duration.minutes(20),
      revisionHistoryLimit: 3,
      terminationGracePeriod: Duration.seconds(120),
    });
    expect(deployment.spec.strategy.rollingUpdate).toEqual({ maxSurge: 2, maxUnavailable: '10%' });
    expect(deployment.spec.minReadySeconds).toBe(15);
    expect(deployment.spec.progressDeadlineSeconds).toBe(1200);
    expect(deployment.spec.revisionHistoryLimit).toBe(3);
    expect(pod.terminationGracePeriodSeconds).toBe(120);
  });

  test('spread: hard node spread plus zone spread, or none', () => {
    const hard = synth({ spread: [TopologySpread.acrossZones(), TopologySpread.acrossNodes({ whenUnsatisfiable: UnsatisfiableSpreadAction.DO_NOT_SCHEDULE, matchLabelKeys: ['pod-template-hash'] })] });
    expect(hard.pod.topologySpreadConstraints[1]).toMatchObject({ topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule', matchLabelKeys: ['pod-template-hash'] });
    expect(synth({ spread: [] }).pod.topologySpreadConstraints).toBeUndefined();
  });

  test('custom port, service port, type, command, args, env, probes and identity', () => {
    const { container, pod, manifests } = synth({
      port: 9000,
      servicePort: 8000,
      serviceType: kplus.ServiceType.NODE_PORT,
      command: ['python', '-m', 'server'],
      args: ['--workers', '2'],
      env: { MODEL_NAME: kplus.EnvValue.fromValue('bert') },
      readiness: kplus.Probe.fromHttpGet('/v2/health/ready', { port: 9000 }),
      startupTimeout: Duration.minutes(30),
      podSecurity: PodSecurity.restricted({ runAsUser: 2000, runAsGroup: 3000, fsGroup: 4000 }),
      automountServiceAccountToken: true,
    });
    expect(container.ports[0].containerPort).toBe(9000);
    expect(container.command).toEqual(['python', '-m', 'server']);
    expect(container.args).toEqual(['--workers', '2']);
    expect(container.env).toEqual([{ name: 'MODEL_NAME', value: 'bert' }]);
    expect(container.readinessProbe.httpGet.path).toBe('/v2/health/ready');
    expect(container.startupProbe.failureThreshold * container.startupProbe.periodSeconds).toBe(1800);
    expect(container.livenessProbe.httpGet.port).toBe(9000);
    expect(pod.securityContext).toMatchObject({ runAsUser: 2000, runAsGroup: 3000, fsGroup: 4000 });
    expect(pod.automountServiceAccountToken).toBe(true);
    expect(findObject(manifests, 'Service', 'bert').spec).toMatchObject({ type: 'NodePort', ports: [{ port: 8000, targetPort: 9000 }] });
  });

  test('container name, priority class and GPU count', () => {
    const { container, pod, serving } = synth({ containerName: 'ml-model', priorityClass: PriorityClassRef.fromName('ml-online-serving'), gpus: { count: 2 } });
    expect(container.name).toBe('ml-model');
    expect(pod.priorityClassName).toBe('ml-online-serving');
    expect(serving.gpuCount).toBe(2);
    expect(synth().serving.gpuCount).toBe(0);
    expect(synth().pod.priorityClassName).toBeUndefined();
  });

  test('explicit name and version', () => {
    const chart = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
    new MlModelServing(chart, 'bert', { image: 'ml-model:v1', name: 'bert-classifier', version: 'model-7', partOf: 'search' });
    const d = findObject(synthAndValidate(chart), 'Deployment', 'bert-classifier');
    expect(d.metadata.labels).toMatchObject({ 'app.kubernetes.io/version': 'model-7', 'app.kubernetes.io/part-of': 'search' });
  });

  test('a digest-pinned image is accepted, its version label is the digest prefix', () => {
    const { deployment } = synth({ image: 'registry:5000/ml-model@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef' });
    expect(deployment.metadata.labels['app.kubernetes.io/version']).toBe('0123456789ab');
  });

  test('allowMutableImageTag accepts :latest and pulls always', () => {
    const { container } = synth({ image: 'ml-model:latest', allowMutableImageTag: true });
    expect(container.imagePullPolicy).toBe('Always');
  });

  test('scheduling hooks: tolerations and node affinity through ISchedulable', () => {
    const { pod } = synth({}, (s) => {
      s.tolerate({ key: 'karpenter.sh/capacity-type', value: 'spot', effect: kplus.TaintEffect.NO_SCHEDULE });
      s.requireNodes([{ key: 'kubernetes.io/arch', operator: NodeSelectorOperator.IN, values: ['amd64'] }]);
      s.preferNodes(50, [{ key: 'karpenter.sh/capacity-type', operator: NodeSelectorOperator.IN, values: ['spot'] }]);
    });
    expect(pod.tolerations).toEqual([{ key: 'karpenter.sh/capacity-type', operator: 'Equal', value: 'spot', effect: 'NoSchedule' }]);
    expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions)
      .toEqual([{ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] }]);
    expect(pod.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution).toEqual([
      { weight: 50, preference: { matchExpressions: [{ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot'] }] } },
    ]);
  });
});
