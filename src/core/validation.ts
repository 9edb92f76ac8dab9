import { IConstruct } from 'constructs';
import { invalidProp } from './errors';

// RFC 1123 label: what Kubernetes requires of most object names and of hostnames.
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
// RFC 1123 subdomain: dot-separated labels, 253 characters at most.
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
// Label values: 63 characters, alphanumeric at both ends, [-_.] inside.
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Throws unless `value` is an integer in [min, max]. */
export function requireInteger(scope: IConstruct, prop: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isInteger(value)) {
    throw invalidProp(scope, prop, `(${value}) must be an integer`);
  }
  if (value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `between ${min} and ${max}`;
    throw invalidProp(scope, prop, `(${value}) must be ${range}`);
  }
}

/** Throws unless `value` is a valid TCP/UDP port number. */
export function requirePort(scope: IConstruct, prop: string, value: number): void {
  requireInteger(scope, prop, value, 1, 65535);
}

/** Throws unless `value` is a utilization percentage usable as an HPA target. */
export function requirePercentage(scope: IConstruct, prop: string, value: number): void {
  requireInteger(scope, prop, value, 1, 100);
}

/** Throws unless `value` is an RFC 1123 DNS label (names of Services, pods' hostnames). */
export function requireDnsLabel(scope: IConstruct, prop: string, value: string, maxLength = 63): void {
  if (value.length > maxLength || !DNS_LABEL.test(value)) {
    throw invalidProp(scope, prop, `('${value}') must be a valid RFC 1123 DNS label: lowercase alphanumerics and '-', starting and ending with an alphanumeric, at most ${maxLength} characters`);
  }
}

/** Throws unless `value` is an RFC 1123 DNS subdomain (names of most objects). */
export function requireDnsSubdomain(scope: IConstruct, prop: string, value: string): void {
  if (value.length > 253 || !DNS_SUBDOMAIN.test(value)) {
    throw invalidProp(scope, prop, `('${value}') must be a valid RFC 1123 DNS subdomain: lowercase alphanumerics, '-' and '.', at most 253 characters`);
  }
}

/** True when `value` can be used as a Kubernetes label value. */
export function isLabelValue(value: string): boolean {
  return value.length <= 63 && LABEL_VALUE.test(value);
}

/** Throws unless `value` is a valid label value. */
export function requireLabelValue(scope: IConstruct, prop: string, value: string): void {
  if (!isLabelValue(value)) {
    throw invalidProp(scope, prop, `('${value}') must be a valid label value: at most 63 characters, alphanumeric at both ends, '-', '_' or '.' inside`);
  }
}
