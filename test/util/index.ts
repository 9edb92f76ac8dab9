// Test harness shared by every test in this repo: schema validation of synthesized
// manifests (built-in kinds and CRDs, API-server rules, CRD CEL rules), the Pod Security
// Standard "restricted" check, and the prerequisites (CRDs, promtool) tests may need.
export * from './schema-validator';
export * from './pod-security';
export { API_SERVER_RULES } from './api-server-rules';
export { celRuleInventory, celStats } from './cel-rules';
export { describeWithCrds, needs } from './prerequisites';
