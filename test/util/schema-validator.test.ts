import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  findObject, findObjects, synthAndValidate, validateManifests, validationProblems,
} from '.';
import { describeWithCrds, NEEDS_GLOBAL } from './prerequisites';

// The harness is only worth something if it rejects bad manifests: every "passes"
// test here has a sibling proving the same path fails on a broken input.

function deployment(): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { 'app.kubernetes.io/name': 'web' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'main', image: 'nginx:1.27', ports: [{ containerPort: 8080 }] }] },
      },
    },
  };
}

function nodePool(): any {
  return {
    apiVersion: 'karpenter.sh/v1',
    kind: 'NodePool',
    metadata: { name: 'gpu' },
    spec: {
      weight: 10,
      limits: { 'cpu': '1000', 'nvidia.com/gpu': 8 },
      disruption: { consolidationPolicy: 'WhenEmpty', consolidateAfter: '5m' },
      template: {
        metadata: { labels: { 'cdk8s-ml/pool': 'gpu' } },
        spec: {
          nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' },
          requirements: [{ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] }],
          taints: [{ key: 'nvidia.com/gpu', effect: 'NoSchedule' }],
          expireAfter: '720h',
        },
      },
    },
  };
}

describe('built-in kinds (kubernetes-models OpenAPI)', () => {
  test('a valid Deployment passes', () => {
    expect(validationProblems([deployment()])).toEqual([]);
    expect(() => validateManifests([deployment()])).not.toThrow();
  });

  test('a wrong-typed field fails with object identity and path', () => {
    const bad = deployment();
    bad.spec.replicas = 'three';
    bad.spec.template.spec.containers[0].ports[0].containerPort = '8080';
    expect(validationProblems([bad])).toEqual([
      'Deployment/web: spec.replicas must be integer',
      'Deployment/web: spec.template.spec.containers[0].ports[0].containerPort must be integer',
    ]);
    expect(() => validateManifests([bad])).toThrow(/Deployment\/web: spec\.replicas must be integer/);
  });

  test('a missing required field fails', () => {
    const bad = deployment();
    delete bad.spec.template.spec.containers[0].name;
    expect(validationProblems([bad])).toEqual([
      "Deployment/web: spec.template.spec.containers[0] must have required property 'name'",
    ]);
  });

  test('all problems of all objects are reported in one error', () => {
    const a = deployment();
    a.spec.replicas = -1.5;
    const b = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { key: 42 } };
    let message = '';
    try {
      validateManifests([a, b]);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('Deployment/web: spec.replicas must be integer');
    expect(message).toContain('ConfigMap/cfg: data.key must be string');
  });

  test('metadata.name is required and must be a valid name for the kind', () => {
    const noName = { apiVersion: 'v1', kind: 'ConfigMap', metadata: {} };
    expect(validationProblems([noName])).toEqual(['ConfigMap/<no name>: metadata.name is required']);
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: '1-Web' }, spec: { ports: [{ port: 80 }] } };
    expect(validationProblems([svc])).toEqual(['Service/1-Web: metadata.name "1-Web" must be a DNS-1035 label (Service)']);
    const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'cdk8s-ml:reader' }, rules: [] };
    expect(validationProblems([role])).toEqual([]);
  });

  test('labels and selectors are checked like the API server does', () => {
    const bad = deployment();
    bad.metadata.labels.version = 'x'.repeat(64);
    bad.spec.selector.matchLabels.app = 'other';
    expect(validationProblems([bad])).toEqual([
      expect.stringMatching(/^Deployment\/web: metadata\.labels: label value "x{64}" for "version" is invalid/),
      'Deployment/web: spec.selector does not match spec.template.metadata.labels',
    ]);
  });

  test('an unknown kind fails unless allowed', () => {
    const widget = { apiVersion: 'apps/v1', kind: 'Widget', metadata: { name: 'w' } };
    expect(validationProblems([widget])).toEqual(['Widget/w: no schema: apps/v1 Widget is not a GA built-in kind']);
    expect(validationProblems([widget], { allowUnknownKinds: ['Widget'] })).toEqual([]);
    expect(validationProblems([widget], { allowUnknownKinds: ['apps/v1/Widget'] })).toEqual([]);
    expect(validationProblems([widget], { allowUnknownKinds: ['apps/v2/Widget'] })).toHaveLength(1);
  });

  test('removed API versions fail even though kubernetes-models still ships their schema', () => {
    const ingress = { apiVersion: 'extensions/v1beta1', kind: 'Ingress', metadata: { name: 'i' }, spec: {} };
    expect(validationProblems([ingress])).toEqual(['Ingress/i: no schema: extensions/v1beta1 Ingress is not a GA built-in kind']);
  });
});

