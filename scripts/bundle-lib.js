// Part of `compile`, after jsii: what ships of lib/.
//
// - lib/index.js (the package's "main") and lib/chunks/: jsii's ~230 CommonJS modules,
//   one chunk file per directory, loaded by lib/index.js when one of their modules is
//   first required (writeChunks below says why and how). Requiring ~230 files cost a
//   resolve, a read and a compile each: most of what `require('cdk8s-ml')` took. The
//   code is jsii's output unchanged (classes keep their names and their
//   `Symbol.for('jsii.rtti')` metadata), each module run once, when first required; the
//   exports are checked equal to jsii's lib/index.js below. Its modules run when the app
//   first reads one of their exports (lazyEntry below); the `cdk8s-ml` bin runs
//   lib/policy/cli.js through the same loader.
// - lib/vendor/*.js: each third-party module lib/ requires (js-yaml, RE2, the PromQL
//   grammar, Grafana's PromQL builder and foundation SDK) bundled alone, required on
//   first use only, so they are devDependencies and the package has no dependencies but
//   its peers. Their licenses beside them.
// - lib/**/*.d.ts: the declarations lib/index.d.ts reaches, the only ones a user can
//   import (the package exports '.' alone); jsii's others (internal modules) are deleted.
//   lib/vendor/types/: the PromQL builder's declarations, which internal members' types
//   of reachable declarations name.
// jsii's lib/**/*.js stay for the tests and tools that read them; .npmignore keeps
// them out of the tarball. The chunks are not minified beyond whitespace, so stack
// traces still name our functions.
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const esbuild = require('esbuild');

const root = path.join(__dirname, '..');
const libDir = path.join(root, 'lib');
const vendor = path.join(libDir, 'vendor');
const pkg = require(path.join(root, 'package.json'));
const peers = Object.keys(pkg.peerDependencies ?? {});
// Node 18 is the oldest the peers (cdk8s 2.x, cdk8s-plus-27) run on.
const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node18', keepNames: true, logLevel: 'warning', legalComments: 'none' };

fs.rmSync(vendor, { recursive: true, force: true });
fs.mkdirSync(vendor, { recursive: true });

// Third-party modules lib/ requires (by name, always lazily) -> their bundle in lib/vendor.
const thirdParty = {
  'js-yaml': 'js-yaml.js',
  '@bufbuild/re2': 're2.js',
  '@prometheus-io/lezer-promql': 'lezer-promql.js',
  '@grafana/promql-builder': 'promql-builder.js',
};
const licensesOf = {
  'js-yaml': ['js-yaml', 'argparse'],
  '@bufbuild/re2': ['@bufbuild/re2'],
  '@prometheus-io/lezer-promql': ['@prometheus-io/lezer-promql', '@lezer/lr', '@lezer/common', '@lezer/highlight'],
  '@grafana/promql-builder': [],
};
const pkgDir = name => path.dirname(require.resolve(`${name}/package.json`, { paths: [root] }));
// Of these, lib/ uses only the named exports (src/core/validation.ts): bundled from their
// ES module builds, so esbuild leaves out the rest (the grammar's highlighting, ~6 KB
// of the tarball). test/observability/lazy-load.test.ts runs both from the bundle.
const onlyExports = {
  '@bufbuild/re2': ['RE2JS'],
  '@prometheus-io/lezer-promql': ['parser'],
};
for (const [name, file] of Object.entries(thirdParty)) {
  const entry = onlyExports[name]
    ? { stdin: { contents: `export { ${onlyExports[name].join(', ')} } from ${JSON.stringify(name)};`, resolveDir: root } }
    : { entryPoints: [require.resolve(name, { paths: [root] })] };
  esbuild.buildSync({ ...common, ...entry, outfile: path.join(vendor, file), minify: true });
  for (const dep of licensesOf[name]) {
    let dir;
    try { dir = pkgDir(dep); } catch { dir = path.dirname(path.dirname(require.resolve(dep, { paths: [root] }))); }
    const license = fs.readdirSync(dir).find(f => /^licen[cs]e/i.test(f));
    if (license) fs.copyFileSync(path.join(dir, license), path.join(vendor, `LICENSE-${dep.replace('/', '-').replace('@', '')}`));
  }
}
// The licenses of what lib/vendor/grafana-foundation-sdk.js bundles (below): the SDK
// (it exports no ./package.json: found from a module it does export) and tslib, its one
// dependency.
const sdkDir = path.dirname(path.dirname(path.dirname(require.resolve('@grafana/grafana-foundation-sdk/cog', { paths: [root] }))));
fs.copyFileSync(path.join(sdkDir, 'LICENSE'), path.join(vendor, 'LICENSE-grafana-foundation-sdk'));
fs.copyFileSync(path.join(path.dirname(require.resolve('tslib/package.json', { paths: [sdkDir] })), 'LICENSE.txt'), path.join(vendor, 'LICENSE-tslib'));
// @grafana/promql-builder ships no license file; it is Apache-2.0 (its package.json),
// the license of the Grafana SDK.
fs.writeFileSync(path.join(vendor, 'LICENSE-grafana-promql-builder'),
  '@grafana/promql-builder (https://github.com/grafana/promql-builder) is licensed under the\n' +
  'Apache License 2.0, whose text is in LICENSE-grafana-foundation-sdk beside this file.\n');

