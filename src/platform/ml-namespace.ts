import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct, IConstruct } from 'constructs';
import { createEgressPolicy, NamespaceEgress } from './namespace-egress';
import { isClusterScoped } from './namespace-placement';
import { PodSecurityStandard } from './pod-security-standard';
import { makeClusterScoped } from '../capacity/cluster-scoped';
import { LimitRange, LimitRangeProps } from '../capacity/limit-range';
import { ResourceQuota, ResourceQuotaProps } from '../capacity/resource-quota';
import { invalidProp } from '../core/errors';
import { beforeSynthChecks } from '../core/unique-objects';
import { requireDnsLabel, requireLabelValue, requirePort } from '../core/validation';

const ML_NAMESPACE = Symbol.for('cdk8s-ml.MlNamespace');
const PLACED = Symbol.for('cdk8s-ml.MlNamespace.placed');
const POD_SECURITY = 'pod-security.kubernetes.io';
const POD_SECURITY_REASON_ANNOTATION = 'cdk8s-ml.io/pod-security-reason';
const NAME_LABEL = 'kubernetes.io/metadata.name';

/** A namespace whose pods may reach all pods of an ML namespace (ingress controller, Gateway, Prometheus). */
export interface NamespaceAllowance {
  /** The namespace's name (matched by its `kubernetes.io/metadata.name` label). */
  readonly namespace: string;
  /**
   * Only pods of that namespace with these labels, e.g. `{ 'app.kubernetes.io/name': 'ingress-nginx' }`.
   * @default - every pod of the namespace
   */
  readonly podLabels?: { [key: string]: string };
  /**
   * Only these TCP ports of the ML namespace's pods. Policies add up: without ports,
   * that namespace reaches every port of every pod here, whatever the workloads'
   * own policies admit; give the serving and metrics ports.
   * @default - every port
   */
  readonly ports?: number[];
}

/** Properties of {@link MlNamespace}. */
export interface MlNamespaceProps {
  /**
   * The namespace's name.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * The Pod Security Standard level enforced on the namespace. Audit and warn are
   * always `restricted`, so a lower level still reports what falls short of it.
   * @default PodSecurityStandard.restricted()
   */
  readonly podSecurity?: PodSecurityStandard;
  /**
   * The Pod Security Standard version the levels are checked at (`latest` or `v1.<minor>`).
   * Pin it to upgrade the cluster without new rules rejecting pods on the same day.
   * @default 'latest'
   */
  readonly podSecurityVersion?: string;
  /**
   * Extra labels of the Namespace, e.g. `policy.sigstore.dev/include: 'true'`.
   * @default - none
   */
  readonly labels?: { [key: string]: string };
  /**
   * Namespaces of ingress controllers or Gateways whose pods may reach this
   * namespace's pods (the workloads' own NetworkPolicies must also admit them).
   * @default - none
   */
  readonly allowIngressFrom?: NamespaceAllowance[];
  /**
   * The monitoring namespace whose pods (Prometheus) may scrape this namespace's pods.
   * @default - none
   */
  readonly allowMonitoringFrom?: NamespaceAllowance;
  /**
   * Where DNS runs: the pods every pod may reach on `ports` (UDP and TCP).
   * NetworkPolicies see the DNS pods' own ports, after the Service's translation:
   * OpenShift's resolvers listen on 5353 in `openshift-dns`, for example. With
   * NodeLocal DNSCache (a host-network agent) policies cannot select the resolver.
   * @default - port 53 of pods labelled `k8s-app: kube-dns` in `kube-system` (CoreDNS, kube-dns)
   */
  readonly dns?: NamespaceAllowance;
  /**
   * Egress beside DNS: the namespace's own pods to each other, other namespaces,
   * ranges outside the cluster. Workloads leave their egress open for model
   * downloads, datasets and their peers; in this namespace they reach only this.
   * @default - DNS only: training workers, Ray pods and model downloads are blocked
   */
  readonly allowEgress?: NamespaceEgress;
  /**
   * The namespace's ResourceQuota (its `namespace` is this one).
   * @default - no GPUs (`requests.nvidia.com/gpu: 0`) and no LoadBalancer Services: both are opt-in
   */
  readonly quota?: ResourceQuotaProps;
  /**
   * The namespace's LimitRange (its `namespace` is this one).
   * @default - the LimitRange defaults (100m/256Mi requested, 1 CPU/1Gi limit)
   */
  readonly limitRange?: LimitRangeProps;
}

