/**
 * NetworkPolicy semantics (networking.k8s.io/v1) as a test oracle: given the
 * manifests' NetworkPolicies, the namespaces' labels and one connection (source pod,
 * destination pod, port, protocol), is the connection allowed?
 *
 * The rules evaluated, from the Kubernetes API reference and docs:
 *  - a pod is isolated for ingress (egress) when some policy in its namespace selects
 *    it by `podSelector` and lists `Ingress` (`Egress`) in `policyTypes`
 *    (`policyTypes` absent: Ingress, plus Egress when the policy has egress rules);
 *  - a connection needs both sides: the source's egress (not isolated, or allowed
 *    by a rule of a policy selecting it) and the destination's ingress;
 *  - policies are additive; within a rule, `from`/`to` peers are ORed and a rule
 *    without peers matches every peer, a rule without ports every port;
 *  - a peer with only `podSelector` selects pods of the policy's namespace, only
 *    `namespaceSelector` every pod of the selected namespaces, both the selected
 *    pods of the selected namespaces; `ipBlock` matches by IP (pod IPs only when an
 *    endpoint gives one; clusters differ on pod IPs in ipBlocks, so tests should not
 *    rely on it);
 *  - a port matches by number (with `endPort`, a range) or by name, resolved against
 *    the destination pod's named container ports (for egress too); protocol defaults to TCP.
 * Namespaces always carry `kubernetes.io/metadata.name: <name>` (set by the API server).
 * Not modelled: hostNetwork pods (policies do not apply to them), Services (evaluate
 * the backing pods), AdminNetworkPolicy and CNI-specific policies.
 */

export interface PodEndpoint {
  readonly namespace: string;
  readonly labels: { [key: string]: string };
  /** Named container ports of the pod, name to number, for policies that use names. */
  readonly namedPorts?: { [name: string]: number };
  /** The endpoint's IPv4 address, for ipBlock peers (external endpoints have no namespace policies). */
  readonly ip?: string;
  /** True for endpoints outside the cluster: no policy selects them, only ipBlocks match them. */
  readonly external?: boolean;
}

export interface Connection {
  readonly from: PodEndpoint;
  readonly to: PodEndpoint;
  readonly port: number;
  /** @default 'TCP' */
  readonly protocol?: 'TCP' | 'UDP' | 'SCTP';
}

interface LabelSelector {
  readonly matchLabels?: { [key: string]: string };
  readonly matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

/** Does a LabelSelector select these labels? An empty selector selects everything. */
export function selectorMatches(selector: LabelSelector | undefined | null, labels: { [key: string]: string }): boolean {
  if (!selector) return true;
  const ok = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  return ok && (selector.matchExpressions ?? []).every(e => {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    switch (e.operator) {
      case 'In': return has && (e.values ?? []).includes(labels[e.key]);
      case 'NotIn': return !has || !(e.values ?? []).includes(labels[e.key]);
      case 'Exists': return has;
      case 'DoesNotExist': return !has;
      default: throw new Error(`unknown selector operator ${e.operator}`);
    }
  });
}

function ipToInt(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some(p => !Number.isInteger(p) || p < 0 || p > 255)) throw new Error(`not an IPv4 address: ${ip}`);
  return parts.reduce((acc, p) => acc * 256 + p, 0);
}

function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  // Same network when the addresses agree above the host bits.
  const hostSpan = 2 ** (32 - Number(bits));
  return Math.floor(ipToInt(ip) / hostSpan) === Math.floor(ipToInt(base) / hostSpan);
}

export class NetworkPolicyEvaluator {
  private readonly policies: any[];

