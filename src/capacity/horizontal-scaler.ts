import { ApiObject } from 'cdk8s';

// The horizontal autoscalers a VerticalPodAutoscaler in an active mode must not
// fight: HPAs, and KEDA ScaledObjects (KEDA creates and drives an HPA from each).

/** A cpu/memory metric of an HPA: pod-wide (`Resource`) or one container's. */
export interface HpaResourceMetric { readonly resource: string; readonly container?: string }

/** A horizontal autoscaler found in the app, reduced to what a conflict needs. */
export interface HorizontalScaler {
  readonly description: string;
  readonly remedy: string;
  readonly targetKind: string;
  readonly targetName: string;
  readonly namespace?: string;
  readonly metrics: HpaResourceMetric[];
}

/** An HPA, or a KEDA ScaledObject (KEDA creates and drives an HPA from it); else undefined. */
export function horizontalScaler(obj: ApiObject): HorizontalScaler | undefined {
  if (obj.kind === 'HorizontalPodAutoscaler') {
    const hpa = obj.toJson();
    return {
      description: `HorizontalPodAutoscaler '${hpa.metadata?.name}'`,
      remedy: 'scale the HPA on other metrics (e.g. ServingScaling.autoscale({ resourceMetrics: false, extraMetrics }))',
      targetKind: hpa.spec?.scaleTargetRef?.kind,
      targetName: hpa.spec?.scaleTargetRef?.name,
      namespace: hpa.metadata?.namespace,
      metrics: hpaResourceMetrics(hpa),
    };
  }
  if (obj.kind === 'ScaledObject' && obj.apiVersion.startsWith('keda.sh/')) {
    const so = obj.toJson();
    return {
      description: `KEDA ScaledObject '${so.metadata?.name}'`,
      remedy: 'drop its cpu and memory triggers (scale on requests or queue depth instead)',
      targetKind: so.spec?.scaleTargetRef?.kind ?? 'Deployment',
      targetName: so.spec?.scaleTargetRef?.name,
      namespace: so.metadata?.namespace,
      metrics: (so.spec?.triggers ?? [])
        .filter((t: any) => t.type === 'cpu' || t.type === 'memory')
        .map((t: any) => ({ resource: t.type, container: t.metadata?.containerName })),
    };
  }
  return undefined;
}

/** The cpu/memory metrics of an HPA manifest (autoscaling/v2, or v1's CPU target). */
function hpaResourceMetrics(hpa: any): HpaResourceMetric[] {
  const out: HpaResourceMetric[] = [];
  if (hpa.spec?.targetCPUUtilizationPercentage !== undefined) out.push({ resource: 'cpu' });
  for (const m of hpa.spec?.metrics ?? []) {
    if (m.type === 'Resource' && m.resource?.name) out.push({ resource: m.resource.name });
    if (m.type === 'ContainerResource' && m.containerResource?.name) {
      out.push({ resource: m.containerResource.name, container: m.containerResource.container });
    }
  }
  return out;
}
