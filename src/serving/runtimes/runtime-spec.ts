import { Size, SizeRoundingBehavior } from 'cdk8s';
import { IConstruct } from 'constructs';
import { invalidProp } from '../../core/errors';
import { ServerMetricNames } from '../../core/prometheus-annotations';
import { requireInteger, requirePort } from '../../core/validation';

/** What a runtime is told about the server it runs in. @internal */
export interface RuntimeContext {
  /** GPUs per pod: the tensor-parallel degree. */
  readonly gpuCount: number;
  /** Where the server's model source is mounted, when it has one. */
  readonly modelPath?: string;
  /** The server's name, the default served model name. */
  readonly serverName: string;
  /** The serving port the user set, which wins over the runtime's. */
  readonly port?: number;
}

/** The KEDA signal a runtime recommends: a gauge summed over the pods, held at `threshold` per replica. @internal */
export interface RuntimeScalingSignal {
  readonly gauge: string;
  readonly threshold: number;
}

/** Everything a runtime sets on the server, resolved for one server. @internal */
export interface RuntimeSpec {
  readonly name: string;
  readonly port: number;
  readonly command?: string[];
  readonly args: string[];
  readonly env: { [name: string]: string };
  /** Container ports besides `http` and `metrics` (e.g. gRPC). */
  readonly extraPorts: { name: string; number: number }[];
  readonly livenessPath: string;
  readonly readinessPath: string;
  readonly startupPath: string;
  readonly metricsPort: number;
  readonly metricsPath: string;
  readonly metricNames: ServerMetricNames;
  /** Environment variables pointing caches into the writable home (relative to it). */
  readonly cacheEnv: { [name: string]: string };
  readonly sharedMemory?: Size;
  readonly scaling?: RuntimeScalingSignal;
  /** Configuration files the runtime reads, rendered into a ConfigMap mounted read-only at `configDirectory`. */
  readonly configFiles?: { [fileName: string]: string };
  readonly configDirectory?: string;
}

/**
 * KServe's placeholder for the InferenceService's name in a ServingRuntime's container
 * (Go template over the container JSON: kserve pkg/controller/v1beta1/inferenceservice/utils/utils.go,
 * ReplacePlaceholders). Given as `serverName` when a runtime renders for KServe.
 */
export const KSERVE_NAME_PLACEHOLDER = '{{.Name}}';

/** The writable home of every runtime: HOME, and the caches under it, on an emptyDir. */
export const RUNTIME_HOME = '/var/cache/model-server';

/** Caches every Python-based runtime writes, pointed into the home: HF Hub, XDG, Torch, Triton (the kernel compiler), Numba. */
export const COMMON_CACHE_ENV: { [name: string]: string } = {
  HF_HOME: '.cache/huggingface',
  XDG_CACHE_HOME: '.cache',
  TORCHINDUCTOR_CACHE_DIR: '.cache/torchinductor',
  TRITON_CACHE_DIR: '.cache/triton',
  NUMBA_CACHE_DIR: '.cache/numba',
};

/** Checks the options shared by the presets. @internal */
export function checkCommon(scope: IConstruct, options: { port?: number; sharedMemory?: Size; extraArgs?: string[] }): void {
  if (options.port !== undefined) requirePort(scope, 'runtime.port', options.port);
  if (options.sharedMemory !== undefined && !(options.sharedMemory.toMebibytes({ rounding: SizeRoundingBehavior.NONE }) >= 1)) {
    throw invalidProp(scope, 'runtime.sharedMemory', 'must be at least 1Mi');
  }
  for (const [i, a] of (options.extraArgs ?? []).entries()) {
    if (typeof a !== 'string' || a === '') throw invalidProp(scope, `runtime.extraArgs[${i}]`, 'must be a non-empty string');
  }
}

/** A positive whole number of GPUs to shard over, or undefined for the GPU count. */
export function shardCount(scope: IConstruct, prop: string, given: number | undefined, ctx: RuntimeContext): number {
  const n = given ?? Math.max(ctx.gpuCount, 1);
  requireInteger(scope, prop, n, 1);
  if (ctx.gpuCount > 0 && n > ctx.gpuCount) {
    throw invalidProp(scope, prop, `(${n}) must not exceed the GPUs per pod (${ctx.gpuCount})`);
  }
  return n;
}

/**
 * The HTTP, gRPC and metrics ports of a server that listens on all three (Triton,
 * MLServer), each checked and all different. @internal
 */
export function threePorts(scope: IConstruct, ctx: RuntimeContext, o: { port?: number; grpcPort?: number; metricsPort?: number },
  defaults: { http: number; grpc: number; metrics: number }): { port: number; grpc: number; metrics: number } {
  const port = ctx.port ?? o.port ?? defaults.http;
  const grpc = o.grpcPort ?? defaults.grpc;
  const metrics = o.metricsPort ?? defaults.metrics;
  requirePort(scope, 'runtime.grpcPort', grpc);
  requirePort(scope, 'runtime.metricsPort', metrics);
  if (new Set([port, grpc, metrics]).size !== 3) {
    throw invalidProp(scope, 'runtime', `ports (http ${port}, grpc ${grpc}, metrics ${metrics}) must differ`);
  }
  return { port, grpc, metrics };
}

/** Where a server reads its models: the user's path, else the model source's mount; absolute. @internal */
export function modelDirectory(scope: IConstruct, prop: string, given: string | undefined, ctx: RuntimeContext): string {
  const dir = given ?? ctx.modelPath;
  if (dir === undefined || !dir.startsWith('/')) {
    throw invalidProp(scope, `runtime.${prop}`, 'is required without a model source and must be an absolute path');
  }
  return dir;
}
