import { isObject } from '../model/manifest';
import { defineRule, PolicySeverity } from '../policy-rule';

export const noSecretData = defineRule({
  id: 'SEC-006',
  name: 'no-secret-data',
  severity: PolicySeverity.ERROR,
  explanation: 'A Secret with data or stringData in the manifests puts its values (only base64-encoded) in git, in every synth output and in CI artifacts.',
  fix: 'Emit an ExternalSecret (or a SealedSecret) instead and let the controller create the Secret in the cluster; suppress with a reason only for values that are not secret (e.g. a public CA bundle).',
  check: (ctx) => ctx.ofKind('Secret')
    .filter((s) => (isObject(s.data) && Object.keys(s.data).length > 0) || (isObject(s.stringData) && Object.keys(s.stringData).length > 0))
    .map((s) => ({
      object: s,
      message: `Secret carries values for ${[...Object.keys(s.data ?? {}), ...Object.keys(s.stringData ?? {})].map((k) => `"${k}"`).join(', ')}`,
      location: s.stringData ? 'stringData' : 'data',
    })),
});
