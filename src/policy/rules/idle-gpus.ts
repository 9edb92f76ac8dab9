import { containersOf } from '../model/manifest';
import { containerGpus } from '../model/workloads';
import { defineRule, PolicySeverity, PolicyViolation } from '../policy-rule';
import { serverGroups, violation } from './helpers';

const sum = (m: { [k: string]: number }) => Object.values(m).reduce((a, b) => a + b, 0);

export const idleGpus = defineRule({
  id: 'COST-001',
  name: 'idle-gpu-requests',
  severity: PolicySeverity.WARNING,
  explanation: 'GPUs reserved but unused: an init container that requests more GPUs than the app containers makes the pod hold them for its whole life (the scheduler reserves the larger of the two), and a GPU server with a fixed replica count and no autoscaler keeps every GPU through the night.',
  fix: 'Request GPUs only in the containers that use them (download models in a CPU init container), and autoscale GPU servers (HPA on requests in flight, or KEDA with minReplicaCount for off-peak).',
  check: (ctx) => {
    const out: PolicyViolation[] = [];
    for (const g of ctx._podGroups()) {
      const cs = containersOf(g.at.spec);
      const app = cs.filter((c) => c.list === 'containers').reduce((a, c) => a + sum(containerGpus(c.container)), 0);
      for (const c of cs.filter((x) => x.list === 'initContainers' && x.container.restartPolicy !== 'Always')) {
        const n = sum(containerGpus(c.container));
        if (n > app) out.push(violation(g, `init container "${c.container.name}" requests ${n} GPUs, more than the app containers (${app}): the pod holds ${n - app} idle GPUs while it runs`, `${g.at.path}.initContainers[${c.index}]`));
      }
    }
    for (const g of serverGroups(ctx)) {
      const gpus = (g.at.spec.containers ?? []).reduce((a: number, c: any) => a + sum(containerGpus(c)), 0);
      if (gpus > 0 && !g.scaler && g.maxPods >= 2) {
        out.push(violation(g, `${g.maxPods} replicas × ${gpus} GPUs run at a fixed count with no HPA or ScaledObject`, 'spec.replicas'));
      }
    }
    return out;
  },
});
