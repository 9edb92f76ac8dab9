import { ApiObjectMetadata } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct, IConstruct } from 'constructs';
import { AfterConversion } from '../../core/after-conversion';
import { invalidProp } from '../../core/errors';

/** The annotation recording why a workload runs without its NetworkPolicy. */
export const NO_NETWORK_POLICY_REASON_ANNOTATION = 'cdk8s-ml.io/no-network-policy-reason';

/** One ingress rule: `peers` on `ports`; `peers` undefined admits anyone, empty nobody. @internal */
export interface PodIngressRule {
  readonly peers?: kplus.INetworkPolicyPeer[];
  readonly ports: number[];
}

/**
 * A NetworkPolicy over pods a controller creates (selected by the controller's own
 * labels): ingress only by `rules` (an empty peer list admits nobody, never
 * everybody); egress open, or with `egressTo` only to those peers and DNS (port 53
 * to any resolver, without which nothing resolves).
 * @internal
 */
export function createPodNetworkPolicy(
  scope: Construct,
  metadata: ApiObjectMetadata,
  podSelector: { [key: string]: string },
  rules: PodIngressRule[],
  egressTo?: kplus.INetworkPolicyPeer[],
): kplus.NetworkPolicy {
  const policy = new kplus.NetworkPolicy(scope, 'NetworkPolicy', {
    metadata,
    selector: kplus.Pods.select(scope, 'PolicyPods', { labels: podSelector }),
    ingress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
    egress: egressTo ? { default: kplus.NetworkPolicyTrafficDefault.DENY } : undefined,
  });
  const tcp = (ports: number[]) => ports.map(p => kplus.NetworkPolicyPort.tcp(p));
  for (const rule of rules) for (const peer of rule.peers ?? []) policy.addIngressRule(peer, tcp(rule.ports));
  for (const peer of egressTo ?? []) policy.addEgressRule(peer);
  const open = rules.filter(r => r.peers === undefined);
  // Rules cdk8s-plus-27 has no peer for (ports with no `from` / `to`), rendered after conversion.
  if (open.length > 0 || egressTo) {
    AfterConversion.of(policy)._addStage(manifest => {
      for (const rule of open) {
        manifest.spec.ingress = [...(manifest.spec.ingress ?? []), { ports: rule.ports.map(port => ({ port, protocol: 'TCP' })) }];
      }
      if (egressTo) {
        manifest.spec.egress = [...(manifest.spec.egress ?? []), { ports: ['UDP', 'TCP'].map(protocol => ({ port: 53, protocol })) }];
      }
    });
  }
  return policy;
}

/**
 * Checks an opt-out of the NetworkPolicy: a written reason, and none of the
 * policy's props beside it (they would silently do nothing). Returns whether the
 * policy is opted out of.
 * @internal
 */
export function checkNetworkPolicyOptOut(scope: IConstruct, reason: string | undefined, policyProps: { [prop: string]: unknown }): boolean {
  if (reason === undefined) return false;
  if (typeof reason !== 'string' || reason.trim().length < 10) {
    throw invalidProp(scope, 'noNetworkPolicyReason', 'needs a written reason (at least 10 characters): say what guards the pods instead');
  }
  const given = Object.keys(policyProps).filter(k => policyProps[k] !== undefined);
  if (given.length > 0) {
    throw invalidProp(scope, given[0], 'has no effect with noNetworkPolicyReason (no NetworkPolicy is created): drop one of them');
  }
  return true;
}
