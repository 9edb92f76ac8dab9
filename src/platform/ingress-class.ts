import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { makeClusterScoped } from '../capacity/cluster-scoped';
import { invalidProp } from '../core/errors';
import { requireDnsSubdomain, requireProps } from '../core/validation';

const INGRESS_CLASS = Symbol.for('cdk8s-ml.IngressClass');
const DEFAULT_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';

/** Properties of {@link IngressClass}. */
export interface IngressClassProps {
  /** The controller, e.g. `k8s.io/ingress-nginx`, `ingress.k8s.aws/alb`. */
  readonly controller: string;
  /**
   * The IngressClass's name, referenced by Ingresses' `ingressClassName`.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Whether Ingresses without `ingressClassName` get this class. One default per
   * cluster: with two, Kubernetes refuses new Ingresses without a class.
   * @default false
   */
  readonly isDefault?: boolean;
}

/**
 * An `IngressClass` (`networking.k8s.io/v1`, cluster-scoped): the guide's "multiple
 * ingress controllers", one class per controller, at most one default in the app.
 *
 * @example
 * import { IngressClass } from 'cdk8s-ml';
 *
 * // Several ingress controllers side by side, ingress-nginx the default.
 * new IngressClass(this, 'nginx', { controller: 'k8s.io/ingress-nginx', isDefault: true });
 * new IngressClass(this, 'alb', { controller: 'ingress.k8s.aws/alb' });
 */
export class IngressClass extends Construct {
  /** The IngressClass's name. */
  public readonly name: string;
  /** Whether it is the default class. */
  public readonly isDefault: boolean;
  /** The IngressClass object. */
  public readonly apiObject: kplus.k8s.KubeIngressClass;

  public constructor(scope: Construct, id: string, props: IngressClassProps) {
    super(scope, id);
    requireProps(this, props, ['controller']);
    Object.defineProperty(this, INGRESS_CLASS, { value: true });
    this.name = props.name ?? id;
    requireDnsSubdomain(this, 'name', this.name);
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/[-a-zA-Z0-9_./]+$/.test(props.controller)) {
      throw invalidProp(this, 'controller', `('${props.controller}') must be a domain-prefixed path such as 'k8s.io/ingress-nginx'`);
    }
    this.isDefault = props.isDefault ?? false;
    const others = this.node.root.node.findAll().filter(c => c !== this && (c as any)[INGRESS_CLASS] === true) as IngressClass[];
    const otherDefault = others.find(o => o.isDefault);
    if (this.isDefault && otherDefault) {
      throw invalidProp(this, 'isDefault', `is already true for IngressClass '${otherDefault.node.path}': one default per cluster`);
    }
    const clash = others.find(o => o.name === this.name);
    if (clash) throw invalidProp(this, 'name', `('${this.name}') is also the name of IngressClass '${clash.node.path}'`);
    this.apiObject = new kplus.k8s.KubeIngressClass(this, 'Resource', {
      metadata: { name: this.name, annotations: this.isDefault ? { [DEFAULT_ANNOTATION]: 'true' } : undefined },
      spec: { controller: props.controller },
    });
    makeClusterScoped(this.apiObject);
  }
}
