/**
 * A PriorityClass that pods can name: a `PriorityClass` construct of this library,
 * or an existing class by name ({@link PriorityClassRef.fromName}).
 */
export interface IPriorityClass {
  /** The name pods reference as `priorityClassName`. */
  readonly priorityClassName: string;
}

/**
 * References to PriorityClasses this app does not create.
 *
 * @example
 * import { MlModelServing, PriorityClassRef } from 'cdk8s-ml';
 *
 * // A PriorityClass the platform team manages, outside this app.
 * new MlModelServing(this, 'bert', {
 *   image: 'registry.example.com/bert-server:1.4.2',
 *   priorityClass: PriorityClassRef.fromName('online-serving'),
 * });
 */
export class PriorityClassRef {
  /** An existing PriorityClass, e.g. the built-in `system-cluster-critical`. */
  public static fromName(name: string): IPriorityClass {
    return { priorityClassName: name };
  }

  private constructor() {}
}
