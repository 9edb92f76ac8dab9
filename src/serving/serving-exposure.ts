import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { invalidProp } from '../core/errors';
import { requireDnsSubdomain } from '../core/validation';
import { createHttpRoute, GATEWAY_HOSTNAME } from '../delivery/crds/http-route';

/** Options of a model server's Gateway API HTTPRoute. */
export interface ServingHttpRouteOptions {
  /** The Gateway the route attaches to (`parentRefs[0].name`). */
  readonly gatewayName: string;
  /**
   * The Gateway's namespace; its listener must allow routes from the server's.
   * @default - the route's namespace
   */
  readonly gatewayNamespace?: string;
  /**
   * Listener of the Gateway (`sectionName`).
   * @default - every listener that admits the route
   */
  readonly sectionName?: string;
  /**
   * Hostnames matched.
   * @default - every hostname of the listener
   */
  readonly hostnames?: string[];
  /**
   * Path prefix matched.
   * @default '/'
   */
  readonly pathPrefix?: string;
}

/** Renders the HTTPRoute of a server: everything under `pathPrefix` to its Service port. @internal */
export function createServingHttpRoute(scope: Construct, metadata: { name: string; labels: { [key: string]: string } },
  serviceName: string, servicePort: number, o: ServingHttpRouteOptions): ApiObject {
  requireDnsSubdomain(scope, 'httpRoute.gatewayName', o.gatewayName);
  for (const [i, h] of (o.hostnames ?? []).entries()) {
    if (!GATEWAY_HOSTNAME.test(h)) throw invalidProp(scope, `httpRoute.hostnames[${i}]`, `('${h}') must be a DNS name, optionally with a leading '*.'`);
  }
  const path = o.pathPrefix ?? '/';
  if (!path.startsWith('/')) throw invalidProp(scope, 'httpRoute.pathPrefix', `('${path}') must start with '/'`);
  return createHttpRoute(scope, 'HttpRoute', metadata, {
    parentRefs: [{
      name: o.gatewayName,
      ...(o.gatewayNamespace ? { namespace: o.gatewayNamespace } : {}),
      ...(o.sectionName ? { sectionName: o.sectionName } : {}),
    }],
    ...(o.hostnames?.length ? { hostnames: [...o.hostnames] } : {}),
    rules: [{ matches: [{ path: { type: 'PathPrefix', value: path } }], backendRefs: [{ name: serviceName, port: servicePort }] }],
  });
}

/** Options of a model server's Ingress. */
export interface ServingIngressOptions {
  /**
   * Host matched.
   * @default - every host
   */
  readonly host?: string;
  /**
   * Path prefix matched.
   * @default '/'
   */
  readonly pathPrefix?: string;
  /**
   * IngressClass (`spec.ingressClassName`).
   * @default - the cluster's default class
   */
  readonly ingressClassName?: string;
  /**
   * Secret with the TLS certificate for `host` (never its content in the YAML).
   * @default - no TLS
   */
  readonly tlsSecret?: string;
}

/** Renders the Ingress of a server to its Service. @internal */
export function createServingIngress(scope: Construct, metadata: { name: string; labels: { [key: string]: string } },
  service: kplus.Service, servicePort: number, o: ServingIngressOptions): kplus.Ingress {
  if (o.host !== undefined && !GATEWAY_HOSTNAME.test(o.host)) throw invalidProp(scope, 'ingress.host', `('${o.host}') must be a DNS name`);
  const path = o.pathPrefix ?? '/';
  if (!path.startsWith('/')) throw invalidProp(scope, 'ingress.pathPrefix', `('${path}') must start with '/'`);
  if (o.tlsSecret !== undefined) {
    requireDnsSubdomain(scope, 'ingress.tlsSecret', o.tlsSecret);
    if (o.host === undefined) throw invalidProp(scope, 'ingress.tlsSecret', 'needs a host: a certificate names the hosts it serves');
  }
  if (o.ingressClassName !== undefined) requireDnsSubdomain(scope, 'ingress.ingressClassName', o.ingressClassName);
  const ingress = new kplus.Ingress(scope, 'Ingress', {
    metadata,
    className: o.ingressClassName,
    ...(o.tlsSecret ? { tls: [{ hosts: [o.host!], secret: kplus.Secret.fromSecretName(scope, 'IngressTls', o.tlsSecret) }] } : {}),
  });
  const backend = kplus.IngressBackend.fromService(service, { port: servicePort });
  if (o.host) ingress.addHostRule(o.host, path, backend, kplus.HttpIngressPathType.PREFIX);
  else ingress.addRule(path, backend, kplus.HttpIngressPathType.PREFIX);
  return ingress;
}