  /**
   * @param manifests synthesized objects; only `networking.k8s.io/v1` NetworkPolicies are read
   * @param namespaceLabels labels of each namespace by name (Namespace objects in `manifests` are read too)
   */
  public constructor(manifests: any[], private readonly namespaceLabels: { [namespace: string]: { [key: string]: string } } = {}) {
    this.policies = manifests.filter(o => o?.apiVersion === 'networking.k8s.io/v1' && o?.kind === 'NetworkPolicy');
    for (const p of this.policies) {
      if (!p.metadata?.namespace) throw new Error(`NetworkPolicy ${p.metadata?.name} has no namespace: give the chart or the object one`);
    }
    const fromManifests = Object.fromEntries(manifests.filter(o => o?.apiVersion === 'v1' && o?.kind === 'Namespace')
      .map(o => [o.metadata.name, o.metadata.labels ?? {}]));
    this.namespaceLabels = { ...fromManifests, ...namespaceLabels };
  }

  /** Is the connection allowed by both the source's egress and the destination's ingress? */
  public allows(c: Connection): boolean {
    return this.egressAllowed(c) && this.ingressAllowed(c);
  }

  /** The source's side only. */
  public egressAllowed(c: Connection): boolean {
    if (c.from.external) return true;
    const selecting = this.selecting(c.from, 'Egress');
    if (selecting.length === 0) return true;
    return selecting.some(p => (p.spec.egress ?? []).some((rule: any) =>
      this.portsMatch(rule.ports, c) && this.peersMatch(rule.to, p.metadata.namespace, c.to)));
  }

  /** The destination's side only. */
  public ingressAllowed(c: Connection): boolean {
    if (c.to.external) return true;
    const selecting = this.selecting(c.to, 'Ingress');
    if (selecting.length === 0) return true;
    return selecting.some(p => (p.spec.ingress ?? []).some((rule: any) =>
      this.portsMatch(rule.ports, c) && this.peersMatch(rule.from, p.metadata.namespace, c.from)));
  }

  /** Policies of the pod's namespace that select it and isolate it in `direction`. */
  private selecting(pod: PodEndpoint, direction: 'Ingress' | 'Egress'): any[] {
    return this.policies.filter(p => p.metadata.namespace === pod.namespace
      && selectorMatches(p.spec?.podSelector ?? {}, pod.labels)
      && policyTypes(p).includes(direction));
  }

  private nsLabels(namespace: string): { [key: string]: string } {
    return { ...this.namespaceLabels[namespace], 'kubernetes.io/metadata.name': namespace };
  }

  private peersMatch(peers: any[] | undefined, policyNamespace: string, other: PodEndpoint): boolean {
    if (!peers || peers.length === 0) return true;
    return peers.some(peer => {
      if (peer.ipBlock) {
        if (!other.ip) return false;
        return inCidr(other.ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((e: string) => inCidr(other.ip!, e));
      }
      if (other.external) return false;
      if (!peer.podSelector && !peer.namespaceSelector) throw new Error('a NetworkPolicyPeer needs podSelector, namespaceSelector or ipBlock');
      const nsOk = peer.namespaceSelector
        ? selectorMatches(peer.namespaceSelector, this.nsLabels(other.namespace))
        : other.namespace === policyNamespace;
      return nsOk && selectorMatches(peer.podSelector, other.labels);
    });
  }

  private portsMatch(ports: any[] | undefined, c: Connection): boolean {
    if (!ports || ports.length === 0) return true;
    const protocol = c.protocol ?? 'TCP';
    return ports.some(p => {
      if ((p.protocol ?? 'TCP') !== protocol) return false;
      if (p.port === undefined || p.port === null) return true;
      const port = typeof p.port === 'string' && !/^\d+$/.test(p.port) ? c.to.namedPorts?.[p.port] : Number(p.port);
      if (port === undefined) return false;
      return p.endPort !== undefined ? c.port >= port && c.port <= p.endPort : c.port === port;
    });
  }
}

function policyTypes(p: any): string[] {
  if (Array.isArray(p.spec?.policyTypes) && p.spec.policyTypes.length > 0) return p.spec.policyTypes;
  return p.spec?.egress ? ['Ingress', 'Egress'] : ['Ingress'];
}