/**
 * A namespace for ML workloads, secure by default: the Pod Security Standard
 * *restricted* profile enforced, audited and warned; default-deny NetworkPolicies
 * for ingress and egress with only DNS egress open; a ResourceQuota (GPUs opt-in)
 * and LimitRange defaults.
 *
 * Constructs created inside it are placed in it: at synth, every namespaced object
 * under this construct whose namespace is the chart's default gets this namespace
 * (an explicitly different namespace is kept), and cluster-scoped kinds lose the
 * chart's namespace.
 * cdk8s-plus computes NetworkPolicy peers at construction from the chart's
 * namespace, so give the chart the same namespace when workloads of different
 * namespaces reference each other.
 *
 * @example
 * import { MlModelServing, MlNamespace } from 'cdk8s-ml';
 *
 * // Restricted Pod Security, default-deny networking, a quota and a LimitRange.
 * const ml = new MlNamespace(this, 'ml', {
 *   allowIngressFrom: [{ namespace: 'gateway', ports: [8080] }],
 *   allowMonitoringFrom: { namespace: 'monitoring', ports: [9090] },
 *   quota: { gpus: 8, objectCounts: { loadBalancers: 0 } },
 * });
 * // Objects created under the namespace construct land in it.
 * new MlModelServing(ml, 'bert', { image: 'registry.example.com/ml/bert-server:1.4.2' });
 */
export class MlNamespace extends Construct {
  /** The annotation that records why a namespace runs below the restricted profile. */
  public static readonly POD_SECURITY_REASON_ANNOTATION = POD_SECURITY_REASON_ANNOTATION;

  /** The innermost MlNamespace that `scope` is created in, if any. */
  public static of(scope: IConstruct): MlNamespace | undefined {
    for (let c: IConstruct | undefined = scope; c; c = c.node.scope) {
      if ((c as any)[ML_NAMESPACE] === true) return c as MlNamespace;
    }
    return undefined;
  }

  /** The namespace objects created in `scope` land in: the enclosing MlNamespace's, else the chart's. */
  public static namespaceOf(scope: IConstruct): string | undefined {
    return MlNamespace.of(scope)?.name ?? Chart.of(scope).namespace;
  }

  /** The namespace's name. */
  public readonly name: string;
  /** The enforced Pod Security level. */
  public readonly podSecurity: PodSecurityStandard;
  /** The Namespace (a NetworkPolicy peer and namespace selector). */
  public readonly namespace: kplus.Namespace;
  /** The default-deny NetworkPolicy (all ingress and egress of every pod). */
  public readonly defaultDeny: kplus.k8s.KubeNetworkPolicy;
  /** The policy admitting DNS egress. */
  public readonly allowDns: kplus.k8s.KubeNetworkPolicy;
  /** The policy admitting `allowEgress`, when given. */
  public readonly allowEgress?: kplus.k8s.KubeNetworkPolicy;
  /** The ResourceQuota. */
  public readonly quota: ResourceQuota;
  /** The LimitRange. */
  public readonly limitRange: LimitRange;

