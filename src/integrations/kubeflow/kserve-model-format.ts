import { Chart, Size } from 'cdk8s';
import { IConstruct } from 'constructs';
import { invalidProp } from '../../core/errors';
import { requireInteger } from '../../core/validation';

/** An inference protocol a KServe runtime speaks (`spec.protocolVersions`). */
export enum KServeProtocolVersion {
  /** KServe's V1 protocol (`/v1/models/<name>:predict`). */
  V1 = 'v1',
  /** The Open Inference (V2) protocol over REST (`/v2/models/<name>/infer`). */
  V2 = 'v2',
  /** The Open Inference (V2) protocol over gRPC. */
  GRPC_V2 = 'grpc-v2',
}

/** A model format a KServe runtime serves (`spec.supportedModelFormats[]`). */
export interface KServeModelFormat {
  /** The format's name, as InferenceServices give it in `modelFormat.name` (e.g. `sklearn`, `vLLM`). */
  readonly name: string;
  /**
   * The format's version: "major", "major.minor" or "major.minor.patch". An
   * InferenceService naming a version matches only an equal one.
   * @default - any version
   */
  readonly version?: string;
  /**
   * Whether KServe may pick this runtime for an InferenceService that names no runtime.
   * @default false
   */
  readonly autoSelect?: boolean;
  /**
   * Preference among the runtimes auto-selected for the format (higher wins, >= 1).
   * @default - none
   */
  readonly priority?: number;
}

/** A KServe ServingRuntime or ClusterServingRuntime an InferenceService can name. */
export interface IKServeRuntime extends IConstruct {
  /** The runtime's name (`spec.predictor.model.runtime` of an InferenceService). */
  readonly runtimeName: string;
  /** Whether it is a ClusterServingRuntime (usable from every namespace). */
  readonly clusterScoped: boolean;
  /** The model formats it serves. */
  readonly supportedModelFormats: KServeModelFormat[];
  /** GPUs its container requests (0 without), fixed in its arguments (tensor parallelism). */
  readonly gpuCount: number;
  /**
   * Size of its memory-backed `/dev/shm`, which counts against the memory limit of
   * the InferenceService's container.
   * @default - none
   */
  readonly sharedMemory?: Size;
}

/** What a serving-runtime preset declares to KServe. @internal */
export interface KServeProfile {
  readonly formats: KServeModelFormat[];
  readonly protocols: KServeProtocolVersion[];
  /** Runtime annotations (`serving.kserve.io/server-type`: the controller's per-server defaults). */
  readonly annotations?: { [key: string]: string };
  /** Environment only KServe's controller can fill (placeholders). */
  readonly env?: { [name: string]: string };
}

const f = (name: string, version: string, priority?: number): KServeModelFormat =>
  ({ name, version, autoSelect: priority !== undefined, ...(priority !== undefined ? { priority } : {}) });
const { V2, GRPC_V2 } = KServeProtocolVersion;

/**
 * Formats, protocols and KServe hooks per preset, as KServe's own default runtimes
 * declare them (kserve/kserve config/runtimes/kserve-*.yaml, tag v0.20.0) where one exists.
 * @internal
 */
