import { IConstruct } from 'constructs';

/**
 * The error every construct of this library throws for bad input, so callers can
 * catch it apart from bugs (`err instanceof MlValidationError`) and read which
 * construct and which prop to fix. The message reads
 * `MlModelServing 'prod/bert': maxReplicas (1) must be >= minReplicas (2)`.
 */
export class MlValidationError extends Error {
  /** The path of the construct that refused its input, e.g. `prod/bert`. */
  public readonly construct: string;
  /** The prop as the user wrote it, e.g. `scaling.maxReplicas`. */
  public readonly prop: string;
  /** What is wrong with it, and what is allowed. */
  public readonly problem: string;

  public constructor(constructType: string, constructPath: string, prop: string, problem: string) {
    super(`${constructType} '${constructPath}': ${prop} ${problem}`);
    this.name = 'MlValidationError';
    this.construct = constructPath;
    this.prop = prop;
    this.problem = problem;
    // Keep `instanceof` working when compiled to ES5-style classes.
    Object.setPrototypeOf(this, MlValidationError.prototype);
  }
}

/**
 * Recognizes the library's validation errors in any jsii language, TypeScript and
 * JavaScript included (jsii cannot export a subclass of `Error`, so the error class
 * itself is not part of the API, and the package exports its main module only).
 */
export class MlValidationErrors {
  /** True when `error` is a validation error of this library (bad input, refused at synth). */
  public static isValidationError(error: any): boolean {
    return error instanceof MlValidationError;
  }

  /** The path of the construct that refused its input, e.g. `prod/bert`; undefined for other errors. */
  public static constructPathOf(error: any): string | undefined {
    return error instanceof MlValidationError ? error.construct : undefined;
  }

  /** The prop as the user wrote it, e.g. `scaling.maxReplicas`; undefined for other errors. */
  public static propOf(error: any): string | undefined {
    return error instanceof MlValidationError ? error.prop : undefined;
  }

  private constructor() {}
}

/**
 * The one way constructs of this library report bad input: an error whose message
 * names the construct type, its path and the offending prop, so a user can find
 * the line to fix in a large app, e.g.
 * `MlModelServing 'prod/bert': maxReplicas (1) must be >= minReplicas (2)`.
 *
 * Thrown at construction (synth) time, never deferred to the cluster.
 */
export function invalidProp(scope: IConstruct, prop: string, problem: string): MlValidationError {
  return new MlValidationError(typeNameOf(scope), scope.node.path, prop, problem);
}

/**
 * Marks an internal class with the public type users wrote (e.g. the construct a
 * `SpotNodePool.gke()` returns is internal), so its errors name a type they know.
 */
export const PUBLIC_TYPE_NAME = Symbol.for('cdk8s-ml.publicTypeName');

function typeNameOf(scope: IConstruct): string {
  return (scope as { [PUBLIC_TYPE_NAME]?: string })[PUBLIC_TYPE_NAME] ?? scope.constructor.name;
}

/**
 * Builds a child construct from props the user gave under `prefix` (a release's
 * `stable`, a blue-green `blue`): its refusals are reported as the user wrote them,
 * on the construct they wrote (`CanaryRelease 'prod/llm': stable.image ...`), not
 * on an internal child.
 * @internal
 */
export function asPropOf<T>(scope: IConstruct, prefix: string, build: () => T): T {
  try {
    return build();
  } catch (e) {
    if (e instanceof MlValidationError && e.construct.startsWith(`${scope.node.path}/`)) {
      throw invalidProp(scope, `${prefix}.${e.prop}`, e.problem);
    }
    throw e;
  }
}
