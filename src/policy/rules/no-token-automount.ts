import { namespaceOf } from '../model/manifest';
import { defineRule, PolicySeverity } from '../policy-rule';

export const noTokenAutomount = defineRule({
  id: 'SEC-002',
  name: 'no-token-automount',
  severity: PolicySeverity.WARNING,
  explanation: 'A mounted service-account token lets anyone who compromises the model server (a deserialization bug in a model file, a prompt that reaches a tool) call the Kubernetes API as that pod. Model servers and training workers rarely need the API.',
  fix: 'Set automountServiceAccountToken: false on the pod spec or its ServiceAccount; mount a projected token only in pods that call the API.',
  check: (ctx) => ctx._podGroups().flatMap((g) => {
    const spec = g.at.spec;
    // The pod's own setting wins over its ServiceAccount's.
    if (spec.automountServiceAccountToken === false) return [];
    if (spec.automountServiceAccountToken === undefined) {
      const sa = ctx.find('ServiceAccount', namespaceOf(g.object), spec.serviceAccountName ?? spec.serviceAccount ?? 'default');
      if (sa?.automountServiceAccountToken === false) return [];
    }
    return [{
      object: g.object,
      message: `${g.role ? `${g.role}: ` : ''}the pod mounts a service-account token (automountServiceAccountToken is ${spec.automountServiceAccountToken ?? 'unset'} and its ServiceAccount does not turn it off)`,
      location: `${g.at.path}.automountServiceAccountToken`,
    }];
  }),
});
