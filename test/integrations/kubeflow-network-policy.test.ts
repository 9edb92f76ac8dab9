import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import * as fc from 'fast-check';
import { InferenceService, InferenceServiceProps, KubeflowPeers, Notebook, NotebookProps } from '../../src';
import { findObject, findObjects, synthAndValidate } from '../util';
import { NetworkPolicyEvaluator, PodEndpoint, selectorMatches } from '../util/network-policy-evaluator';

const chart = () => new Chart(Testing.app(), 'kf', { namespace: 'team-a' });
const IMAGE = 'kubeflownotebookswg/jupyter-scipy:v1.9.0';

// The pods the controllers create, with the labels upstream puts on them.
/** kubeflow/kubeflow notebook_controller.go generateStatefulSet: its own labels plus the Notebook's. */
function notebookPod(manifests: any[], name: string): PodEndpoint {
  const nb = findObject(manifests, 'kubeflow.org/v1/Notebook', name);
  return { namespace: 'team-a', labels: { ...nb.metadata.labels, 'statefulset': name, 'notebook-name': name }, namedPorts: { 'notebook-port': 8888 } };
}
/** kserve predictor.go buildObjectMeta (isvc labels, predictor labels, KServe's) and the raw Deployment's `app`. */
function predictorPod(manifests: any[], name: string): PodEndpoint {
  const isvc = findObject(manifests, 'serving.kserve.io/v1beta1/InferenceService', name);
  return {
    namespace: 'team-a',
    labels: {
      ...isvc.metadata.labels,
      ...isvc.spec.predictor.labels,
      'serving.kserve.io/inferenceservice': name,
      'component': 'predictor',
      'app': `isvc.${name}-predictor`,
    },
  };
}
const gateway: PodEndpoint = { namespace: 'istio-system', labels: { app: 'istio-ingressgateway', istio: 'ingressgateway' } };
const culler: PodEndpoint = { namespace: 'kubeflow', labels: { 'app': 'notebook-controller', 'kustomize.component': 'notebook-controller' } };
const neighbour: PodEndpoint = { namespace: 'team-a', labels: { app: 'other' } };
const stranger: PodEndpoint = { namespace: 'team-b', labels: { app: 'notebook-controller', istio: 'ingressgateway' } };
const internet: PodEndpoint = { namespace: 'x', labels: {}, external: true, ip: '52.216.0.10' };

