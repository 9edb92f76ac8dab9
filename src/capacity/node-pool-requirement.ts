import { IConstruct } from 'constructs';
import { invalidProp } from '../core/errors';
import { requireLabelKey } from '../core/metadata-validation';
import { NodeRequirement, NodeSelectorOperator } from '../core/scheduling';
import { isLabelValue } from '../core/validation';
import { KarpenterRequirement } from './crds/karpenter';

/**
 * A requirement of a Karpenter NodePool: a node label matchExpression, plus the
 * minimum number of distinct values Karpenter must keep available (flexibility, so a
 * spot pool is not narrowed to one instance type that then runs out).
 */
export interface NodePoolRequirement extends NodeRequirement {
  /**
   * The least number of distinct values (e.g. instance types) Karpenter must be able
   * to choose from; `In` requirements only. 1..50.
   * @default - no minimum
   */
  readonly minValues?: number;
}

/** Label keys Karpenter reserves (its CRD refuses them in requirements and template labels). */
export function restrictedKarpenterKey(key: string): string | undefined {
  if (key === 'karpenter.sh/nodepool') return 'is set by Karpenter on every node of the pool';
  if (key === 'kubernetes.io/hostname') return 'is restricted by Karpenter';
  // As the CRD's rule: the part before the first '/' (the whole key without one).
  const domain = key.split('/')[0];
  if (domain.endsWith('karpenter.sh') && key !== 'karpenter.sh/capacity-type') {
    return 'is in the restricted label domain "karpenter.sh"';
  }
  return undefined;
}

// One label key rule for node labels, taints and user metadata.
export { requireLabelKey } from '../core/metadata-validation';

const OPERATORS = Object.values(NodeSelectorOperator) as string[];

/**
 * Throws unless `r` is a well-formed requirement: a known operator, values that
 * fit it (In/NotIn one or more, Exists/DoesNotExist none, Gt/Lt one non-negative
 * integer), valid label values, and `minValues` within 1..50 and the values given.
 * These are the Kubernetes and Karpenter rules, checked here because ajv does not
 * run the CRD's CEL validations and the API server would reject the object late.
 */
export function validateRequirement(scope: IConstruct, prop: string, r: NodePoolRequirement): void {
  requireLabelKey(scope, `${prop}.key`, r.key);
  if (!OPERATORS.includes(r.operator)) {
    throw invalidProp(scope, `${prop}.operator`, `('${r.operator}') is not a known operator; use one of ${OPERATORS.join(', ')}`);
  }
  const values = r.values ?? [];
  const at = `${prop} (${r.key} ${r.operator})`;
  switch (r.operator) {
    case NodeSelectorOperator.IN:
    case NodeSelectorOperator.NOT_IN:
      if (values.length === 0) {
        throw invalidProp(scope, at, 'has no values: In and NotIn need at least one');
      }
      break;
    case NodeSelectorOperator.EXISTS:
    case NodeSelectorOperator.DOES_NOT_EXIST:
      if (values.length > 0) {
        throw invalidProp(scope, at, `takes no values, got [${values.join(', ')}]`);
      }
      break;
    case NodeSelectorOperator.GT:
    case NodeSelectorOperator.LT:
      if (values.length !== 1 || !/^[0-9]+$/.test(values[0])) {
        throw invalidProp(scope, at, `needs exactly one non-negative integer value, got [${values.join(', ')}]`);
      }
      break;
  }
  for (const v of values) {
    if (v === '') {
      throw invalidProp(scope, at, 'has an empty value');
    }
    if (!isLabelValue(v)) {
      throw invalidProp(scope, at, `value '${v}' is not a valid label value`);
    }
  }
  if (new Set(values).size !== values.length) {
    throw invalidProp(scope, at, `has duplicate values [${values.join(', ')}]`);
  }
  if (r.minValues !== undefined) {
    if (r.operator !== NodeSelectorOperator.IN) {
      throw invalidProp(scope, `${at}.minValues`, 'applies to In requirements only');
    }
    if (!Number.isInteger(r.minValues) || r.minValues < 1 || r.minValues > 50) {
      throw invalidProp(scope, `${at}.minValues`, `(${r.minValues}) must be an integer between 1 and 50`);
    }
    if (values.length < r.minValues) {
      throw invalidProp(scope, `${at}.minValues`, `(${r.minValues}) exceeds the ${values.length} value(s) given`);
    }
  }
}

/** The JSON of a requirement as Kubernetes and Karpenter spell it. */
export function renderRequirement(r: NodePoolRequirement): KarpenterRequirement {
  return {
    key: r.key,
    operator: r.operator,
    ...(r.values && r.values.length > 0 ? { values: [...r.values] } : {}),
    ...(r.minValues !== undefined ? { minValues: r.minValues } : {}),
  };
}
