import { cdk8s, javascript } from 'projen';
import { Stability } from 'projen/lib/cdk';
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
  // 0.x and experimental until the API settles: minor releases may break it
  // (CHANGELOG.md says how); jsii marks every binding experimental too.
  stability: Stability.EXPERIMENTAL,

  // Peer ranges start at the lowest versions the library works with, proven by
  // `npx projen test:peers` (scripts/peer-floor.sh: every example type-checks and
  // synthesizes byte-identically with exactly these). cdk8s-plus-27 below 2.9.0
  // silently drops container `capabilities` (no drop: ALL, so not restricted);
  // 2.9.0 itself needs cdk8s ^2.68.11 (2.68.12 is the lowest the registry serves)
  // and constructs ^10.3.0. We develop against the newest versions in devDeps.
  cdk8sVersion: '2.68.12',
  constructsVersion: '10.3.0',
  peerDependencyOptions: { pinnedDevDependency: false },
  jsiiVersion: '~6.0.0',
  // The assembly ships gzipped (.jsii is a redirect to .jsii.gz, which every jsii tool
  // follows): its JSON pretty-printed cost ~17 KB more of the tarball.
  compressAssembly: true,
  // The line jsii 6.0 compiles with, and one ts-node runs on (the examples' runner):
  // TypeScript 7 is a native compiler without the JavaScript API ts-node needs.
  typescriptVersion: '~6.0.3',
  peerDeps: ['cdk8s-plus-27@^2.9.0'],
  devDeps: [
    'cdk8s@2.70.106',
    'cdk8s-plus-27@2.9.5',
    'constructs@10.3.0',
    '@types/node@^20',
    'cdk8s-cli@^2.207.0',
    // 4.5.x, not 5.x: 5.x is ESM-only (import-only "exports"), which jest in
    // CommonJS mode (ts-jest, as projen configures it) cannot require. 4.5.x ships
    // CommonJS builds of the same generated schemas and validators.
    'kubernetes-models@~4.5.1',
    'ajv@^8.17.0',
    'ajv-formats@^3.0.1',
    'fast-check@^3.23.0',
    'yaml@^2.6.0',
    '@types/js-yaml@^4.0.9',
    // JMESPath (the language of Kyverno conditions): platform tests evaluate the image
    // policy's vulnerability condition on sample cosign-vuln attestations.
    'jmespath@^0.16.0',
    '@types/jmespath@^0.15.2',
    // CEL for the CRDs' x-kubernetes-validations rules in test/util: CommonJS build
    // (jest loads it), parses every rule in the official CRDs, RE2 regexes like the
    // API server's; @bufbuild/re2 also backs the Kubernetes regex library (find).
    '@bufbuild/cel@^0.6.1',
    '@bufbuild/protobuf@^2.6.2',
    // test/util/jest-environment.ts extends it (reports tests missing CRDs/promtool as skipped).
    'jest-environment-node@^30',
    '@grafana/grafana-foundation-sdk@0.0.21',
    // Grafana's own typed builders for dashboards and PromQL. Not jsii packages, so
    // they never appear in the public API. Of the foundation SDK only the modules
    // lib/ uses ship, bundled into lib/vendor by `compile` (scripts/bundle-lib.js).
    '@grafana/promql-builder@0.0.6',
    // YAML parsing for the `cdk8s-ml` CLI and the validation plugin (any manifests,
    // Helm output included): js-yaml reads 6 MiB of manifests in ~0.2 s where the
    // `yaml` package takes ~2 s, and the policy commands must stay under 2 s.
    'js-yaml@^4.1.0',
    // Validation at synth (src/core/validation.ts): Prometheus regexes as RE2, the
    // RE2 engine @bufbuild/cel also uses; user PromQL (KEDA queries, panels) parsed with
    // the Prometheus project's own grammar, loaded on first use (CommonJS build, so jest
    // loads it); tests parse every rendered expression with it too.
    '@bufbuild/re2@^0.6.1',
    '@prometheus-io/lezer-promql@^0.315.0',
    '@lezer/lr@^1.4.0',
    '@lezer/highlight@^1.2.0',
    // The runtime dependencies above are devDependencies: `compile` bundles what lib/
    // uses of them, and lib/ itself, with esbuild (scripts/bundle-lib.js), so the
    // package has no dependencies besides its peers.
    'esbuild@^0.28.2',
  ],

  // `npx cdk8s-ml check|report|diagram <files|dirs>`, run from the compiled lib/.
  bin: { 'cdk8s-ml': 'bin/cdk8s-ml' },

  // No hosted CI, no release machinery: .ci/run is the only pipeline.
  github: false,
  release: false,
  buildWorkflow: false,
  depsUpgrade: false,
  pullRequestTemplate: false,
  // The five jsii languages. .ci/run generates every binding code-only (offline,
  // `bindings` task); building and publishing packages needs each registry's
  // toolchain and credentials (`npx projen package-all`), which CI does not have.
  publishToPypi: { distName: 'cdk8s-ml', module: 'cdk8s_ml' },
  publishToMaven: {
    javaPackage: 'io.github.cdk8s_ml',
    mavenGroupId: 'io.github.cdk8s-ml',
    mavenArtifactId: 'cdk8s-ml',
  },
  publishToNuget: { dotNetNamespace: 'Cdk8sMl', packageId: 'Cdk8sMl' },
  publishToGo: { moduleName: 'github.com/cdk8s-ml/cdk8s-ml-go', packageName: 'cdk8sml' },
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
      // The examples import 'cdk8s-ml' as users do; under jest that is the sources
      // (fresh, no compile needed), under `cdk8s synth` the compiled lib/ (exports).
      moduleNameMapper: { '^cdk8s-ml$': '<rootDir>/src' },
    },
  },
  // No inline source maps in lib/: they doubled every .js file (half the tarball)
  // and cost every user ~15 ms of parsing at import. Stack traces still name lib/
  // files and lines; the sources are in the repository.
  tsconfig: { compilerOptions: { inlineSourceMap: false, inlineSources: false } },
  tsconfigDev: {
    // Type-check the examples' `import ... from 'cdk8s-ml'` against src/, like jest.
    compilerOptions: { paths: { 'cdk8s-ml': ['../src/index.ts'] } },
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
  // node_modules without a slash also covers a symlinked node_modules (git worktrees).
  gitignore: ['/examples/dist/', '/.tools/', '/test-reports/', '/coverage/', 'node_modules', '/.jsii.gz'],
});

