import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { AllowedRoutes } from './allowed-routes';
import { GATEWAY_API_VERSION, IGatewayClass } from './gateway-class';
import { keepNamespace, MlNamespace } from './ml-namespace';
import { invalidProp } from '../core/errors';
import { requireDnsLabel, requireDnsSubdomain, requirePort, requireProps } from '../core/validation';
import { GatewayReference } from '../delivery/canary-traffic';
import { GATEWAY_HOSTNAME } from '../delivery/crds/http-route';

/** One listener of a Gateway. HTTPS terminates TLS with a certificate from a Secret. */
export interface GatewayListener {
  /** The listener's name (a DNS label, unique in the Gateway); routes attach to it by `sectionName`. */
  readonly name: string;
  /**
   * The hostname the listener serves, e.g. `models.example.com` or `*.example.com`.
   * @default - every hostname
   */
  readonly hostname?: string;
  /**
   * The port.
   * @default 443, or 80 for plaintext listeners
   */
  readonly port?: number;
  /**
   * The TLS certificate (a `kubernetes.io/tls` Secret, e.g. from cert-manager or an
   * ExternalSecret's `secret`), referenced, never copied. Required unless
   * `plaintextReason` is given.
   * @default - none
   */
  readonly tlsCertificate?: kplus.ISecret;
  /**
   * The namespace of the certificate's Secret, when not the Gateway's: a
   * ReferenceGrant there lets the Gateway read exactly this Secret.
   * @default - the Gateway's namespace
   */
  readonly tlsCertificateNamespace?: string;
  /**
   * Serve plain HTTP instead of HTTPS, e.g. only to redirect to HTTPS. Give the reason.
   * @default - HTTPS
   */
  readonly plaintextReason?: string;
  /**
   * Which namespaces' routes may attach.
   * @default AllowedRoutes.sameNamespace()
   */
  readonly allowedRoutes?: AllowedRoutes;
}

/** Properties of {@link Gateway}. */
export interface GatewayProps {
  /** The class (controller) of the Gateway. */
  readonly gatewayClass: IGatewayClass;
  /** The listeners. */
  readonly listeners: GatewayListener[];
  /**
   * The Gateway's name.
   * @default - the construct id
   */
  readonly name?: string;
}

/**
 * A Gateway API `Gateway` (`gateway.networking.k8s.io/v1`): listeners on a class's
 * load balancer, HTTPS by default with certificates referenced from Secrets, and
 * routes admitted from chosen namespaces only. HTTPRoutes (canaries, model
 * exposure) attach with {@link parentRef}.
 *
 * @example
 * import { CanaryRelease, CanaryTraffic, Gateway, GatewayClass } from 'cdk8s-ml';
 *
 * // The GatewayClass is the platform team's, used here by name.
 * const gateway = new Gateway(this, 'ml-gateway', {
 *   gatewayClass: GatewayClass.fromGatewayClassName(this, 'istio', 'istio'),
 *   listeners: [{
 *     name: 'https',
 *     hostname: 'models.example.com',
 *     tlsCertificate: kplus.Secret.fromSecretName(this, 'models-tls', 'models-tls'),
 *   }],
 * });
 * // Routes attach to a listener through its parentRef: 10% of /bert to the canary.
 * new CanaryRelease(this, 'bert', {
 *   stable: { image: 'registry.example.com/ml/bert-server:1.4.2' },
 *   canary: { image: 'registry.example.com/ml/bert-server:1.5.0' },
 *   weight: 10,
 *   traffic: CanaryTraffic.gatewayApi({ gateway: gateway.parentRef('https'), hostnames: ['models.example.com'], pathPrefix: '/bert' }),
 * });
 */
export class Gateway extends Construct {
  /** The Gateway's name. */
  public readonly name: string;
  /** The listeners' names. */
  public readonly listenerNames: string[];
  /** The Gateway object. */
  public readonly apiObject: ApiObject;
  /** The ReferenceGrants letting the Gateway read certificates of other namespaces, one per namespace. */
  public readonly referenceGrants: ApiObject[] = [];

