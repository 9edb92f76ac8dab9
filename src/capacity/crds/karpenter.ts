// Typed shape of the Karpenter v1 NodePool we emit (karpenter.sh/v1), after the CRD
// in ../shared/crds/karpenter.sh_nodepools.yaml. Internal: users configure pools
// through the construct props, never through these.

export const KARPENTER_API_VERSION = 'karpenter.sh/v1';

export interface KarpenterRequirement {
  readonly key: string;
  readonly operator: string;
  readonly values?: string[];
  readonly minValues?: number;
}

export interface KarpenterTaint {
  readonly key: string;
  readonly value?: string;
  readonly effect: string;
}

export interface KarpenterNodeClassRef {
  readonly group: string;
  readonly kind: string;
  readonly name: string;
}

export interface KarpenterBudget {
  readonly nodes: string;
  readonly schedule?: string;
  readonly duration?: string;
  readonly reasons?: string[];
}

export interface KarpenterDisruption {
  readonly consolidationPolicy?: string;
  readonly consolidateAfter?: string;
  readonly budgets?: KarpenterBudget[];
}

export interface KarpenterNodePoolSpec {
  readonly template: {
    readonly metadata?: { readonly labels?: { [key: string]: string } };
    readonly spec: {
      readonly nodeClassRef: KarpenterNodeClassRef;
      readonly requirements: KarpenterRequirement[];
      readonly taints?: KarpenterTaint[];
      readonly expireAfter?: string;
    };
  };
  readonly disruption?: KarpenterDisruption;
  readonly limits?: { [resource: string]: string };
  readonly weight?: number;
}