  public constructor(scope: Construct, id: string, props: MlNamespaceProps = {}) {
    super(scope, id);
    Object.defineProperty(this, ML_NAMESPACE, { value: true });
    const name = props.name ?? id;
    requireDnsLabel(this, 'name', name);
    this.name = name;
    this.podSecurity = props.podSecurity ?? PodSecurityStandard.restricted();
    this.podSecurity._validate(this, 'podSecurity');
    const version = props.podSecurityVersion ?? 'latest';
    if (!/^(latest|v1\.(0|[1-9]\d*))$/.test(version)) {
      throw invalidProp(this, 'podSecurityVersion', `('${version}') must be 'latest' or 'v1.<minor>', e.g. 'v1.31'`);
    }
    for (const [key, value] of Object.entries(props.labels ?? {})) {
      if (key.startsWith(`${POD_SECURITY}/`) || key === NAME_LABEL) {
        throw invalidProp(this, `labels['${key}']`, 'is set by MlNamespace: use podSecurity and podSecurityVersion');
      }
      requireLabelValue(this, `labels['${key}']`, value);
    }
    for (const [prop, q] of [['quota', props.quota], ['limitRange', props.limitRange]] as const) {
      if (q?.namespace !== undefined && q.namespace !== name) {
        throw invalidProp(this, `${prop}.namespace`, `('${q.namespace}') must be left out: it is the namespace's own ('${name}')`);
      }
    }

    this.namespace = new kplus.Namespace(this, 'Namespace', {
      metadata: {
        name,
        labels: {
          ...props.labels,
          [`${POD_SECURITY}/enforce`]: this.podSecurity.level,
          [`${POD_SECURITY}/enforce-version`]: version,
          [`${POD_SECURITY}/audit`]: 'restricted',
          [`${POD_SECURITY}/audit-version`]: version,
          [`${POD_SECURITY}/warn`]: 'restricted',
          [`${POD_SECURITY}/warn-version`]: version,
        },
        annotations: this.podSecurity.reason ? { [POD_SECURITY_REASON_ANNOTATION]: this.podSecurity.reason } : undefined,
      },
    });
    makeClusterScoped(ApiObject.of(this.namespace));

    // Deny first, then open: NetworkPolicies are additive, so every allowance below
    // (and every workload's own policy) adds to an empty set.
    this.defaultDeny = new kplus.k8s.KubeNetworkPolicy(this, 'DefaultDeny', {
      metadata: { name: 'default-deny', namespace: name },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
    const dns = props.dns ?? { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' } };
    this.validateAllowance('dns', dns);
    this.allowDns = new kplus.k8s.KubeNetworkPolicy(this, 'AllowDns', {
      metadata: { name: 'allow-dns-egress', namespace: name },
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{
          to: [peerOf(dns)],
          ports: (dns.ports ?? [53]).flatMap(port => ['UDP', 'TCP'].map(protocol => ({ protocol, port: kplus.k8s.IntOrString.fromNumber(port) }))),
        }],
      },
    });
    if (props.allowEgress) {
      const peers = (props.allowEgress.namespaces ?? []).map((a, i) => {
        const prop = `allowEgress.namespaces[${i}]`;
        if (a.namespace === name) throw invalidProp(this, `${prop}.namespace`, `('${a.namespace}') is this namespace: use allowEgress.withinNamespace`);
        this.validateAllowance(prop, a);
        return { peer: peerOf(a), ports: a.ports };
      });
      this.allowEgress = createEgressPolicy(this, name, props.allowEgress, peers);
    }
    const allowances = [
      ...(props.allowIngressFrom ?? []).map((a, i) => ({ a, prop: `allowIngressFrom[${i}]` })),
      ...(props.allowMonitoringFrom ? [{ a: props.allowMonitoringFrom, prop: 'allowMonitoringFrom' }] : []),
    ];
    const seen = new Set<string>();
    for (const { a, prop } of allowances) {
      this.validateAllowance(prop, a);
      if (seen.has(a.namespace)) throw invalidProp(this, `${prop}.namespace`, `('${a.namespace}') is allowed twice; give each namespace once`);
      seen.add(a.namespace);
      new kplus.k8s.KubeNetworkPolicy(this, `Allow-${a.namespace}`, {
        metadata: { name: `allow-from-${a.namespace}`.slice(0, 253), namespace: name },
        spec: {
          podSelector: {},
          policyTypes: ['Ingress'],
          ingress: [{
            from: [peerOf(a)],
            ports: a.ports?.map(port => ({ protocol: 'TCP', port: kplus.k8s.IntOrString.fromNumber(port) })),
          }],
        },
      });
    }

    this.quota = new ResourceQuota(this, 'Quota', {
      name: 'ml-quota',
      ...(props.quota ?? { gpus: 0, objectCounts: { loadBalancers: 0 } }),
      namespace: name,
    });
    this.limitRange = new LimitRange(this, 'LimitRange', { name: 'ml-limits', ...props.limitRange, namespace: name });

    // Placement happens at synth, so constructs added after this one still land here;
    // before the App's and the policy checks, which read namespaces.
    this.node.addValidation({ validate: () => { this.place(); return []; } });
    beforeSynthChecks(this, () => this.place());
  }

  /** Adds a label to the Namespace, e.g. an admission controller's opt-in label. */
  public addLabel(key: string, value: string): void {
    if (key.startsWith(`${POD_SECURITY}/`) || key === NAME_LABEL) {
      throw invalidProp(this, `addLabel('${key}')`, 'cannot change a label set by MlNamespace: use podSecurity and podSecurityVersion');
    }
    requireLabelValue(this, `addLabel('${key}')`, value);
    this.namespace.metadata.addLabel(key, value);
  }

  private validateAllowance(prop: string, a: NamespaceAllowance): void {
    requireDnsLabel(this, `${prop}.namespace`, a.namespace);
    if (a.namespace === this.name) {
      throw invalidProp(this, `${prop}.namespace`, `('${a.namespace}') is this namespace: pods of a namespace are opened to each other by their own NetworkPolicies`);
    }
    for (const [k, v] of Object.entries(a.podLabels ?? {})) requireLabelValue(this, `${prop}.podLabels['${k}']`, v);
    if (a.ports !== undefined && a.ports.length === 0) {
      throw invalidProp(this, `${prop}.ports`, 'is empty: leave it out to allow every port, or list at least one');
    }
    (a.ports ?? []).forEach((p, i) => requirePort(this, `${prop}.ports[${i}]`, p));
  }

  private place(): void {
    const chart = Chart.of(this);
    for (const c of this.node.findAll()) {
      if (!(c instanceof ApiObject) || (c as any)[PLACED]) continue;
      // The innermost MlNamespace and the same chart decide: a nested MlNamespace
      // or a nested Chart places its own objects.
      if (MlNamespace.of(c) !== this || Chart.of(c) !== chart) continue;
      if (isClusterScoped(c.apiVersion, c.kind)) {
        // cdk8s gives every object the chart's namespace; ours remove it, others
        // (raw L1s, cdk8s-plus ClusterRoles) may not: the rendered object decides.
        if (c.toJson().metadata?.namespace !== undefined) c.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
        Object.defineProperty(c, PLACED, { value: true });
        continue;
      }
      const current = c.metadata.namespace;
      if (current !== undefined && current !== chart.namespace) continue;
      if (current !== this.name) c.addJsonPatch(JsonPatch.add('/metadata/namespace', this.name));
      Object.defineProperty(c, PLACED, { value: true });
    }
  }
}

/**
 * Exempts an object from placement: its namespace was chosen on purpose (Velero's,
 * a ReferenceGrant's), even when it equals the chart's. Internal.
 */
export function keepNamespace(obj: ApiObject): void {
  if (!(obj as any)[PLACED]) Object.defineProperty(obj, PLACED, { value: true });
}

function peerOf(a: NamespaceAllowance): kplus.k8s.NetworkPolicyPeer {
  return {
    namespaceSelector: { matchLabels: { [NAME_LABEL]: a.namespace } },
    podSelector: a.podLabels ? { matchLabels: a.podLabels } : undefined,
  };
}