  public constructor(scope: Construct, id: string, props: GatewayProps) {
    super(scope, id);
    requireProps(this, props, ['gatewayClass', 'listeners']);
    this.name = props.name ?? id;
    requireDnsSubdomain(this, 'name', this.name);
    if (props.listeners.length === 0) throw invalidProp(this, 'listeners', 'is empty: give at least one listener');
    if (props.listeners.length > 64) throw invalidProp(this, 'listeners', `(${props.listeners.length}) must be at most 64`);
    const seen = new Map<string, string>();
    const names = new Set<string>();
    const listeners = props.listeners.map((l, i) => {
      const at = `listeners[${i}]`;
      requireDnsLabel(this, `${at}.name`, l.name);
      if (names.has(l.name)) throw invalidProp(this, `${at}.name`, `('${l.name}') is used by another listener; names are unique`);
      if (l.hostname !== undefined && (l.hostname.length > 253 || !GATEWAY_HOSTNAME.test(l.hostname))) {
        throw invalidProp(this, `${at}.hostname`, `('${l.hostname}') must be a DNS name, optionally with a leading '*.' wildcard`);
      }
      const plaintext = l.plaintextReason !== undefined;
      if (plaintext && l.plaintextReason!.trim() === '') throw invalidProp(this, `${at}.plaintextReason`, 'is empty: say why this listener serves plain HTTP');
      if (plaintext && l.tlsCertificate) throw invalidProp(this, `${at}.tlsCertificate`, 'and plaintextReason exclude each other: a plaintext listener has no certificate');
      if (!plaintext && !l.tlsCertificate) {
        throw invalidProp(this, `${at}.tlsCertificate`, 'is required: listeners serve HTTPS; give a certificate Secret, or plaintextReason for plain HTTP');
      }
      if (l.tlsCertificateNamespace !== undefined) requireDnsLabel(this, `${at}.tlsCertificateNamespace`, l.tlsCertificateNamespace);
      const port = l.port ?? (plaintext ? 80 : 443);
      requirePort(this, `${at}.port`, port);
      const protocol = plaintext ? 'HTTP' : 'HTTPS';
      const key = `${port}/${protocol}/${l.hostname ?? ''}`;
      if (seen.has(key)) throw invalidProp(this, `${at}`, `has the port, protocol and hostname of ${seen.get(key)}; each combination once`);
      seen.set(key, l.name);
      names.add(l.name);
      return {
        name: l.name,
        hostname: l.hostname,
        port,
        protocol,
        tls: l.tlsCertificate ? {
          mode: 'Terminate',
          certificateRefs: [{ group: '', kind: 'Secret', name: l.tlsCertificate.name, namespace: l.tlsCertificateNamespace }],
        } : undefined,
        allowedRoutes: (l.allowedRoutes ?? AllowedRoutes.sameNamespace())._toGatewayApi(this, `${at}.allowedRoutes`),
      };
    });
    this.listenerNames = listeners.map(l => l.name);
    this.grantCertificateAccess(props.listeners);
    this.apiObject = new ApiObject(this, 'Resource', {
      apiVersion: GATEWAY_API_VERSION,
      kind: 'Gateway',
      metadata: { name: this.name },
      spec: { gatewayClassName: props.gatewayClass.gatewayClassName, listeners },
    });
  }

  /**
   * A Secret of another namespace is read only where that namespace grants it: one
   * ReferenceGrant per namespace, naming exactly the certificates.
   */
  private grantCertificateAccess(listeners: GatewayListener[]): void {
    const own = MlNamespace.namespaceOf(this);
    const byNamespace = new Map<string, Set<string>>();
    listeners.forEach((l, i) => {
      const ns = l.tlsCertificateNamespace;
      if (ns === undefined || ns === own || !l.tlsCertificate) return;
      if (own === undefined) {
        throw invalidProp(this, `listeners[${i}].tlsCertificateNamespace`, 'needs the Gateway\'s own namespace for its ReferenceGrant: create the Gateway in an MlNamespace or a chart with a namespace');
      }
      byNamespace.set(ns, (byNamespace.get(ns) ?? new Set()).add(l.tlsCertificate.name));
    });
    for (const [ns, names] of byNamespace) {
      const grant = new ApiObject(this, `ReferenceGrant-${ns}`, {
        // v1beta1: served by every Gateway API release with ReferenceGrant (v1 only by the newest).
        apiVersion: 'gateway.networking.k8s.io/v1beta1',
        kind: 'ReferenceGrant',
        metadata: { name: `${this.name}-certificates`.slice(0, 253), namespace: ns },
        spec: {
          from: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: own! }],
          to: [...names].sort().map(name => ({ group: '', kind: 'Secret', name })),
        },
      });
      keepNamespace(grant);
      this.referenceGrants.push(grant);
    }
  }

  /**
   * A reference for routes attaching to this Gateway, or to one listener, e.g.
   * `CanaryTraffic.gatewayApi({ gateway: gateway.parentRef('https') })`.
   */
  public parentRef(listenerName?: string): GatewayReference {
    if (listenerName !== undefined && !this.listenerNames.includes(listenerName)) {
      throw invalidProp(this, `parentRef('${listenerName}')`, `is not a listener (listeners: ${this.listenerNames.join(', ')})`);
    }
    return { name: this.name, namespace: MlNamespace.namespaceOf(this), sectionName: listenerName };
  }
}