// Compiling the KubeRay/Kubeflow schemas (~1 MB of YAML each) takes ~1 s alone, more under a loaded parallel run.
const COMPILE_TIMEOUT = 30_000;

describeWithCrds('custom resources (CRDs in ../shared/crds)', () => {
  test('an unknown CRD kind fails unless allowed', () => {
    const widget = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } };
    expect(validationProblems([widget])).toEqual([expect.stringMatching(/^Widget\/w: no schema: no CRD for example\.com Widget in /)]);
    expect(validationProblems([widget], { allowUnknownKinds: ['example.com/v1/Widget'] })).toEqual([]);
  });

  test('a valid Karpenter NodePool (karpenter.sh/v1) passes', () => {
    expect(validationProblems([nodePool()])).toEqual([]);
  });

  test('a NodePool with bad fields fails, each named by path', () => {
    const bad = nodePool();
    bad.spec.weight = 101;
    bad.spec.disruption.consolidationPolicy = 'Sometimes';
    bad.spec.limits.cpu = '1.5 cores';
    bad.spec.template.spec.requirements[0].operator = 'Matches';
    const problems = validationProblems([bad]);
    expect(problems).toEqual(expect.arrayContaining([
      'NodePool/gpu: spec.weight must be <= 100',
      'NodePool/gpu: spec.disruption.consolidationPolicy must be equal to one of the allowed values: ["WhenEmpty","WhenEmptyOrUnderutilized","Balanced"]',
      expect.stringMatching(/^NodePool\/gpu: spec\.limits\.cpu must match pattern/),
      expect.stringMatching(/^NodePool\/gpu: spec\.template\.spec\.requirements\[0\]\.operator must be equal to one of the allowed values/),
    ]));
    expect(() => validateManifests([bad])).toThrow(/NodePool\/gpu: spec\.weight must be <= 100/);
  });

  test('a NodePool missing a required field fails', () => {
    const bad = nodePool();
    delete bad.spec.template.spec.nodeClassRef;
    expect(validationProblems([bad])).toEqual(["NodePool/gpu: spec.template.spec must have required property 'nodeClassRef'"]);
  });

  test('undeclared fields fail (the API server would prune or reject them) unless allowUnknownFields', () => {
    const bad = nodePool();
    bad.spec.template.spec.nodeClass = 'default';
    expect(validationProblems([bad])).toEqual(['NodePool/gpu: spec.template.spec must NOT have additional properties "nodeClass"']);
    expect(validationProblems([bad], { allowUnknownFields: true })).toEqual([]);
  });

  test('CRD versions are matched exactly', () => {
    const old = { ...nodePool(), apiVersion: 'karpenter.sh/v1beta1' };
    expect(validationProblems([old])).toEqual(['NodePool/gpu: no schema: CRD karpenter.sh NodePool has no version v1beta1 (has v1)']);
    const vpa = { apiVersion: 'autoscaling.k8s.io/v1beta2', kind: 'VerticalPodAutoscaler', metadata: { name: 'v' }, spec: {} };
    expect(validationProblems([vpa])).toEqual([expect.stringMatching(/^VerticalPodAutoscaler\/v: CRD autoscaling\.k8s\.io VerticalPodAutoscaler version v1beta2 is not served/)]);
    const ray = { apiVersion: 'ray.io/v1alpha1', kind: 'RayCluster', metadata: { name: 'rc' }, spec: { headGroupSpec: 'x' } };
    expect(validationProblems([ray])).toEqual(['RayCluster/rc: CRD ray.io RayCluster version v1alpha1 is deprecated (use v1)']);
    // Opting in validates against the deprecated version's own schema.
    expect(validationProblems([ray], { allowDeprecatedVersions: true })).toEqual([expect.stringMatching(/^RayCluster\/rc: spec\.headGroupSpec must be object/)]);
  }, COMPILE_TIMEOUT);

  test('Go RE2 inline flags in CRD patterns work: PrometheusRule (?i) partial_response_strategy', () => {
    const rule = (strategy: string) => ({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { name: 'r' },
      spec: { groups: [{ name: 'g', partial_response_strategy: strategy, rules: [{ alert: 'A', expr: 'up == 0', for: '5m' }] }] },
    });
    expect(validationProblems([rule('WARN')])).toEqual([]);
    expect(validationProblems([rule('ignore')])).toEqual([expect.stringMatching(/partial_response_strategy must match pattern/)]);
  });

  test('large CRDs with embedded pod templates compile and validate (PyTorchJob)', () => {
    const job = (replicas: unknown) => ({
      apiVersion: 'kubeflow.org/v1',
      kind: 'PyTorchJob',
      metadata: { name: 'train' },
      spec: {
        pytorchReplicaSpecs: {
          Master: { replicas, template: { spec: { containers: [{ name: 'pytorch', image: 'trainer:v1' }] } } },
        },
      },
    });
    expect(validationProblems([job(1)])).toEqual([]);
    expect(validationProblems([job('one')])).toEqual(['PyTorchJob/train: spec.pytorchReplicaSpecs.Master.replicas must be integer']);
  }, COMPILE_TIMEOUT);
});

