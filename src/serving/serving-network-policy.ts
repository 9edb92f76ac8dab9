import * as kplus from 'cdk8s-plus-27';
import { AfterConversion } from '../core/after-conversion';
import { MlWorkload } from '../core/ml-workload';

/**
 * Ingress to the server's pods on `ports` only: from `peers`, from anywhere when
 * `peers` is undefined, and from nobody when it is empty (an empty allow-list
 * means deny). Egress is left open (model downloads, tracing, ...) unless
 * `egressPeers` are given: then only to them, and DNS.
 */
export function createServingNetworkPolicy(
  scope: MlWorkload,
  ports: number[],
  peers: kplus.INetworkPolicyPeer[] | undefined,
  egressPeers?: kplus.INetworkPolicyPeer[],
): kplus.NetworkPolicy {
  const policy = new kplus.NetworkPolicy(scope, 'NetworkPolicy', {
    metadata: scope._metadata(),
    selector: kplus.Pods.select(scope, 'ServerPods', { labels: scope.selector }),
    ingress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
    egress: egressPeers ? { default: kplus.NetworkPolicyTrafficDefault.DENY } : undefined,
  });
  for (const peer of egressPeers ?? []) policy.addEgressRule(peer);
  const policyPorts = ports.map(p => kplus.NetworkPolicyPort.tcp(p));
  for (const peer of peers ?? []) policy.addIngressRule(peer, policyPorts);
  // Rules cdk8s-plus-27 has no peer for: ports with no `from` / `to` (any source,
  // any resolver), rendered after conversion.
  AfterConversion.of(policy)._addStage(manifest => {
    if (egressPeers) {
      const dns = ['UDP', 'TCP'].map(protocol => ({ port: 53, protocol }));
      manifest.spec.egress = [...(manifest.spec.egress ?? []), { ports: dns }];
    }
    if (peers === undefined) {
      manifest.spec.ingress = [{ ports: ports.map(port => ({ port, protocol: 'TCP' })) }];
    }
  });
  return policy;
}
