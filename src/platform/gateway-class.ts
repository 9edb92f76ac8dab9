import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { makeClusterScoped } from '../capacity/cluster-scoped';
import { invalidProp } from '../core/errors';
import { requireDnsSubdomain, requireProps } from '../core/validation';

export const GATEWAY_API_VERSION = 'gateway.networking.k8s.io/v1';

/** A GatewayClass, ours or the cluster's. */
export interface IGatewayClass extends IConstruct {
  /** The GatewayClass's name. */
  readonly gatewayClassName: string;
}

class ImportedGatewayClass extends Construct implements IGatewayClass {
  public constructor(scope: Construct, id: string, public readonly gatewayClassName: string) {
    super(scope, id);
    requireDnsSubdomain(this, 'name', gatewayClassName);
  }
}

/** Properties of {@link GatewayClass}. */
export interface GatewayClassProps {
  /**
   * The controller implementing the class, e.g. `gateway.envoyproxy.io/gatewayclass-controller`,
   * `istio.io/gateway-controller`, `networking.gke.io/gateway`.
   */
  readonly controllerName: string;
  /**
   * The GatewayClass's name.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * What the class is for.
   * @default - none
   */
  readonly description?: string;
}

/**
 * A Gateway API `GatewayClass` (`gateway.networking.k8s.io/v1`, cluster-scoped): which
 * controller runs the Gateways of this class.
 *
 * @example
 * import { AllowedRoutes, Gateway, GatewayClass } from 'cdk8s-ml';
 *
 * const istio = new GatewayClass(this, 'istio', {
 *   controllerName: 'istio.io/gateway-controller',
 *   description: 'Istio gateways for model endpoints',
 * });
 * new Gateway(this, 'ml-gateway', {
 *   gatewayClass: istio,
 *   listeners: [{
 *     name: 'https',
 *     hostname: 'models.example.com',
 *     tlsCertificate: kplus.Secret.fromSecretName(this, 'models-tls', 'models-tls'),
 *     allowedRoutes: AllowedRoutes.sameNamespace(),
 *   }],
 * });
 */
export class GatewayClass extends Construct implements IGatewayClass {
  /** A GatewayClass installed with its controller. */
  public static fromGatewayClassName(scope: Construct, id: string, name: string): IGatewayClass {
    return new ImportedGatewayClass(scope, id, name);
  }

  public readonly gatewayClassName: string;
  /** The GatewayClass object. */
  public readonly apiObject: ApiObject;

  public constructor(scope: Construct, id: string, props: GatewayClassProps) {
    super(scope, id);
    requireProps(this, props, ['controllerName']);
    this.gatewayClassName = props.name ?? id;
    requireDnsSubdomain(this, 'name', this.gatewayClassName);
    // The CRD's pattern: a domain-prefixed path.
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/[A-Za-z0-9/\-._~%!$&'()*+,;=:]+$/.test(props.controllerName)) {
      throw invalidProp(this, 'controllerName', `('${props.controllerName}') must be a domain-prefixed path such as 'example.net/gateway-controller'`);
    }
    this.apiObject = new ApiObject(this, 'Resource', {
      apiVersion: GATEWAY_API_VERSION,
      kind: 'GatewayClass',
      metadata: { name: this.gatewayClassName },
      spec: { controllerName: props.controllerName, description: props.description },
    });
    makeClusterScoped(this.apiObject);
  }
}
