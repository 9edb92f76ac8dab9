import { IConstruct } from 'constructs';

/**
 * The one way constructs of this library report bad input: an Error whose message
 * names the construct type, its path and the offending prop, so a user can find
 * the line to fix in a large app, e.g.
 * `MlModelServing 'prod/bert': maxReplicas (1) must be >= minReplicas (2)`.
 *
 * Thrown at construction (synth) time, never deferred to the cluster.
 */
export function invalidProp(scope: IConstruct, prop: string, problem: string): Error {
  return new Error(`${typeNameOf(scope)} '${scope.node.path}': ${prop} ${problem}`);
}

/**
 * Marks an internal class with the public type users wrote (e.g. the construct a
 * `SpotNodePool.gke()` returns is internal), so its errors name a type they know.
 */
export const PUBLIC_TYPE_NAME = Symbol.for('cdk8s-ml.publicTypeName');

function typeNameOf(scope: IConstruct): string {
  return (scope as { [PUBLIC_TYPE_NAME]?: string })[PUBLIC_TYPE_NAME] ?? scope.constructor.name;
}
