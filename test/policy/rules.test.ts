import { annotate, container, deployment, gpuPod, hpa, job, pdb, podSpec, tweak } from './fixtures';
import { IPolicyRule, PolicyCheckOptions, PolicyEngine, PolicyPack, PolicySeverity } from '../../src';
import { BUILT_IN_RULES } from '../../src/policy/rules';

interface RuleCase {
  /** The manifests that break the rule; the first one is the object reported. */
  readonly manifests: any[];
  /** A fragment of the expected message. */
  readonly message: string;
  /** The object the finding is on, when not the first manifest. */
  readonly on?: number;
  readonly options?: PolicyCheckOptions;
}

const ALL = { packs: [...PolicyPack.defaults(), PolicyPack.security({ requireImageDigest: true })] };

const CASES: { [id: string]: RuleCase } = {
  'SEC-001': {
    manifests: [deployment('bert', {}, podSpec({}, { securityContext: { runAsNonRoot: true } })), pdb()],
    message: 'container "server": securityContext.allowPrivilegeEscalation must be false',
  },
  'SEC-002': {
    manifests: [deployment('bert', {}, podSpec({ automountServiceAccountToken: undefined, serviceAccountName: 'bert' })), pdb(),
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'bert', namespace: 'ml' } }],
    message: 'the pod mounts a service-account token',
  },
  'SEC-003': {
    manifests: [deployment('bert', {}, podSpec({ hostNetwork: true })), pdb()],
    message: 'hostNetwork is true',
  },
  'SEC-004': {
    manifests: [deployment(), pdb()],
    message: 'image "registry.example.com/bert:1.0" is not pinned by digest',
  },
  'SEC-005': {
    manifests: [deployment('bert', {}, podSpec({}, { env: [{ name: 'HF_TOKEN', value: 'hf_abc' }, { name: 'MAX_TOKENS', value: '512' }] })), pdb()],
    message: 'container "server" sets HF_TOKEN to a literal value',
  },
  'SEC-006': {
    manifests: [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'ml' }, stringData: { password: 'hunter2' } }],
    message: 'Secret carries values for "password"',
  },
  'REL-001': {
    manifests: [deployment('bert', {}, podSpec({}, { readinessProbe: undefined })), pdb()],
    message: 'container "server" serves ports but has no readinessProbe',
  },
  'REL-002': {
    manifests: [deployment(), hpa('bert', 2, 8)],
    message: 'runs up to 8 pods (HorizontalPodAutoscaler bert) and no PodDisruptionBudget selects them',
  },
  'REL-003': {
    manifests: [pdb('bert', { minAvailable: 2 }), deployment(), hpa('bert', 2, 8)],
    message: 'allows 0 evictions when Deployment bert runs its fewest pods (2, from HorizontalPodAutoscaler bert): drains block',
  },
  'REL-004': {
    manifests: [deployment('bert', {}, podSpec({ topologySpreadConstraints: undefined })), pdb()],
    message: 'up to 2 pods with no spread across topology.kubernetes.io/zone',
  },
  'REL-005': {
    manifests: [deployment('bert', {}, podSpec({}, { resources: { requests: { cpu: '1' } } })), pdb()],
    message: 'container "server" has no requests.memory, limits.cpu, limits.memory',
  },
  'REL-006': {
    manifests: [deployment('llm', { progressDeadlineSeconds: 600 }, gpuPod(1, {}, { startupProbe: { httpGet: { path: '/health', port: 8080 }, failureThreshold: 90, periodSeconds: 10 } })), pdb('llm')],
    message: 'container "server" may take 900s to start, not less than progressDeadlineSeconds (600)',
  },
  'ML-001': {
    manifests: [deployment('llm', {}, gpuPod(1, { tolerations: undefined })), pdb('llm')],
    message: 'requests nvidia.com/gpu but does not tolerate the nvidia.com/gpu:NoSchedule taint of GPU nodes',
  },
  'ML-002': {
    manifests: [deployment('llm', {}, gpuPod(4)), pdb('llm')],
    message: 'the pod has 4 GPUs and no memory-backed emptyDir at /dev/shm',
  },
  'ML-003': {
    manifests: [deployment('llm', {}, gpuPod(1, {}, { startupProbe: undefined })), pdb('llm')],
    message: 'GPU container "server" has no startupProbe',
  },
  'ML-004': {
    manifests: [
      { apiVersion: 'autoscaling.k8s.io/v1', kind: 'VerticalPodAutoscaler', metadata: { name: 'bert', namespace: 'ml' }, spec: { targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'bert' } } },
      deployment(), pdb(), hpa('bert', 2, 8),
    ],
    message: 'updates Deployment bert (Auto) while HorizontalPodAutoscaler \'bert\' scales it on cpu',
  },
  'ML-005': {
    manifests: [job('finetune', { backoffLimit: 0 }, { tolerations: [{ key: 'karpenter.sh/capacity-type', value: 'spot', effect: 'NoSchedule' }], nodeSelector: { 'karpenter.sh/capacity-type': 'spot' } })],
    message: 'may run on spot but has backoffLimit: 0: one reclaimed node fails it',
  },
  'ML-006': {
    manifests: [{ apiVersion: 'ray.io/v1', kind: 'RayJob', metadata: { name: 'eval', namespace: 'ml' }, spec: { entrypoint: 'python eval.py' } }],
    message: 'does not set shutdownAfterJobFinishes: true',
  },
  'ML-007': {
    manifests: [deployment('llm', {}, gpuPod(8)), pdb('llm')],
    message: 'fits no declared node pool: declared pool l4 (needs GPUs 8 per pod, more than its node allocatable (4))',
    options: { nodePools: [{ name: 'l4', allocatable: { 'cpu': '48', 'memory': '192Gi', 'nvidia.com/gpu': '4' }, taints: [{ key: 'nvidia.com/gpu', effect: 'NoSchedule' }] }] },
  },
  'ML-008': {
    manifests: [
      { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'gpus', namespace: 'ml' }, spec: { hard: { 'requests.nvidia.com/gpu': '8' } } },
      deployment('llm', {}, gpuPod(1)), pdb('llm'), hpa('llm', 2, 10),
    ],
    message: 'hard requests.nvidia.com/gpu is 8 but the namespace\'s workloads need 10 at maximum scale',
  },
  'COST-001': {
    manifests: [deployment('llm', { replicas: 3 }, gpuPod(1)), pdb('llm')],
    message: '3 replicas × 1 GPUs run at a fixed count with no HPA or ScaledObject',
  },
  'COST-002': {
    manifests: [job('finetune')],
    message: 'retries lost pods (Job) yet never runs on spot capacity',
  },
};

