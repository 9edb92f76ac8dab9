import { ApiObject, Lazy, Size, SizeRoundingBehavior } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { KubeflowPeers } from './kubeflow-peers';
import { checkNetworkPolicyOptOut, createPodNetworkPolicy, NO_NETWORK_POLICY_REASON_ANNOTATION } from './pod-network-policy';
import { invalidProp } from '../../core/errors';
import { MlWorkload, WorkloadTraits } from '../../core/ml-workload';
import { PodSecurity } from '../../core/security';
import { MlWorkloadProps, WorkloadPodOptions } from '../../core/workload-props';
import { WorkloadVolume } from '../../core/workload-volume';

/** Properties of {@link Notebook}. */
export interface NotebookProps extends MlWorkloadProps, WorkloadPodOptions {
  /**
   * Size of the workspace PVC mounted at `/home/jovyan`.
   * @default Size.gibibytes(10)
   */
  readonly workspaceSize?: Size;
  /**
   * StorageClass of the workspace.
   * @default - the cluster's default
   */
  readonly workspaceStorageClass?: string;
  /**
   * Create the notebook stopped (the controller's `kubeflow-resource-stopped`
   * annotation, which its idle culling also sets): no pod runs, the workspace stays.
   * @default false
   */
  readonly stopped?: boolean;
  /**
   * Who may open the notebook (port 8888) besides the controller's culler. Users
   * reach it through Kubeflow's Istio gateway (`/notebook/<namespace>/<name>/`; the
   * central dashboard and the notebooks web app only talk to the API server); an
   * empty list admits nobody else. Other ports stay closed, e.g. an Istio sidecar's
   * metrics (15020): admit the scraper with a NetworkPolicy of your own.
   * @default - the Istio ingress gateway (`KubeflowPeers.istioIngressGateway()`)
   */
  readonly ingressFrom?: kplus.INetworkPolicyPeer[];
  /**
   * The notebook controller, whose culler reads `/api/kernels` on port 8888 to stop
   * idle notebooks (without it, culling never sees activity and stops nothing).
   * @default KubeflowPeers.notebookController() - `app: notebook-controller` pods in `kubeflow`
   */
  readonly notebookControllerPeer?: kplus.INetworkPolicyPeer;
  /**
   * Restrict egress to these peers (plus DNS). Mind what a notebook needs: package
   * indexes, git, datasets, object stores, and istiod (15012) with an Istio sidecar.
   * @default - egress unrestricted
   */
  readonly egressTo?: kplus.INetworkPolicyPeer[];
  /**
   * Create no NetworkPolicy, for this reason (recorded on the Notebook as
   * `cdk8s-ml.io/no-network-policy-reason`), e.g. that Istio AuthorizationPolicies
   * guard the namespace. Without one, any pod of the cluster can reach the server.
   * @default - a NetworkPolicy is created
   */
  readonly noNetworkPolicyReason?: string;
}

const DEFAULT_RESOURCES = {
  cpuRequest: kplus.Cpu.millis(500), cpuLimit: kplus.Cpu.units(2), memoryRequest: Size.gibibytes(1), memoryLimit: Size.gibibytes(4),
};
/** The port of the notebook server (the controller's DefaultContainerPort; its Service maps port 80 to it). */
export const NOTEBOOK_PORT = 8888;
/** The label the notebook controller puts on the notebook's pod (notebook_controller.go generateStatefulSet). */
export const NOTEBOOK_NAME_LABEL = 'notebook-name';
/** The annotation the notebook controller stops a Notebook by (its culler sets it on idle notebooks). */
export const NOTEBOOK_STOPPED_ANNOTATION = 'kubeflow-resource-stopped';

/**
 * A Kubeflow `kubeflow.org/v1` Notebook: the core model's restricted pod (the
 * Kubeflow images' `jovyan` user, UID 1000, GID 100), a workspace PVC at
 * `/home/jovyan`, GPUs with their toleration (`gpus`), port 8888
 * (`notebook-port`, which the controller's Service targets). Idle culling is the
 * controller's (`ENABLE_CULLING`, `CULL_IDLE_TIME`); it stops a notebook through
 * the `kubeflow-resource-stopped` annotation, which `stopped` sets at creation.
 * @see https://www.kubeflow.org/docs/components/notebooks/
 *
 * @example
 * import { Notebook } from 'cdk8s-ml';
 *
 * // A Kubeflow Notebook with one GPU and a 50 GiB workspace volume.
 * new Notebook(this, 'alice', {
 *   image: 'kubeflownotebookswg/jupyter-pytorch-cuda-full:v1.9.0',
 *   gpus: { count: 1 },
 *   workspaceSize: Size.gibibytes(50),
 * });
 */
