// Part of `compile`, after jsii: copies into lib/vendor/ only the modules of Grafana's
// foundation SDK that lib/ requires (and the SDK modules those require), instead of
// bundling the whole SDK (5.9 MB, 40+ data sources we never use: ~700 KB of an
// ~1 MB tarball). Then points lib/'s requires and type imports at the copies.
// The copies are the SDK's own CommonJS build and declarations, unmodified except
// `require("tslib")`, which points at a copy of tslib (the SDK's one dependency).
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const libDir = path.join(root, 'lib');
const sdkName = '@grafana/grafana-foundation-sdk';
// The SDK exports no ./package.json: find dist/ from a module it does export.
const sdkDist = path.dirname(path.dirname(require.resolve(`${sdkName}/cog`, { paths: [root] })));
const tslibDir = path.dirname(require.resolve('tslib/package.json', { paths: [path.dirname(sdkDist)] }));
const vendor = path.join(libDir, 'vendor');
const vendorSdk = path.join(vendor, 'grafana-foundation-sdk');

const walk = dir => fs.readdirSync(dir, { withFileTypes: true }).flatMap(e =>
  e.isDirectory() ? (path.join(dir, e.name) === vendor ? [] : walk(path.join(dir, e.name))) : [path.join(dir, e.name)]);
const ours = walk(libDir).filter(f => f.endsWith('.js') || f.endsWith('.d.ts'));
const sdkRef = new RegExp(`(['"])${sdkName.replace('/', '\\/')}\\/([a-z0-9]+)\\1`, 'g');

// The SDK modules lib/ names, closed over the SDK's own `require("../<module>")`
// and type imports (`from '../<module>'`).
const wanted = new Set();
for (const f of ours) for (const m of fs.readFileSync(f, 'utf-8').matchAll(sdkRef)) wanted.add(m[2]);
const queue = [...wanted];
while (queue.length) {
  const mod = queue.pop();
  for (const f of fs.readdirSync(path.join(sdkDist, mod)).filter(n => n.endsWith('.js') || n.endsWith('.d.ts'))) {
    for (const m of fs.readFileSync(path.join(sdkDist, mod, f), 'utf-8').matchAll(/(?:require\(|from )["']\.\.\/([a-z0-9]+)["']/g)) {
      if (!wanted.has(m[1])) { wanted.add(m[1]); queue.push(m[1]); }
    }
  }
}

fs.rmSync(vendor, { recursive: true, force: true });
fs.mkdirSync(path.join(vendor, 'tslib'), { recursive: true });
for (const f of ['tslib.js', 'LICENSE.txt', 'package.json']) fs.copyFileSync(path.join(tslibDir, f), path.join(vendor, 'tslib', f));
fs.copyFileSync(path.join(path.dirname(sdkDist), 'LICENSE'), path.join(vendor, 'LICENSE-grafana-foundation-sdk'));
for (const mod of wanted) {
  fs.mkdirSync(path.join(vendorSdk, mod), { recursive: true });
  for (const f of fs.readdirSync(path.join(sdkDist, mod)).filter(n => n.endsWith('.js') || n.endsWith('.d.ts'))) {
    const text = fs.readFileSync(path.join(sdkDist, mod, f), 'utf-8')
      .replace(/require\("tslib"\)/g, 'require("../../tslib/tslib.js")')
      .replace(/^\/\/# sourceMappingURL=.*$/m, '');
    fs.writeFileSync(path.join(vendorSdk, mod, f), text);
  }
}

// lib/ requires and imports the copies by relative path.
let rewritten = 0;
for (const f of ours) {
  const text = fs.readFileSync(f, 'utf-8');
  const next = text.replace(sdkRef, (_all, q, mod) => {
    let rel = path.relative(path.dirname(f), path.join(vendorSdk, mod)).split(path.sep).join('/');
    if (!rel.startsWith('.')) rel = `./${rel}`;
    return `${q}${rel}${q}`;
  });
  if (next !== text) { fs.writeFileSync(f, next); rewritten++; }
}
console.log(`vendor-grafana: ${wanted.size} SDK modules (${[...wanted].sort().join(', ')}) into lib/vendor, ${rewritten} lib files pointed at them`);