function check(manifests: any[], options: PolicyCheckOptions = {}) {
  return PolicyEngine.checkManifests(manifests, { ...ALL, ...options });
}

describe('every built-in rule has a case', () => {
  test('the table covers exactly the built-in rules', () => {
    expect(Object.keys(CASES).sort()).toEqual(BUILT_IN_RULES.map((r) => r.id).sort());
  });

  test('every rule has an explanation and a fix', () => {
    for (const r of BUILT_IN_RULES) {
      expect(r.explanation.length).toBeGreaterThan(40);
      expect(r.fix.length).toBeGreaterThan(20);
    }
  });
});

describe.each(BUILT_IN_RULES.map((r) => [r.id, r] as const))('%s', (id, rule) => {
  const c = CASES[id];
  const target = c.manifests[c.on ?? 0];
  const findingsOf = (manifests: any[]) => check(manifests, c.options).findings.filter((f) => f.ruleId === id);

  test('fires on the object that breaks it, with kind, namespace and name', () => {
    const found = findingsOf(c.manifests);
    expect(found.length).toBeGreaterThan(0);
    expect(found[0]).toMatchObject({ kind: target.kind, name: target.metadata.name, namespace: 'ml', severity: rule.severity, suppressed: false });
    expect(found.map((f) => f.message).join('\n')).toContain(c.message);
  });

  test('does not fire when the object is fixed or absent', () => {
    const others = c.manifests.filter((_, i) => i !== (c.on ?? 0));
    expect(findingsOf(others)).toEqual([]);
  });

  if (rule.suppressible) {
    test('a suppression annotation with a reason waives it, and the report shows the reason', () => {
      const manifests = c.manifests.map((m, i) => (i === (c.on ?? 0) ? annotate(m, [{ id, reason: 'accepted by the platform team in ADR-12' }]) : m));
      const report = check(manifests, c.options);
      const found = report.findings.filter((f) => f.ruleId === id);
      expect(found.length).toBeGreaterThan(0);
      expect(found.every((f) => f.suppressed && f.suppressionReason === 'accepted by the platform team in ADR-12')).toBe(true);
      expect(report.findings.filter((f) => f.ruleId === 'POL-000')).toEqual([]);
      expect(report.toText()).toContain(`${id} ${target.kind} ml/${target.metadata.name}: accepted by the platform team in ADR-12`);
    });
  } else {
    test('cannot be suppressed: the annotation is refused and the finding stays', () => {
      const manifests = c.manifests.map((m, i) => (i === (c.on ?? 0) ? annotate(m, [{ id, reason: 'we really need this one, trust us' }]) : m));
      const report = check(manifests, c.options);
      expect(report.findings.filter((f) => f.ruleId === id).every((f) => !f.suppressed)).toBe(true);
      expect(report.findings.find((f) => f.ruleId === 'POL-000')?.message)
        .toBe(`annotation cdk8s-ml.io/suppress: suppression of '${id}' cannot be suppressed: ${rule.name} has no acceptable exceptions`);
      expect(report.passed).toBe(false);
    });
  }

  test('a suppression without a reason is refused and waives nothing', () => {
    const manifests = c.manifests.map((m, i) => (i === (c.on ?? 0) ? annotate(m, [{ id }]) : m));
    const report = check(manifests, c.options);
    expect(report.findings.filter((f) => f.ruleId === id).every((f) => !f.suppressed)).toBe(true);
    const refusal = report.findings.find((f) => f.ruleId === 'POL-000');
    expect(refusal).toMatchObject({ kind: target.kind, name: target.metadata.name, severity: PolicySeverity.ERROR, suppressed: false });
    expect(refusal!.message).toBe(`annotation cdk8s-ml.io/suppress: suppression of '${id}' needs a written reason (at least 10 characters) saying why the rule does not apply`);
  });
});

