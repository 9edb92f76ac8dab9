import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';

/**
 * The Kubeflow components that connect to the pods of Notebooks and
 * InferenceServices, as NetworkPolicy peers: each selects the component's pods by
 * the labels Kubeflow's manifests give them, in the component's own namespace
 * only (a label alone could be put on any pod by anyone who can create one).
 *
 * @example
 * import { KubeflowPeers, Notebook } from 'cdk8s-ml';
 *
 * // Kubeflow installed with its gateway in a namespace of its own.
 * new Notebook(this, 'alice', {
 *   image: 'kubeflownotebookswg/jupyter-scipy:v1.9.2',
 *   ingressFrom: [KubeflowPeers.istioIngressGateway(this, 'kubeflow-gateway')],
 * });
 */
export class KubeflowPeers {
  /**
   * The Istio ingress gateway: Kubeflow's `kubeflow/kubeflow-gateway` Gateway selects
   * `istio: ingressgateway`, whose pods run in `istio-system` (kubeflow/manifests
   * common/istio). The notebook controller's VirtualService routes
   * `/notebook/<namespace>/<name>/` through it to the notebook's Service.
   * @param namespace where the gateway pods run
   */
  public static istioIngressGateway(scope: Construct, namespace: string = 'istio-system'): kplus.INetworkPolicyPeer {
    return KubeflowPeers.select(scope, `IstioIngressGateway-${namespace}`, { istio: 'ingressgateway' }, namespace);
  }

  /**
   * The notebook controller, whose culler reads the kernels' activity from
   * `http://<name>.<namespace>.svc/notebook/<namespace>/<name>/api/kernels`
   * (Service port 80, the notebook's port 8888; kubeflow/kubeflow
   * components/notebook-controller/controllers/culling_controller.go). Its pods carry
   * `app: notebook-controller` (config/manager/manager.yaml) and run in `kubeflow`.
   * @param namespace where the controller runs
   */
  public static notebookController(scope: Construct, namespace: string = 'kubeflow'): kplus.INetworkPolicyPeer {
    return KubeflowPeers.select(scope, `NotebookController-${namespace}`, { app: 'notebook-controller' }, namespace);
  }

  private static select(scope: Construct, id: string, labels: { [key: string]: string }, namespace: string): kplus.INetworkPolicyPeer {
    const existing = scope.node.tryFindChild(id) as kplus.Pods | undefined;
    if (existing) return existing;
    return kplus.Pods.select(scope, id, { labels, namespaces: kplus.Namespaces.select(scope, `${id}-Namespace`, { names: [namespace] }) });
  }

  private constructor() {}
}
