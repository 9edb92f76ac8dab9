import { ApiObject, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';

/**
 * Ingress to the server's pods on `ports` only: from `peers`, or from anywhere
 * when none are given. Egress is left open (model downloads, tracing, ...) unless
 * `egressPeers` are given: then only to them, and DNS.
 */
export function createServingNetworkPolicy(
  scope: Construct & { name: string; labels: { [k: string]: string }; selector: { [k: string]: string } },
  ports: number[],
  peers: kplus.INetworkPolicyPeer[] | undefined,
  egressPeers?: kplus.INetworkPolicyPeer[],
): kplus.NetworkPolicy {
  const policy = new kplus.NetworkPolicy(scope, 'NetworkPolicy', {
    metadata: { name: scope.name, labels: scope.labels },
    selector: kplus.Pods.select(scope, 'ServerPods', { labels: scope.selector }),
    ingress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
    egress: egressPeers ? { default: kplus.NetworkPolicyTrafficDefault.DENY } : undefined,
  });
  for (const peer of egressPeers ?? []) policy.addEgressRule(peer);
  if (egressPeers) {
    // DNS to any resolver: a rule with ports and no `to` (no cdk8s-plus peer for that).
    const dns = [53].flatMap(port => ['UDP', 'TCP'].map(protocol => ({ port: kplus.k8s.IntOrString.fromNumber(port), protocol })));
    ApiObject.of(policy).addJsonPatch(JsonPatch.add('/spec/egress/-', { ports: dns }));
  }
  const policyPorts = ports.map(p => kplus.NetworkPolicyPort.tcp(p));
  if (peers && peers.length > 0) {
    for (const peer of peers) policy.addIngressRule(peer, policyPorts);
  } else {
    // A rule with ports and no `from` admits every source, in or outside the
    // cluster; cdk8s-plus-27 has no peer for that, so it is added as a patch
    // (in the L1's typed form: the converter reads IntOrString.value).
    ApiObject.of(policy).addJsonPatch(JsonPatch.add('/spec/ingress', [{
      ports: ports.map(port => ({ port: kplus.k8s.IntOrString.fromNumber(port), protocol: 'TCP' })),
    }]));
  }
  return policy;
}
