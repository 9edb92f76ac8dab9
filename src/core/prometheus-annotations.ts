/** Where Prometheus finds a pod's metrics, under the `prometheus.io/*` annotation convention. */
export interface MetricsEndpoint {
  /** Container port serving metrics. */
  readonly port: number;
  /**
   * HTTP path of the metrics.
   * @default '/metrics'
   */
  readonly path?: string;
  /**
   * `http` or `https`.
   * @default 'http'
   */
  readonly scheme?: string;
}

/**
 * The pod annotations the guide's `kubernetes-pods` scrape job relabels on
 * (`prometheus.io/scrape`, `port`, `path`, `scheme`).
 */
export function prometheusScrapeAnnotations(endpoint: MetricsEndpoint): { [key: string]: string } {
  return {
    'prometheus.io/scrape': 'true',
    'prometheus.io/port': String(endpoint.port),
    'prometheus.io/path': endpoint.path ?? '/metrics',
    'prometheus.io/scheme': endpoint.scheme ?? 'http',
  };
}
