import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { NamespaceAllowance } from './ml-namespace';
import { invalidProp } from '../core/errors';
import { requirePort } from '../core/validation';

/** A destination outside the cluster (or a range inside it) that pods may reach. */
export interface EgressCidr {
  /** The range, an IPv4 or IPv6 CIDR such as `0.0.0.0/0` or `10.0.0.0/16`. */
  readonly cidr: string;
  /**
   * Ranges of `cidr` left out, e.g. the cluster's pod range, so "the internet" does
   * not also open every pod of the cluster.
   * @default - none
   */
  readonly except?: string[];
  /**
   * Only these TCP ports, e.g. `[443]`.
   * @default - every port
   */
  readonly ports?: number[];
}

/** The peer namespaces of {@link NamespaceEgress}, rendered by MlNamespace (internal). */
export interface EgressNamespacePeer {
  readonly peer: kplus.k8s.NetworkPolicyPeer;
  readonly ports?: number[];
}

/**
 * Egress an MlNamespace's default-deny lets through, besides DNS. The workloads
 * leave their own egress open (model downloads, datasets, peers), so inside an
 * MlNamespace this is what they can reach.
 */
export interface NamespaceEgress {
  /**
   * Pods of the namespace may reach each other on every port: torchrun's
   * rendezvous and NCCL's ephemeral data ports between training workers, Ray's
   * head and workers, an MLflow server of the same namespace. Ingress stays with
   * the workloads' own policies.
   * @default false
   */
  readonly withinNamespace?: boolean;
  /**
   * Pods of other namespaces, e.g. a shared MLflow server (`ports`: only those).
   * @default - none
   */
  readonly namespaces?: NamespaceAllowance[];
  /**
   * Destinations by range: object storage and model hubs (`0.0.0.0/0` on 443
   * except the cluster's ranges), a database in the VPC.
   * @default - none
   */
  readonly cidrs?: EgressCidr[];
}

const IPV4_CIDR = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\/(3[0-2]|[12]?\d)$/;
const IPV6_CIDR = /^[0-9a-fA-F:]*:[0-9a-fA-F:.]*\/(12[0-8]|1[01]\d|[1-9]?\d)$/;

function requireCidr(scope: Construct, prop: string, cidr: string): void {
  if (!IPV4_CIDR.test(cidr) && !IPV6_CIDR.test(cidr)) {
    throw invalidProp(scope, prop, `('${cidr}') must be an IPv4 or IPv6 CIDR such as '0.0.0.0/0' or '10.0.0.0/16'`);
  }
}

const tcp = (ports: number[] | undefined) => ports?.map(port => ({ protocol: 'TCP', port: kplus.k8s.IntOrString.fromNumber(port) }));

/**
 * The `allow-egress` NetworkPolicy of an MlNamespace (internal): one rule per
 * allowance, every pod of the namespace selected.
 */
export function createEgressPolicy(scope: Construct, namespace: string, egress: NamespaceEgress,
  peers: EgressNamespacePeer[]): kplus.k8s.KubeNetworkPolicy {
  const rules: kplus.k8s.NetworkPolicyEgressRule[] = [];
  if (egress.withinNamespace) rules.push({ to: [{ podSelector: {} }] });
  for (const p of peers) rules.push({ to: [p.peer], ports: tcp(p.ports) });
  (egress.cidrs ?? []).forEach((c, i) => {
    const prop = `allowEgress.cidrs[${i}]`;
    requireCidr(scope, `${prop}.cidr`, c.cidr);
    (c.except ?? []).forEach((e, j) => requireCidr(scope, `${prop}.except[${j}]`, e));
    if (c.ports !== undefined && c.ports.length === 0) throw invalidProp(scope, `${prop}.ports`, 'is empty: leave it out to allow every port, or list at least one');
    (c.ports ?? []).forEach((port, j) => requirePort(scope, `${prop}.ports[${j}]`, port));
    rules.push({ to: [{ ipBlock: { cidr: c.cidr, except: c.except } }], ports: tcp(c.ports) });
  });
  if (rules.length === 0) {
    throw invalidProp(scope, 'allowEgress', 'allows nothing: set withinNamespace, namespaces or cidrs, or leave it out (DNS only)');
  }
  return new kplus.k8s.KubeNetworkPolicy(scope, 'AllowEgress', {
    metadata: { name: 'allow-egress', namespace },
    spec: { podSelector: {}, policyTypes: ['Egress'], egress: rules },
  });
}