describe('Notebook NetworkPolicy', () => {
  test('selects the pod by the controller\'s label; admits the Istio gateway and the culler on 8888 only', () => {
    const c = chart();
    const nb = new Notebook(c, 'alice', { image: IMAGE });
    const manifests = synthAndValidate(c);
    const policy = findObject(manifests, 'NetworkPolicy');
    expect(policy.spec.podSelector).toEqual({ matchLabels: { 'notebook-name': 'alice' } });
    expect(nb.networkPolicy).toBeDefined();
    const pod = notebookPod(manifests, 'alice');
    // Our own labels are not what selects: strip them and the policy still applies.
    expect(selectorMatches(policy.spec.podSelector, { 'statefulset': 'alice', 'notebook-name': 'alice' })).toBe(true);
    const e = new NetworkPolicyEvaluator(manifests);
    expect(e.allows({ from: gateway, to: pod, port: 8888 })).toBe(true);
    expect(e.allows({ from: culler, to: pod, port: 8888 })).toBe(true);
    expect(e.allows({ from: gateway, to: pod, port: 22 })).toBe(false);
    expect(e.allows({ from: neighbour, to: pod, port: 8888 })).toBe(false);
    // The labels alone, from another namespace, are not enough.
    expect(e.allows({ from: stranger, to: pod, port: 8888 })).toBe(false);
    // Egress stays open (pip, git, datasets).
    expect(e.allows({ from: pod, to: internet, port: 443 })).toBe(true);
  });

  test('an empty ingressFrom admits only the culler; egressTo restricts egress to the peers and DNS', () => {
    const c = chart();
    const store = kplus.NetworkPolicyIpBlock.ipv4(c, 'Store', '52.216.0.0/15');
    new Notebook(c, 'bob', { image: IMAGE, ingressFrom: [], egressTo: [store] });
    const manifests = synthAndValidate(c);
    const pod = notebookPod(manifests, 'bob');
    const e = new NetworkPolicyEvaluator(manifests);
    expect(e.allows({ from: gateway, to: pod, port: 8888 })).toBe(false);
    expect(e.allows({ from: culler, to: pod, port: 8888 })).toBe(true);
    expect(e.allows({ from: pod, to: internet, port: 443 })).toBe(true);
    expect(e.allows({ from: pod, to: { ...internet, ip: '1.1.1.1' }, port: 443 })).toBe(false);
    expect(e.allows({ from: pod, to: { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } }, port: 53, protocol: 'UDP' })).toBe(true);
  });

  test('the gateway and controller namespaces can be given', () => {
    const c = chart();
    const nb = new Notebook(c, 'carol', {
      image: IMAGE,
      ingressFrom: [KubeflowPeers.istioIngressGateway(c, 'gateways')],
      notebookControllerPeer: KubeflowPeers.notebookController(c, 'kubeflow-system'),
    });
    const manifests = synthAndValidate(c);
    const pod = notebookPod(manifests, 'carol');
    const e = new NetworkPolicyEvaluator(manifests);
    expect(e.allows({ from: { ...gateway, namespace: 'gateways' }, to: pod, port: 8888 })).toBe(true);
    expect(e.allows({ from: gateway, to: pod, port: 8888 })).toBe(false);
    expect(e.allows({ from: { ...culler, namespace: 'kubeflow-system' }, to: pod, port: 8888 })).toBe(true);
    expect(nb.networkPolicy).toBeDefined();
  });

  test('opting out takes a reason, recorded on the Notebook', () => {
    const c = chart();
    const nb = new Notebook(c, 'dave', { image: IMAGE, noNetworkPolicyReason: 'Istio AuthorizationPolicies guard team-a' });
    const manifests = synthAndValidate(c);
    expect(findObjects(manifests, 'NetworkPolicy')).toHaveLength(0);
    expect(nb.networkPolicy).toBeUndefined();
    expect(findObject(manifests, 'Notebook').metadata.annotations).toEqual({ 'cdk8s-ml.io/no-network-policy-reason': 'Istio AuthorizationPolicies guard team-a' });
  });

  test.each<[Partial<NotebookProps>, string]>([
    [{ noNetworkPolicyReason: ' ' }, "Notebook 'kf/nb': noNetworkPolicyReason needs a written reason (at least 10 characters): say what guards the pods instead"],
    [{ noNetworkPolicyReason: 'mesh policies', ingressFrom: [] }, "Notebook 'kf/nb': ingressFrom has no effect with noNetworkPolicyReason (no NetworkPolicy is created): drop one of them"],
    [{ noNetworkPolicyReason: 'mesh policies', egressTo: [] }, "Notebook 'kf/nb': egressTo has no effect with noNetworkPolicyReason (no NetworkPolicy is created): drop one of them"],
  ])('error %#', (props, message) => {
    expect(() => new Notebook(chart(), 'nb', { image: IMAGE, ...props } as NotebookProps)).toThrow(message);
  });
});

