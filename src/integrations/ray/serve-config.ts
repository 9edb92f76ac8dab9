import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { RayRuntimeEnv } from './ray-job';
import { invalidProp } from '../../core/errors';
import { requireDnsLabel, requireInteger } from '../../core/validation';

/**
 * Ray Serve autoscaling of one deployment (`autoscaling_config`).
 * @see https://docs.ray.io/en/latest/serve/autoscaling-guide.html
 */
export interface ServeAutoscaling {
  /** Fewest replicas (0 scales to zero). */
  readonly minReplicas: number;
  /** Most replicas. */
  readonly maxReplicas: number;
  /**
   * Ongoing requests per replica the autoscaler aims at (`target_ongoing_requests`).
   * @default 2 - Ray Serve's default
   */
  readonly targetOngoingRequests?: number;
  /**
   * Replicas at start.
   * @default - minReplicas
   */
  readonly initialReplicas?: number;
  /**
   * How long demand must stay high before scaling up.
   * @default - Ray Serve's (30s)
   */
  readonly upscaleDelay?: Duration;
  /**
   * How long demand must stay low before scaling down.
   * @default - Ray Serve's (600s)
   */
  readonly downscaleDelay?: Duration;
}

/** One Serve deployment of an application. */
export interface ServeDeployment {
  /** The deployment's name (the class or function name in the application). */
  readonly name: string;
  /**
   * A fixed replica count; mutually exclusive with `autoscaling`.
   * @default - autoscaling, or Ray Serve's default of 1
   */
  readonly numReplicas?: number;
  /**
   * Autoscaling on ongoing requests.
   * @default - none
   */
  readonly autoscaling?: ServeAutoscaling;
  /**
   * Requests a replica handles at once (`max_ongoing_requests`); at least the autoscaling target.
   * @default - Ray Serve's (5)
   */
  readonly maxOngoingRequests?: number;
  /**
   * Logical CPUs per replica (`ray_actor_options.num_cpus`).
   * @default - Ray Serve's (1)
   */
  readonly numCpus?: number;
  /**
   * GPUs per replica (`ray_actor_options.num_gpus`), fractional to share a GPU.
   * @default - none
   */
  readonly numGpus?: number;
}

/** One Serve application (`applications[]` of the Serve config). */
export interface ServeApplication {
  /** The application's name. */
  readonly name: string;
  /** The module path of the bound application, e.g. `llm.app:deployment`. */
  readonly importPath: string;
  /**
   * The HTTP route prefix; unique across applications.
   * @default '/'
   */
  readonly routePrefix?: string;
  /**
   * The application's runtime environment.
   * @default - the image's
   */
  readonly runtimeEnv?: RayRuntimeEnv;
  /**
   * Settings of the application's deployments.
   * @default - the code's
   */
  readonly deployments?: ServeDeployment[];
  /**
   * Arguments passed to the application builder (`args`).
   * @default - none
   */
  readonly args?: { [key: string]: any };
}

/**
 * The Ray Serve config of a RayService (`serveConfigV2`), typed: applications,
 * their deployments and autoscaling on `target_ongoing_requests`.
 * @see https://docs.ray.io/en/latest/serve/production-guide/config.html
 *
 * @example
 * import { RayService, ServeConfig } from 'cdk8s-ml';
 *
 * // Two applications on one cluster, each under its own route.
 * new RayService(this, 'text', {
 *   cluster: {
 *     image: 'rayproject/ray:2.52.0-py311',
 *     workerGroups: [{ groupName: 'cpu', minReplicas: 2, maxReplicas: 6 }],
 *   },
 *   serveConfig: ServeConfig.of([
 *     {
 *       name: 'embeddings',
 *       importPath: 'embed:app',
 *       routePrefix: '/embed',
 *       deployments: [{ name: 'Embedder', numCpus: 2, autoscaling: { minReplicas: 2, maxReplicas: 8, targetOngoingRequests: 4 } }],
 *     },
 *     { name: 'classifier', importPath: 'classify:app', routePrefix: '/classify', args: { threshold: 0.7 } },
 *   ]),
 * });
 */
export class ServeConfig {
  /** A config of these applications. */
  public static of(applications: ServeApplication[]): ServeConfig {
    return new ServeConfig(applications);
  }

  private constructor(private readonly applications: ServeApplication[]) {}

  /** GPUs the deployments need at their maximum replica counts. */
  public get maxGpus(): number {
    return this.applications.flatMap(a => a.deployments ?? [])
      .reduce((sum, d) => sum + (d.numGpus ?? 0) * (d.autoscaling?.maxReplicas ?? d.numReplicas ?? 1), 0);
  }

