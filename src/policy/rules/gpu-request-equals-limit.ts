import { containersOf, isObject } from '../model/manifest';
import { quantityValue } from '../model/quantity';
import { isGpuResource } from '../model/workloads';
import { defineRule, PolicySeverity, PolicyViolation } from '../policy-rule';
import { containerAt, violation } from './helpers';

export const gpuRequestEqualsLimit = defineRule({
  id: 'ML-001',
  name: 'gpu-request-equals-limit',
  severity: PolicySeverity.ERROR,
  explanation: 'GPUs are extended resources: Kubernetes rejects a pod whose GPU request differs from its limit, and GPU node pools are tainted (nvidia.com/gpu:NoSchedule on GKE, EKS and our pools), so a pod without the toleration stays Pending.',
  fix: 'Set the GPU in resources.limits (the request defaults to it) or in both with the same count, and tolerate the GPU taint (key nvidia.com/gpu, operator Exists).',
  check: (ctx) => ctx._podGroups().flatMap((g) => {
    const out: PolicyViolation[] = [];
    const resources = new Set<string>();
    for (const { list, index, container } of containersOf(g.at.spec)) {
      const req = isObject(container.resources?.requests) ? container.resources.requests : {};
      const lim = isObject(container.resources?.limits) ? container.resources.limits : {};
      for (const name of new Set([...Object.keys(req), ...Object.keys(lim)].filter(isGpuResource))) {
        resources.add(name);
        if (req[name] !== undefined && quantityValue(req[name]) !== quantityValue(lim[name])) {
          out.push(violation(g, `container "${container.name}" requests ${req[name]} ${name} but limits ${lim[name] ?? 'none'}`, `${containerAt(g, list, index)}.resources`));
        }
      }
    }
    for (const name of resources) {
      // Any value: GKE taints `nvidia.com/gpu=present`, EKS and our pools leave it empty.
      const tolerations: any[] = Array.isArray(g.at.spec.tolerations) ? g.at.spec.tolerations : [];
      const tolerated = tolerations.some((t) => isObject(t) && (!t.effect || t.effect === 'NoSchedule')
        && (t.key === name || (t.operator === 'Exists' && !t.key)));
      if (!tolerated) {
        out.push(violation(g, `requests ${name} but does not tolerate the ${name}:NoSchedule taint of GPU nodes`, `${g.at.path}.tolerations`));
      }
    }
    return out;
  }),
});
