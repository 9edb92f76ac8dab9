import * as fc from 'fast-check';
import { API_SERVER_RULES, isEnvVarName, isIanaSvcName, isQualifiedName } from './api-server-rules';
import { describeWithCrds } from './prerequisites';
import { parseQuantity } from './quantity';
import { validationProblems } from './schema-validator';

// Each API-server rule is broken on purpose, one at a time, on an otherwise valid set of
// manifests: the harness must report that rule (by id, naming object and field) and
// nothing else. The untouched set must be clean, so a rule that fires on good input fails too.

function container(): any {
  return {
    name: 'main',
    image: 'registry.example/app:1.0',
    ports: [{ name: 'http', containerPort: 8080 }, { name: 'metrics', containerPort: 9090 }, { containerPort: 8080, protocol: 'UDP' }],
    env: [{ name: 'MODEL_DIR', value: '/models' }, { name: 'my.env-name', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
    envFrom: [{ prefix: 'CFG_', configMapRef: { name: 'cfg' } }],
    resources: {
      requests: { 'cpu': '500m', 'memory': '1Gi', 'nvidia.com/gpu': 1, 'hugepages-2Mi': '64Mi' },
      limits: { 'cpu': '1', 'memory': '1024Mi', 'nvidia.com/gpu': '1', 'hugepages-2Mi': '64Mi' },
    },
    volumeMounts: [{ name: 'models', mountPath: '/models' }, { name: 'cache', mountPath: '/cache', subPath: 'a/b' }],
    readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 5, successThreshold: 2 },
    livenessProbe: { tcpSocket: { port: 8080 }, successThreshold: 1 },
    startupProbe: { grpc: { port: 9090 }, failureThreshold: 30 },
    lifecycle: { preStop: { sleep: { seconds: 5 } } },
  };
}

function podSpec(): any {
  return {
    initContainers: [
      { name: 'fetch', image: 'registry.example/fetch:1.0', volumeMounts: [{ name: 'models', mountPath: '/models' }] },
      { name: 'proxy', image: 'registry.example/proxy:1.0', restartPolicy: 'Always', readinessProbe: { exec: { command: ['true'] } } },
    ],
    containers: [container()],
    volumes: [{ name: 'models', emptyDir: {} }, { name: 'cache', emptyDir: {} }],
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{
            matchExpressions: [
              { key: 'nvidia.com/gpu.product', operator: 'In', values: ['NVIDIA-A100'] },
              { key: 'nvidia.com/gpu.memory', operator: 'Gt', values: ['40000'] },
              { key: 'spot', operator: 'DoesNotExist' },
            ],
            matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['bad-node'] }],
          }],
        },
        preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, preference: { matchExpressions: [{ key: 'zone', operator: 'Exists' }] } }],
      },
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [{
          weight: 1,
          podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] } },
        }],
      },
    },
    tolerations: [
      { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 },
      { operator: 'Exists' },
      { key: 'team', value: 'ml' },
    ],
    topologySpreadConstraints: [
      { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', minDomains: 2, labelSelector: { matchLabels: { app: 'web' } } },
      { maxSkew: 2, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway' },
    ],
  };
}

function deployment(): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'ml', annotations: { 'example.com/owner': 'ml-team' } },
    spec: {
      replicas: 2,
      minReadySeconds: 10,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: '25%' } },
      selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['batch'] }] },
      template: { metadata: { labels: { app: 'web' } }, spec: podSpec() },
    },
  };
}

