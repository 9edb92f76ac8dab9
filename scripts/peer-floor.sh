#!/usr/bin/env bash
# Proves the lowest declared peer versions work: installs the packed library with the
# floor of every peer range in package.json (cdk8s, constructs, cdk8s-plus-27) into a
# temporary project, type-checks every example and the library's declarations
# against them (strict, no skipLibCheck, as a user's tsc would) and synthesizes
# them; the YAML must equal what the versions we develop against write
# (examples/dist from `synth:examples`). Needs the npm registry.
# `npx projen test:peers`; PEER_<NAME>=x.y.z (e.g. PEER_CDK8S_PLUS_27=2.9.0) tries
# another version without editing package.json.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

# The compiled library and the reference output, both from this checkout.
# (compile, not jsii alone: its post step bundles what ships of lib/, scripts/bundle-lib.js.)
if node scripts/lib-stale.js; then npx projen compile; fi
CDK8S_CHECK_UPGRADE=false npx projen synth:examples >/dev/null 2>&1

tmp="$(mktemp -d -t cdk8s-ml-peers-XXXXXX)"
trap 'rm -rf "$tmp"' EXIT
npm pack --silent --pack-destination "$tmp" >/dev/null
tarball="$(ls "$tmp"/cdk8s-ml-*.tgz)"

# The floor of each peer range: `^2.70.106` -> 2.70.106 (overridable per peer).
floors="$(node -e '
  const peers = require("./package.json").peerDependencies;
  for (const [name, range] of Object.entries(peers)) {
    const env = "PEER_" + name.toUpperCase().replace(/[^A-Z0-9]/g, "_");
    const floor = process.env[env] || range.replace(/^[\^~>=\s]+/, "");
    if (!/^\d+\.\d+\.\d+$/.test(floor)) throw new Error(`${name}: cannot take the floor of "${range}"`);
    console.log(`${name}@${floor}`);
  }')"
echo "peer-floor: installing $(echo $floors) with $(basename "$tarball")"

mkdir -p "$tmp/app"
cd "$tmp/app"
echo '{ "name": "peer-floor-app", "private": true }' > package.json
# --save-exact: the floors themselves, never a newer version in their range. An
# override below the declared range explores it: npm's peer check is then off.
legacy=""
if env | grep -q '^PEER_'; then legacy="--legacy-peer-deps"; fi
npm install --no-audit --no-fund --loglevel=error --save-exact $legacy $floors "$tarball" >/dev/null
node -e '
  const want = process.argv.slice(1).map(s => s.split(/@(?=[^@]+$)/));
  for (const [name, version] of want) {
    const got = require(`${name}/package.json`).version;
    if (got !== version) { console.error(`peer-floor: ${name} resolved to ${got}, not ${version}`); process.exit(1); }
  }' $floors

# Type-check and compile the examples as a user project (strict, declarations too;
# our TypeScript and node types), importing 'cdk8s-ml' from the installed tarball.
cp "$root"/examples/*.ts .
rm -f main.ts
# Helper folders of examples (examples/<name>/*.ts) go beside their example.
for d in "$root"/examples/*/; do if ls "$d"*.ts >/dev/null 2>&1; then cp -r "$d" .; fi; done
cat > tsconfig.json <<EOF
{
  "compilerOptions": {
    "target": "ES2022", "module": "node16", "moduleResolution": "node16", "strict": true,
    "esModuleInterop": true, "skipLibCheck": false, "outDir": "out",
    "typeRoots": ["$root/node_modules/@types"], "types": ["node"]
  },
  "include": ["**/*.ts"], "exclude": ["node_modules", "out"]
}
EOF
"$root/node_modules/.bin/tsc" -p tsconfig.json

# Synthesize every example into one app, as examples/main.ts does (each example's
# charts marked as a cluster of their own, so examples may reuse names).
node -e '
  const fs = require("fs");
  const path = require("path");
  const { App } = require("cdk8s");
  const { TargetCluster } = require("cdk8s-ml");
  const app = new App({ outdir: "dist" });
  for (const f of fs.readdirSync("out").filter(f => f.endsWith(".js")).sort()) {
    const before = new Set(app.charts);
    require(path.resolve("out", f)).build(app);
    for (const chart of app.charts.filter(c => !before.has(c) && TargetCluster.of(c) === "default")) TargetCluster.mark(chart, path.basename(f, ".js"));
  }
  app.synth();'

# Chart files only (examples/dist/policy-checked/ is that example's own cdk8s.yaml run).
mkdir -p "$tmp/ref" && cp "$root"/examples/dist/*.k8s.yaml "$tmp/ref/"
if diff -r "$tmp/ref" dist >"$tmp/diff.txt"; then
  echo "peer-floor: OK, $(ls dist/*.k8s.yaml | wc -l) charts type-check and synthesize identically with $(echo $floors)"
else
  head -n 60 "$tmp/diff.txt"
  echo "peer-floor: output differs with $(echo $floors) (above)" >&2
  exit 1
fi