describe('CRD folder location', () => {
  type Validator = typeof import('./schema-validator');
  const saved = process.env.CDK8S_ML_CRDS_DIR;
  afterEach(() => {
    if (saved === undefined) delete process.env.CDK8S_ML_CRDS_DIR;
    else process.env.CDK8S_ML_CRDS_DIR = saved;
    jest.restoreAllMocks();
  });

  // CRDS_DIR is fixed at load time, so each case loads a fresh copy of the module.
  function loadWith(dir: string): Validator {
    process.env.CDK8S_ML_CRDS_DIR = dir;
    let mod: Validator | undefined;
    jest.isolateModules(() => {
      mod = jest.requireActual<Validator>('./schema-validator');
    });
    return mod!;
  }

  test('absent or empty: a test that validates a custom resource is marked as needing CRDs; built-ins are still validated', () => {
    const missing = path.join(os.tmpdir(), 'cdk8s-ml-no-such-crds-dir');
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-ml-empty-crds-'));
    const g = globalThis as Record<string, unknown>;
    const savedCi = process.env.CI;
    delete process.env.CI;
    try {
      for (const dir of [missing, empty]) {
        const v = loadWith(dir);
        expect(v.CRDS_DIR).toBe(dir);
        expect(v.crdsAvailable()).toBe(false);
        const bad = deployment();
        bad.spec.replicas = 'x';
        // Built-ins only: nothing is needed.
        expect(v.validationProblems([bad])).toEqual(['Deployment/web: spec.replicas must be integer']);
        expect(g[NEEDS_GLOBAL]).toBeUndefined();
        // A custom resource cannot be validated: the test is flagged (the jest environment then reports it skipped).
        expect(v.validationProblems([nodePool(), { ...nodePool(), metadata: { name: 'other' }, spec: 'not even an object' }, bad])).toEqual([
          'Deployment/web: spec.replicas must be integer',
        ]);
        expect([...(g[NEEDS_GLOBAL] as Set<string>)]).toEqual(['crds']);
        g[NEEDS_GLOBAL] = undefined; // this test itself must still run and count
        // Built-in groups never count as CRD-backed, so they still fail without the folder.
        expect(v.validationProblems([{ apiVersion: 'apps/v1', kind: 'Widget', metadata: { name: 'w' } }])).toHaveLength(1);
      }
      // Under CI=true nothing is skipped: the missing folder is an error.
      process.env.CI = 'true';
      expect(() => loadWith(missing).validationProblems([nodePool()])).toThrow(/CI=true but official CRDs not found: set CDK8S_ML_CRDS_DIR/);
    } finally {
      if (savedCi === undefined) delete process.env.CI;
      else process.env.CI = savedCi;
      g[NEEDS_GLOBAL] = undefined;
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  test('overridden by CDK8S_ML_CRDS_DIR; multi-document files are indexed; unserved versions fail', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-ml-crds-'));
    const crd = (kind: string, versions: string) => [
      'apiVersion: apiextensions.k8s.io/v1',
      'kind: CustomResourceDefinition',
      `metadata: { name: ${kind.toLowerCase()}s.example.com }`,
      'spec:',
      '  group: example.com',
      `  names: { kind: ${kind}, plural: ${kind.toLowerCase()}s }`,
      '  scope: Namespaced',
      `  versions: ${versions}`,
    ].join('\n');
    const schema = '{ type: object, properties: { spec: { type: object, properties: { size: { type: integer, format: int32 } } } } }';
    fs.writeFileSync(path.join(dir, 'example.yaml'), [
      crd('Widget', `[{ name: v1, served: true, storage: true, schema: { openAPIV3Schema: ${schema} } },`
        + ` { name: v1beta1, served: false, storage: false, schema: { openAPIV3Schema: ${schema} } }]`),
      crd('Gadget', `[{ name: v1, served: true, storage: true, schema: { openAPIV3Schema: ${schema} } }]`),
    ].join('\n---\n'));
    try {
      const v = loadWith(dir);
      expect(v.crdsAvailable()).toBe(true);
      const obj = (kind: string, apiVersion: string, size: unknown) => ({ apiVersion, kind, metadata: { name: 'x' }, spec: { size } });
      expect(v.validationProblems([obj('Widget', 'example.com/v1', 3), obj('Gadget', 'example.com/v1', 4)])).toEqual([]);
      expect(v.validationProblems([obj('Gadget', 'example.com/v1', 2 ** 31)])).toEqual(['Gadget/x: spec.size must match format "int32"']);
      expect(v.validationProblems([obj('Widget', 'example.com/v1beta1', 3)])).toEqual([
        'Widget/x: CRD example.com Widget version v1beta1 is not served (example.yaml)',
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('synthAndValidate with cdk8s-plus-27', () => {
  function plusChart(): Chart {
    const chart = new Chart(Testing.app(), 'test');
    new kplus.Deployment(chart, 'web', { containers: [{ image: 'nginx:1.27', portNumber: 8080 }] });
    return chart;
  }

  test('a plain cdk8s-plus-27 Deployment passes the schema', () => {
    const manifests = synthAndValidate(plusChart(), { skipPodSecurity: true });
    expect(findObject(manifests, 'Deployment').spec.template.spec.containers[0].image).toBe('nginx:1.27');
    expect(() => validateManifests(manifests)).not.toThrow();
  });

  test('but the restricted profile is enforced by default (cdk8s-plus-27 sets no seccompProfile)', () => {
    expect(() => synthAndValidate(plusChart())).toThrow(/pod security: Deployment\/test-web-\w+: .*seccompProfile/);
  });
});

describe('findObject / findObjects', () => {
  const manifests = [
    deployment(),
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web-headless-c8abc123' } },
  ];

  test('find by kind, by apiVersion/kind, by name and by RegExp', () => {
    expect(findObject(manifests, 'Deployment').metadata.name).toBe('web');
    expect(findObject(manifests, 'apps/v1/Deployment', 'web').kind).toBe('Deployment');
    expect(findObject(manifests, 'Service', /^web-headless-/).metadata.name).toBe('web-headless-c8abc123');
    expect(findObjects(manifests, 'Service')).toHaveLength(2);
  });

  test('findObjects returns [] when there are none (tests assert absence with it)', () => {
    expect(findObjects(manifests, 'HorizontalPodAutoscaler')).toEqual([]);
  });

  test('findObject throws a clear error when absent or ambiguous', () => {
    expect(() => findObject(manifests, 'Deployment', 'api')).toThrow('No Deployment api in manifests (Deployment objects: web; kinds present: Deployment, Service)');
    expect(() => findObject(manifests, 'Ingress')).toThrow(/No Ingress in manifests/);
    expect(() => findObject(manifests, 'Service')).toThrow('2 objects match Service (web, web-headless-c8abc123); pass a name to pick one');
  });
});

describe('duplicate objects', () => {
  test('two objects of one kind, namespace and name are a problem; other namespaces or kinds are not', () => {
    const a = { ...deployment(), metadata: { name: 'web', namespace: 'ml' } };
    const b = { ...deployment(), metadata: { name: 'web', namespace: 'ml' } };
    const otherNamespace = { ...deployment(), metadata: { name: 'web', namespace: 'prod' } };
    expect(validationProblems([a, b])).toEqual([
      "Deployment/web: 2 objects share this kind, namespace ('ml') and name; only one would exist in the cluster",
    ]);
    expect(validationProblems([a, otherNamespace])).toEqual([]);
    // Cluster-scoped kinds clash whatever namespace a chart stamped on them.
    const pc = (namespace: string) => ({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'ml', namespace }, value: 1 });
    expect(validationProblems([pc('a'), pc('b')])).toEqual([
      expect.stringMatching(/^PriorityClass\/ml: metadata\.namespace: .*\[meta\/cluster-scoped-namespace\]$/),
      expect.stringMatching(/^PriorityClass\/ml: metadata\.namespace: .*\[meta\/cluster-scoped-namespace\]$/),
      "PriorityClass/ml: 2 objects share this kind, namespace ('') and name; only one would exist in the cluster",
    ]);
    expect(() => validateManifests([a, b])).toThrow(/only one would exist/);
  });
});