function manifests(): any[] {
  return [
    deployment(),
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'ml' },
      spec: {
        selector: { app: 'web' },
        ports: [{ name: 'http', port: 80, targetPort: 'http' }, { name: 'metrics', port: 9090, targetPort: 9090 }, { name: 'dns', port: 80, protocol: 'UDP' }],
      },
    },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web-headless', namespace: 'ml' }, spec: { clusterIP: 'None', selector: { app: 'web' } } },
    { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web', namespace: 'ml' }, spec: { maxUnavailable: '50%', selector: { matchLabels: { app: 'web' } } } },
    {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web', namespace: 'ml' },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
        minReplicas: 2,
        maxReplicas: 2,
        behavior: {
          scaleDown: { stabilizationWindowSeconds: 3600, policies: [{ type: 'Percent', value: 10, periodSeconds: 1800 }], selectPolicy: 'Min' },
          scaleUp: { stabilizationWindowSeconds: 0 },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: { name: 'ml', namespace: 'ml' },
      spec: {
        hard: {
          'pods': '100',
          'requests.cpu': '64',
          'limits.memory': '512Gi',
          'requests.nvidia.com/gpu': '8',
          'count/jobs.batch': '10',
          'fast.storageclass.storage.k8s.io/requests.storage': '1Ti',
          'requests.hugepages-2Mi': '1Gi',
        },
        scopes: ['NotBestEffort'],
      },
    },
    {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'train', namespace: 'ml' },
      spec: {
        completionMode: 'Indexed',
        completions: 4,
        parallelism: 4,
        backoffLimitPerIndex: 1,
        maxFailedIndexes: 2,
        podFailurePolicy: { rules: [{ action: 'FailIndex', onExitCodes: { operator: 'In', values: [42] } }] },
        template: { spec: { restartPolicy: 'Never', containers: [{ name: 'train', image: 'registry.example/train:1.0' }] } },
      },
    },
    { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'ml-high' }, value: 1_000_000_000 },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'reader' }, rules: [] },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'web', namespace: 'ml' },
      spec: {
        podSelector: { matchLabels: { app: 'web' } },
        ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['monitoring'] }] } }] }],
      },
    },
  ];
}

type Find = (m: any[]) => any;
const deploy: Find = (m) => m[0];
const pod: Find = (m) => m[0].spec.template.spec;
const main: Find = (m) => m[0].spec.template.spec.containers[0];
const svc: Find = (m) => m[1];
const pdb: Find = (m) => m[3];
const hpa: Find = (m) => m[4];
const quota: Find = (m) => m[5];
const job: Find = (m) => m[6];

/** [rule id, what is broken, mutation, text the problem must contain]. */
type Case = [id: string, title: string, mutate: (m: any[]) => void, expected: string];