// The package's entry points. "exports" also lets the examples import 'cdk8s-ml'
// by name from inside the package (Node's self-reference), exactly as users write
// it; package.json and .jsii stay reachable for jsii tooling of dependants.
project.package.addField('exports', {
  '.': { types: './lib/index.d.ts', default: './lib/index.js' },
  './package.json': './package.json',
  './.jsii': './.jsii',
});

// Every example app in examples/*.ts synthesizes into examples/dist/<chart>.k8s.yaml,
// from the compiled library: compile first only when lib/ is missing or older than
// a source file (ts-node then transpiles the examples alone).
project.addTask('synth:examples', {
  description: 'Synthesize every example app in examples/ into examples/dist/ (compiles lib/ when stale)',
  env: { CDK8S_CHECK_UPGRADE: 'false' },
  steps: [
    {
      spawn: 'compile',
      condition: 'node scripts/lib-stale.js',
    },
    { exec: 'cdk8s synth', cwd: 'examples' },
  ],
});

// After jsii: lib/ into chunks loaded on first require (lib/index.js, lib/chunks: a
// dozen reads at most instead of ~230 requires), and each third-party module lib/ uses
// into lib/vendor/, loaded on first use (of the Grafana SDK only the dashboard v1
// builders); the tarball ships those, the declarations lib/index.d.ts reaches and
// .jsii (scripts/bundle-lib.js). synth:examples and the bindings see the same lib/.
project.compileTask.exec('node scripts/bundle-lib.js');
// Only these files require the bundled modules, on first use (devDependencies: lib/
// requires the copies in lib/vendor).
project.eslint?.addOverride({
  files: [
    'src/observability/dashboards/dashboard-builder.ts', 'src/observability/dashboards/panel-visualizations.ts',
    'src/observability/promql.ts', 'src/core/validation.ts', 'src/policy/manifest-files.ts',
  ],
  rules: { 'import/no-extraneous-dependencies': ['error', { devDependencies: true, optionalDependencies: false, peerDependencies: true }] },
});

