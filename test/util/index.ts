// Test harness shared by every test in this repo: schema validation of synthesized
// manifests (built-in kinds and CRDs) and the Pod Security Standard "restricted" check.
export * from './schema-validator';
export * from './pod-security';
