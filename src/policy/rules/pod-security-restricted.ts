import { containersOf, isObject, podSpecs } from '../model/manifest';
import { defineRule, PolicySeverity, PolicyViolation } from '../policy-rule';

// The Pod Security Standard "restricted" profile (Kubernetes 1.34 rules). Pod Security
// Admission only sees Pods, so a Deployment applies cleanly and its pods are then
// rejected one by one in a namespace that enforces the profile; PyTorchJob or Ray pods
// are rejected later still, when their operator creates them. Judged on every pod
// template found in any object.

// Volume sources that cannot reach the host or network storage directly.
const ALLOWED_VOLUMES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);
// Namespaced sysctls PSA accepts.
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes', 'net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem',
]);
const PROFILE_OK = new Set(['RuntimeDefault', 'Localhost']);
const SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);
const APPARMOR_ANNOTATION = 'container.apparmor.security.beta.kubernetes.io/';

function seLinux(opts: any, field: string, out: string[]): void {
  if (!isObject(opts)) return;
  if (opts.type !== undefined && !SELINUX_TYPES.has(opts.type)) out.push(`${field}.type "${opts.type}" is not allowed`);
  if (opts.user) out.push(`${field}.user must not be set`);
  if (opts.role) out.push(`${field}.role must not be set`);
}

function appArmor(profile: any, field: string, out: string[]): void {
  if (isObject(profile) && !PROFILE_OK.has(profile.type)) out.push(`${field}.type must be RuntimeDefault or Localhost`);
}

function podProblems(spec: any, metadata: any): string[] {
  const out: string[] = [];
  for (const ns of ['hostNetwork', 'hostPID', 'hostIPC']) if (spec[ns] === true) out.push(`${ns} must not be true`);
  const sc = isObject(spec.securityContext) ? spec.securityContext : {};
  if (sc.windowsOptions?.hostProcess === true) out.push('securityContext.windowsOptions.hostProcess must not be true');
  if (sc.runAsNonRoot === false) out.push('securityContext.runAsNonRoot must not be false');
  if (sc.runAsUser === 0) out.push('securityContext.runAsUser must not be 0');
  if (sc.seccompProfile !== undefined && !PROFILE_OK.has(sc.seccompProfile?.type)) out.push('securityContext.seccompProfile.type must be RuntimeDefault or Localhost');
  seLinux(sc.seLinuxOptions, 'securityContext.seLinuxOptions', out);
  appArmor(sc.appArmorProfile, 'securityContext.appArmorProfile', out);
  for (const s of Array.isArray(sc.sysctls) ? sc.sysctls : []) if (!SAFE_SYSCTLS.has(s?.name)) out.push(`securityContext.sysctls: "${s?.name}" is not a safe sysctl`);
  (Array.isArray(spec.volumes) ? spec.volumes : []).forEach((v: any, i: number) => {
    for (const source of Object.keys(v ?? {}).filter((k) => k !== 'name')) {
      if (!ALLOWED_VOLUMES.has(source)) out.push(`volumes[${i}] (${v.name}): volume type "${source}" is not allowed`);
    }
  });
  for (const [key, value] of Object.entries(isObject(metadata?.annotations) ? metadata.annotations : {})) {
    if (key.startsWith(APPARMOR_ANNOTATION) && value !== 'runtime/default' && !String(value).startsWith('localhost/')) {
      out.push(`metadata.annotations["${key}"] must be runtime/default or localhost/*`);
    }
  }
  return out;
}

function containerProblems(c: any, pod: any, windows: boolean): string[] {
  const out: string[] = [];
  const sc = isObject(c.securityContext) ? c.securityContext : {};
  if (sc.privileged === true) out.push('securityContext.privileged must not be true');
  if (sc.windowsOptions?.hostProcess === true) out.push('securityContext.windowsOptions.hostProcess must not be true');
  if (sc.procMount !== undefined && sc.procMount !== 'Default') out.push('securityContext.procMount must be Default');
  if (sc.runAsUser === 0) out.push('securityContext.runAsUser must not be 0');
  // An explicit container value wins; otherwise the pod's must be true.
  if (sc.runAsNonRoot === false) out.push('securityContext.runAsNonRoot must not be false');
  else if (sc.runAsNonRoot !== true && pod.runAsNonRoot !== true) out.push('securityContext.runAsNonRoot must be true (here or on the pod)');
  seLinux(sc.seLinuxOptions, 'securityContext.seLinuxOptions', out);
  appArmor(sc.appArmorProfile, 'securityContext.appArmorProfile', out);
  (Array.isArray(c.ports) ? c.ports : []).forEach((p: any, i: number) => { if (p?.hostPort) out.push(`ports[${i}].hostPort must not be set`); });
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
    for (const action of ['httpGet', 'tcpSocket']) if (c[probe]?.[action]?.host) out.push(`${probe}.${action}.host must not be set`);
  }
  for (const hook of ['postStart', 'preStop']) {
    for (const action of ['httpGet', 'tcpSocket']) if (c.lifecycle?.[hook]?.[action]?.host) out.push(`lifecycle.${hook}.${action}.host must not be set`);
  }
  // PSA exempts Windows pods from the Linux-only controls below.
  if (windows) return out;
  if (sc.allowPrivilegeEscalation !== false) out.push('securityContext.allowPrivilegeEscalation must be false');
  const drop: unknown[] = Array.isArray(sc.capabilities?.drop) ? sc.capabilities.drop : [];
  if (!drop.includes('ALL')) out.push('securityContext.capabilities.drop must include ALL');
  for (const cap of Array.isArray(sc.capabilities?.add) ? sc.capabilities.add : []) {
    if (cap !== 'NET_BIND_SERVICE') out.push(`securityContext.capabilities.add must not add ${cap} (only NET_BIND_SERVICE)`);
  }
  if (sc.seccompProfile !== undefined ? !PROFILE_OK.has(sc.seccompProfile?.type) : pod.seccompProfile === undefined) {
    out.push('securityContext.seccompProfile.type must be RuntimeDefault or Localhost (here or on the pod)');
  }
  return out;
}

/** Every restricted-profile violation of one manifest. */
export function restrictedProblems(obj: any): PolicyViolation[] {
  const out: PolicyViolation[] = [];
  for (const { path, spec, metadata } of podSpecs(obj)) {
    const pod = isObject(spec.securityContext) ? spec.securityContext : {};
    for (const msg of podProblems(spec, metadata)) out.push({ object: obj, message: msg, location: path });
    for (const { list, index, container } of containersOf(spec)) {
      for (const msg of containerProblems(container, pod, spec.os?.name === 'windows')) {
        out.push({ object: obj, message: `container "${container.name}": ${msg}`, location: `${path}.${list}[${index}]` });
      }
    }
  }
  return out;
}

export const podSecurityRestricted = defineRule({
  id: 'SEC-001',
  name: 'pod-security-restricted',
  severity: PolicySeverity.ERROR,
  explanation: 'Pods must meet the Pod Security Standard "restricted" profile. A namespace that enforces it rejects every other pod at creation, after the Deployment or training job itself was accepted, so the rollout hangs with no pods.',
  fix: 'Run as non-root, drop ALL capabilities, set allowPrivilegeEscalation: false and a RuntimeDefault seccomp profile, and use only configMap, secret, emptyDir, projected, downwardAPI, csi, ephemeral or PVC volumes.',
  check: (ctx) => ctx.objects.flatMap(restrictedProblems),
});