describe('rule details', () => {
  test('compliant manifests pass every pack', () => {
    const report = check([deployment(), pdb(), hpa('bert', 2, 8, [{ type: 'Pods', pods: { metric: { name: 'inflight' }, target: { type: 'AverageValue', averageValue: '10' } } }])],
      { packs: PolicyPack.defaults() });
    expect(report.findings).toEqual([]);
    expect(report.passed).toBe(true);
  });

  test('budgets are found whatever their selectors share: common labels, unique labels, expressions only', () => {
    const withLabels = (name: string, labels: any) => tweak(deployment(name), (d) => { d.spec.template.metadata.labels = labels; });
    const shared = { 'app.kubernetes.io/part-of': 'search' };
    const manifests = [
      withLabels('a', { ...shared, app: 'a' }), withLabels('b', { ...shared, app: 'b' }), withLabels('c', { ...shared, app: 'c' }),
      pdb('a', { selector: { matchLabels: { ...shared, app: 'a' } }, maxUnavailable: 1 }),
      pdb('b', { selector: { matchLabels: { app: 'b', ...shared } }, maxUnavailable: 1 }),
      pdb('c', { selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['c'] }] }, maxUnavailable: 1 }),
    ];
    expect(check(manifests).findings.filter((f) => f.ruleId === 'REL-002')).toEqual([]);
    expect(check(manifests.slice(0, 5)).findings.filter((f) => f.ruleId === 'REL-002').map((f) => f.name)).toEqual(['c']);
  });

  test('SEC-001 covers the whole restricted profile, not only the common fields', () => {
    const pod = podSpec({ hostIPC: true, volumes: [{ name: 'h', hostPath: { path: '/' } }], securityContext: { runAsNonRoot: true, seccompProfile: { type: 'Unconfined' }, sysctls: [{ name: 'kernel.msgmax', value: '1' }] } }, {
      lifecycle: { preStop: { httpGet: { host: '10.0.0.1', port: 80 } } },
      securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'], add: ['SYS_ADMIN'] }, runAsNonRoot: true, procMount: 'Unmasked' },
    });
    const messages = check([deployment('bert', {}, pod), pdb()]).findings.filter((f) => f.ruleId === 'SEC-001').map((f) => f.message);
    expect(messages).toEqual([
      'hostIPC must not be true',
      'securityContext.seccompProfile.type must be RuntimeDefault or Localhost',
      'securityContext.sysctls: "kernel.msgmax" is not a safe sysctl',
      'volumes[0] (h): volume type "hostPath" is not allowed',
      'container "server": securityContext.procMount must be Default',
      'container "server": lifecycle.preStop.httpGet.host must not be set',
      'container "server": securityContext.capabilities.add must not add SYS_ADMIN (only NET_BIND_SERVICE)',
    ]);
  });

  test('custom rules in packs of their own; violations on copies (as from other jsii languages) keep paths and waivers', () => {
    const noLatest: IPolicyRule = {
      id: 'ACME-001',
      name: 'team-label',
      severity: PolicySeverity.WARNING,
      suppressible: true,
      explanation: 'Every workload names its owning team so alerts reach someone.',
      fix: 'Add metadata.labels.team.',
      check: (ctx) => ctx.ofKind('Deployment').filter((d) => !d.metadata?.labels?.team)
        .map((d) => ({ object: JSON.parse(JSON.stringify(d)), message: 'has no team label' })),
    };
    const pack = PolicyPack.custom('acme', [noLatest]);
    const report = check([deployment('a'), annotate(deployment('b'), [{ id: 'ACME-001', reason: 'owned by the platform on-call' }])], { packs: [pack] });
    expect(report.findings.map((f) => [f.ruleId, f.name, f.severity, f.suppressed])).toEqual([
      ['ACME-001', 'a', PolicySeverity.WARNING, false], ['ACME-001', 'b', PolicySeverity.WARNING, true],
    ]);
    expect(() => PolicyPack.custom('dup', [noLatest, noLatest])).toThrow("PolicyPack 'dup': rule id ACME-001 appears twice");
  });

  test('a malformed annotation is a POL-000 error', () => {
    const report = check([annotate(deployment(), 'not json'), pdb()]);
    expect(report.findings.map((f) => f.message)).toContain('annotation cdk8s-ml.io/suppress is not JSON: expected [{"id":"<rule>","reason":"<why>"}]');
  });

  test('global suppressions per rule need a reason too', () => {
    expect(() => check([deployment()], { suppressions: [{ ruleId: 'REL-002', reason: '' }] }))
      .toThrow("suppression of 'REL-002' needs a written reason (at least 10 characters) saying why the rule does not apply");
    const report = check([deployment()], { suppressions: [{ ruleId: 'REL-002', reason: 'dev cluster, drains are fine' }] });
    expect(report.findings.filter((f) => f.ruleId === 'REL-002').every((f) => f.suppressed)).toBe(true);
  });

  test('PDB percentages are rounded like Kubernetes: maxUnavailable 10% of 2 pods still lets one go', () => {
    const report = check([deployment(), pdb('bert', { maxUnavailable: '10%' })]);
    expect(report.findings.filter((f) => f.ruleId === 'REL-003')).toEqual([]);
    const blocked = check([deployment(), pdb('bert', { minAvailable: '100%' })]);
    expect(blocked.findings.filter((f) => f.ruleId === 'REL-003').map((f) => f.kind)).toEqual(['PodDisruptionBudget']);
  });

  test('a VPA in Off mode or on the other resource does not fight the HPA', () => {
    const vpa = (spec: any) => ({ apiVersion: 'autoscaling.k8s.io/v1', kind: 'VerticalPodAutoscaler', metadata: { name: 'bert', namespace: 'ml' }, spec: { targetRef: { kind: 'Deployment', name: 'bert' }, ...spec } });
    for (const spec of [{ updatePolicy: { updateMode: 'Off' } }, { resourcePolicy: { containerPolicies: [{ containerName: '*', controlledResources: ['memory'] }] } }]) {
      expect(check([vpa(spec), deployment(), pdb(), hpa()]).findings.filter((f) => f.ruleId === 'ML-004')).toEqual([]);
    }
  });

  test('shared memory at /dev/shm satisfies ML-002', () => {
    const pod = gpuPod(4, { volumes: [{ name: 'shm', emptyDir: { medium: 'Memory', sizeLimit: '8Gi' } }] }, { volumeMounts: [{ name: 'shm', mountPath: '/dev/shm' }] });
    expect(check([deployment('llm', {}, pod), pdb('llm')]).findings.filter((f) => f.ruleId === 'ML-002')).toEqual([]);
  });

  test('ML-007 with Karpenter NodePools from the manifests: taints and the pool limit', () => {
    const pool = {
      apiVersion: 'karpenter.sh/v1',
      kind: 'NodePool',
      metadata: { name: 'gpu' },
      spec: { limits: { 'nvidia.com/gpu': '4' }, template: { spec: { requirements: [{ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] }], taints: [{ key: 'nvidia.com/gpu', effect: 'NoSchedule' }] } } },
    };
    const fits = check([pool, deployment('llm', {}, gpuPod(2)), pdb('llm')]);
    expect(fits.findings.filter((f) => f.ruleId === 'ML-007')).toEqual([]);
    const tooBig = check([pool, deployment('llm', {}, gpuPod(8)), pdb('llm')]);
    expect(tooBig.findings.find((f) => f.ruleId === 'ML-007')?.message).toBe('fits no declared node pool: NodePool gpu (needs GPUs 8 per pod, more than its pool limit (4))');
    const onSpot = check([pool, deployment('llm', {}, gpuPod(1, { nodeSelector: { 'karpenter.sh/capacity-type': 'spot' } })), pdb('llm')]);
    expect(onSpot.findings.find((f) => f.ruleId === 'ML-007')?.message).toBe('fits no declared node pool: NodePool gpu (nodeSelector karpenter.sh/capacity-type=spot (pool has on-demand))');
  });

  test('a PyTorchJob on spot needs restarts or an elastic policy', () => {
    const ptj = (worker: any, spec: any = {}) => ({
      apiVersion: 'kubeflow.org/v1',
      kind: 'PyTorchJob',
      metadata: { name: 'ft', namespace: 'ml' },
      spec: { pytorchReplicaSpecs: { Worker: { replicas: 4, ...worker, template: { spec: job().spec.template.spec } } }, ...spec },
    });
    const spot = (o: any) => tweak(o, (x) => { x.spec.pytorchReplicaSpecs.Worker.template.spec.nodeSelector = { 'cloud.google.com/gke-spot': 'true' }; });
    expect(check([spot(ptj({ restartPolicy: 'Never' }))]).findings.filter((f) => f.ruleId === 'ML-005').map((f) => f.message))
      .toEqual(['Worker: may run on spot with restartPolicy Never, no elasticPolicy and no runPolicy.backoffLimit: one reclaimed node fails the job']);
    expect(check([spot(ptj({ restartPolicy: 'OnFailure' }))]).findings.filter((f) => f.ruleId === 'ML-005')).toEqual([]);
  });

  test('init containers holding GPUs are idle GPUs', () => {
    const pod = podSpec({ initContainers: [container({ name: 'warmup', ports: undefined, resources: { requests: { 'cpu': '1', 'memory': '1Gi', 'nvidia.com/gpu': '1' }, limits: { 'cpu': '1', 'memory': '1Gi', 'nvidia.com/gpu': '1' } } })] });
    const found = check([deployment('bert', {}, pod), pdb()]).findings.filter((f) => f.ruleId === 'COST-001');
    expect(found.map((f) => f.message)).toEqual(['init container "warmup" requests 1 GPUs, more than the app containers (0): the pod holds 1 idle GPUs while it runs']);
  });
});