const walk = dir => fs.readdirSync(dir, { withFileTypes: true }).flatMap(e =>
  e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]);
// jsii's output: lib/ but what this script writes (lib/vendor, lib/chunks of a previous build).
const chunks = path.join(libDir, 'chunks');
const ours = walk(libDir).filter(f => !f.startsWith(vendor + path.sep) && !f.startsWith(chunks + path.sep));

// The Grafana foundation SDK modules lib/ requires (`@grafana/grafana-foundation-sdk/<module>`,
// lazily: src/observability/lazy-module.ts), bundled into one file exporting each module
// by name. lib/ builds dashboards with the v1 builders only (the schema Grafana imports
// as JSON). The SDK's dashboard v2 builders, which every panel and query module exports
// beside its v1 builders (each one a file that requires ../dashboardv2 or
// ../dashboardv2beta1), stay out with the v2 modules: in the bundle each is a stand-in
// that exports nothing and refuses any use by name. That is most of the SDK's weight.
const sdkName = '@grafana/grafana-foundation-sdk';
const sdkRef = new RegExp(`require\\((['"])${sdkName.replace('/', '\\/')}\\/([a-z0-9]+)\\1\\)`, 'g');
const sdkModules = [...new Set(ours.filter(f => f.endsWith('.js'))
  .flatMap(f => [...fs.readFileSync(f, 'utf-8').matchAll(sdkRef)].map(m => m[2])))].sort();
