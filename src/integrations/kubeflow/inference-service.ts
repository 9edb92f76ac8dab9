import { ApiObject, Lazy, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { IKServeRuntime, kserveRuntimeName } from './kserve-model-format';
import { checkNetworkPolicyOptOut, createPodNetworkPolicy, NO_NETWORK_POLICY_REASON_ANNOTATION } from './pod-network-policy';
import { createDisruptionBudget, DisruptionBudgetOptions } from '../../core/disruption-budget';
import { invalidProp } from '../../core/errors';
import { MlWorkload, WorkloadTraits } from '../../core/ml-workload';
import { requireDnsLabel, requireInteger, requirePort } from '../../core/validation';
import { MlWorkloadProps, WorkloadPodOptions } from '../../core/workload-props';

/**
 * The metric KServe's Standard mode scales on (an HPA; `concurrency` and `rps`
 * need Knative or KEDA, which the admission webhook enforces:
 * pkg/apis/serving/v1beta1/inference_service_validation.go).
 */
export enum InferenceScaleMetric {
  /** CPU utilization, percent of the request. */
  CPU = 'cpu',
  /** Memory utilization, percent of the request. */
  MEMORY = 'memory',
}

/** Properties of {@link InferenceService}. */
export interface InferenceServiceProps extends MlWorkloadProps, WorkloadPodOptions {
  /** The model format (`modelFormat.name`), e.g. `sklearn`, `pytorch`, `huggingface`, `mlflow`. */
  readonly modelFormat: string;
  /**
   * The model format version (`modelFormat.version`).
   * @default - any
   */
  readonly modelFormatVersion?: string;
  /**
   * The ServingRuntime / ClusterServingRuntime to use (`runtime`).
   * @default - KServe picks one supporting the format
   */
  readonly runtime?: string;
  /**
   * A runtime of this app to use (`runtime: <its name>`) instead of `runtime`; the
   * model format must be one it serves.
   * @default - `runtime`
   */
  readonly servingRuntime?: IKServeRuntime;
  /** Where the model is (`storageUri`): `s3://`, `gs://`, `pvc://`, `hf://`, `https://`. */
  readonly storageUri: string;
  /**
   * @default 1
   */
  readonly minReplicas?: number;
  /**
   * @default 3
   */
  readonly maxReplicas?: number;
  /**
   * @default InferenceScaleMetric.CPU
   */
  readonly scaleMetric?: InferenceScaleMetric;
  /**
   * Utilization target in percent.
   * @default 80
   */
  readonly scaleTarget?: number;
  /**
   * PodDisruptionBudget of the predictor pods.
   * @default - maxUnavailable 1
   */
  readonly disruptionBudget?: DisruptionBudgetOptions;
  /**
   * The port the runtime's `kserve-container` serves on (the predictor Service maps
   * port 80 to it); the NetworkPolicy admits callers to it.
   * @default 8080 - KServe's runtimes (InferenceServiceDefaultHttpPort)
   */
  readonly servingPort?: number;
  /**
   * Who may call the model (`servingPort`): the ingress gateway or controller in
   * front of the predictor Service, in-cluster clients. An empty list admits nobody.
   * @default - anyone, on the serving port only
   */
  readonly ingressFrom?: kplus.INetworkPolicyPeer[];
  /**
   * A metrics port of the runtime other than `servingPort`, admitted from
   * `metricsPeers` (e.g. Triton's 8002, or the port of KServe's metric aggregation).
   * @default - none: the runtime serves `/metrics` on `servingPort` (KServe's Python runtimes)
   */
  readonly metricsPort?: number;
  /**
   * Who may scrape `metricsPort`.
   * @default - pods in any namespace
   */
  readonly metricsPeers?: kplus.INetworkPolicyPeer[];
  /**
   * Restrict egress to these peers (plus DNS). The storage-initializer runs in the
   * predictor pod and downloads `storageUri` before the server starts: admit the
   * object store (e.g. an `IpBlock` of its endpoints, or a MinIO's pods) and the
   * credential endpoint a workload identity needs (e.g. AWS STS); `pvc://` and
   * `oci://` (pulled by the kubelet) need none.
   * @default - egress unrestricted (the model download reaches any object store)
   */
  readonly egressTo?: kplus.INetworkPolicyPeer[];
  /**
   * Create no NetworkPolicy, for this reason (recorded on the InferenceService as
   * `cdk8s-ml.io/no-network-policy-reason`), e.g. that Istio AuthorizationPolicies
   * guard the namespace.
   * @default - a NetworkPolicy is created
   */
  readonly noNetworkPolicyReason?: string;
}

/**
 * The labels KServe puts on every predictor pod (pkg/constants/constants.go
 * InferenceServicePodLabelKey, KServiceComponentLabel; set in
 * pkg/controller/v1beta1/inferenceservice/components/predictor.go buildObjectMeta).
 */
function inferenceServicePredictorLabels(name: string): { [key: string]: string } {
  return { 'serving.kserve.io/inferenceservice': name, 'component': 'predictor' };
}

const DEFAULT_RESOURCES = {
  cpuRequest: kplus.Cpu.units(1), cpuLimit: kplus.Cpu.units(2), memoryRequest: Size.gibibytes(2), memoryLimit: Size.gibibytes(4),
};
// A stand-in for the MlWorkload model; the runtime's image is used unless `image` is given.
const RUNTIME_IMAGE = 'kserve-runtime:from-servingruntime';

/**
 * A KServe `serving.kserve.io/v1beta1` InferenceService in Standard deployment
 * mode (Deployment + Service + HPA, no Knative: annotation
 * `serving.kserve.io/deploymentMode: Standard`, KServe pkg/constants/constants.go),
 * whose predictor pod (security contexts, identity, placement, volumes) and model
 * container (resources, GPUs, env, security context) come from the core model.
 * KServe injects its storage-initializer for `storageUri` with its own
 * configuration: configure it restricted (inferenceservice-config) in
 * restricted namespaces.
 * @see https://kserve.github.io/website/docs/admin-guide/kubernetes-deployment
 *
 * @example
 * import { InferenceScaleMetric, InferenceService } from 'cdk8s-ml';
 *
 * // KServe in Standard mode: a Deployment and an HPA made by KServe, a PDB of ours.
 * new InferenceService(this, 'sklearn-iris', {
 *   modelFormat: 'sklearn',
 *   storageUri: 'gs://kfserving-examples/models/sklearn/1.0/model',
 *   minReplicas: 2,
 *   maxReplicas: 6,
 *   scaleMetric: InferenceScaleMetric.CPU,
 *   scaleTarget: 70,
 * });
 */
export class InferenceService extends MlWorkload {
  /** The InferenceService custom resource. */
  public readonly apiObject: ApiObject;
  public readonly minReplicas: number;
  public readonly maxReplicas: number;
  /** The PDB over the predictor pods (with maxReplicas >= 2). */
  public readonly disruptionBudget?: kplus.k8s.KubePodDisruptionBudget;
  /** The port the model container serves on. */
  public readonly servingPort: number;
  /**
   * The NetworkPolicy over the predictor pods (selected by KServe's labels),
   * unless opted out of with a reason.
   */
  public readonly networkPolicy?: kplus.NetworkPolicy;

  public constructor(scope: Construct, id: string, props: InferenceServiceProps) {
    super(scope, id, props === undefined ? props : { ...props, image: props.image ?? RUNTIME_IMAGE, version: props.version ?? (props.image ? undefined : props.modelFormatVersion ?? 'runtime') });
    // Format names are case-sensitive and not DNS labels: KServe's vLLM runtime serves `vLLM`.
    if (!/^[A-Za-z0-9][\w.-]{0,62}$/.test(props.modelFormat ?? '')) {
      throw invalidProp(this, 'modelFormat', `('${props.modelFormat}') must be letters, digits, '_', '.' or '-'`);
    }
    if (props.runtime !== undefined) requireDnsLabel(this, 'runtime', props.runtime);
    const runtimeName = kserveRuntimeName(this, { ...props, gpuCount: this.gpuCount, memoryLimit: this.resources.memory?.limit });
    if (!/^(s3|gs|pvc|hf|https?|oci):\/\/\S+$/.test(props.storageUri ?? '')) {
      throw invalidProp(this, 'storageUri', `('${props.storageUri}') must be an s3://, gs://, pvc://, hf://, oci:// or http(s):// URI`);
    }
    this.minReplicas = props.minReplicas ?? 1;
    this.maxReplicas = props.maxReplicas ?? 3;
    requireInteger(this, 'minReplicas', this.minReplicas, 1);
    requireInteger(this, 'maxReplicas', this.maxReplicas, 1);
    if (this.maxReplicas < this.minReplicas) throw invalidProp(this, 'maxReplicas', `(${this.maxReplicas}) must be >= minReplicas (${this.minReplicas})`);
    const target = props.scaleTarget ?? 80;
    requireInteger(this, 'scaleTarget', target, 1, 100);
    this.servingPort = props.servingPort ?? 8080;
    requirePort(this, 'servingPort', this.servingPort);
    if (props.metricsPort !== undefined) requirePort(this, 'metricsPort', props.metricsPort);
    if (props.metricsPeers !== undefined && props.metricsPort === undefined) {
      throw invalidProp(this, 'metricsPeers', 'needs metricsPort: metrics on servingPort are reached by whoever ingressFrom admits');
    }
    const optedOut = checkNetworkPolicyOptOut(this, props.noNetworkPolicyReason, {
      ingressFrom: props.ingressFrom, egressTo: props.egressTo, metricsPeers: props.metricsPeers,
    });
    const download = /^(s3|gs|hf|https?):\/\//.test(props.storageUri);
    if (props.egressTo?.length === 0 && download) {
      throw invalidProp(this, 'egressTo', `is empty, but the storage-initializer must download the model from '${props.storageUri}': admit the object store, or serve from pvc:// or oci://`);
    }
    const main = this._createMainContainer('kserve-container', {}, props);
    // KServe's Standard mode renders a Deployment (which has a scale subresource) and no
    // PDB; the predictor pods carry our labels, so the usual maxUnavailable 1 works.
    this.disruptionBudget = createDisruptionBudget(this, this._metadata(), this.selector, props.disruptionBudget, this.minReplicas, this.maxReplicas);

    this.apiObject = new ApiObject(this, 'Resource', {
      apiVersion: 'serving.kserve.io/v1beta1',
      kind: 'InferenceService',
      metadata: {
        ...this._metadata(),
        annotations: {
          ...this._metadata().annotations,
          'serving.kserve.io/deploymentMode': 'Standard',
          'serving.kserve.io/autoscalerClass': 'hpa',
          ...(optedOut ? { [NO_NETWORK_POLICY_REASON_ANNOTATION]: props.noNetworkPolicyReason! } : {}),
        },
      },
      spec: Lazy.any({
        produce: () => {
          const pod = this._pod.renderPodSpec();
          const { containers, ...podFields } = pod;
          const { name: _n, image, imagePullPolicy, ...container } = containers.find((c: any) => c.name === main.name);
          return {
            predictor: {
              ...podFields,
              ...this._podLabelsAndAnnotations(),
              minReplicas: this.minReplicas,
              maxReplicas: this.maxReplicas,
              scaleMetric: props.scaleMetric ?? InferenceScaleMetric.CPU,
              scaleTarget: target,
              model: {
                modelFormat: { name: props.modelFormat, ...(props.modelFormatVersion ? { version: props.modelFormatVersion } : {}) },
                ...(runtimeName ? { runtime: runtimeName } : {}),
                storageUri: props.storageUri,
                ...(props.image ? { image, imagePullPolicy } : {}),
                ...container,
              },
            },
          };
        },
      }),
    });
    if (!optedOut) {
      // Selected by KServe's labels, which every predictor pod carries whatever the
      // runtime or a later KServe adds; the Service's port 80 targets servingPort.
      const metricsPort = props.metricsPort !== undefined && props.metricsPort !== this.servingPort ? props.metricsPort : undefined;
      const anywhere = () => [kplus.Pods.all(this, 'AnyPod', { namespaces: kplus.Namespaces.all(this, 'AnyNamespace') })];
      this.networkPolicy = createPodNetworkPolicy(this, this._metadata(), inferenceServicePredictorLabels(this.name), [
        { peers: props.ingressFrom, ports: [this.servingPort] },
        ...(metricsPort ? [{ peers: props.metricsPeers ?? anywhere(), ports: [metricsPort] }] : []),
      ], props.egressTo);
    }
  }

  private _podLabelsAndAnnotations(): any {
    return { labels: { ...this.podLabels }, ...this._podAnnotationsField() };
  }

  /** @internal */
  protected _traits(_id: string, props: MlWorkloadProps): WorkloadTraits {
    return {
      component: 'model-server', defaultResources: DEFAULT_RESOURCES, guaranteedQosByDefault: false, maxGpusPerNode: 8, pod: props as WorkloadPodOptions,
    };
  }
}
