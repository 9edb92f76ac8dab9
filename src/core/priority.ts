/**
 * A PriorityClass that pods can name: a `PriorityClass` construct of this library,
 * or an existing class by name ({@link PriorityClassRef.fromName}).
 */
export interface IPriorityClass {
  /** The name pods reference as `priorityClassName`. */
  readonly priorityClassName: string;
}

/** References to PriorityClasses this app does not create. */
export class PriorityClassRef {
  /** An existing PriorityClass, e.g. the built-in `system-cluster-critical`. */
  public static fromName(name: string): IPriorityClass {
    return { priorityClassName: name };
  }

  private constructor() {}
}
