// The objects through which a CanaryRelease's requests are split: one Service over
// both tracks (replica ratio), or, by weight, a Gateway API HTTPRoute or an
// ingress-nginx Ingress pair pointing at each track's own Service. CanaryRelease
// decides the split (tracks, weight, annotations) and CanaryTraffic picks the
// renderer; this file only renders, so the construct reads as the release and the
// routers' quirks stay here. Objects are created in, and errors reported against,
// the release: the options validated here are its props.
import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { GatewayApiTrafficOptions, IngressNginxTrafficOptions } from './canary-traffic';
import { createHttpRoute } from './crds/http-route';
import { requireSelectsPods } from './release-tracks';
import { requireHostname, requireHttpPath } from './route-validation';
import { invalidProp } from '../core/errors';
import { requireDnsLabel, requireDnsSubdomain, requirePort } from '../core/validation';
import { MlModelServing } from '../serving/ml-model-serving';

/** What a CanaryRelease's traffic objects route to, and how they are named and labelled. */
export interface CanarySplit {
  /** The release's base name: of the HTTPRoute unless named, and of the Ingresses. */
  readonly name: string;
  /** Labels of the traffic objects. */
  readonly labels: { [key: string]: string };
  /** Labels both tracks' pods carry, which a Service over both selects. */
  readonly appLabels: { [key: string]: string };
  /** The split annotations, put on the object that carries the weight. */
  readonly annotations: { [key: string]: string };
  /** Percent of requests for the canary. */
  readonly weight: number;
  readonly stable: MlModelServing;
  readonly canary?: MlModelServing;
  /** The canary's Service when it is no MlModelServing's own (Argo Rollouts: one server, two Services). */
  readonly canaryBackend?: { readonly name: string; readonly port: number };
}

/** The Ingresses of ingress-nginx traffic. */
export interface CanaryIngresses {
  /** To the stable Service. */
  readonly ingress: kplus.Ingress;
  /** To the canary Service, when there is a canary. */
  readonly canaryIngress?: kplus.Ingress;
}

/** A Service an HTTPRoute sends requests to. */
export interface RouteBackend {
  readonly name: string;
  readonly port: number;
}

/** One HTTPRoute rule whose backends are the tracks' Services, weighted `100 - weight` and `weight`. */
export function createCanaryHttpRoute(release: Construct, options: GatewayApiTrafficOptions, split: CanarySplit): ApiObject {
  const { stable, canary } = split;
  const canaryBackend = canary ? { name: canary.service.name, port: canary.servicePort } : split.canaryBackend;
  return createWeightedHttpRoute(release, options, split, { name: stable.service.name, port: stable.servicePort }, canaryBackend);
}

/** The weighted HTTPRoute between two Services, whoever made them. */
export function createWeightedHttpRoute(release: Construct, options: GatewayApiTrafficOptions,
  meta: { name: string; labels: { [key: string]: string }; annotations: { [key: string]: string }; weight: number },
  stable: RouteBackend, canary?: RouteBackend): ApiObject {
  const name = options.routeName ?? meta.name;
  requireDnsSubdomain(release, 'routeName', name);
  requireDnsSubdomain(release, 'gateway.name', options.gateway.name);
  if (options.gateway.namespace !== undefined) requireDnsLabel(release, 'gateway.namespace', options.gateway.namespace);
  const section = options.gateway.sectionName;
  // The CRD's SectionName pattern and length are those of a DNS subdomain.
  if (section !== undefined) requireDnsSubdomain(release, 'gateway.sectionName', section);
  const hostnames = options.hostnames;
  if (hostnames !== undefined) {
    if (hostnames.length < 1 || hostnames.length > 16) {
      throw invalidProp(release, 'hostnames', `(${hostnames.length}) must hold 1 to 16 hostnames`);
    }
    hostnames.forEach((h, i) => requireHostname(release, `hostnames[${i}]`, h));
  }
  const pathPrefix = options.pathPrefix ?? '/';
  requireHttpPath(release, 'pathPrefix', pathPrefix);

  const weight = meta.weight;
  const backends = [{ kind: 'Service', ...stable, weight: 100 - weight }];
  if (canary) backends.push({ kind: 'Service', ...canary, weight });
  const route = createHttpRoute(release, 'HttpRoute', { name, labels: meta.labels }, {
    parentRefs: [{
      group: 'gateway.networking.k8s.io',
      kind: 'Gateway',
      name: options.gateway.name,
      ...(options.gateway.namespace !== undefined ? { namespace: options.gateway.namespace } : {}),
      ...(section !== undefined ? { sectionName: section } : {}),
    }],
    ...(hostnames !== undefined ? { hostnames: [...hostnames] } : {}),
    rules: [{ matches: [{ path: { type: 'PathPrefix', value: pathPrefix } }], backendRefs: backends.map(b => ({ group: '', ...b })) }],
  });
  for (const [k, v] of Object.entries(meta.annotations)) route.metadata.addAnnotation(k, v);
  return route;
}

/**
 * An Ingress to the stable Service and, with a canary, a second Ingress for the
 * same host and path to the canary's, which ingress-nginx's canary annotations turn
 * into a weighted share. The split annotations go on the canary Ingress: it holds
 * the weight.
 */
export function createCanaryIngresses(release: Construct, options: IngressNginxTrafficOptions, split: CanarySplit): CanaryIngresses {
  requireHostname(release, 'host', options.host);
  const path = options.path ?? '/';
  requireHttpPath(release, 'path', path);
  const create = (id: string, name: string, backend: MlModelServing, annotations: { [key: string]: string }) => {
    const ingress = new kplus.Ingress(release, id, {
      metadata: { name, labels: split.labels, annotations },
      className: options.ingressClassName ?? 'nginx',
    });
    // The port is named: a track with a separate metrics port has a two-port Service.
    const service = kplus.IngressBackend.fromService(backend.service, { port: backend.servicePort });
    ingress.addHostRule(options.host, path, service, kplus.HttpIngressPathType.PREFIX);
    return ingress;
  };
  const ingress = create('Ingress', split.name, split.stable, {});
  if (!split.canary) return { ingress };
  const canaryIngress = create('CanaryIngress', `${split.name}-canary`, split.canary, {
    ...split.annotations,
    'nginx.ingress.kubernetes.io/canary': 'true',
    'nginx.ingress.kubernetes.io/canary-weight': String(split.weight),
  });
  return { ingress, canaryIngress };
}

/**
 * One Service selecting both tracks by the app labels: kube-proxy balances per
 * endpoint, so the replica counts set the share. The split annotations go on it.
 */
export function createSharedService(release: Construct, split: CanarySplit, port?: number, type?: kplus.ServiceType): kplus.Service {
  for (const serving of [split.stable, split.canary]) {
    if (serving?.name === split.name) {
      throw invalidProp(release, 'name', `('${split.name}') is also the name of a track's own Service: name the tracks differently`);
    }
  }
  const servicePort = port ?? 80;
  requirePort(release, 'servicePort', servicePort);
  requireSelectsPods(release, 'Service', split.appLabels, split.stable, 'stable');
  if (split.canary) requireSelectsPods(release, 'Service', split.appLabels, split.canary, 'canary');
  const service = new kplus.Service(release, 'Service', {
    metadata: { name: split.name, labels: split.labels, annotations: split.annotations },
    type: type ?? kplus.ServiceType.CLUSTER_IP,
    ports: [{ name: 'http', port: servicePort, targetPort: split.stable.port }],
  });
  for (const [k, v] of Object.entries(split.appLabels)) service.selectLabel(k, v);
  return service;
}