describe('InferenceService NetworkPolicy', () => {
  const base: InferenceServiceProps = { modelFormat: 'sklearn', storageUri: 's3://models/iris' };

  test('selects the predictor pods by KServe\'s labels; admits anyone on 8080 only by default', () => {
    const c = chart();
    const isvc = new InferenceService(c, 'iris', base);
    const manifests = synthAndValidate(c);
    const policy = findObject(manifests, 'NetworkPolicy');
    expect(policy.spec.podSelector).toEqual({ matchLabels: { 'serving.kserve.io/inferenceservice': 'iris', 'component': 'predictor' } });
    expect(isvc.servingPort).toBe(8080);
    // KServe's own labels select, without ours.
    expect(selectorMatches(policy.spec.podSelector, { 'serving.kserve.io/inferenceservice': 'iris', 'component': 'predictor', 'app': 'isvc.iris-predictor' })).toBe(true);
    const pod = predictorPod(manifests, 'iris');
    const e = new NetworkPolicyEvaluator(manifests);
    expect(e.allows({ from: neighbour, to: pod, port: 8080 })).toBe(true);
    expect(e.allows({ from: stranger, to: pod, port: 8080 })).toBe(true);
    expect(e.allows({ from: neighbour, to: pod, port: 9081 })).toBe(false);
    // The storage-initializer (same pod) reaches the object store.
    expect(e.allows({ from: pod, to: internet, port: 443 })).toBe(true);
    // Another InferenceService's pods are not selected.
    expect(e.ingressAllowed({ from: neighbour, to: { namespace: 'team-a', labels: { 'serving.kserve.io/inferenceservice': 'other', 'component': 'predictor' } }, port: 9081 })).toBe(true);
  });

  test('ingressFrom, a metrics port for the scraper, egress to the object store and DNS', () => {
    const c = chart();
    const gw = KubeflowPeers.istioIngressGateway(c);
    const prometheus = kplus.Pods.select(c, 'Prometheus', { labels: { 'app.kubernetes.io/name': 'prometheus' }, namespaces: kplus.Namespaces.select(c, 'Monitoring', { names: ['monitoring'] }) });
    new InferenceService(c, 'triton', {
      ...base,
      modelFormat: 'triton',
      ingressFrom: [gw],
      metricsPort: 8002,
      metricsPeers: [prometheus],
      egressTo: [kplus.NetworkPolicyIpBlock.ipv4(c, 'S3', '52.216.0.0/15')],
    });
    const manifests = synthAndValidate(c);
    const pod = predictorPod(manifests, 'triton');
    const scraper: PodEndpoint = { namespace: 'monitoring', labels: { 'app.kubernetes.io/name': 'prometheus' } };
    const e = new NetworkPolicyEvaluator(manifests);
    expect(e.allows({ from: gateway, to: pod, port: 8080 })).toBe(true);
    expect(e.allows({ from: neighbour, to: pod, port: 8080 })).toBe(false);
    expect(e.allows({ from: scraper, to: pod, port: 8002 })).toBe(true);
    expect(e.allows({ from: gateway, to: pod, port: 8002 })).toBe(false);
    expect(e.allows({ from: pod, to: internet, port: 443 })).toBe(true);
    expect(e.allows({ from: pod, to: { ...internet, ip: '1.1.1.1' }, port: 443 })).toBe(false);
    expect(e.allows({ from: pod, to: { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } }, port: 53, protocol: 'UDP' })).toBe(true);
  });

  test('a metrics port without peers is open to scrapers in any namespace; an empty egressTo suits pvc:// and oci://', () => {
    const c = chart();
    new InferenceService(c, 'local', { ...base, storageUri: 'pvc://models/iris', metricsPort: 8002, ingressFrom: [], egressTo: [] });
    const manifests = synthAndValidate(c);
    const pod = predictorPod(manifests, 'local');
    const e = new NetworkPolicyEvaluator(manifests);
    expect(e.allows({ from: stranger, to: pod, port: 8002 })).toBe(true);
    expect(e.allows({ from: neighbour, to: pod, port: 8080 })).toBe(false);
    expect(e.allows({ from: pod, to: internet, port: 443 })).toBe(false);
  });

  test('opting out takes a reason, recorded on the InferenceService', () => {
    const c = chart();
    new InferenceService(c, 'open', { ...base, noNetworkPolicyReason: 'a namespace-wide policy admits the gateway' });
    const manifests = synthAndValidate(c);
    expect(findObjects(manifests, 'NetworkPolicy')).toHaveLength(0);
    expect(findObject(manifests, 'InferenceService').metadata.annotations['cdk8s-ml.io/no-network-policy-reason']).toBe('a namespace-wide policy admits the gateway');
  });

  test.each<[Partial<InferenceServiceProps>, string]>([
    [{ egressTo: [] }, "InferenceService 'kf/isvc': egressTo is empty, but the storage-initializer must download the model from 's3://models/iris': admit the object store, or serve from pvc:// or oci://"],
    [{ metricsPeers: [] }, "InferenceService 'kf/isvc': metricsPeers needs metricsPort: metrics on servingPort are reached by whoever ingressFrom admits"],
    [{ servingPort: 0 }, "InferenceService 'kf/isvc': servingPort (0) must be between 1 and 65535"],
    [{ metricsPort: 70000 }, "InferenceService 'kf/isvc': metricsPort (70000) must be between 1 and 65535"],
    [{ noNetworkPolicyReason: 'mesh' }, "InferenceService 'kf/isvc': noNetworkPolicyReason needs a written reason (at least 10 characters): say what guards the pods instead"],
    [{ noNetworkPolicyReason: 'Istio AuthorizationPolicy', ingressFrom: [] }, "InferenceService 'kf/isvc': ingressFrom has no effect with noNetworkPolicyReason (no NetworkPolicy is created): drop one of them"],
  ])('error %#', (props, message) => {
    expect(() => new InferenceService(chart(), 'isvc', { ...base, ...props })).toThrow(message);
  });

  test('property: ingressFrom admits exactly the listed namespaces; an empty list admits nobody', () => {
    const names = ['a', 'b', 'c', 'd'];
    fc.assert(fc.property(fc.subarray(names), allowed => {
      const c = chart();
      const peers = allowed.map(n => kplus.Pods.all(c, `In-${n}`, { namespaces: kplus.Namespaces.select(c, `Ns-${n}`, { names: [n] }) }));
      new InferenceService(c, 'p', { ...base, ingressFrom: peers });
      const manifests = synthAndValidate(c);
      const e = new NetworkPolicyEvaluator(manifests);
      const pod = predictorPod(manifests, 'p');
      for (const n of names) {
        expect(e.allows({ from: { namespace: n, labels: {} }, to: pod, port: 8080 })).toBe(allowed.includes(n));
      }
      expect(e.allows({ from: { namespace: 'team-a', labels: {} }, to: pod, port: 8080 })).toBe(false);
    }), { numRuns: 16 });
  });
});
