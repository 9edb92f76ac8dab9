import { Chart, Testing } from 'cdk8s';
import { MlModelServing } from '../../src';
import { findObject, synthAndValidate } from '../util';

function synthDefault() {
  const chart = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
  const serving = new MlModelServing(chart, 'bert', { image: 'ml-model:v1' });
  return { serving, manifests: synthAndValidate(chart) };
}

const SELECTOR = {
  'app.kubernetes.io/name': 'bert',
  'app.kubernetes.io/instance': 'bert',
  'app.kubernetes.io/component': 'model-server',
};

describe('MlModelServing defaults', () => {
  const { serving, manifests } = synthDefault();
  const deployment = findObject(manifests, 'Deployment', 'bert');
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0];

  test('emits exactly the serving stack, all named after the server', () => {
    expect(manifests.map((m: any) => `${m.kind}/${m.metadata.name}`).sort()).toEqual([
      'Deployment/bert',
      'HorizontalPodAutoscaler/bert',
      'NetworkPolicy/bert',
      'PodDisruptionBudget/bert',
      'Service/bert',
      'ServiceAccount/bert',
    ]);
    for (const m of manifests) expect(m.metadata.namespace).toBe('ml');
  });

  test('labels: recommended labels everywhere, version from the image tag, selector without version', () => {
    for (const m of manifests) {
      expect(m.metadata.labels).toMatchObject({ ...SELECTOR, 'app.kubernetes.io/version': 'v1', 'app.kubernetes.io/managed-by': 'cdk8s-ml' });
    }
    expect(deployment.spec.selector).toEqual({ matchLabels: SELECTOR });
    expect(deployment.spec.template.metadata.labels).toMatchObject({ ...SELECTOR, 'app.kubernetes.io/version': 'v1' });
    expect(serving.selector).toEqual(SELECTOR);
  });

  test('the Service, PDB, NetworkPolicy and spread select exactly the pods', () => {
    const podLabels = deployment.spec.template.metadata.labels;
    const selectors = [
      findObject(manifests, 'Service', 'bert').spec.selector,
      findObject(manifests, 'PodDisruptionBudget', 'bert').spec.selector.matchLabels,
      findObject(manifests, 'NetworkPolicy', 'bert').spec.podSelector.matchLabels,
      pod.topologySpreadConstraints[0].labelSelector.matchLabels,
    ];
    for (const selector of selectors) {
      expect(selector).toEqual(SELECTOR);
      for (const [k, v] of Object.entries(selector)) expect(podLabels[k]).toBe(v);
    }
  });

  test('container: port 8080, the guide resources (requests and limits), pinned pull policy', () => {
    expect(container.name).toBe('model-server');
    expect(container.image).toBe('ml-model:v1');
    expect(container.imagePullPolicy).toBe('IfNotPresent');
    expect(container.ports).toEqual([{ containerPort: 8080, name: 'http' }]);
    expect(container.resources).toEqual({
      requests: { cpu: '1', memory: '2048Mi' },
      limits: { cpu: '2', memory: '4096Mi' },
    });
    expect(serving.qosClass).toBe('Burstable');
  });

  test('probes: liveness /health, readiness /ready, a startup probe allowing 10 minutes', () => {
    expect(container.livenessProbe.httpGet).toMatchObject({ path: '/health', port: 8080 });
    expect(container.readinessProbe.httpGet).toMatchObject({ path: '/ready', port: 8080 });
    expect(container.startupProbe.httpGet).toMatchObject({ path: '/health', port: 8080 });
    expect(container.startupProbe.periodSeconds * container.startupProbe.failureThreshold).toBe(600);
  });

  test('restricted pod security and a writable /tmp on a read-only root filesystem', () => {
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
    });
    expect(container.volumeMounts).toContainEqual({ mountPath: '/tmp', name: 'tmp' });
    expect(pod.volumes).toContainEqual({ name: 'tmp', emptyDir: {} });
  });

  test('service account: dedicated, token not mounted', () => {
    expect(pod.serviceAccountName).toBe('bert');
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(findObject(manifests, 'ServiceAccount', 'bert').automountServiceAccountToken).toBe(false);
  });

  test('HPA v2: 2..20 replicas on CPU 70% and memory 80%, no replicas on the Deployment', () => {
    const hpa = findObject(manifests, 'HorizontalPodAutoscaler', 'bert');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec).toMatchObject({ minReplicas: 2, maxReplicas: 20, scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'bert' } });
    expect(hpa.spec.metrics).toEqual([
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
      { type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 80 } } },
    ]);
    expect(hpa.spec.behavior.scaleDown.stabilizationWindowSeconds).toBe(300);
    expect(deployment.spec.replicas).toBeUndefined();
  });

  test('availability: PDB maxUnavailable 1, zone spread ScheduleAnyway, zero-downtime rolling update', () => {
    expect(findObject(manifests, 'PodDisruptionBudget', 'bert').spec.maxUnavailable).toBe(1);
    expect(pod.topologySpreadConstraints).toEqual([{
      maxSkew: 1,
      topologyKey: 'topology.kubernetes.io/zone',
      whenUnsatisfiable: 'ScheduleAnyway',
      labelSelector: { matchLabels: SELECTOR },
    }]);
    expect(deployment.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } });
    expect(deployment.spec.revisionHistoryLimit).toBe(10);
    expect(deployment.spec.progressDeadlineSeconds).toBe(720);
    expect(pod.terminationGracePeriodSeconds).toBe(60);
  });

  test('service: ClusterIP port 80 to 8080', () => {
    expect(findObject(manifests, 'Service', 'bert').spec).toMatchObject({
      type: 'ClusterIP',
      ports: [{ name: 'http', port: 80, targetPort: 8080 }],
    });
  });

  test('network policy: ingress only to the serving port, from anywhere; egress untouched', () => {
    const np = findObject(manifests, 'NetworkPolicy', 'bert');
    expect(np.spec.policyTypes).toEqual(['Ingress']);
    expect(np.spec.ingress).toEqual([{ ports: [{ port: 8080, protocol: 'TCP' }] }]);
  });

  test('no GPU, no scrape annotations, no init container unless asked', () => {
    expect(JSON.stringify(deployment)).not.toContain('nvidia.com/gpu');
    expect(deployment.spec.template.metadata.annotations).toBeUndefined();
    expect(pod.initContainers).toBeUndefined();
    expect(pod.tolerations).toBeUndefined();
  });

  test('snapshot', () => {
    expect(manifests).toMatchSnapshot();
  });
});
