import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { invalidProp } from './errors';
import { requireInteger } from './validation';

/** PodDisruptionBudget settings; give at most one of the two. */
export interface DisruptionBudgetOptions {
  /**
   * Pods that must stay available during voluntary disruptions (node drains).
   * Must be below the fewest replicas, else no eviction can ever proceed.
   * @default - not set; maxUnavailable is used
   */
  readonly minAvailable?: number;
  /**
   * Pods that may be unavailable during voluntary disruptions; at least 1.
   * @default 1
   */
  readonly maxUnavailable?: number;
}

/**
 * A policy/v1 PodDisruptionBudget over `selector`, created whenever more than one
 * replica can run (with one replica a PDB either blocks every drain or does
 * nothing). Refuses settings that would block every eviction.
 */
export function createDisruptionBudget(
  scope: Construct,
  metadata: { name: string; labels: { [key: string]: string }; annotations?: { [key: string]: string } },
  selector: { [key: string]: string },
  options: DisruptionBudgetOptions | undefined,
  minReplicas: number,
  maxReplicas: number,
): kplus.k8s.KubePodDisruptionBudget | undefined {
  if (options?.minAvailable !== undefined && options?.maxUnavailable !== undefined) {
    throw invalidProp(scope, 'disruptionBudget', 'takes minAvailable or maxUnavailable, not both');
  }
  if (options?.minAvailable !== undefined) {
    requireInteger(scope, 'disruptionBudget.minAvailable', options.minAvailable, 0);
    if (options.minAvailable >= minReplicas) {
      throw invalidProp(scope, 'disruptionBudget.minAvailable', `(${options.minAvailable}) must be below the fewest replicas (${minReplicas}), or no pod could ever be evicted and node drains would hang`);
    }
  }
  const maxUnavailable = options?.minAvailable === undefined ? options?.maxUnavailable ?? 1 : undefined;
  if (maxUnavailable !== undefined) {
    requireInteger(scope, 'disruptionBudget.maxUnavailable', maxUnavailable, 1);
  }
  if (maxReplicas < 2) return undefined;
  return new kplus.k8s.KubePodDisruptionBudget(scope, 'DisruptionBudget', {
    metadata,
    spec: {
      selector: { matchLabels: { ...selector } },
      ...(maxUnavailable !== undefined
        ? { maxUnavailable: kplus.k8s.IntOrString.fromNumber(maxUnavailable) }
        : { minAvailable: kplus.k8s.IntOrString.fromNumber(options!.minAvailable!) }),
    },
  });
}
