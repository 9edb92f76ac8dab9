import { IConstruct } from 'constructs';
import { invalidProp } from '../core/errors';

// The Kubernetes resource.Quantity grammar, as the CRD schemas spell it.
const QUANTITY = /^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$/;

// Resource names: `cpu`, `memory`, `ephemeral-storage`, `pods`, or domain-prefixed
// extended resources such as `nvidia.com/gpu`.
const RESOURCE_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** True when `value` is a Kubernetes quantity such as `100`, `1.5`, `500m` or `64Gi`. */
export function isQuantity(value: string): boolean {
  return QUANTITY.test(value);
}

/** Throws unless `value` is a non-negative Kubernetes quantity. */
export function requireQuantity(scope: IConstruct, prop: string, value: string): void {
  if (typeof value !== 'string' || !isQuantity(value)) {
    throw invalidProp(scope, prop, `('${value}') is not a Kubernetes quantity such as '100', '500m' or '64Gi'`);
  }
  if (value.startsWith('-')) {
    throw invalidProp(scope, prop, `('${value}') must not be negative`);
  }
}

/** Throws unless `name` is a resource name (`cpu`, `memory`, `nvidia.com/gpu`, ...). */
export function requireResourceName(scope: IConstruct, prop: string, name: string): void {
  if (name.length > 253 || !RESOURCE_NAME.test(name)) {
    throw invalidProp(scope, prop, `('${name}') is not a resource name such as 'cpu', 'memory' or 'nvidia.com/gpu'`);
  }
}

/** Validates a map of resource name to quantity (NodePool limits, quota `hard`). */
export function requireResourceList(scope: IConstruct, prop: string, list: { [resource: string]: string }): void {
  for (const [name, value] of Object.entries(list)) {
    requireResourceName(scope, `${prop} key`, name);
    requireQuantity(scope, `${prop}['${name}']`, value);
  }
}
