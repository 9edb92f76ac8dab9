/** A split of `total` replicas between a stable and a canary track. */
export interface ReplicaSplit {
  /** Replicas of the stable track. */
  readonly stable: number;
  /** Replicas of the canary track. */
  readonly canary: number;
  /** The share of requests the canary gets, in percent: `100 * canary / total`. */
  readonly canaryShare: number;
}

/**
 * Splits `total` replicas so that the canary's share of replicas, which is its
 * share of requests when one Service selects both tracks (kube-proxy balances per
 * endpoint), is as close as possible to `weight` percent. Integer arithmetic: the
 * canary gets round(total * weight / 100), ties going to the canary, so weights 0
 * and 100 are exact and the two counts always sum to `total`.
 */
export function splitReplicas(total: number, weight: number): ReplicaSplit {
  const canary = Math.floor((total * weight + 50) / 100);
  return { stable: total - canary, canary, canaryShare: total === 0 ? 0 : (100 * canary) / total };
}

/**
 * The fewest replicas in total for which {@link splitReplicas} gives both tracks at
 * least one replica, for 0 < weight < 100; used in error messages.
 */
export function minimumTotalForBothTracks(weight: number): number {
  for (let total = 2; total < 100; total++) {
    const split = splitReplicas(total, weight);
    if (split.stable >= 1 && split.canary >= 1) return total;
  }
  return 100; // exact for any integer weight
}
