// Hand-written manifests, as a Helm chart or kubectl user would write them: the
// policy rules must judge YAML that this library did not make.

/** A restricted-profile container with probes, requests and limits. */
export function container(overrides: any = {}): any {
  return {
    name: 'server',
    image: 'registry.example.com/bert:1.0',
    ports: [{ containerPort: 8080 }],
    readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
    livenessProbe: { httpGet: { path: '/health', port: 8080 } },
    resources: { requests: { cpu: '1', memory: '2Gi' }, limits: { cpu: '2', memory: '4Gi' } },
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, readOnlyRootFilesystem: true },
    ...overrides,
  };
}

export function podSpec(overrides: any = {}, containerOverrides: any = {}): any {
  return {
    automountServiceAccountToken: false,
    securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [container(containerOverrides)],
    topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: 'bert' } } }],
    ...overrides,
  };
}

/** A compliant Deployment (2 replicas) named `name` in namespace `ml`. */
export function deployment(name = 'bert', spec: any = {}, pod: any = podSpec()): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'ml' },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: pod },
      ...spec,
    },
  };
}

export function pdb(app = 'bert', spec: any = { maxUnavailable: 1 }): any {
  return { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: app, namespace: 'ml' }, spec: { selector: { matchLabels: { app } }, ...spec } };
}

export function hpa(target = 'bert', min = 2, max = 10, metrics: any[] = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }]): any {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: target, namespace: 'ml' },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target }, minReplicas: min, maxReplicas: max, metrics },
  };
}

/** A compliant GPU server: 1 GPU, toleration, startup probe. */
export function gpuPod(gpus = 1, overrides: any = {}, containerOverrides: any = {}): any {
  return podSpec({ tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }], ...overrides }, {
    resources: { requests: { 'cpu': '4', 'memory': '16Gi', 'nvidia.com/gpu': String(gpus) }, limits: { 'cpu': '8', 'memory': '32Gi', 'nvidia.com/gpu': String(gpus) } },
    startupProbe: { httpGet: { path: '/health', port: 8080 }, failureThreshold: 30, periodSeconds: 10 },
    ...containerOverrides,
  });
}

/** A restricted Job pod (no ports, no probes). */
export function job(name = 'train', spec: any = {}, pod: any = {}): any {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: 'ml' },
    spec: {
      backoffLimit: 3,
      template: { spec: { ...podSpec({ restartPolicy: 'Never', topologySpreadConstraints: undefined }, { ports: undefined, readinessProbe: undefined, livenessProbe: undefined }), ...pod } },
      ...spec,
    },
  };
}

/** Adds the suppress annotation to a manifest. */
export function annotate(obj: any, entries: unknown): any {
  return { ...obj, metadata: { ...obj.metadata, annotations: { ...obj.metadata?.annotations, 'cdk8s-ml.io/suppress': typeof entries === 'string' ? entries : JSON.stringify(entries) } } };
}

/** Deep copy with a change applied. */
export function tweak<T>(obj: T, change: (o: any) => void): T {
  const copy = JSON.parse(JSON.stringify(obj));
  change(copy);
  return copy;
}
