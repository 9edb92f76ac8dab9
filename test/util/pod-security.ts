/**
 * Pod Security Standard "restricted" (latest, i.e. Kubernetes 1.34 rules) as a test
 * assertion. Pod Security Admission only sees Pods at admission time, so a chart can
 * synthesize cleanly and still have every pod rejected in a namespace labelled
 * `pod-security.kubernetes.io/enforce: restricted`. We check the manifests instead.
 *
 * Pod specs are found generically (see `findPodSpecs`) so custom resources that embed
 * pod templates (PyTorchJob replica specs, KubeRay head/worker groups, JobSet inside a
 * training runtime, ...) are checked too: their operators create the Pods later, where
 * admission would reject them long after `kubectl apply` succeeded.
 *
 * Not modelled: the user-namespace relaxations (hostUsers: false) which are behind a
 * feature gate, and the pre-1.19 seccomp annotations which current clusters ignore.
 */

/** A pod spec found inside a manifest, with the metadata that sits next to it. */
export interface PodSpecLocation {
  /** Dotted path from the object root, e.g. `spec.template.spec`. */
  readonly path: string;
  readonly spec: any;
  /** The sibling `metadata` (pod template or Pod metadata), if any. */
  readonly metadata?: any;
  /** Dotted path of that metadata, e.g. `spec.template.metadata`. */
  readonly metadataPath: string;
}

// Restricted allows only volume sources that cannot reach host or network storage
// directly (anything else must come through a PersistentVolumeClaim).
const ALLOWED_VOLUME_SOURCES = new Set([
  'configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret',
]);

// The namespaced, isolated sysctls PSA accepts (baseline list as of Kubernetes 1.32).
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports', // 1.27+
  'net.ipv4.tcp_keepalive_time', // 1.29+
  'net.ipv4.tcp_fin_timeout', // 1.29+
  'net.ipv4.tcp_keepalive_intvl', // 1.29+
  'net.ipv4.tcp_keepalive_probes', // 1.29+
  'net.ipv4.tcp_rmem', // 1.32+
  'net.ipv4.tcp_wmem', // 1.32+
]);

const SECCOMP_OK = new Set(['RuntimeDefault', 'Localhost']);
const APPARMOR_OK = new Set(['RuntimeDefault', 'Localhost']);
const SELINUX_TYPES_OK = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);
const APPARMOR_ANNOTATION = 'container.apparmor.security.beta.kubernetes.io/';
const CONTAINER_LISTS = ['containers', 'initContainers', 'ephemeralContainers'];

function isObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Heuristic for "this object is a PodSpec": a non-empty `containers` array whose
 * entries are named and at least one carries an image. The image condition keeps
 * partial overrides (e.g. TrainJob `podSpecOverrides[].containers` with only name
 * and env) from being mistaken for complete pods.
 */
function isPodSpec(node: Record<string, any>): boolean {
  const cs = node.containers;
  return Array.isArray(cs) && cs.length > 0
    && cs.every((c) => isObject(c) && typeof c.name === 'string')
    && cs.some((c) => typeof c.image === 'string');
}

/** Every pod spec embedded anywhere in `obj` (a Pod, a workload, or a custom resource). */
export function findPodSpecs(obj: unknown): PodSpecLocation[] {
  const found: PodSpecLocation[] = [];
  const join = (at: string, key: string) => (at ? `${at}.${key}` : key);
  const visit = (node: unknown, at: string, parent?: Record<string, any>, parentAt = '') => {
    if (Array.isArray(node)) {
      node.forEach((item, i) => visit(item, `${at}[${i}]`));
    } else if (isObject(node)) {
      if (isPodSpec(node)) {
        found.push({ path: at, spec: node, metadata: parent?.metadata, metadataPath: join(parentAt, 'metadata') });
        return; // a pod spec never nests another one
      }
      for (const [key, value] of Object.entries(node)) visit(value, join(at, key), node, at);
    }
  };
  visit(obj, '');
  return found;
}