  /** The config as YAML (JSON is YAML), validated. @internal */
  public _render(scope: IConstruct): string {
    const apps = this.applications ?? [];
    if (apps.length === 0) throw invalidProp(scope, 'serveConfig', 'needs at least one application');
    const names = new Set<string>();
    const routes = new Set<string>();
    const rendered = apps.map((a, i) => {
      const p = `serveConfig.applications[${i}]`;
      requireDnsLabel(scope, `${p}.name`, a.name ?? '');
      if (names.has(a.name)) throw invalidProp(scope, `${p}.name`, `('${a.name}') is used by another application`);
      names.add(a.name);
      if (!/^[\w.]+(:[\w.]+)?$/.test(a.importPath ?? '')) throw invalidProp(scope, `${p}.importPath`, `('${a.importPath}') must be module.path:attribute`);
      const route = a.routePrefix ?? '/';
      if (!route.startsWith('/')) throw invalidProp(scope, `${p}.routePrefix`, `('${route}') must start with '/'`);
      if (routes.has(route)) throw invalidProp(scope, `${p}.routePrefix`, `('${route}') is used by another application`);
      routes.add(route);
      return {
        name: a.name,
        import_path: a.importPath,
        route_prefix: route,
        ...(a.args ? { args: a.args } : {}),
        ...(a.runtimeEnv ? { runtime_env: runtimeEnvJson(a.runtimeEnv) } : {}),
        ...(a.deployments ? { deployments: a.deployments.map((d, j) => renderDeployment(scope, `${p}.deployments[${j}]`, d)) } : {}),
      };
    });
    return JSON.stringify({ applications: rendered });
  }
}

function renderDeployment(scope: IConstruct, p: string, d: ServeDeployment): any {
  if (!d.name?.trim()) throw invalidProp(scope, `${p}.name`, 'is required');
  if (d.numReplicas !== undefined && d.autoscaling) throw invalidProp(scope, `${p}.numReplicas`, 'and autoscaling are mutually exclusive');
  if (d.numReplicas !== undefined) requireInteger(scope, `${p}.numReplicas`, d.numReplicas, 0);
  if (d.maxOngoingRequests !== undefined) requireInteger(scope, `${p}.maxOngoingRequests`, d.maxOngoingRequests, 1);
  for (const [k, v] of [['numCpus', d.numCpus], ['numGpus', d.numGpus]] as const) {
    if (v !== undefined && !(v >= 0)) throw invalidProp(scope, `${p}.${k}`, `(${v}) must be >= 0`);
  }
  const a = d.autoscaling;
  let autoscaling: any;
  if (a) {
    requireInteger(scope, `${p}.autoscaling.minReplicas`, a.minReplicas, 0);
    requireInteger(scope, `${p}.autoscaling.maxReplicas`, a.maxReplicas, 1);
    if (a.maxReplicas < a.minReplicas) throw invalidProp(scope, `${p}.autoscaling.maxReplicas`, `(${a.maxReplicas}) must be >= minReplicas (${a.minReplicas})`);
    const target = a.targetOngoingRequests ?? 2;
    if (!(target > 0)) throw invalidProp(scope, `${p}.autoscaling.targetOngoingRequests`, `(${target}) must be > 0`);
    if (d.maxOngoingRequests !== undefined && d.maxOngoingRequests < target) {
      // Replicas would never receive the target load; Serve's autoscaler could not reach it.
      throw invalidProp(scope, `${p}.maxOngoingRequests`, `(${d.maxOngoingRequests}) must be >= autoscaling.targetOngoingRequests (${target})`);
    }
    if (a.initialReplicas !== undefined) requireInteger(scope, `${p}.autoscaling.initialReplicas`, a.initialReplicas, a.minReplicas, a.maxReplicas);
    autoscaling = {
      min_replicas: a.minReplicas,
      max_replicas: a.maxReplicas,
      target_ongoing_requests: target,
      ...(a.initialReplicas !== undefined ? { initial_replicas: a.initialReplicas } : {}),
      ...(a.upscaleDelay ? { upscale_delay_s: delaySeconds(scope, `${p}.autoscaling.upscaleDelay`, a.upscaleDelay) } : {}),
      ...(a.downscaleDelay ? { downscale_delay_s: delaySeconds(scope, `${p}.autoscaling.downscaleDelay`, a.downscaleDelay) } : {}),
    };
  }
  const actor = {
    ...(d.numCpus !== undefined ? { num_cpus: d.numCpus } : {}),
    ...(d.numGpus !== undefined ? { num_gpus: d.numGpus } : {}),
  };
  return {
    name: d.name,
    ...(d.numReplicas !== undefined ? { num_replicas: d.numReplicas } : {}),
    ...(autoscaling ? { autoscaling_config: autoscaling } : {}),
    ...(d.maxOngoingRequests !== undefined ? { max_ongoing_requests: d.maxOngoingRequests } : {}),
    ...(Object.keys(actor).length > 0 ? { ray_actor_options: actor } : {}),
  };
}

/**
 * Serve's delays are floats of seconds, at least 0 (ray python/ray/serve/config.py
 * AutoscalingConfig: `upscale_delay_s: NonNegativeFloat`, `downscale_delay_s: NonNegativeFloat`),
 * so a fractional Duration is kept rather than refused by cdk8s's whole-second conversion.
 */
function delaySeconds(scope: IConstruct, prop: string, d: Duration): number {
  const s = d.toSeconds({ integral: false });
  if (!(s >= 0) || !Number.isFinite(s)) throw invalidProp(scope, prop, `(${s}s) must be a finite number of seconds >= 0`);
  return s;
}

/** Ray's runtime env field names. @internal */
export function runtimeEnvJson(env: RayRuntimeEnv): any {
  return {
    ...(env.workingDir ? { working_dir: env.workingDir } : {}),
    ...(env.pip ? { pip: env.pip } : {}),
    ...(env.envVars ? { env_vars: env.envVars } : {}),
  };
}
