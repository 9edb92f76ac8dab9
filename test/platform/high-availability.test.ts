import { App, Chart, Cron, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  AllowedRoutes, ClusterConfig, EtcdSnapshotCronJob, Gateway, GatewayClass, IngressClass, MlNamespace, VeleroSchedule,
} from '../../src';
import { findObject, findObjects, restrictedViolations, synthAndValidate, validateManifests } from '../util';

function chart(namespace?: string): Chart {
  return new Chart(Testing.app(), 'platform', { namespace });
}

describe('GatewayClass and Gateway', () => {
  test('HTTPS listener with a Secret certificate, routes from chosen namespaces; HTTP only with a reason', () => {
    const c = chart();
    const gw = new MlNamespace(c, 'gateway');
    const ml = new MlNamespace(c, 'ml');
    const cls = new GatewayClass(c, 'envoy', { controllerName: 'gateway.envoyproxy.io/gatewayclass-controller', description: 'Envoy Gateway' });
    const gateway = new Gateway(gw, 'ml-gateway', {
      gatewayClass: cls,
      listeners: [
        { name: 'https', hostname: 'models.example.com', tlsCertificate: kplus.Secret.fromSecretName(c, 'cert', 'models-tls'), allowedRoutes: AllowedRoutes.fromNamespaces(ml) },
        { name: 'http', hostname: 'models.example.com', plaintextReason: 'redirects to HTTPS only' },
      ],
    });
    const m = synthAndValidate(c);
    expect(findObject(m, 'GatewayClass', 'envoy')).toEqual({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'GatewayClass',
      metadata: { name: 'envoy' },
      spec: { controllerName: 'gateway.envoyproxy.io/gatewayclass-controller', description: 'Envoy Gateway' },
    });
    const g = findObject(m, 'Gateway', 'ml-gateway');
    expect(g.metadata.namespace).toBe('gateway');
    expect(g.spec).toEqual({
      gatewayClassName: 'envoy',
      listeners: [
        {
          name: 'https',
          hostname: 'models.example.com',
          port: 443,
          protocol: 'HTTPS',
          tls: { mode: 'Terminate', certificateRefs: [{ group: '', kind: 'Secret', name: 'models-tls' }] },
          allowedRoutes: { namespaces: { from: 'Selector', selector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['ml'] }] } } },
        },
        { name: 'http', hostname: 'models.example.com', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'Same' } } },
      ],
    });
    expect(gateway.parentRef('https')).toEqual({ name: 'ml-gateway', namespace: 'gateway', sectionName: 'https' });
    expect(gateway.parentRef()).toEqual({ name: 'ml-gateway', namespace: 'gateway' });
    expect(() => gateway.parentRef('grpc')).toThrow("Gateway 'platform/gateway/ml-gateway': parentRef('grpc') is not a listener (listeners: https, http)");
  });

  test('a certificate of another namespace comes with a ReferenceGrant for exactly that Secret', () => {
    const c = chart('gateway');
    const certs = kplus.Secret.fromSecretName(c, 'cert', 'models-tls');
    const other = kplus.Secret.fromSecretName(c, 'cert2', 'api-tls');
    const gw = new Gateway(c, 'gw', {
      gatewayClass: GatewayClass.fromGatewayClassName(c, 'cls', 'istio'),
      listeners: [
        { name: 'models', hostname: 'models.example.com', tlsCertificate: certs, tlsCertificateNamespace: 'cert-manager' },
        { name: 'api', hostname: 'api.example.com', tlsCertificate: other, tlsCertificateNamespace: 'cert-manager' },
        { name: 'local', hostname: 'local.example.com', tlsCertificate: certs, tlsCertificateNamespace: 'gateway' },
      ],
    });
    const m = synthAndValidate(c);
    expect(findObjects(m, 'ReferenceGrant')).toEqual([{
      apiVersion: 'gateway.networking.k8s.io/v1beta1',
      kind: 'ReferenceGrant',
      metadata: { name: 'gw-certificates', namespace: 'cert-manager' },
      spec: {
        from: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'gateway' }],
        to: [{ group: '', kind: 'Secret', name: 'api-tls' }, { group: '', kind: 'Secret', name: 'models-tls' }],
      },
    }]);
    expect(gw.referenceGrants).toHaveLength(1);
    expect(findObject(m, 'Gateway').spec.listeners[0].tls.certificateRefs).toEqual([{ group: '', kind: 'Secret', name: 'models-tls', namespace: 'cert-manager' }]);
    expect(() => new Gateway(chart(), 'g', {
      gatewayClass: GatewayClass.fromGatewayClassName(c, 'cls2', 'istio'),
      listeners: [{ name: 'a', tlsCertificate: certs, tlsCertificateNamespace: 'cert-manager' }],
    })).toThrow("Gateway 'platform/g': listeners[0].tlsCertificateNamespace needs the Gateway's own namespace for its ReferenceGrant: create the Gateway in an MlNamespace or a chart with a namespace");
  });

  test('errors', () => {
    const c = chart('gw');
    const cls = GatewayClass.fromGatewayClassName(c, 'cls', 'istio');
    const cert = kplus.Secret.fromSecretName(c, 'cert', 'tls');
    const gw = (listeners: any[]) => () => new Gateway(chart('gw'), 'g', { gatewayClass: cls, listeners });
    expect(gw([])).toThrow("Gateway 'platform/g': listeners is empty: give at least one listener");
    expect(gw(Array.from({ length: 65 }, (_, i) => ({ name: `l${i}`, port: 1000 + i, tlsCertificate: cert })))).toThrow("Gateway 'platform/g': listeners (65) must be at most 64");
    expect(gw([{ name: 'web' }])).toThrow("Gateway 'platform/g': listeners[0].tlsCertificate is required: listeners serve HTTPS; give a certificate Secret, or plaintextReason for plain HTTP");
    expect(gw([{ name: 'web', plaintextReason: ' ' }])).toThrow("Gateway 'platform/g': listeners[0].plaintextReason is empty: say why this listener serves plain HTTP");
    expect(gw([{ name: 'web', plaintextReason: 'x', tlsCertificate: cert }]))
      .toThrow("Gateway 'platform/g': listeners[0].tlsCertificate and plaintextReason exclude each other: a plaintext listener has no certificate");
    expect(gw([{ name: 'a', tlsCertificate: cert }, { name: 'a', tlsCertificate: cert, port: 8443 }]))
      .toThrow("Gateway 'platform/g': listeners[1].name ('a') is used by another listener; names are unique");
    expect(gw([{ name: 'a', tlsCertificate: cert }, { name: 'b', tlsCertificate: cert }]))
      .toThrow("Gateway 'platform/g': listeners[1] has the port, protocol and hostname of a; each combination once");
    expect(gw([{ name: 'a', tlsCertificate: cert, hostname: 'Models.example.com' }]))
      .toThrow("Gateway 'platform/g': listeners[0].hostname ('Models.example.com') must be a DNS name, optionally with a leading '*.' wildcard");
    expect(gw([{ name: 'a', tlsCertificate: cert, allowedRoutes: AllowedRoutes.fromNamespaceNames() }]))
      .toThrow("Gateway 'platform/g': listeners[0].allowedRoutes lists no namespace: give at least one, or use sameNamespace()");
    expect(() => new GatewayClass(chart(), 'x', { controllerName: 'envoy' }))
      .toThrow("GatewayClass 'platform/x': controllerName ('envoy') must be a domain-prefixed path such as 'example.net/gateway-controller'");
  });
});

