import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ServingScaling } from './serving-scaling';

/** The autoscaling/v2 HPA of a model server: CPU/memory utilization plus any extra metrics. */
export function createAutoscaler(
  scope: Construct & { name: string; labels: { [k: string]: string } },
  target: kplus.Deployment,
  scaling: ServingScaling,
): kplus.HorizontalPodAutoscaler {
  const a = scaling.autoscaling;
  const resourceMetrics = (a.resourceMetrics ?? true)
    ? [
      kplus.Metric.resourceCpu(kplus.MetricTarget.averageUtilization(a.cpuUtilization ?? 70)),
      kplus.Metric.resourceMemory(kplus.MetricTarget.averageUtilization(a.memoryUtilization ?? 80)),
    ]
    : [];
  return new kplus.HorizontalPodAutoscaler(scope, 'Autoscaler', {
    metadata: { name: a.name ?? scope.name, labels: scope.labels },
    target,
    minReplicas: scaling.minReplicas,
    maxReplicas: scaling.maxReplicas,
    metrics: [...resourceMetrics, ...(a.extraMetrics ?? [])],
    scaleDown: { stabilizationWindow: a.scaleDownStabilization ?? Duration.minutes(5) },
    scaleUp: { stabilizationWindow: a.scaleUpStabilization ?? Duration.seconds(0) },
  });
}
