import { containersOf, podSpecs } from '../model/manifest';
import { defineRule, PolicySeverity, PolicyViolation } from '../policy-rule';

export const noHostAccess = defineRule({
  id: 'SEC-003',
  name: 'no-host-access',
  severity: PolicySeverity.ERROR,
  // Host access turns a compromised model server into a compromised node (and the
  // GPUs, tokens and data of every other pod on it): no reason makes that acceptable
  // for an ML workload, so this rule cannot be suppressed.
  suppressible: false,
  explanation: 'Host namespaces, hostPath volumes, host ports and privileged containers give a pod the node: its other pods, kubelet credentials and devices. Device plugins expose GPUs without any of them.',
  fix: 'Remove hostNetwork/hostPID/hostIPC, hostPath volumes, hostPort and privileged: true; request GPUs as extended resources (nvidia.com/gpu) and expose the pod through a Service.',
  check: (ctx) => ctx.objects.flatMap((obj) => podSpecs(obj).flatMap(({ path, spec }) => {
    const out: PolicyViolation[] = [];
    for (const ns of ['hostNetwork', 'hostPID', 'hostIPC']) {
      if (spec[ns] === true) out.push({ object: obj, message: `${ns} is true`, location: `${path}.${ns}` });
    }
    (Array.isArray(spec.volumes) ? spec.volumes : []).forEach((v: any, i: number) => {
      if (v?.hostPath) out.push({ object: obj, message: `volume "${v.name}" is a hostPath (${v.hostPath.path})`, location: `${path}.volumes[${i}]` });
    });
    for (const { list, index, container } of containersOf(spec)) {
      const at = `${path}.${list}[${index}]`;
      if (container.securityContext?.privileged === true) out.push({ object: obj, message: `container "${container.name}" is privileged`, location: `${at}.securityContext.privileged` });
      (Array.isArray(container.ports) ? container.ports : []).forEach((p: any, i: number) => {
        if (p?.hostPort) out.push({ object: obj, message: `container "${container.name}" binds hostPort ${p.hostPort}`, location: `${at}.ports[${i}]` });
      });
    }
    return out;
  })),
});