export const KSERVE_PROFILES: { [runtimeName: string]: KServeProfile } = {
  // kserve-vllmserver.yaml: `vLLM` version 1, auto-selected at priority 1; no protocolVersions
  // (it serves the OpenAI API, neither V1 nor V2).
  vllm: { formats: [f('vLLM', '1', 1)], protocols: [] },
  // kserve-tritonserver.yaml: TensorRT, TensorFlow, ONNX, Triton auto-selected at priority 1;
  // PyTorch (TorchScript) only when named; V2 over REST and gRPC.
  triton: {
    formats: [f('tensorrt', '8', 1), f('tensorflow', '1', 1), f('tensorflow', '2', 1), f('onnx', '1', 1), f('pytorch', '1'), f('triton', '2', 1)],
    protocols: [V2, GRPC_V2],
  },
  // kserve-mlserver.yaml: sklearn, xgboost, lightgbm at priority 2, mlflow at 1; V2. The
  // server-type annotation makes the controller set MLSERVER_MODEL_NAME/_URI and the
  // `modelClass` label its MLSERVER_MODEL_IMPLEMENTATION template reads
  // (pkg/apis/serving/v1beta1/inference_service_defaults.go, SetMlServerDefaults).
  mlserver: {
    formats: [f('sklearn', '0', 2), f('sklearn', '1', 2), f('xgboost', '1', 2), f('xgboost', '2', 2),
      f('lightgbm', '3', 2), f('lightgbm', '4', 2), f('mlflow', '1', 1), f('mlflow', '2', 1)],
    protocols: [V2],
    annotations: { 'serving.kserve.io/server-type': 'mlserver' },
    env: { MLSERVER_MODEL_IMPLEMENTATION: '{{.Labels.modelClass}}' },
  },
  // MLServer's MLflow runtime: kserve-mlserver.yaml's `mlflow` formats; the preset sets the
  // implementation itself and names the model `{{.Name}}`.
  mlflow: { formats: [f('mlflow', '1', 1), f('mlflow', '2', 1)], protocols: [V2] },
  // No KServe default runs TGI; it serves Hugging Face text-generation models over its own
  // API, so it is picked only when named.
  tgi: { formats: [f('huggingface', '1')], protocols: [] },
  // kserve-torchserve.yaml declares pytorch 1 with V1/V2/gRPC, but through KServe's
  // wrapper image and service envelope; the plain TorchServe image serves its own
  // inference API, so no protocol is claimed and it is picked only when named.
  torchserve: { formats: [f('pytorch', '1')], protocols: [] },
  custom: { formats: [], protocols: [] },
};

/** Checks supportedModelFormats as KServe's CRD and admission webhook would. @internal */
export function requireModelFormats(scope: IConstruct, formats: KServeModelFormat[]): void {
  if (formats.length === 0) throw invalidProp(scope, 'supportedModelFormats', 'needs at least one model format (a custom runtime declares its own)');
  const priorities = new Map<string, number | undefined>();
  const seen = new Set<string>();
  formats.forEach((m, i) => {
    const prop = `supportedModelFormats[${i}]`;
    if (typeof m.name !== 'string' || !/^[A-Za-z0-9][\w.-]*$/.test(m.name)) {
      throw invalidProp(scope, `${prop}.name`, `('${m.name}') must be letters, digits, '_', '.' or '-'`);
    }
    if (m.version !== undefined && !/^\d+(\.\d+){0,2}$/.test(m.version)) {
      throw invalidProp(scope, `${prop}.version`, `('${m.version}') must be "major", "major.minor" or "major.minor.patch"`);
    }
    if (m.priority !== undefined) {
      requireInteger(scope, `${prop}.priority`, m.priority, 1, 2 ** 31 - 1);
      if (!m.autoSelect) throw invalidProp(scope, `${prop}.priority`, 'only orders auto-selected runtimes: set autoSelect: true');
    }
    const key = `${m.name.toLowerCase()}:${m.version ?? ''}`;
    if (seen.has(key)) throw invalidProp(scope, prop, `repeats ${m.name}${m.version ? ` version ${m.version}` : ''}`);
    seen.add(key);
    // The webhook refuses different priorities for one auto-selected format name
    // (pkg/webhook/admission/servingruntime/servingruntime_webhook.go, validateModelFormatPrioritySame).
    if (m.autoSelect) {
      if (priorities.has(m.name) && priorities.get(m.name) !== undefined && m.priority !== undefined && priorities.get(m.name) !== m.priority) {
        throw invalidProp(scope, `${prop}.priority`, `(${m.priority}) differs from the priority (${priorities.get(m.name)}) of another ${m.name} version: KServe's webhook refuses that`);
      }
      if (!priorities.has(m.name)) priorities.set(m.name, m.priority);
    }
  });
}

/**
 * Whether `runtime` serves the format an InferenceService names, as the controller
 * decides for a named runtime: every format counts (autoSelect or not), the name
 * must match, and a given version must equal the runtime's
 * (pkg/apis/serving/v1beta1/predictor_model.go, RuntimeSupportsModel).
 * @internal
 */
