import { defineRule, PolicySeverity } from '../policy-rule';
import { serverGroups, violation } from './helpers';

const ZONE = 'topology.kubernetes.io/zone';

export const zoneSpread = defineRule({
  id: 'REL-004',
  name: 'zone-spread',
  severity: PolicySeverity.WARNING,
  explanation: 'Replicas without a zone spread constraint may all land in one zone (GPU capacity often sits in one), so a zone outage takes the whole model down.',
  fix: 'Add topologySpreadConstraints with topologyKey topology.kubernetes.io/zone (whenUnsatisfiable: ScheduleAnyway keeps pods schedulable when zones lack capacity), e.g. TopologySpread.acrossZones().',
  check: (ctx) => serverGroups(ctx)
    .filter((g) => g.maxPods >= 2)
    .filter((g) => {
      const spread = (g.at.spec.topologySpreadConstraints ?? []).some((t: any) => t?.topologyKey === ZONE);
      const anti = g.at.spec.affinity?.podAntiAffinity;
      const antiZone = [...(anti?.requiredDuringSchedulingIgnoredDuringExecution ?? []),
        ...(anti?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((p: any) => p?.podAffinityTerm)]
        .some((t: any) => t?.topologyKey === ZONE);
      return !spread && !antiZone;
    })
    .map((g) => violation(g, `up to ${g.maxPods} pods with no spread across ${ZONE}`, `${g.at.path}.topologySpreadConstraints`)),
});
