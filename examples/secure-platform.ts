// The guide's production setup and security configuration: its `cluster-config`
// ConfigMap, a secure ML namespace (restricted Pod Security, default-deny network,
// quota), RBAC personas, a secret from an external vault consumed by a model server,
// signed images only, a Gateway (with a canary behind it) and several ingress
// classes, and backups.
import { App, Chart, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  AllowedRoutes, CanaryRelease, CanaryTraffic, ClusterConfig, ClusterSecretStore, ExternalSecret, Gateway, GatewayClass,
  ImagePolicy, ImagePolicyEngine, ImageSignature, IngressClass, MlCrdRoles, MlModelServing, MlNamespace, MlPersonaRole,
  Persona, SecretProvider, VeleroSchedule, VulnerabilitySeverity,
} from 'cdk8s-ml';

export function build(app: App): void {
  // Cluster-wide objects, applied by the platform team.
  const platform = new Chart(app, 'secure-platform', { disableResourceNameHashes: true });
  // Guide: cluster-config with cluster-name, environment and region.
  new ClusterConfig(platform, 'cluster-config', { clusterName: 'production-cluster', environment: 'production', region: 'us-west-2' });
  // The built-in admin/edit/view roles extended to Ray, Kubeflow, KServe, ... objects.
  new MlCrdRoles(platform, 'crd-roles');
  // Guide: "multiple ingress controllers", one default.
  new IngressClass(platform, 'nginx', { controller: 'k8s.io/ingress-nginx', isDefault: true });
  new IngressClass(platform, 'alb', { controller: 'ingress.k8s.aws/alb' });
  // Istio runs each Gateway's proxies in the Gateway's own namespace, which the ML
  // namespace admits below (Envoy Gateway would run them in envoy-gateway-system).
  const gatewayClass = new GatewayClass(platform, 'istio', { controllerName: 'istio.io/gateway-controller' });
  // One vault for every ML namespace, readable from those namespaces only.
  const vault = new ClusterSecretStore(platform, 'ml-vault', {
    provider: SecretProvider.vault({
      server: 'https://vault.example.com:8200',
      path: 'secret',
      role: 'ml-workloads',
      serviceAccount: { name: 'external-secrets', namespace: 'external-secrets' },
    }),
    namespaces: ['ml'],
  });

  // Guide: "load balancers": the Gateway model servers' routes attach to.
  const gateway = new Chart(app, 'secure-gateway', { namespace: 'gateway', disableResourceNameHashes: true });
  const mlGateway = new Gateway(gateway, 'ml-gateway', {
    gatewayClass,
    listeners: [{
      name: 'https',
      hostname: 'models.example.com',
      tlsCertificate: kplus.Secret.fromSecretName(gateway, 'models-tls', 'models-tls'),
      allowedRoutes: AllowedRoutes.fromNamespaceNames('ml'),
    }],
  });

  // The ML namespace and everything in it: objects created under `ml` land in it.
  const chart = new Chart(app, 'secure-ml', { namespace: 'ml', disableResourceNameHashes: true });
  const ml = new MlNamespace(chart, 'ml', {
    allowIngressFrom: [{ namespace: 'gateway', ports: [8080] }],
    allowMonitoringFrom: { namespace: 'monitoring', ports: [9090] },
    quota: { gpus: 8, objectCounts: { loadBalancers: 0 } },
  });
  new MlPersonaRole(ml, 'ml-engineers', { persona: Persona.mlEngineer(), subjects: [kplus.Group.fromName(chart, 'engineers', 'ml-engineers')] });
  new MlPersonaRole(ml, 'viewers', { persona: Persona.viewer(), subjects: [kplus.Group.fromName(chart, 'viewers-group', 'ml-viewers')] });
  new MlPersonaRole(ml, 'notebook-users', { persona: Persona.notebookUser(), subjects: [kplus.Group.fromName(chart, 'researchers', 'ml-researchers')] });
  const deployer = new kplus.ServiceAccount(ml, 'ci-deployer-sa', { metadata: { name: 'ci-deployer' }, automountToken: false });
  new MlPersonaRole(ml, 'ci', { persona: Persona.ciDeployer(), subjects: [deployer] });

  // Guide: "secrets management: external vaults" and "secrets rotation": the token is
  // re-read every 15 minutes; the YAML holds only its path.
  const hfToken = new ExternalSecret(ml, 'hf-token', {
    store: vault,
    refreshInterval: Duration.minutes(15),
    data: [{ secretKey: 'HF_TOKEN', remoteKey: 'ml/huggingface', property: 'token' }],
  });
  const bert = new MlModelServing(ml, 'bert', {
    image: 'registry.example.com/ml/bert-server:1.4.2',
    metrics: { port: 9090 },
    ingressFrom: [kplus.Namespaces.select(chart, 'gateway-namespace', { names: ['gateway'] })],
    // Env is read at start-up: a rotated token reaches the pods at their next restart.
    env: { HF_TOKEN: hfToken.envValue('HF_TOKEN') },
  });
  // A changed ExternalSecret (another key, path or version) rolls the server out.
  hfToken.restartOnChange(bert.deployment);

  // A canary of the next version behind the Gateway: 10% of models.example.com/bert.
  new CanaryRelease(ml, 'bert-next', {
    stable: { image: 'registry.example.com/ml/bert-server:1.4.2' },
    canary: { image: 'registry.example.com/ml/bert-server:1.5.0' },
    weight: 10,
    traffic: CanaryTraffic.gatewayApi({ gateway: mlGateway.parentRef('https'), hostnames: ['models.example.com'], pathPrefix: '/bert' }),
  });

  // Guide: "image scanning": signed by the release workflow, with a scan attestation
  // showing nothing above MEDIUM, at most a week old.
  new ImagePolicy(platform, 'signed-ml-images', {
    engine: ImagePolicyEngine.kyverno(),
    repositories: ['registry.example.com/ml'],
    signature: ImageSignature.keyless({
      issuer: 'https://token.actions.githubusercontent.com',
      subjectRegExp: '^https://github\\.com/acme/models/\\.github/workflows/release\\.yaml@refs/tags/v.*$',
    }),
    namespaces: [ml],
    vulnerabilityScan: { maxSeverity: VulnerabilitySeverity.MEDIUM, maxAge: Duration.days(7) },
  });

  // Guide: "backup strategy": nightly Velero backups of the ML namespace (a managed
  // control plane's etcd is the provider's; see EtcdSnapshotCronJob otherwise).
  new VeleroSchedule(platform, 'ml-nightly', { namespaces: [ml], ttl: Duration.days(30) });
}

if (require.main === module) {
  const app = new App();
  build(app);
  app.synth();
}
