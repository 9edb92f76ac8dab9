// Exit 0 when lib/ must be (re)compiled: no .jsii yet, or a src/**/*.ts newer than it.
// The condition of synth:examples' compile step (projen's task shell has no `test`/`find`).
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const assembly = path.join(root, '.jsii');
const built = fs.existsSync(assembly) ? fs.statSync(assembly).mtimeMs : 0;
const newer = dir => fs.readdirSync(dir, { withFileTypes: true }).some(e => {
  const file = path.join(dir, e.name);
  return e.isDirectory() ? newer(file) : e.name.endsWith('.ts') && fs.statSync(file).mtimeMs > built;
});
process.exit(built === 0 || newer(path.join(root, 'src')) ? 0 : 1);
