import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { invalidProp } from './errors';
import { requirePort } from './validation';

/**
 * What a container does between SIGTERM being decided and being sent: the
 * `preStop` hook. The kubelet runs it first, so endpoints are removed from
 * Services and load balancers while the server still answers, and in-flight
 * requests finish: without it a rolling update drops requests.
 *
 * @example
 * import { MlModelServing, PreStop } from 'cdk8s-ml';
 *
 * new MlModelServing(this, 'llm', {
 *   image: 'vllm/vllm-openai:v0.6.3',
 *   // Endpoints and load balancers stop routing to the pod before vLLM gets SIGTERM.
 *   preStop: PreStop.sleep(Duration.seconds(20)),
 * });
 */
export class PreStop {
  /**
   * Wait, then let SIGTERM through: the `sleep` handler (Kubernetes 1.30+, no shell
   * or `sleep` binary needed in the image, so it works on distroless images).
   */
  public static sleep(duration: Duration): PreStop {
    const seconds = duration.toSeconds({ integral: false });
    return new PreStop({ sleep: { seconds } }, seconds);
  }

  /** Run a command in the container (the image must contain it). */
  public static exec(command: string[], budget: Duration = Duration.seconds(0)): PreStop {
    return new PreStop({ exec: { command: [...command] } }, budget.toSeconds({ integral: false }));
  }

  /** Call an HTTP endpoint of the container, e.g. a drain endpoint. */
  public static httpGet(path: string, port: number, budget: Duration = Duration.seconds(0)): PreStop {
    return new PreStop({ httpGet: { path, port, scheme: 'HTTP' } }, budget.toSeconds({ integral: false }));
  }

  private constructor(
    private readonly handler: { [kind: string]: unknown },
    /** Seconds the hook takes (the sleep, or the budget given), counted in the grace period. */
    public readonly seconds: number,
  ) {}

  /**
   * Refuses what the API server refuses in a preStop handler: a fractional
   * `sleep.seconds` (an int64), an HTTP port outside 1..65535, a relative path, an
   * empty command. The budget of an exec or HTTP hook is only counted, never
   * rendered, so it may be fractional. @internal
   */
  public _validate(scope: IConstruct, prop: string): void {
    if (this.handler.sleep !== undefined && !Number.isInteger(this.seconds)) {
      throw invalidProp(scope, prop, `(${this.seconds}s) must be a whole number of seconds`);
    }
    const http = this.handler.httpGet as { path: unknown; port: number } | undefined;
    if (http) {
      requirePort(scope, `${prop} port`, http.port);
      if (typeof http.path !== 'string' || !http.path.startsWith('/')) throw invalidProp(scope, `${prop} path`, `('${http.path}') must start with '/'`);
    }
    const exec = this.handler.exec as { command: unknown[] } | undefined;
    if (exec && (exec.command.length === 0 || exec.command.some(c => typeof c !== 'string'))) {
      throw invalidProp(scope, `${prop} command`, 'must be a non-empty list of strings');
    }
  }

  /** The Kubernetes lifecycle handler. @internal */
  public _toKube(): any {
    return JSON.parse(JSON.stringify(this.handler));
  }
}
