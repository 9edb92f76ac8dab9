import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';

/**
 * Ingress to the job's pods from the job's own pods only: everything else in or
 * outside the cluster is denied. With `ports`, only those ports (the rendezvous
 * ports and whatever the user lists) are admitted between peers; without, any port,
 * because NCCL and Gloo open their data connections on ephemeral ports that no
 * policy can enumerate. Egress stays open (datasets, checkpoints in object storage).
 */
export function createTrainingNetworkPolicy(
  scope: Construct,
  name: string,
  labels: { [k: string]: string },
  podSelector: { [k: string]: string },
  ports: number[] | undefined,
): kplus.NetworkPolicy {
  const policy = new kplus.NetworkPolicy(scope, 'NetworkPolicy', {
    metadata: { name, labels },
    selector: kplus.Pods.select(scope, 'WorkerPods', { labels: podSelector }),
    ingress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
  });
  const peers = kplus.Pods.select(scope, 'PeerPods', { labels: podSelector });
  policy.addIngressRule(peers, ports ? [...new Set(ports)].sort((a, b) => a - b).map(p => kplus.NetworkPolicyPort.tcp(p)) : undefined);
  return policy;
}
