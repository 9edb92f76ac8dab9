import { ApiObject } from 'cdk8s';
import { horizontalScaler } from '../../capacity/horizontal-scaler';
import { namespaceOf } from '../model/manifest';
import { defineRule, PolicySeverity, PolicyViolation } from '../policy-rule';

/** The capacity area reads ApiObjects; give it a manifest in that shape. */
function asApiObject(manifest: any): ApiObject {
  return { kind: manifest.kind, apiVersion: String(manifest.apiVersion), toJson: () => manifest } as unknown as ApiObject;
}

export const noHpaAndVpa = defineRule({
  id: 'ML-004',
  name: 'no-hpa-and-vpa-on-one-target',
  severity: PolicySeverity.ERROR,
  explanation: 'A VerticalPodAutoscaler that updates pods and an HPA (or KEDA ScaledObject) scaling on cpu or memory of the same workload fight: the VPA raises requests, utilization drops, the HPA removes replicas, utilization rises, and so on, evicting pods each round.',
  fix: 'Run the VPA with updateMode: Off (recommendations only), or scale the HPA on request rate or queue depth instead of cpu/memory, or limit the VPA\'s controlledResources to the other resource.',
  check: (ctx) => {
    const scalers = [...ctx.ofKind('HorizontalPodAutoscaler'), ...ctx.ofKind('ScaledObject')]
      .map((s) => ({ s, h: horizontalScaler(asApiObject(s)) }))
      .filter((x) => x.h !== undefined);
    return ctx.ofKind('VerticalPodAutoscaler').flatMap((vpa): PolicyViolation[] => {
      if ((vpa.spec?.updatePolicy?.updateMode ?? 'Auto') === 'Off') return [];
      const ref = vpa.spec?.targetRef ?? {};
      const controlled = new Set<string>();
      const policies: any[] = vpa.spec?.resourcePolicy?.containerPolicies ?? [];
      const wildcard = policies.find((p) => p?.containerName === '*') ?? policies[0];
      for (const r of wildcard?.controlledResources ?? ['cpu', 'memory']) controlled.add(r);
      return scalers
        .filter(({ h }) => h!.targetKind === ref.kind && h!.targetName === ref.name && (h!.namespace ?? '') === namespaceOf(vpa))
        .filter(({ h }) => h!.metrics.some((m) => controlled.has(m.resource)))
        .map(({ h }) => ({
          object: vpa,
          message: `updates ${ref.kind} ${ref.name} (${vpa.spec?.updatePolicy?.updateMode ?? 'Auto'}) while ${h!.description} scales it on ${h!.metrics.map((m) => m.resource).join('/')}: ${h!.remedy}`,
          location: 'spec.updatePolicy',
        }));
    });
  },
});