describe('IngressClass', () => {
  test('several classes, one default, cluster-scoped', () => {
    const c = chart('ingress');
    new IngressClass(c, 'nginx', { controller: 'k8s.io/ingress-nginx', isDefault: true });
    new IngressClass(c, 'alb', { controller: 'ingress.k8s.aws/alb' });
    const m = synthAndValidate(c);
    expect(findObject(m, 'IngressClass', 'nginx')).toEqual({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'IngressClass',
      metadata: { name: 'nginx', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } },
      spec: { controller: 'k8s.io/ingress-nginx' },
    });
    expect(findObject(m, 'IngressClass', 'alb').metadata).toEqual({ name: 'alb' });
  });

  test('errors: two defaults in one app (across charts), a name twice, a bad controller', () => {
    const app = new App({ outdir: '/dev/null' });
    new IngressClass(new Chart(app, 'a'), 'nginx', { controller: 'k8s.io/ingress-nginx', isDefault: true });
    const b = new Chart(app, 'b');
    expect(() => new IngressClass(b, 'alb', { controller: 'ingress.k8s.aws/alb', isDefault: true }))
      .toThrow("IngressClass 'b/alb': isDefault is already true for IngressClass 'a/nginx': one default per cluster");
    expect(() => new IngressClass(b, 'nginx', { controller: 'k8s.io/ingress-nginx' })).toThrow("IngressClass 'b/nginx': name ('nginx') is also the name of IngressClass 'a/nginx'");
    expect(() => new IngressClass(b, 'x', { controller: 'nginx' })).toThrow("IngressClass 'b/x': controller ('nginx') must be a domain-prefixed path such as 'k8s.io/ingress-nginx'");
  });
});

