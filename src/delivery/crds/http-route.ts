// Typed structs for the part of the Gateway API HTTPRoute
// (gateway.networking.k8s.io/v1, standard channel) that canary releases emit,
// checked in tests against the official CRD schema.
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';

/** `spec.parentRefs[]`. */
export interface HttpRouteParentRef {
  readonly group?: string;
  readonly kind?: string;
  readonly name: string;
  readonly namespace?: string;
  readonly sectionName?: string;
}

/** `spec.rules[].backendRefs[]` to a Service; `port` is required for Services. */
export interface HttpRouteBackendRef {
  readonly group?: string;
  readonly kind?: string;
  readonly name: string;
  readonly port: number;
  readonly weight?: number;
}

/** `spec.rules[].matches[]`, path only. */
export interface HttpRouteMatch {
  readonly path?: { readonly type: 'Exact' | 'PathPrefix' | 'RegularExpression'; readonly value: string };
}

/** `spec.rules[]`. */
export interface HttpRouteRule {
  readonly matches?: HttpRouteMatch[];
  readonly backendRefs?: HttpRouteBackendRef[];
}

/** `spec`. */
export interface HttpRouteSpec {
  readonly parentRefs?: HttpRouteParentRef[];
  readonly hostnames?: string[];
  readonly rules?: HttpRouteRule[];
}

export const HTTP_ROUTE_API_VERSION = 'gateway.networking.k8s.io/v1';

/** Renders an HTTPRoute. */
export function createHttpRoute(scope: Construct, id: string, metadata: { name: string; labels?: { [key: string]: string } },
  spec: HttpRouteSpec): ApiObject {
  return new ApiObject(scope, id, { apiVersion: HTTP_ROUTE_API_VERSION, kind: 'HTTPRoute', metadata, spec });
}

// The CRD's Hostname pattern, so bad input fails at synth time rather than at apply time.
export const GATEWAY_HOSTNAME = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