const SDK_BUNDLE = 'grafana-foundation-sdk.js';
const dashboardV2Out = {
  name: 'grafana-dashboard-v2-out',
  setup(build) {
    build.onLoad({ filter: /[\\/]grafana-foundation-sdk[\\/]dist[\\/].*\.js$/ }, args => {
      const code = fs.readFileSync(args.path, 'utf-8');
      if (!/require\("\.\.\/dashboardv2(beta1)?"\)/.test(code)) return undefined;
      const file = path.relative(path.join(args.path, '..', '..'), args.path).split(path.sep).join('/');
      return {
        loader: 'js',
        contents: `module.exports = new Proxy({}, { get(_t, name) {
          if (name === '__esModule') return true;
          throw new Error('cdk8s-ml bundles the Grafana dashboard v1 builders only: ${file} (' + String(name) + ') is not included');
        } });`,
      };
    });
  },
};
// The PromQL builder's declarations, for lib/observability/promql.d.ts and its importers.
const builderTypes = path.join(vendor, 'types', 'promql-builder');
const builderDist = path.join(pkgDir('@grafana/promql-builder'), 'dist');
for (const f of walk(builderDist).filter(n => n.endsWith('.d.ts'))) {
  const to = path.join(builderTypes, path.relative(builderDist, f));
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.writeFileSync(to, fs.readFileSync(f, 'utf-8').replace(/^\/\/# sourceMappingURL=.*$/m, ''));
}
for (const f of ours.filter(n => n.endsWith('.d.ts'))) {
  const text = fs.readFileSync(f, 'utf-8');
  const next = text.replace(/(['"])@grafana\/promql-builder\1/g, (_all, q) => {
    let rel = path.relative(path.dirname(f), builderTypes).split(path.sep).join('/');
    if (!rel.startsWith('.')) rel = `./${rel}`;
    return `${q}${rel}${q}`;
  });
  if (next !== text) fs.writeFileSync(f, next);
}

// The declarations lib/index.d.ts reaches ship; the others are internal modules' (no
// user can import them) and are deleted. A reachable one may import only reachable
// ones, the peers and the PromQL builder's copied declarations.
const reachable = new Set();
const dtsQueue = [path.join(libDir, 'index.d.ts')];
while (dtsQueue.length) {
  const f = dtsQueue.pop();
  if (reachable.has(f)) continue;
  reachable.add(f);
  // Doc comments (examples) import 'cdk8s-ml': read the code only.
  const code = fs.readFileSync(f, 'utf-8').replace(/\/\*[\s\S]*?\*\//g, '');
  for (const m of code.matchAll(/(?:from |import\()['"]([^'"]+)['"]/g)) {
    if (!m[1].startsWith('.')) {
      if (peers.includes(m[1].match(/^((?:@[^/]+\/)?[^/]+)/)[1])) continue;
      throw new Error(`bundle-lib: ${path.relative(root, f)}, which lib/index.d.ts reaches, imports '${m[1]}', which users do not have (a peer, or a type of ours, only)`);
    }
    const base = path.resolve(path.dirname(f), m[1]);
    const next = [`${base}.d.ts`, path.join(base, 'index.d.ts')].find(c => fs.existsSync(c));
    if (!next) throw new Error(`bundle-lib: ${path.relative(root, f)} imports '${m[1]}', which has no declaration`);
    dtsQueue.push(next);
  }
}
for (const f of ours.filter(n => n.endsWith('.d.ts') && !reachable.has(n))) fs.rmSync(f);

// lib/ itself, in chunks: lib/chunks/<dir>.js holds the modules of one directory of
// lib/ (core, serving, serving-runtimes, delivery-crds, ...),
// each as jsii wrote it (whitespace minified) inside a function, with what its relative
// requires resolve to. lib/index.js loads a chunk the first time one of its modules is
// required and runs each module once, on first require, as Node would: an app reads and
// compiles only the directories it uses (a model server: core, serving and its
// runtimes, ~150 KB of the ~750 KB), and requires ~10 files instead of ~230.
// Hand-written rather than esbuild's code splitting, which exists for ES module output
// only: splitting that output and converting each chunk back to CommonJS (tried) repeats
// esbuild's runtime helpers and interop in every chunk, +100 KB, and reads every chunk an
// area statically reaches, not what it runs. esbuild still resolves every require (the
// metafile below); the loader only looks them up.
// Peers and Node builtins stay requires by name; third-party modules and the Grafana SDK
// copies become requires of lib/vendor (relative to lib/index.js, which does them).
const idOf = abs => path.relative(libDir, abs).split(path.sep).join('/');
const chunkOf = id => id.slice(0, id.lastIndexOf('/')).replace(/\//g, '-');
// Requires of lib/vendor, by requiring file and specifier (the metafile names neither
// for external imports).
const vendored = new Map();
const toVendor = (args, to) => {
  if (!vendored.has(args.importer)) vendored.set(args.importer, {});
  vendored.get(args.importer)[args.path] = to;
  return { path: to, external: true };
};
const resolutions = {
  name: 'cdk8s-ml-resolutions',
  setup(build) {
    build.onResolve({ filter: /.*/ }, args => {
      if (args.kind === 'entry-point') return undefined;
      const bare = args.path.match(/^((?:@[^/]+\/)?[^/.][^/]*)/)?.[1];
      if (bare && peers.includes(bare)) return { path: args.path, external: true };
      if (thirdParty[args.path]) return toVendor(args, `./vendor/${thirdParty[args.path]}`);
      const sdkModule = args.path.startsWith(`${sdkName}/`) ? args.path.slice(sdkName.length + 1) : undefined;
      if (sdkModule && sdkModules.includes(sdkModule)) return toVendor(args, `./vendor/${SDK_BUNDLE}#${sdkModule}`);
      if (args.path.startsWith('.')) {
        const abs = path.resolve(args.resolveDir, args.path);
        if (abs.startsWith(vendor + path.sep)) return toVendor(args, `./${idOf(abs)}`);
        return undefined;
      }
      if (bare && !require('module').isBuiltin(args.path)) {
        throw new Error(`bundle-lib: lib/ requires '${args.path}', neither a peer nor a bundled module (add it to thirdParty)`);
      }
      return { path: args.path, external: true };
    });
  },
};
/** Writes lib/chunks/ from jsii's modules of lib/ (all but lib/index.js and lib/vendor). */
async function writeChunks() {
  const modules = ours.filter(f => f.endsWith('.js') && f !== path.join(libDir, 'index.js'));
  const { metafile } = await esbuild.build({
    ...common, entryPoints: modules, outdir: path.join(root, '.bundle-lib-unused'), write: false, metafile: true, plugins: [resolutions],
  });
  const byChunk = new Map();
  for (const file of modules) {
    const id = idOf(file);
    const input = metafile.inputs[path.relative(root, file).split(path.sep).join('/')];
    if (!input) throw new Error(`bundle-lib: esbuild did not read ${id}`);
    const table = { ...vendored.get(file) };
    for (const imp of input.imports) {
      if (imp.kind !== 'require-call' || imp.external) continue;
      if (imp.original === undefined) throw new Error(`bundle-lib: esbuild gave no specifier for ${imp.path} in ${id}`);
      table[imp.original] = idOf(path.join(root, imp.path));
    }
    const { code } = esbuild.transformSync(fs.readFileSync(file, 'utf-8'), { loader: 'js', minifyWhitespace: true, legalComments: 'none', target: common.target });
    const chunk = chunkOf(id);
    if (!byChunk.has(chunk)) byChunk.set(chunk, []);
    byChunk.get(chunk).push(`${JSON.stringify(id)}:[${JSON.stringify(table)},function(exports,require,module,__filename,__dirname){${code}}]`);
  }
  fs.rmSync(chunks, { recursive: true, force: true });
  fs.mkdirSync(chunks, { recursive: true });
  for (const [chunk, entries] of byChunk) {
    fs.writeFileSync(path.join(chunks, `${chunk}.js`), `"use strict";// lib/${chunk.replace(/-/g, '/')}, for lib/index.js (scripts/bundle-lib.js)\nmodule.exports={\n${entries.join(',\n')}};\n`);
  }
}
// The loader in lib/index.js (see above): `load(id)` is `require` for lib/'s modules.
const LOADER = `const chunks = Object.create(null);
const modules = Object.create(null);
const chunkOf = ${chunkOf.toString()};
function load(id) {
  const done = modules[id];
  if (done) return done.exports;
  const chunk = chunkOf(id);
  const [table, body] = (chunks[chunk] ??= require('./chunks/' + chunk + '.js'))[id];
  const module = modules[id] = { id, exports: {}, loaded: false };
  const req = spec => {
    const to = table[spec];
    if (to === undefined) return require(spec);
    if (!to.startsWith('./')) return load(to);
    const [file, name] = to.split('#');
    return name === undefined ? require(file) : require(file)[name];
  };
  req.resolve = require.resolve;
  try {
    body.call(module.exports, module.exports, req, module, __filename, __dirname);
  } catch (e) {
    delete modules[id];
    throw e;
  }
  module.loaded = true;
  return module.exports;
}`;
// The package's entry, lib/index.js. jsii's lib/index.js is `__exportStar(require('./<area>'))`
// of the nine areas: evaluating it runs every module of the library. The entry defines the
// same exports, in the same order and with the same precedence (the first area exporting
// a name wins), as getters that load an area's chunk, which runs its modules, when one of
// its exports is first read, as __exportStar's own getters read them. `require('cdk8s-ml')`
// then runs no module, and an app runs only the areas it uses (and what they import).
// The bin's entry is under a symbol (not an export of the API, so in neither .jsii nor
// the .d.ts).
const firstNames = [];
function readAreas() {
  const jsiiIndex = fs.readFileSync(path.join(libDir, 'index.js'), 'utf-8');
  const areas = [...jsiiIndex.matchAll(/^__exportStar\(require\("\.\/([a-z-]+)"\), exports\);$/gm)].map(m => m[1]);
  if (areas.length === 0 || areas.length !== (jsiiIndex.match(/require\(/g) ?? []).length) {
    throw new Error('bundle-lib: lib/index.js is not the `__exportStar(require("./<area>"), exports);` lines this script expects');
  }
  return areas;
}
function lazyEntry(areas) {
  const namesOf = JSON.parse(execFileSync(process.execPath, ['-e', `
    const out = {};
    for (const a of ${JSON.stringify(areas)}) { const m = require(${JSON.stringify(libDir)} + '/' + a); out[a] = []; for (const p in m) if (p !== 'default') out[a].push(p); }
    console.log(JSON.stringify(out));`], { encoding: 'utf-8', cwd: root }));
  const taken = new Set();
  const lines = areas.map(a => {
    const names = namesOf[a].filter(n => !taken.has(n));
    if (names.length) firstNames.push(names[0]);
    names.forEach(n => taken.add(n));
    return `area(() => load(${JSON.stringify(`${a}/index.js`)}), ${JSON.stringify(names)});`;
  });
  return `${BANNER}
"use strict";
Object.defineProperty(exports, '__esModule', { value: true });
${LOADER}
function area(run, names) {
  let m;
  for (const name of names) Object.defineProperty(exports, name, { enumerable: true, get: () => (m ??= run())[name] });
}
${lines.join('\n')}
Object.defineProperty(exports, Symbol.for('cdk8s-ml.cli'), { get: () => load('policy/cli.js').main });
`;
}
const BANNER = '// lib/ bundled by scripts/bundle-lib.js from the jsii output (see there).';
(async () => {
  // Once replaced, lib/index.js is no longer jsii's: bundling it again would keep it stale.
  if (fs.readFileSync(path.join(libDir, 'index.js'), 'utf-8').startsWith(BANNER)) {
    throw new Error('bundle-lib: lib/index.js is already a bundle: run jsii (`npx projen compile`) first');
  }
  const areas = readAreas();
  await esbuild.build({
    ...common, stdin: { contents: `module.exports = { ${sdkModules.map(m => `${m}: require(${JSON.stringify(`${sdkName}/${m}`)})`).join(', ')} };`, resolveDir: root },
    outfile: path.join(vendor, SDK_BUNDLE), minify: true, plugins: [dashboardV2Out],
  });
  await writeChunks();

  // jsii's exports, to check the bundle against (read before lib/index.js is replaced).
  const keys = file => execFileSync(process.execPath, ['-p', `Object.keys(require(${JSON.stringify(file)})).sort().join(' ')`], { encoding: 'utf-8', cwd: root }).trim();
  const expected = keys(path.join(libDir, 'index.js'));
  fs.writeFileSync(path.join(libDir, 'index.js'), lazyEntry(areas));
  const actual = keys(path.join(libDir, 'index.js'));
  if (actual !== expected) throw new Error(`bundle-lib: lib/index.js exports differ from jsii's:\n  jsii:   ${expected}\n  bundle: ${actual}`);
  // The areas now run in the order an app reads them, not index order: starting from each
  // area in a fresh process, every export must still load (no import cycle that only
  // index order resolved), the CLI too.
  execFileSync(process.execPath, ['-e', `
    const names = Object.keys(require(${JSON.stringify(path.join(libDir, 'index.js'))}));
    const starts = JSON.parse(process.argv[1]);
    for (const start of starts) {
      const r = require('child_process').spawnSync(process.execPath, ['-e', \`
        const lib = require(\${JSON.stringify(${JSON.stringify(path.join(libDir, 'index.js'))})});
        const missing = [\${JSON.stringify(start)}, ...\${JSON.stringify(names)}].filter(n => lib[n] === undefined);
        if (typeof lib[Symbol.for('cdk8s-ml.cli')] !== 'function') missing.push('(cli)');
        if (missing.length) { console.error('undefined: ' + missing.join(', ')); process.exit(1); }\`], { encoding: 'utf-8' });
      if (r.status !== 0) { console.error('bundle-lib: reading ' + start + ' first: ' + r.stderr); process.exit(1); }
    }`, JSON.stringify(firstNames)], { stdio: 'inherit' });
  const kb = f => `${(fs.statSync(path.join(libDir, f)).size / 1024).toFixed(0)} KB`;
  const chunkKb = fs.readdirSync(chunks).reduce((n, f) => n + fs.statSync(path.join(chunks, f)).size, 0) / 1024;
  console.log(`bundle-lib: lib/chunks ${chunkKb.toFixed(0)} KB in ${fs.readdirSync(chunks).length} files, lib/vendor: ${[...Object.values(thirdParty), SDK_BUNDLE].map(f => `${f} ${kb(`vendor/${f}`)}`).join(', ')}`);
})().catch(e => { console.error(e.message ?? e); process.exit(1); });
