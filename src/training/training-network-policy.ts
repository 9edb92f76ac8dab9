import * as kplus from 'cdk8s-plus-27';
import { MlWorkload } from '../core/ml-workload';

/**
 * Ingress to the job's pods from the job's own pods only: everything else in or
 * outside the cluster is denied. With `ports`, only those ports (the rendezvous
 * ports and whatever the user lists) are admitted between peers; without, any port,
 * because NCCL and Gloo open their data connections on ephemeral ports that no
 * policy can enumerate. Egress stays open (datasets, checkpoints in object storage).
 */
export function createTrainingNetworkPolicy(job: MlWorkload, ports: number[] | undefined): kplus.NetworkPolicy {
  const policy = new kplus.NetworkPolicy(job, 'NetworkPolicy', {
    metadata: job._metadata(),
    selector: kplus.Pods.select(job, 'WorkerPods', { labels: job.selector }),
    ingress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
  });
  const peers = kplus.Pods.select(job, 'PeerPods', { labels: job.selector });
  policy.addIngressRule(peers, ports ? [...new Set(ports)].sort((a, b) => a - b).map(p => kplus.NetworkPolicyPort.tcp(p)) : undefined);
  return policy;
}