// The Python, Java, .NET and Go bindings, code only: jsii-pacmak generates each
// language's sources from .jsii without its toolchain or any registry (checked with
// the network unshared), and the Python is byte-compiled so a syntax error fails the
// build. `package` runs it after package:js, locally and in CI alike; the full
// per-language packages (`package-all`) need Maven, dotnet, Go and twine.
const bindings = project.addTask('bindings', {
  description: 'Generate the Python, Java, .NET and Go bindings code-only into dist/bindings/ (offline)',
  steps: [
    { exec: 'jsii-pacmak --code-only --force --target python --target java --target dotnet --target go -o dist/bindings' },
    { exec: 'python3 -m compileall -q dist/bindings/python/src' },
  ],
});
project.packageTask.reset();
project.packageTask.spawn(project.tasks.tryFind('package:js')!);
project.packageTask.spawn(bindings);

// Every @example and README ```ts block compiles against the built assembly and
// translates to the four other languages (issue #16): --strict fails the build on
// any snippet that does not. Fixtures are in rosetta/ (default.ts-fixture: each
// @example is a chart constructor's body). Runs first in post-compile, so `build`
// (and .ci/run) catches a rotten example before docgen and package (pacmak reads the
// tablet .jsii.tabl.json it writes from the repository, so it is neither tracked in git nor
// shipped: ~85 KB of the tarball that only pacmak, run here, reads).
const rosetta = project.addTask('rosetta', {
  description: 'Compile and translate every @example and README snippet with jsii-rosetta --strict (run compile first)',
  steps: [{ exec: 'jsii-rosetta extract --strict' }],
});
project.postCompileTask.prependSpawn(rosetta);
project.gitignore.addPatterns('/.jsii.tabl.json');
project.addPackageIgnore('/.jsii.tabl.json');

// promtool (Debian's prometheus package, binary only) for the observability tests.
project.addTask('tools:promtool', {
  description: 'Fetch promtool from Debian into .tools/ (binary only, no server)',
  steps: [{ exec: 'bash scripts/fetch-promtool.sh' }],
});

// Import, synth and tarball cost against cdk8s-plus-27 (a benchmark, not a test).
project.addTask('bench', {
  description: 'Import and synth time vs cdk8s-plus-27, and tarball size, of the compiled lib/ (run compile first)',
  steps: [{ exec: 'ts-node --transpile-only --project projenrc/tsconfig.json scripts/bench-import.ts' }],
});

// The peer ranges' floors, proven (not part of `test`: it installs from the registry).
project.addTask('test:peers', {
  description: 'Install the lowest declared peer versions into a temporary project and synthesize every example there (needs the npm registry)',
  steps: [{ exec: 'bash scripts/peer-floor.sh' }],
});

// The official CRDs the tests validate against, for machines without ../shared/crds:
// pinned upstream files checked by sha256, into .tools/crds (needs internet).
project.addTask('crds:fetch', {
  description: 'Fetch the official CRDs (pinned upstream URLs + sha256) into .tools/crds/',
  steps: [{ exec: 'ts-node --project projenrc/tsconfig.json test/util/fetch-crds.ts' }],
});

// Without a release workflow projen writes 0.0.0; the version is ours to set, and
// CHANGELOG.md records what each one brings.
project.package.addVersion('0.1.0');

// API.md is for the repository (README links to it); Construct Hub renders its own.
project.addPackageIgnore('/API.md');
project.addPackageIgnore('/examples/');
project.addPackageIgnore('/.ci/');
project.addPackageIgnore('/.tools/');
project.addPackageIgnore('/scripts/');
project.addPackageIgnore('/rosetta/');
// lib/ ships as bundled by scripts/bundle-lib.js: not jsii's one file per module.
project.addPackageIgnore('/lib/**/*.js');
project.addPackageIgnore('!/lib/index.js');
project.addPackageIgnore('!/lib/chunks/**');
project.addPackageIgnore('!/lib/vendor/**');

project.synth();