const CASES: Case[] = [
  ['pod/container-names', 'init and app container share a name', (m) => { pod(m).initContainers[0].name = 'main'; }, 'duplicate container name "main"'],
  ['pod/container-names', 'container name not a DNS label', (m) => { main(m).name = 'Main_1'; }, 'containers[0].name: "Main_1" must be a DNS-1123 label'],
  ['pod/port-names', 'port name longer than 15', (m) => { main(m).ports[1].name = 'metrics-endpoint'; }, 'ports[1].name: "metrics-endpoint" must be an IANA_SVC_NAME'],
  ['pod/port-names', 'port name without a letter', (m) => { main(m).ports[1].name = '9090'; }, 'must be an IANA_SVC_NAME'],
  ['pod/port-names', 'port name twice in the pod', (m) => { pod(m).initContainers[1].ports = [{ name: 'metrics', containerPort: 9100 }]; }, 'port name "metrics" is declared more than once'],
  ['pod/container-ports-unique', 'containerPort/protocol twice', (m) => { main(m).ports[1].containerPort = 8080; }, 'duplicate containerPort/protocol 8080/TCP'],
  ['pod/port-range', 'containerPort 0', (m) => { main(m).ports[1].containerPort = 70000; }, 'containerPort: must be 1..65535 (is 70000)'],
  ['pod/probe-handler', 'probe without handler', (m) => { main(m).livenessProbe = { periodSeconds: 10 }; }, 'livenessProbe: must specify a handler type'],
  ['pod/probe-handler', 'probe with two handlers', (m) => { main(m).readinessProbe.exec = { command: ['true'] }; }, 'may not specify more than 1 handler type (has exec, httpGet)'],
  ['pod/probe-fields', 'liveness successThreshold 2', (m) => { main(m).livenessProbe.successThreshold = 2; }, 'livenessProbe.successThreshold: must be 1 for livenessProbe'],
  ['pod/probe-fields', 'periodSeconds 0', (m) => { main(m).readinessProbe.periodSeconds = 0; }, 'readinessProbe.periodSeconds: must be an integer >= 1 (is 0)'],
  ['pod/probe-port', 'probe names an undeclared port', (m) => { main(m).readinessProbe.httpGet.port = 'admin'; }, 'names port "admin", which container "main" does not declare'],
  ['pod/lifecycle-handler', 'preStop with two handlers', (m) => { main(m).lifecycle.preStop.exec = { command: ['sleep', '5'] }; }, 'lifecycle.preStop: may not specify more than 1 handler type (has exec, sleep)'],
  ['pod/lifecycle-handler', 'postStart with none', (m) => { main(m).lifecycle.postStart = {}; }, 'lifecycle.postStart: must specify a handler type'],
  ['pod/init-containers', 'probe on a plain init container', (m) => { pod(m).initContainers[0].livenessProbe = { exec: { command: ['true'] } }; }, 'initContainers[0].livenessProbe: may not be set for init containers without restartPolicy=Always'],
  ['pod/init-containers', 'init restartPolicy OnFailure', (m) => { pod(m).initContainers[1].restartPolicy = 'OnFailure'; }, 'initContainers[1].restartPolicy: must be Always (native sidecar) or unset'],
  ['pod/init-containers', 'restartPolicy on an app container', (m) => { main(m).restartPolicy = 'Always'; }, 'containers[0].restartPolicy: may only be set on initContainers'],
  ['pod/volume-names', 'two volumes, one name', (m) => { pod(m).volumes[1].name = 'models'; main(m).volumeMounts[1].name = 'models'; }, 'duplicate volume name "models"'],
  ['pod/mount-volume', 'mount of a missing volume', (m) => { main(m).volumeMounts[1].name = 'scratch'; }, 'volumeMounts[1].name: volume "scratch" not found'],
  ['pod/mount-path', 'mountPath twice', (m) => { main(m).volumeMounts[1].mountPath = '/models'; }, 'mountPath "/models" is used twice'],
  ['pod/mount-path', 'relative mountPath', (m) => { main(m).volumeMounts[1].mountPath = 'cache'; }, 'volumeMounts[1].mountPath: "cache" must be an absolute path'],
  ['pod/sub-path', 'subPath with ..', (m) => { main(m).volumeMounts[1].subPath = 'a/../../etc'; }, 'subPath: "a/../../etc" must be a relative path without ".."'],
  ['pod/env-names', 'env name with =', (m) => { main(m).env[0].name = 'A=B'; }, 'env[0].name: "A=B" is not a valid environment variable name'],
  ['pod/env-names', 'env name twice', (m) => { main(m).env[1].name = 'MODEL_DIR'; }, 'duplicate environment variable "MODEL_DIR"'],
  ['pod/env-names', 'value and valueFrom', (m) => { main(m).env[1].value = 'x'; }, 'valueFrom may not be specified when value is not empty'],
  ['pod/resource-names', 'unknown bare resource', (m) => { main(m).resources.limits.gpu = '1'; }, 'limits["gpu"]: must be a standard resource for containers'],
  ['pod/limits-gte-requests', 'request above limit', (m) => { main(m).resources.requests.memory = '1.5Gi'; }, 'requests["memory"]: 1.5Gi must be less than or equal to memory limit of 1024Mi'],
  ['pod/extended-resources', 'GPU request without limit', (m) => { delete main(m).resources.limits['nvidia.com/gpu']; }, 'limits["nvidia.com/gpu"]: must be set'],
  ['pod/extended-resources', 'GPU request != limit', (m) => { main(m).resources.limits['nvidia.com/gpu'] = 2; }, 'must be equal to nvidia.com/gpu limit of 2'],
  ['pod/extended-resources', 'fractional GPU', (m) => { main(m).resources.limits['nvidia.com/gpu'] = '500m'; main(m).resources.requests['nvidia.com/gpu'] = '500m'; }, 'must be a whole number (is "500m")'],
  ['pod/hugepages', 'hugepages overcommitted', (m) => { main(m).resources.limits['hugepages-2Mi'] = '128Mi'; }, 'must be equal to hugepages-2Mi limit of 128Mi'],
  ['pod/hugepages', 'hugepages without cpu or memory', (m) => { main(m).resources = { limits: { 'hugepages-1Gi': '1Gi' }, requests: { 'hugepages-1Gi': '1Gi' } }; }, 'HugePages require cpu or memory'],
  ['pod/node-affinity', 'In without values', (m) => { pod(m).affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values = []; }, 'matchExpressions[0].values: must be specified when operator is In'],
  ['pod/node-affinity', 'Exists with values', (m) => { pod(m).affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].preference.matchExpressions[0].values = ['a']; }, 'may not be specified when operator is Exists'],
  ['pod/node-affinity', 'Gt with a non-integer', (m) => { pod(m).affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[1].values = ['40GB']; }, 'must be exactly one integer when operator is Gt (is ["40GB"])'],
  ['pod/node-affinity', 'no required terms', (m) => { pod(m).affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms = []; }, 'must have at least one node selector term'],
  ['pod/node-affinity', 'matchFields on a label', (m) => { pod(m).affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[0].key = 'metadata.labels'; }, 'only metadata.name is supported'],
  ['pod/preferred-weights', 'weight 0', (m) => { pod(m).affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight = 0; }, 'weight: must be in the range 1-100 (is 0)'],
  ['pod/preferred-weights', 'weight 101', (m) => { pod(m).affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight = 101; }, 'weight: must be in the range 1-100 (is 101)'],
  ['pod/pod-affinity', 'no topologyKey', (m) => { pod(m).affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey = ''; }, 'podAffinityTerm.topologyKey: is required'],
  ['pod/tolerations', 'Exists with a value', (m) => { pod(m).tolerations[0].value = 'true'; }, 'tolerations[0].value: must be empty when operator is Exists'],
  ['pod/tolerations', 'tolerationSeconds on NoSchedule', (m) => { pod(m).tolerations[0].tolerationSeconds = 60; }, 'tolerations[0].effect: must be NoExecute when tolerationSeconds is set'],
  ['pod/tolerations', 'empty key with Equal', (m) => { pod(m).tolerations[2].operator = 'Equal'; }, 'tolerations[2].operator: must be Exists when key is empty'],
  ['pod/topology-spread', 'maxSkew 0', (m) => { pod(m).topologySpreadConstraints[0].maxSkew = 0; }, 'maxSkew: must be an integer >= 1 (is 0)'],
  ['pod/topology-spread', 'minDomains with ScheduleAnyway', (m) => { pod(m).topologySpreadConstraints[1].minDomains = 2; }, 'minDomains: can only be set when whenUnsatisfiable is DoNotSchedule'],
  ['pod/topology-spread', 'duplicate key/when pair', (m) => { pod(m).topologySpreadConstraints[1].topologyKey = 'topology.kubernetes.io/zone'; pod(m).topologySpreadConstraints[1].whenUnsatisfiable = 'DoNotSchedule'; }, 'duplicate topologyKey/whenUnsatisfiable pair'],
  ['meta/label-selectors', 'selector NotIn without values', (m) => { deploy(m).spec.selector.matchExpressions[0].values = []; }, 'spec.selector.matchExpressions[0].values: must be specified when operator is NotIn'],
  ['meta/label-selectors', 'NetworkPolicy peer Exists with values', (m) => { m[9].spec.ingress[0].from[0].namespaceSelector.matchExpressions[0].operator = 'Exists'; }, 'namespaceSelector.matchExpressions[0].values: must be empty when operator is Exists'],
  ['meta/annotations', 'annotations over 256 KiB', (m) => { deploy(m).metadata.annotations['example.com/blob'] = 'x'.repeat(256 * 1024); }, 'metadata.annotations: total size 262184 bytes must be at most 262144'],
  ['meta/annotations', 'annotation key with two slashes', (m) => { deploy(m).spec.template.metadata.annotations = { 'a/b/c': 'x' }; }, 'spec.template.metadata.annotations: key "a/b/c" is not a qualified name'],
  ['meta/cluster-scoped-namespace', 'namespaced PriorityClass', (m) => { m[7].metadata.namespace = 'ml'; }, 'PriorityClass is cluster-scoped: namespace "ml" is not allowed on this type'],
  ['service/ports', 'two unnamed ports', (m) => { delete svc(m).spec.ports[1].name; }, 'spec.ports[1].name: is required when the Service has more than one port'],
  ['service/ports', 'port name twice', (m) => { svc(m).spec.ports[1].name = 'http'; }, 'duplicate port name "http"'],
  ['service/ports', 'port/protocol twice', (m) => { svc(m).spec.ports[1].port = 80; }, 'duplicate port/protocol 80/TCP'],
  ['service/ports', 'no ports', (m) => { svc(m).spec.ports = []; }, 'spec.ports: at least one port is required'],
  ['service/ports', 'named targetPort too long', (m) => { svc(m).spec.ports[0].targetPort = 'http-inference-api'; }, '"http-inference-api" must be an IANA_SVC_NAME'],
  ['service/target-port-exists', 'named targetPort the pods lack', (m) => { svc(m).spec.ports[0].targetPort = 'grpc'; }, 'named port "grpc" is not declared by the pods of Deployment/web'],
  ['workload/restart-policy', 'Deployment with OnFailure', (m) => { pod(m).restartPolicy = 'OnFailure'; }, 'spec.template.spec.restartPolicy: must be Always for a Deployment'],
  ['workload/restart-policy', 'Job without restartPolicy', (m) => { delete job(m).spec.template.spec.restartPolicy; delete job(m).spec.podFailurePolicy; }, 'must be Never or OnFailure for a Job'],
  ['workload/deployment-strategy', 'maxSurge and maxUnavailable 0', (m) => { deploy(m).spec.strategy.rollingUpdate.maxUnavailable = 0; }, 'maxUnavailable: may not be 0 when maxSurge is 0'],
  ['workload/deployment-strategy', 'Recreate with rollingUpdate', (m) => { deploy(m).spec.strategy.type = 'Recreate'; }, 'may not be specified when strategy type is Recreate'],
  ['workload/deployment-strategy', 'deadline <= minReadySeconds', (m) => { deploy(m).spec.progressDeadlineSeconds = 10; }, 'spec.progressDeadlineSeconds: must be greater than minReadySeconds (10)'],
  ['workload/job', 'Indexed without completions', (m) => { delete job(m).spec.completions; delete job(m).spec.maxFailedIndexes; }, 'spec.completions: must be set when completionMode is Indexed'],
  ['workload/job', 'backoffLimitPerIndex on NonIndexed', (m) => { job(m).spec.completionMode = 'NonIndexed'; job(m).spec.podFailurePolicy.rules[0].action = 'FailJob'; }, 'spec.backoffLimitPerIndex: requires completionMode Indexed'],
  ['workload/job', 'podFailurePolicy with OnFailure', (m) => { job(m).spec.template.spec.restartPolicy = 'OnFailure'; }, 'must be Never when podFailurePolicy is set'],
  ['workload/job', 'FailIndex without backoffLimitPerIndex', (m) => { delete job(m).spec.backoffLimitPerIndex; delete job(m).spec.maxFailedIndexes; }, 'FailIndex requires backoffLimitPerIndex'],
  ['policy/pdb', 'both minAvailable and maxUnavailable', (m) => { pdb(m).spec.minAvailable = 1; }, 'minAvailable and maxUnavailable cannot both be set'],
  ['policy/pdb', 'neither', (m) => { delete pdb(m).spec.maxUnavailable; }, 'set one of minAvailable or maxUnavailable'],
  ['policy/pdb', 'percentage above 100', (m) => { pdb(m).spec.maxUnavailable = '150%'; }, 'must be a non-negative integer or a percentage <= 100%'],
  ['autoscaling/hpa', 'min above max', (m) => { hpa(m).spec.minReplicas = 3; }, 'spec.minReplicas: (3) must be <= maxReplicas (2)'],
  ['autoscaling/hpa', 'stabilization window above 3600', (m) => { hpa(m).spec.behavior.scaleDown.stabilizationWindowSeconds = 3601; }, 'stabilizationWindowSeconds: must be 0..3600 (is 3601)'],
  ['autoscaling/hpa', 'policy period above 1800', (m) => { hpa(m).spec.behavior.scaleDown.policies[0].periodSeconds = 3600; }, 'periodSeconds: must be 1..1800 (is 3600)'],
  ['quota/resource-names', 'limits. for an extended resource', (m) => { quota(m).spec.hard['limits.nvidia.com/gpu'] = '8'; }, 'extended resources take no limits quota: quota only enforces requests.nvidia.com/gpu'],
  ['quota/resource-names', 'bare extended resource', (m) => { quota(m).spec.hard['nvidia.com/gpu'] = '8'; }, 'extended resources are only enforced as requests.nvidia.com/gpu'],
  ['quota/resource-names', 'unknown standard name', (m) => { quota(m).spec.hard.gpus = '8'; }, 'spec.hard["gpus"]: must be a standard resource for quota'],
  ['quota/resource-names', 'limits.hugepages', (m) => { quota(m).spec.hard['limits.hugepages-2Mi'] = '1Gi'; }, 'spec.hard["limits.hugepages-2Mi"]: must be a standard resource for quota'],
  ['quota/resource-names', 'fractional object count', (m) => { quota(m).spec.hard.pods = '1.5'; }, 'object counts must be whole numbers (is "1.5")'],
  ['quota/resource-names', 'conflicting scopes', (m) => { quota(m).spec.scopes.push('BestEffort'); }, 'conflicting scopes BestEffort and NotBestEffort'],
  ['scheduling/priority-class', 'value above 1e9', (m) => { m[7].value = 2_000_000_000; }, 'value: must be <= 1000000000'],
  ['scheduling/one-global-default', 'two global defaults', (m) => { m[7].globalDefault = true; m.push({ ...m[7], metadata: { name: 'ml-low' }, value: 10 }); }, 'PriorityClass/ml-high, PriorityClass/ml-low: globalDefault: 2 PriorityClasses are marked globalDefault'],
  ['pod/container-image', 'sidecar without image', (m) => { delete pod(m).initContainers[1].image; }, 'initContainers[1].image: is required'],
  ['pod/container-image', 'image with trailing space', (m) => { main(m).image = 'registry.example/app:1.0 '; }, 'must not have leading or trailing whitespace'],
  ['meta/label-selectors', 'matchLabels value too long', (m) => { m[3].spec.selector.matchLabels.app = 'x'.repeat(64); }, 'spec.selector.matchLabels["app"]: "xxxx'],
];

