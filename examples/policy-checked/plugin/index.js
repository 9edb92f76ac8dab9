// Local stand-in for `package: cdk8s-ml` (cdk8s-cli loads local plugins only from ./
// or absolute paths): the compiled library, by the package's own name as a published
// install resolves it (package.json "exports"; `npx projen compile` builds lib/).
module.exports = require('cdk8s-ml');