function seLinuxProblems(opts: any, field: string): string[] {
  if (!isObject(opts)) return [];
  const out: string[] = [];
  if (opts.type !== undefined && !SELINUX_TYPES_OK.has(opts.type)) out.push(`${field}.type "${opts.type}" is not allowed`);
  if (opts.user) out.push(`${field}.user must not be set`);
  if (opts.role) out.push(`${field}.role must not be set`);
  return out;
}

function appArmorProblem(profile: any, field: string): string[] {
  return isObject(profile) && !APPARMOR_OK.has(profile.type)
    ? [`${field}.type must be RuntimeDefault or Localhost (is ${JSON.stringify(profile.type)})`] : [];
}

/** Pod-level rules; returns messages relative to the pod spec. */
function podLevelProblems(spec: any): string[] {
  const out: string[] = [];
  for (const ns of ['hostNetwork', 'hostPID', 'hostIPC']) {
    if (spec[ns] === true) out.push(`${ns} must not be true`);
  }
  const sc = isObject(spec.securityContext) ? spec.securityContext : {};
  if (sc.windowsOptions?.hostProcess === true) out.push('securityContext.windowsOptions.hostProcess must not be true');
  if (sc.runAsNonRoot === false) out.push('securityContext.runAsNonRoot must not be false');
  if (sc.runAsUser === 0) out.push('securityContext.runAsUser must not be 0');
  if (sc.seccompProfile !== undefined && !SECCOMP_OK.has(sc.seccompProfile?.type)) {
    out.push(`securityContext.seccompProfile.type must be RuntimeDefault or Localhost (is ${JSON.stringify(sc.seccompProfile?.type)})`);
  }
  out.push(...seLinuxProblems(sc.seLinuxOptions, 'securityContext.seLinuxOptions'));
  out.push(...appArmorProblem(sc.appArmorProfile, 'securityContext.appArmorProfile'));
  for (const sysctl of Array.isArray(sc.sysctls) ? sc.sysctls : []) {
    if (!SAFE_SYSCTLS.has(sysctl?.name)) out.push(`securityContext.sysctls: "${sysctl?.name}" is not a safe sysctl`);
  }
  (Array.isArray(spec.volumes) ? spec.volumes : []).forEach((vol: any, i: number) => {
    // A volume with no source at all is defaulted to emptyDir by the API server.
    for (const source of Object.keys(vol ?? {}).filter((k) => k !== 'name')) {
      if (!ALLOWED_VOLUME_SOURCES.has(source)) out.push(`volumes[${i}] (${vol.name}): volume type "${source}" is not allowed`);
    }
  });
  return out;
}

/** The legacy AppArmor annotations on the pod (template) metadata are still honoured by PSA. */
function annotationProblems(metadata: any): string[] {
  return Object.entries(isObject(metadata?.annotations) ? metadata.annotations : {})
    .filter(([key, value]) => key.startsWith(APPARMOR_ANNOTATION) && value !== 'runtime/default' && !String(value).startsWith('localhost/'))
    .map(([key, value]) => `annotations["${key}"] must be runtime/default or localhost/* (is "${value}")`);
}

function handlerHostProblems(container: any): string[] {
  const out: string[] = [];
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
    for (const action of ['httpGet', 'tcpSocket']) {
      if (container[probe]?.[action]?.host) out.push(`${probe}.${action}.host must not be set`);
    }
  }
  for (const hook of ['postStart', 'preStop']) {
    for (const action of ['httpGet', 'tcpSocket']) {
      if (container.lifecycle?.[hook]?.[action]?.host) out.push(`lifecycle.${hook}.${action}.host must not be set`);
    }
  }
  return out;
}