describe('API-server rules: the valid set passes', () => {
  test('every manifest of the baseline is clean', () => {
    expect(validationProblems(manifests())).toEqual([]);
  });

  test(`every one of the ${API_SERVER_RULES.length} rules has at least one case that breaks it (${CASES.length} cases)`, () => {
    // meta/pod-template-labels needs a custom resource: its own test is below.
    const tested = new Set([...CASES.map(([id]) => id), 'meta/pod-template-labels']);
    expect(API_SERVER_RULES.map((r) => r.id).filter((id) => !tested.has(id))).toEqual([]);
    // Ids are unique and every case names a real rule.
    expect(new Set(API_SERVER_RULES.map((r) => r.id)).size).toBe(API_SERVER_RULES.length);
    expect([...tested].filter((id) => !API_SERVER_RULES.some((r) => r.id === id))).toEqual([]);
  });
});

describe.each(CASES)('API-server rule %s: %s', (id, _title, mutate, expected) => {
  test('is reported, and nothing else', () => {
    const m = manifests();
    mutate(m);
    const problems = validationProblems(m);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.filter((p) => !p.endsWith(`[${id}]`))).toEqual([]);
    expect(problems.join('\n')).toContain(expected);
  });
});

describe('API-server rules on custom resources and pods', () => {
  test('pod templates embedded in a custom resource are checked too (PyTorchJob replica template)', () => {
    const pytorchJob = {
      apiVersion: 'kubeflow.org/v1',
      kind: 'PyTorchJob',
      metadata: { name: 'train' },
      spec: { pytorchReplicaSpecs: { Master: { replicas: 1, template: { spec: { containers: [{ name: 'pytorch', image: 't:1', ports: [{ name: 'pytorchjob-port-1', containerPort: 23456 }] }] } } } } },
    };
    expect(validationProblems([pytorchJob], { allowUnknownKinds: ['PyTorchJob'] })).toEqual([
      expect.stringMatching(/^PyTorchJob\/train: spec\.pytorchReplicaSpecs\.Master\.template\.spec\.containers\[0\]\.ports\[0\]\.name: "pytorchjob-port-1" must be an IANA_SVC_NAME.*\[pod\/port-names\]$/),
    ]);
  });

  test('labels of pod templates inside custom resources are checked (the operator creates the Pods later)', () => {
    const labelled = {
      apiVersion: 'kubeflow.org/v1',
      kind: 'PyTorchJob',
      metadata: { name: 'train' },
      spec: { pytorchReplicaSpecs: { Master: { replicas: 1, template: { metadata: { labels: { 'team/ml/x': 'a', 'app': 'b c' } }, spec: { containers: [{ name: 'pytorch', image: 't:1' }] } } } } },
    };
    expect(validationProblems([labelled], { allowUnknownKinds: ['PyTorchJob'] })).toEqual([
      'PyTorchJob/train: spec.pytorchReplicaSpecs.Master.template.metadata.labels: key "team/ml/x" is not a qualified name [meta/pod-template-labels]',
      'PyTorchJob/train: spec.pytorchReplicaSpecs.Master.template.metadata.labels["app"]: "b c" is not a valid label value [meta/pod-template-labels]',
    ]);
  });

  test('a bare Pod: env names are valid as 1.34 validates them (printable ASCII except =)', () => {
    const p = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'i:1', env: [{ name, value: 'v' }] }] } });
    expect(validationProblems([p('1st.var-name with space')])).toEqual([]);
    expect(validationProblems([p('caf\u00e9')])).toEqual([expect.stringContaining('[pod/env-names]')]);
    expect(validationProblems([p('')])).toEqual([expect.stringContaining('[pod/env-names]')]);
  });
});

