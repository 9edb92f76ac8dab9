// Local stand-in for `package: cdk8s-ml`: the compiled library when it is built and
// current (lib/, as a published package would load), else the sources through ts-node.
const fs = require('fs');
const path = require('path');
const root = path.join(__dirname, '../../..');
const lib = path.join(root, 'lib/policy/policy-validation.js');
const src = path.join(root, 'src/policy/policy-validation.ts');
if (fs.existsSync(lib) && fs.statSync(lib).mtimeMs >= fs.statSync(src).mtimeMs) {
  module.exports = require(path.join(root, 'lib/index.js'));
} else {
  require('ts-node').register({ transpileOnly: true });
  module.exports = require(path.join(root, 'src'));
}
