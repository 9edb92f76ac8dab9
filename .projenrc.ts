import { cdk8s, javascript } from 'projen';
import { UpdateSnapshot } from 'projen/lib/javascript';

const project = new cdk8s.ConstructLibraryCdk8s({
  name: 'cdk8s-ml',
  packageName: 'cdk8s-ml',
  description: 'Production ML on Kubernetes as typed, secure-by-default cdk8s constructs: model serving, distributed training, delivery, capacity and observability.',
  author: 'cdk8s-ml',
  authorAddress: 'dev@cdk8s-ml.local',
  repositoryUrl: 'https://example.invalid/cdk8s-ml.git',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  keywords: ['cdk8s', 'kubernetes', 'ml', 'mlops', 'gpu', 'model-serving', 'training'],

  // projen's default is cdk8s 1.x; pin the 2.x line we build and test against.
  cdk8sVersion: '2.70.106',
  constructsVersion: '10.3.0',
  jsiiVersion: '~6.0.0',
  peerDeps: ['cdk8s-plus-27@^2.9.5'],
  devDeps: [
    '@types/node@^20',
    'cdk8s-cli@^2.207.0',
    // 4.5.x, not 5.x: 5.x is ESM-only (import-only "exports"), which jest in
    // CommonJS mode (ts-jest, as projen configures it) cannot require. 4.5.x ships
    // CommonJS builds of the same generated schemas and validators.
    'kubernetes-models@~4.5.1',
    'ajv@^8.17.0',
    'ajv-formats@^3.0.1',
    'fast-check@^3.23.0',
    // CEL for the CRDs' x-kubernetes-validations rules in test/util: CommonJS build
    // (jest loads it), parses every rule in the official CRDs, RE2 regexes like the
    // API server's; @bufbuild/re2 also backs the Kubernetes regex library (find).
    '@bufbuild/cel@^0.6.1',
    '@bufbuild/protobuf@^2.6.2',
    // test/util/jest-environment.ts extends it (reports tests missing CRDs/promtool as skipped).
    'jest-environment-node@^30',
  ],

  // Grafana's own typed builders for dashboards and PromQL. Not jsii packages, so
  // they are bundled into ours and never appear in the public API.
  bundledDeps: ['@grafana/grafana-foundation-sdk@0.0.21', '@grafana/promql-builder@0.0.6',
    // YAML 1.1 parsing for the `cdk8s-ml` CLI and the validation plugin (reads any
    // manifests, Helm output included); the tests use it too.
    'yaml@^2.6.0',
    // Validation at synth (src/core/validation.ts): Prometheus regexes as RE2, the
    // RE2 engine @bufbuild/cel also uses; user PromQL (KEDA queries, panels) parsed with
    // the Prometheus project's own grammar, loaded on first use (CommonJS build, so jest
    // loads it); tests parse every rendered expression with it too.
    '@bufbuild/re2@^0.6.1',
    '@prometheus-io/lezer-promql@^0.315.0',
    '@lezer/lr@^1.4.0',
    '@lezer/highlight@^1.2.0'],

  // `npx cdk8s-ml check|report|diagram <files|dirs>`, run from the compiled lib/.
  bin: { 'cdk8s-ml': 'bin/cdk8s-ml' },

  // No hosted CI, no release machinery: .ci/run is the only pipeline.
  github: false,
  release: false,
  buildWorkflow: false,
  depsUpgrade: false,
  pullRequestTemplate: false,
  // jsii-diff against a published version: nothing is published yet.
  compat: false,
  docgen: true,

  jestOptions: {
    // Snapshots never update silently; developers run `npx projen test -u`.
    updateSnapshot: UpdateSnapshot.NEVER,
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      // Coverage of src/ only; examples are exercised by test/examples.test.ts.
      collectCoverage: false,
      // Without the official CRDs or promtool (fresh clone), tests that need them are
      // reported as skipped and the run ends with one line saying how to get them.
      testEnvironment: '<rootDir>/test/util/jest-environment.ts',
      globalSetup: '<rootDir>/test/util/jest-global-setup.ts',
      globalTeardown: '<rootDir>/test/util/jest-global-teardown.ts',
    },
  },
  tsconfigDev: {
    compilerOptions: {},
    include: ['../examples/**/*.ts'],
  },
  // jest transpiles only (fast); the test task type-checks tests with tsc first.
  typecheckTests: true,
  // eslint in the test task only checks: a CI run must never rewrite sources.
  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test', 'examples', 'projenrc', '.projenrc.ts'],
    commandOptions: { fix: false },
  },
  gitignore: ['/examples/dist/', '/.tools/', '/test-reports/', '/coverage/'],
});

// Every example app in examples/*.ts synthesizes into examples/dist/<chart>.k8s.yaml.
project.addTask('synth:examples', {
  description: 'Synthesize every example app in examples/ into examples/dist/',
  env: { CDK8S_CHECK_UPGRADE: 'false' },
  steps: [{ exec: 'cdk8s synth', cwd: 'examples' }],
});

// promtool (Debian's prometheus package, binary only) for the observability tests.
project.addTask('tools:promtool', {
  description: 'Fetch promtool from Debian into .tools/ (binary only, no server)',
  steps: [{ exec: 'bash scripts/fetch-promtool.sh' }],
});

// The official CRDs the tests validate against, for machines without ../shared/crds:
// pinned upstream files checked by sha256, into .tools/crds (needs internet).
project.addTask('crds:fetch', {
  description: 'Fetch the official CRDs (pinned upstream URLs + sha256) into .tools/crds/',
  steps: [{ exec: 'ts-node --project projenrc/tsconfig.json test/util/fetch-crds.ts' }],
});

project.addPackageIgnore('/examples/');
project.addPackageIgnore('/.ci/');
project.addPackageIgnore('/.tools/');
project.addPackageIgnore('/scripts/');

project.synth();
