// Synth-time versions of the checks the API server applies to the hosts and paths
// of an HTTPRoute (the CRD's patterns and CEL rules, which a schema validator does
// not evaluate) and of an Ingress (apiserver validation), so bad input fails at
// `cdk8s synth` instead of at `kubectl apply`.
import { IConstruct } from 'constructs';
import { GATEWAY_HOSTNAME } from './crds/http-route';
import { invalidProp } from '../core/errors';

// Both APIs refuse IP addresses as hosts; the hostname pattern alone lets IPv4 through.
const IPV4 = /^[0-9]+(\.[0-9]+){3}$/;
// The HTTPRoute CRD's character rule for Exact and PathPrefix matches.
const PATH_CHARACTERS = /^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|%[0-9a-fA-F]{2})+$/;

/** A host name as Gateway API and Ingress accept it: RFC 1123, optional `*.` prefix, no IP. */
export function requireHostname(scope: IConstruct, prop: string, host: string): void {
  if (host.length > 253 || !GATEWAY_HOSTNAME.test(host) || IPV4.test(host)) {
    throw invalidProp(scope, prop, `('${host}') must be a lowercase RFC 1123 host name, optionally prefixed with '*.', without port or IP address`);
  }
}

/** An absolute, normalized HTTP path prefix, as the HTTPRoute CRD's rules (and Ingress) demand. */
export function requireHttpPath(scope: IConstruct, prop: string, path: string): void {
  const bad = !path.startsWith('/') || path.length > 1024 || ['//', '/./', '/../', '%2f', '%2F', '#'].some(s => path.includes(s))
    || path.endsWith('/..') || path.endsWith('/.') || !PATH_CHARACTERS.test(path);
  if (bad) {
    throw invalidProp(scope, prop, `('${path}') must be an absolute path starting with '/', without '//', '/./', '/../', '%2f' or '#', not ending in '/.' or '/..', `
      + 'made of letters, digits, %XX escapes and -._~!$&\'()*+,;=:@/ only');
  }
}