describe('VeleroSchedule', () => {
  test("backs up the ML namespaces without Secrets, labelled with the cluster config, in Velero's namespace", () => {
    const c = chart('platform');
    new ClusterConfig(c, 'cluster', { clusterName: 'production-cluster', environment: 'production', region: 'us-west-2' });
    const ml = new MlNamespace(c, 'ml');
    const training = new MlNamespace(c, 'training');
    new VeleroSchedule(ml, 'ml-daily', { namespaces: [ml, training], storageLocation: 'default' });
    // Velero's namespace is kept even when it is the chart's.
    const inVeleroChart = new Chart(Testing.app(), 'v', { namespace: 'velero' });
    new VeleroSchedule(new MlNamespace(inVeleroChart, 'team'), 's', { namespaces: [new MlNamespace(inVeleroChart, 'team2')] });
    expect(findObject(synthAndValidate(inVeleroChart), 'Schedule').metadata.namespace).toBe('velero');
    const s = findObject(synthAndValidate(c), 'Schedule', 'ml-daily');
    expect(s.metadata.namespace).toBe('velero');
    // Velero refuses old-style filters (includeClusterResources, includedResources, excludedResources) next to new-style ones.
    expect(Object.keys(s.spec.template).filter(k => ['includeClusterResources', 'includedResources', 'excludedResources'].includes(k))).toEqual([]);
    expect(s.spec).toEqual({
      schedule: '0 2 * * *',
      template: {
        includedNamespaces: ['ml', 'training'],
        excludedNamespaceScopedResources: ['secrets'],
        snapshotVolumes: true,
        defaultVolumesToFsBackup: false,
        storageLocation: 'default',
        ttl: '720h0m0s',
        metadata: { labels: { 'cdk8s-ml.io/cluster': 'production-cluster', 'cdk8s-ml.io/environment': 'production', 'topology.kubernetes.io/region': 'us-west-2' } },
      },
      useOwnerReferencesInBackup: false,
    });
  });

  test('Secrets with a reason; schedule, ttl; errors', () => {
    const c = chart();
    const ml = new MlNamespace(c, 'ml');
    new VeleroSchedule(c, 'hourly', { namespaces: [ml], schedule: Cron.hourly(), ttl: Duration.hours(36), includeSecretsReason: 'notebook tokens exist only here', fileSystemBackup: true });
    const s = findObject(synthAndValidate(c), 'Schedule', 'hourly');
    expect(s.metadata.annotations).toEqual({ 'cdk8s-ml.io/include-secrets-reason': 'notebook tokens exist only here' });
    expect(s.spec.template.excludedNamespaceScopedResources).toBeUndefined();
    expect(s.spec.template.ttl).toBe('36h0m0s');
    expect(s.spec.template.defaultVolumesToFsBackup).toBe(true);
    expect(s.spec.schedule).toBe('0 * * * *');
    expect(() => new VeleroSchedule(c, 'a', { namespaces: [] })).toThrow("VeleroSchedule 'platform/a': namespaces is empty: list the ML namespaces to back up");
    expect(() => new VeleroSchedule(c, 'b', { namespaces: [ml], ttl: Duration.minutes(5) }))
      .toThrow("VeleroSchedule 'platform/b': ttl (300s) must be a whole number of seconds, at least an hour");
    expect(() => new VeleroSchedule(c, 'd', { namespaces: [ml], includeSecretsReason: '' })).toThrow("VeleroSchedule 'platform/d': includeSecretsReason is empty: say why Secrets must be in the backups");
  });
});

