import { containersOf } from '../model/manifest';
import { defineRule, PolicySeverity } from '../policy-rule';
import { containerAt, violation } from './helpers';

export const requestsAndLimits = defineRule({
  id: 'REL-005',
  name: 'requests-and-limits',
  severity: PolicySeverity.ERROR,
  explanation: 'Without requests the scheduler packs pods onto nodes that cannot run them and quotas cannot account for them; without limits one leaking model server (a growing KV cache, a tokenizer leak) starves its neighbours until the node evicts them.',
  fix: 'Set resources.requests and resources.limits for cpu and memory on every container, init containers included.',
  check: (ctx) => ctx._podGroups().flatMap((g) => containersOf(g.at.spec)
    .filter(({ list }) => list !== 'ephemeralContainers')
    .flatMap(({ list, index, container }) => {
      const r = container.resources ?? {};
      const missing = [
        ...['cpu', 'memory'].filter((k) => r.requests?.[k] === undefined && r.limits?.[k] === undefined).map((k) => `requests.${k}`),
        ...['cpu', 'memory'].filter((k) => r.limits?.[k] === undefined).map((k) => `limits.${k}`),
      ];
      return missing.length === 0 ? [] : [violation(g, `container "${container.name}" has no ${missing.join(', ')}`, `${containerAt(g, list, index)}.resources`)];
    })),
});