/** Container-level rules; `pod` is the pod securityContext (container settings override it). */
function containerProblems(c: any, pod: any, windows: boolean): string[] {
  const out: string[] = [];
  const sc = isObject(c.securityContext) ? c.securityContext : {};
  const field = (f: string) => `securityContext.${f}`;
  if (sc.privileged === true) out.push(`${field('privileged')} must not be true`);
  if (sc.windowsOptions?.hostProcess === true) out.push(`${field('windowsOptions.hostProcess')} must not be true`);
  if (sc.procMount !== undefined && sc.procMount !== 'Default') out.push(`${field('procMount')} must be Default (is "${sc.procMount}")`);
  if (sc.runAsUser === 0) out.push(`${field('runAsUser')} must not be 0`);
  // runAsNonRoot: an explicit container value wins; otherwise the pod value must be true.
  if (sc.runAsNonRoot === false) out.push(`${field('runAsNonRoot')} must not be false`);
  else if (sc.runAsNonRoot !== true && pod.runAsNonRoot !== true) out.push(`${field('runAsNonRoot')} must be true (here or on the pod)`);
  out.push(...seLinuxProblems(sc.seLinuxOptions, field('seLinuxOptions')));
  out.push(...appArmorProblem(sc.appArmorProfile, field('appArmorProfile')));
  (Array.isArray(c.ports) ? c.ports : []).forEach((p: any, i: number) => {
    if (p?.hostPort) out.push(`ports[${i}].hostPort must not be set (is ${p.hostPort})`);
  });
  out.push(...handlerHostProblems(c));
  // PSA exempts Windows pods (spec.os.name: windows) from the Linux-only controls below.
  if (windows) return out;
  if (sc.allowPrivilegeEscalation !== false) {
    out.push(`${field('allowPrivilegeEscalation')} must be false (is ${JSON.stringify(sc.allowPrivilegeEscalation)})`);
  }
  const drop: unknown[] = Array.isArray(sc.capabilities?.drop) ? sc.capabilities.drop : [];
  if (!drop.includes('ALL')) out.push(`${field('capabilities.drop')} must include ALL`);
  for (const cap of Array.isArray(sc.capabilities?.add) ? sc.capabilities.add : []) {
    if (cap !== 'NET_BIND_SERVICE') out.push(`${field('capabilities.add')} must not add ${cap} (only NET_BIND_SERVICE)`);
  }
  if (sc.seccompProfile !== undefined) {
    if (!SECCOMP_OK.has(sc.seccompProfile?.type)) {
      out.push(`${field('seccompProfile.type')} must be RuntimeDefault or Localhost (is ${JSON.stringify(sc.seccompProfile?.type)})`);
    }
  } else if (pod.seccompProfile === undefined) {
    out.push(`${field('seccompProfile.type')} must be RuntimeDefault or Localhost (here or on the pod); it is unset`);
  }
  return out;
}

function identity(obj: any): string {
  return `${obj?.kind ?? '<no kind>'}/${obj?.metadata?.name ?? '<no name>'}`;
}

/** Every violation of the restricted profile, as `Kind/name: path.field message` lines. */
export function restrictedViolations(manifests: any[]): string[] {
  const out: string[] = [];
  for (const obj of manifests) {
    for (const { path, spec, metadata, metadataPath } of findPodSpecs(obj)) {
      const where = `${identity(obj)}: ${path}`;
      const pod = isObject(spec.securityContext) ? spec.securityContext : {};
      const windows = spec.os?.name === 'windows';
      for (const msg of podLevelProblems(spec)) out.push(`${where}.${msg}`);
      for (const msg of annotationProblems(metadata)) out.push(`${identity(obj)}: ${metadataPath}.${msg}`);
      for (const list of CONTAINER_LISTS) {
        (Array.isArray(spec[list]) ? spec[list] : []).forEach((c: any, i: number) => {
          for (const msg of containerProblems(c ?? {}, pod, windows)) out.push(`${where}.${list}[${i}] (container "${c?.name}"): ${msg}`);
        });
      }
    }
  }
  return out;
}

/** Throws one Error listing every restricted-profile violation in `manifests`. */
export function assertRestricted(manifests: any[]): void {
  const violations = restrictedViolations(manifests);
  if (violations.length > 0) {
    throw new Error(`Pod Security Standard "restricted" violated (${violations.length}):\n  ${violations.join('\n  ')}`);
  }
}