describe('EtcdSnapshotCronJob', () => {
  test('privileged only by an explicit reason, in its own namespace, otherwise least privilege', () => {
    const c = chart();
    new EtcdSnapshotCronJob(c, 'etcd', { reason: 'kubeadm cluster on bare metal', image: 'registry.example.com/etcd:3.5.21' });
    const m = Testing.synth(c);
    validateManifests(m);
    const ns = findObject(m, 'Namespace', 'etcd-backup');
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
    expect(ns.metadata.annotations['cdk8s-ml.io/pod-security-reason']).toBe('etcd snapshots: kubeadm cluster on bare metal');
    const job = findObject(m, 'CronJob');
    expect(job.metadata.namespace).toBe('etcd-backup');
    expect(job.spec.schedule).toBe('0 */6 * * *');
    expect(job.spec.concurrencyPolicy).toBe('Forbid');
    const pod = job.spec.jobTemplate.spec.template.spec;
    expect(pod.hostNetwork).toBe(true);
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.securityContext).toMatchObject({ runAsUser: 0, runAsNonRoot: false, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.tolerations).toEqual([{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(JSON.stringify(pod.affinity)).toContain('node-role.kubernetes.io/control-plane');
    const container = pod.containers[0];
    expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(container.resources).toEqual({ limits: { cpu: '500m', memory: '512Mi' }, requests: { cpu: '100m', memory: '128Mi' } });
    expect(container.args[0]).toContain('snapshot save "/backup/etcd-$(date -u +%Y%m%dT%H%M%SZ).db"');
    expect(container.args[0]).toContain("find /backup -name 'etcd-*.db' -mtime +7 -delete");
    expect(pod.volumes).toEqual(expect.arrayContaining([
      { name: 'etcd-pki', hostPath: { path: '/etc/kubernetes/pki/etcd', type: 'Directory' } },
      { name: 'backup', hostPath: { path: '/var/backups/etcd', type: 'DirectoryOrCreate' } },
    ]));
    // Exactly the opted-out checks fail the restricted profile, nothing else.
    const pre = 'CronJob/etcd-snapshot: spec.jobTemplate.spec.template.spec.';
    expect(restrictedViolations(m)).toEqual([
      `${pre}hostNetwork must not be true`,
      `${pre}securityContext.runAsNonRoot must not be false`,
      `${pre}securityContext.runAsUser must not be 0`,
      `${pre}volumes[0] (etcd-pki): volume type "hostPath" is not allowed`,
      `${pre}volumes[1] (backup): volume type "hostPath" is not allowed`,
      `${pre}containers[0] (container "etcdctl"): securityContext.runAsUser must not be 0`,
      `${pre}containers[0] (container "etcdctl"): securityContext.runAsNonRoot must not be false`,
    ]);
    // Every other object is restricted-clean.
    expect(restrictedViolations(m.filter(o => o.kind !== 'CronJob'))).toEqual([]);
    expect(findObjects(m, 'NetworkPolicy').map(p => p.metadata.name).sort()).toEqual(['allow-dns-egress', 'default-deny']);
  });

  test('errors', () => {
    const c = chart();
    expect(() => new EtcdSnapshotCronJob(c, 'a', { reason: ' ', image: 'etcd:3.5.21' })).toThrow("EtcdSnapshotCronJob 'platform/a': reason is empty: say why this cluster backs up etcd itself");
    expect(() => new EtcdSnapshotCronJob(c, 'b', { reason: 'r', image: 'etcd' }))
      .toThrow("EtcdSnapshotCronJob 'platform/b': image ('etcd') must be pinned by a version tag or digest: this job runs as root on control-plane nodes");
    expect(() => new EtcdSnapshotCronJob(c, 'c', { reason: 'r', image: 'etcd:1', retentionDays: 0 })).toThrow("EtcdSnapshotCronJob 'platform/c': retentionDays (0) must be between 1 and 366");
    expect(() => new EtcdSnapshotCronJob(c, 'd', { reason: 'r', image: 'etcd:1', endpoint: 'http://127.0.0.1:2379' }))
      .toThrow("EtcdSnapshotCronJob 'platform/d': endpoint ('http://127.0.0.1:2379') must be an https:// URL");
    expect(() => new EtcdSnapshotCronJob(c, 'e', { reason: 'r', image: 'etcd:1', backupDirectory: '/var/../etc' }))
      .toThrow("EtcdSnapshotCronJob 'platform/e': backupDirectory ('/var/../etc') must be an absolute path without '..'");
  });
});