export function supportsFormat(runtime: IKServeRuntime, name: string, version?: string): boolean {
  return runtime.supportedModelFormats.some(m => m.name === name && (version === undefined || m.version === version));
}

/** How a runtime's formats read in an error message. @internal */
export function describeFormats(formats: KServeModelFormat[]): string {
  return formats.map(m => (m.version ? `${m.name} ${m.version}` : m.name)).join(', ');
}

/**
 * The runtime an InferenceService names, checked as the KServe controller would check
 * it when reconciling (predictor.go, reconcileModel): the format must be one it
 * serves, a namespaced runtime must live in the InferenceService's namespace, and
 * its GPU count (fixed in its arguments) must be the one requested.
 * @internal
 */
export function kserveRuntimeName(scope: IConstruct, o: {
  runtime?: string; servingRuntime?: IKServeRuntime; modelFormat: string; modelFormatVersion?: string; gpuCount: number; memoryLimit?: Size;
}): string | undefined {
  const rt = o.servingRuntime;
  if (rt === undefined) return o.runtime;
  if (o.runtime !== undefined) throw invalidProp(scope, 'runtime', `('${o.runtime}') and servingRuntime ('${rt.runtimeName}') both name the runtime; give one`);
  if (!supportsFormat(rt, o.modelFormat, o.modelFormatVersion)) {
    const format = o.modelFormatVersion ? `${o.modelFormat} version ${o.modelFormatVersion}` : o.modelFormat;
    throw invalidProp(scope, 'modelFormat', `(${format}) is not served by runtime '${rt.runtimeName}' (${describeFormats(rt.supportedModelFormats)}): KServe would refuse it ("does not support specified framework/version")`);
  }
  if (!rt.clusterScoped) {
    const mine = Chart.of(scope).namespace;
    const theirs = Chart.of(rt).namespace;
    if (mine !== theirs) {
      throw invalidProp(scope, 'servingRuntime', `('${rt.runtimeName}') is a ServingRuntime of namespace '${theirs ?? '(none)'}', which KServe looks up in the InferenceService's own ('${mine ?? '(none)'}'); use a KServeClusterServingRuntime or one in this namespace`);
    }
  }
  if (rt.gpuCount > 0 && o.gpuCount > 0 && rt.gpuCount !== o.gpuCount) {
    throw invalidProp(scope, 'gpus', `(${o.gpuCount}) must equal the GPUs of runtime '${rt.runtimeName}' (${rt.gpuCount}): its arguments shard over that many`);
  }
  // The predictor's resources win in KServe's merge, so its memory limit also caps the runtime's tmpfs.
  const shm = rt.sharedMemory?.toMebibytes();
  const limit = o.memoryLimit?.toMebibytes();
  if (shm !== undefined && limit !== undefined && shm >= limit) {
    throw invalidProp(scope, 'resources.memory.limit', `(${limit}Mi) must be above the /dev/shm of runtime '${rt.runtimeName}' (${shm}Mi), which counts against it`);
  }
  return rt.runtimeName;
}

/**
 * The first format two runtimes of one scope (a namespace, or the cluster) both
 * auto-select at the same priority, which KServe's webhook refuses for the second:
 * only when they share a protocol, the names are equal ignoring case and the versions
 * equal (servingruntime_webhook.go, validateServingRuntimePriority, areSupportedModelFormatsEqual).
 * @internal
 */
export function samePriorityFormat(
  a: { formats: KServeModelFormat[]; protocols: string[] }, b: { formats: KServeModelFormat[]; protocols: string[] },
): KServeModelFormat | undefined {
  if (!a.protocols.some(p => b.protocols.includes(p))) return undefined;
  return b.formats.find(n => n.autoSelect && n.priority !== undefined && a.formats.some(e => e.autoSelect && e.priority === n.priority
    && e.name.toLowerCase() === n.name.toLowerCase() && e.version === n.version));
}