export class Notebook extends MlWorkload {
  public readonly apiObject: ApiObject;
  /** The workspace PVC. */
  public readonly workspace: kplus.PersistentVolumeClaim;
  /**
   * The NetworkPolicy over the notebook's pod (selected by the controller's
   * `notebook-name` label), unless opted out of with a reason.
   */
  public readonly networkPolicy?: kplus.NetworkPolicy;

  public constructor(scope: Construct, id: string, props: NotebookProps) {
    const podSecurity = props?.podSecurity ?? PodSecurity.restricted({ runAsUser: 1000, runAsGroup: 100, fsGroup: 100 });
    super(scope, id, props === undefined ? props : { ...props, podSecurity } as NotebookProps);
    // The notebook controller sets NB_PREFIX and routes /notebook/<ns>/<name>/ to port 8888.
    const main = this._createMainContainer(this.name, {
      ports: [{ name: 'notebook-port', number: NOTEBOOK_PORT, protocol: kplus.Protocol.TCP }],
    }, props);
    // cdk8s-plus renders a claim's storage in whole GiB (pvc.ts) and fails on a fraction without naming the prop.
    const workspaceSize = props.workspaceSize ?? Size.gibibytes(10);
    const gib = workspaceSize.toGibibytes({ rounding: SizeRoundingBehavior.NONE });
    if (!Number.isInteger(gib) || gib < 1) throw invalidProp(this, 'workspaceSize', `(${gib}Gi) must be a whole number of GiB >= 1`);
    this.workspace = new kplus.PersistentVolumeClaim(this, 'Workspace', {
      metadata: this._metadata(`${this.name}-workspace`),
      accessModes: [kplus.PersistentVolumeAccessMode.READ_WRITE_ONCE],
      storage: workspaceSize,
      storageClassName: props.workspaceStorageClass,
    });
    this._pod.mount('workspace', main, { volume: WorkloadVolume.fromPersistentVolumeClaim('workspace', this.workspace.name), path: '/home/jovyan' });
    const optedOut = checkNetworkPolicyOptOut(this, props.noNetworkPolicyReason, {
      ingressFrom: props.ingressFrom, notebookControllerPeer: props.notebookControllerPeer, egressTo: props.egressTo,
    });
    const annotations: { [key: string]: string } = {
      ...(props.stopped ? { [NOTEBOOK_STOPPED_ANNOTATION]: 'true' } : {}),
      ...(optedOut ? { [NO_NETWORK_POLICY_REASON_ANNOTATION]: props.noNetworkPolicyReason! } : {}),
    };
    this.apiObject = new ApiObject(this, 'Resource', {
      apiVersion: 'kubeflow.org/v1',
      kind: 'Notebook',
      metadata: { ...this._metadata(), ...this._annotationsField(annotations) },
      spec: Lazy.any({ produce: () => ({ template: { spec: this._pod.renderPodSpec() } }) }),
    });
    if (!optedOut) {
      // The controller's label on the pod (it also copies the Notebook's labels, but
      // `notebook-name` is the one it keys the pod by). Ingress: the gateway the
      // users come through and the culler, on 8888 (the Service's port 80 targets it).
      this.networkPolicy = createPodNetworkPolicy(this, this._metadata(), { [NOTEBOOK_NAME_LABEL]: this.name }, [
        { peers: props.ingressFrom ?? [KubeflowPeers.istioIngressGateway(this)], ports: [NOTEBOOK_PORT] },
        { peers: [props.notebookControllerPeer ?? KubeflowPeers.notebookController(this)], ports: [NOTEBOOK_PORT] },
      ], props.egressTo);
    }
  }

  /** @internal */
  protected _traits(_id: string, props: MlWorkloadProps): WorkloadTraits {
    return { component: 'notebook', defaultResources: DEFAULT_RESOURCES, guaranteedQosByDefault: false, maxGpusPerNode: 8, pod: props as WorkloadPodOptions };
  }
}
