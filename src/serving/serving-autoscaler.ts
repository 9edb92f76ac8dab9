import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { AutoscalingOptions } from './serving-scaling';
import { MlWorkload } from '../core/ml-workload';

/** The autoscaling/v2 HPA of a model server: CPU/memory utilization plus any extra metrics. */
export function createAutoscaler(
  scope: MlWorkload,
  target: kplus.Deployment,
  a: AutoscalingOptions,
  minReplicas: number,
  maxReplicas: number,
): kplus.HorizontalPodAutoscaler {
  const resourceMetrics = (a.resourceMetrics ?? true)
    ? [
      kplus.Metric.resourceCpu(kplus.MetricTarget.averageUtilization(a.cpuUtilization ?? 70)),
      kplus.Metric.resourceMemory(kplus.MetricTarget.averageUtilization(a.memoryUtilization ?? 80)),
    ]
    : [];
  return new kplus.HorizontalPodAutoscaler(scope, 'Autoscaler', {
    metadata: scope._metadata(a.name ?? scope.name),
    target,
    minReplicas,
    maxReplicas,
    metrics: [...resourceMetrics, ...(a.extraMetrics ?? [])],
    scaleDown: { stabilizationWindow: a.scaleDownStabilization ?? Duration.minutes(5) },
    scaleUp: { stabilizationWindow: a.scaleUpStabilization ?? Duration.seconds(0) },
  });
}
