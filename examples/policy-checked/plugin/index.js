// Local stand-in for `package: cdk8s-ml`: the compiled library when it is built
// (lib/, as a published package would load), else the sources through ts-node.
const fs = require('fs');
const path = require('path');
const lib = path.join(__dirname, '../../../lib/index.js');
if (fs.existsSync(lib)) {
  module.exports = require(lib);
} else {
  require('ts-node').register({ transpileOnly: true });
  module.exports = require('../../../src');
}