describeWithCrds('API-server rules that need the CRDs', () => {
  test('a cluster-scoped custom resource (Karpenter NodePool, scope: Cluster) takes no namespace', () => {
    const pool = (namespace?: string) => ({
      apiVersion: 'karpenter.sh/v1',
      kind: 'NodePool',
      metadata: { name: 'gpu', ...(namespace ? { namespace } : {}) },
      spec: { template: { spec: { nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' }, requirements: [] } } },
    });
    expect(validationProblems([pool()])).toEqual([]);
    expect(validationProblems([pool('ml')])).toEqual([
      'NodePool/gpu: metadata.namespace: NodePool is cluster-scoped: namespace "ml" is not allowed on this type [meta/cluster-scoped-namespace]',
    ]);
  });
});

describe('syntax helpers (property tests)', () => {
  test('IANA_SVC_NAME: a valid name is 1..15 chars of [a-z0-9-] with a letter, no leading/trailing/double "-"', () => {
    fc.assert(fc.property(fc.stringMatching(/^[a-z0-9-]{0,20}$/), (s) => {
      const expected = s.length >= 1 && s.length <= 15 && /[a-z]/.test(s) && !s.startsWith('-') && !s.endsWith('-') && !s.includes('--');
      expect(isIanaSvcName(s)).toBe(expected);
    }));
  });

  test('env var names: any non-empty printable ASCII without "="', () => {
    fc.assert(fc.property(fc.string({ maxLength: 12 }), (s) => {
      const expected = s.length > 0 && [...s].every((ch) => ch.charCodeAt(0) >= 0x20 && ch.charCodeAt(0) <= 0x7e && ch !== '=');
      expect(isEnvVarName(s)).toBe(expected);
    }));
  });

  test('qualified names: optional DNS-subdomain prefix, name <= 63', () => {
    expect(isQualifiedName('nvidia.com/gpu')).toBe(true);
    expect(isQualifiedName('app.kubernetes.io/name')).toBe(true);
    expect(isQualifiedName(`${'a'.repeat(63)}`)).toBe(true);
    expect(isQualifiedName(`${'a'.repeat(64)}`)).toBe(false);
    expect(isQualifiedName('Example.com/x')).toBe(false);
    expect(isQualifiedName('/x')).toBe(false);
    expect(isQualifiedName('a/b/c')).toBe(false);
  });

  test('quantities compare exactly (1Gi == 1024Mi, 1 == 1000m, 1.5e3 == 1500)', () => {
    expect(parseQuantity('1Gi')).toBe(parseQuantity('1024Mi'));
    expect(parseQuantity('1')).toBe(parseQuantity('1000m'));
    expect(parseQuantity(1)).toBe(parseQuantity('1'));
    expect(parseQuantity('1.5e3')).toBe(parseQuantity('1500'));
    expect(parseQuantity('1.5 cores')).toBeUndefined();
    fc.assert(fc.property(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 10_000 }), (a, b) => {
      expect((parseQuantity(`${a}m`)! <= parseQuantity(`${b}m`)!)).toBe(a <= b);
    }));
  });
});
