import { ServerMetricNames } from '../../core/prometheus-annotations';

/**
 * Ray Serve's built-in metrics, as Ray exports them on the metrics export port
 * (8080) of every node (docs.ray.io, "Monitor Your Application", Built-in Ray Serve
 * metrics; ray-project/ray doc/source/serve/monitoring.md):
 *  - `ray_serve_num_http_requests_total` (route, method, application, status_code),
 *    counted by the HTTP proxy;
 *  - `ray_serve_http_request_latency_ms` (method, route, application, status_code),
 *    end to end from the proxy, in milliseconds;
 *  - `ray_serve_deployment_processing_latency_ms` and
 *    `ray_serve_deployment_request_counter_total` (deployment, replica, route, application),
 *    per replica;
 *  - `ray_serve_deployment_queued_queries` (deployment, application, handle, actor_id),
 *    requests waiting for a replica, the signal Ray's docs alert on when a deployment
 *    does not scale up enough;
 *  - `ray_serve_replica_processing_queries` (deployment, replica, application);
 *  - `ray_serve_deployment_replica_healthy` (deployment, replica, application), 1 or 0.
 * Older Ray releases exported counters without `_total`: declare those names in
 * `RayServiceProps.metricNames`.
 * @internal
 */
export const RAY_SERVE_METRIC_NAMES: ServerMetricNames = {
  requestsCounter: 'ray_serve_num_http_requests_total',
  statusCodeLabel: 'status_code',
  errorCodeRegex: '5..',
  latencyHistogram: 'ray_serve_http_request_latency_ms',
  inferenceLatencyHistogram: 'ray_serve_deployment_processing_latency_ms',
  inferenceCounter: 'ray_serve_deployment_request_counter_total',
  queueGauge: 'ray_serve_deployment_queued_queries',
  runningGauge: 'ray_serve_replica_processing_queries',
  replicaHealthyGauge: 'ray_serve_deployment_replica_healthy',
  histogramsInMilliseconds: true,
};

// KubeRay's names (ray-operator/controllers/ray/utils/util.go): a RayService's
// RayCluster is `<service>-raycluster-<5 random>` (GenerateRayClusterName), its pods
// are `generateName`d from the cluster name (head) or `<cluster>-<group>` (workers),
// cut to 50 characters, plus `-head-` / `-worker-` and 5 random characters
// (PodGenerateName). The random characters are lowercase alphanumerics.
const RANDOM = '\u0000';
const POD_PREFIX_MAX = 50;

/**
 * A regex (RE2, anchored by Prometheus) matching the names of every pod of a
 * RayService's clusters (both while an upgrade runs two), head and worker groups,
 * and no other RayService's.
 * @internal
 */
export function rayServicePodRegex(serviceName: string, workerGroups: string[]): string {
  const cluster = `${serviceName}-raycluster-${RANDOM.repeat(5)}`;
  const prefixes: Array<[string, string]> = [[cluster, 'head'], ...workerGroups.map((g): [string, string] => [`${cluster}-${g}`, 'worker'])];
  const alternatives = prefixes.map(([prefix, type]) => `${toRegex(prefix.slice(0, POD_PREFIX_MAX).toLowerCase())}-${type}-[a-z0-9]{5}`);
  return alternatives.length === 1 ? alternatives[0] : `(${alternatives.join('|')})`;
}

function toRegex(template: string): string {
  // DNS labels hold only [a-z0-9-], none of them special outside a class.
  return template.replace(/\u0000+/g, run => `[a-z0-9]{${run.length}}`);
}
