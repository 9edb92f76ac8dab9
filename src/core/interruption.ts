// What a workload says about surviving the loss of a pod at short notice (a spot
// reclaim), for node pools that would put it on interruptible capacity (internal).
// A registry rather than a member of ISchedulable: the public interface stays
// jsii-friendly, and domains (training, serving) register their own answer.

/** Returns why the workload cannot survive an interruption, or undefined when it can. */
export type InterruptionCheck = () => string | undefined;

const checks = new WeakMap<object, InterruptionCheck>();

/** Registers how `workload` answers {@link interruptionProblem}. */
export function registerInterruptionCheck(workload: object, check: InterruptionCheck): void {
  checks.set(workload, check);
}

/** Why `workload` cannot survive losing a pod mid-run; undefined when it can or does not say. */
export function interruptionProblem(workload: object): string | undefined {
  return checks.get(workload)?.();
}
