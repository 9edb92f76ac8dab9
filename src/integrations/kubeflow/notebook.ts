import { ApiObject, Lazy, Size, SizeRoundingBehavior } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
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
}

const DEFAULT_RESOURCES = {
  cpuRequest: kplus.Cpu.millis(500), cpuLimit: kplus.Cpu.units(2), memoryRequest: Size.gibibytes(1), memoryLimit: Size.gibibytes(4),
};
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
 */
export class Notebook extends MlWorkload {
  public readonly apiObject: ApiObject;
  /** The workspace PVC. */
  public readonly workspace: kplus.PersistentVolumeClaim;

  public constructor(scope: Construct, id: string, props: NotebookProps) {
    const podSecurity = props?.podSecurity ?? PodSecurity.restricted({ runAsUser: 1000, runAsGroup: 100, fsGroup: 100 });
    super(scope, id, props === undefined ? props : { ...props, podSecurity } as NotebookProps);
    // The notebook controller sets NB_PREFIX and routes /notebook/<ns>/<name>/ to port 8888.
    const main = this._createMainContainer(this.name, {
      ports: [{ name: 'notebook-port', number: 8888, protocol: kplus.Protocol.TCP }],
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
    const annotations: { [key: string]: string } = props.stopped ? { [NOTEBOOK_STOPPED_ANNOTATION]: 'true' } : {};
    this.apiObject = new ApiObject(this, 'Resource', {
      apiVersion: 'kubeflow.org/v1',
      kind: 'Notebook',
      metadata: { ...this._metadata(), ...this._annotationsField(annotations) },
      spec: Lazy.any({ produce: () => ({ template: { spec: this._pod.renderPodSpec() } }) }),
    });
  }

  /** @internal */
  protected _traits(_id: string, props: MlWorkloadProps): WorkloadTraits {
    return { component: 'notebook', defaultResources: DEFAULT_RESOURCES, guaranteedQosByDefault: false, maxGpusPerNode: 8, pod: props as WorkloadPodOptions };
  }
}
