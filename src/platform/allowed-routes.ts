import { IConstruct } from 'constructs';
import { MlNamespace } from './ml-namespace';
import { invalidProp } from '../core/errors';
import { requireDnsLabel } from '../core/validation';

/**
 * Which namespaces' routes may attach to a Gateway listener.
 *
 * @example
 * import { AllowedRoutes, Gateway, GatewayClass, MlNamespace } from 'cdk8s-ml';
 *
 * // Model servers of the research namespace attach their routes to this Gateway; that
 * // namespace admits the Gateway's proxies (Istio runs them in the Gateway's, `ml`).
 * const research = new MlNamespace(this, 'research', { allowIngressFrom: [{ namespace: 'ml', ports: [8080] }] });
 * new Gateway(this, 'ml-gateway', {
 *   gatewayClass: GatewayClass.fromGatewayClassName(this, 'istio', 'istio'),
 *   listeners: [{
 *     name: 'https',
 *     hostname: 'models.example.com',
 *     tlsCertificate: kplus.Secret.fromSecretName(this, 'models-tls', 'models-tls'),
 *     allowedRoutes: AllowedRoutes.fromNamespaces(research),
 *   }],
 * });
 */
export class AllowedRoutes {
  /** Routes in the Gateway's own namespace only (the Gateway API default). */
  public static sameNamespace(): AllowedRoutes {
    return new AllowedRoutes(() => ({ namespaces: { from: 'Same' } }));
  }

  /** Routes in these namespaces (selected by their `kubernetes.io/metadata.name` label). */
  public static fromNamespaces(...namespaces: MlNamespace[]): AllowedRoutes {
    return AllowedRoutes.fromNamespaceNames(...namespaces.map(n => n.name));
  }

  /** Routes in the namespaces of these names. */
  public static fromNamespaceNames(...names: string[]): AllowedRoutes {
    return new AllowedRoutes((scope, prop) => {
      if (names.length === 0) throw invalidProp(scope, prop, 'lists no namespace: give at least one, or use sameNamespace()');
      names.forEach((n, i) => requireDnsLabel(scope, `${prop}[${i}]`, n));
      return {
        namespaces: {
          from: 'Selector',
          selector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [...new Set(names)] }] },
        },
      };
    });
  }

  private constructor(private readonly render: (scope: IConstruct, prop: string) => object) {}

  /** The listener's `allowedRoutes`. @internal */
  public _toGatewayApi(scope: IConstruct, prop: string): object {
    return this.render(scope, prop);
  }
}
