// The platform team's charts of examples/ml-platform.ts: what is applied once per
// cluster (node pools, priorities, queues, admission, secrets, backups) and the
// namespaces the ML teams deploy into.
import { App, Chart, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  AllowedRoutes, CapacityType, ClusterConfig, ClusterQueue, ClusterSecretStore, Ec2Ami, Ec2NodeClass, Ec2NodeIdentity, Gateway,
  GatewayClass, GpuNodePool, ImagePolicy, ImagePolicyEngine, ImageSignature, KarpenterNodePool, MlCrdRoles, MlNamespace,
  MlPersonaRole, Persona, PriorityClass, QueueingStrategy, ResourceFlavor, SecretProvider, SpotNodePool, VeleroSchedule,
  VulnerabilitySeverity,
} from 'cdk8s-ml';

/** Every image of the ML namespaces comes from here, mirrored and signed by the release workflow. */
export const REGISTRY = 'registry.example.com/ml';
export const TRAINING = 'ml-training';
export const SERVING = 'ml-serving';
export const GATEWAY = 'gateway';
export const MONITORING = 'monitoring';
/** kube-prometheus-stack selects monitors and rules by its release label. */
export const PROMETHEUS_LABELS = { release: 'kube-prometheus-stack' };

/** What the team charts build on. */
export interface Platform {
  readonly servingGpus: GpuNodePool;
  readonly trainingSpotGpus: SpotNodePool;
  readonly servingPriority: PriorityClass;
  readonly trainingPriority: PriorityClass;
  readonly trainingQueue: ClusterQueue;
  readonly secrets: ClusterSecretStore;
  readonly gateway: Gateway;
}

export function platformCharts(app: App): Platform {
  const cluster = new Chart(app, 'ml-platform-cluster', { disableResourceNameHashes: true });

  // Guide "Production Setup > Cluster Configuration": the cluster-config ConfigMap.
  new ClusterConfig(cluster, 'cluster-config', { clusterName: 'production-cluster', environment: 'production', region: 'us-west-2' });

  // Guide "Performance > Cluster autoscaling": Karpenter pools on one EC2NodeClass.
  // CPU nodes for everything without GPUs, on-demand GPUs for serving, spot GPUs
  // (reclaimable, cheap) for checkpointing training.
  const nodes = new Ec2NodeClass(cluster, 'ml-nodes', {
    ami: Ec2Ami.alias('al2023@v20240807'),
    identity: Ec2NodeIdentity.role('KarpenterNodeRole-production-cluster'),
    subnets: { tags: { 'karpenter.sh/discovery': 'production-cluster' } },
    securityGroups: { tags: { 'karpenter.sh/discovery': 'production-cluster' } },
    raid0InstanceStore: true, // images of many GBs on the local NVMe disks
  });
  new KarpenterNodePool(cluster, 'general', { nodeClass: nodes.reference, instanceCategories: ['c', 'm', 'r'], limits: { cpu: kplus.Cpu.units(256) } });
  const servingGpus = new GpuNodePool(cluster, 'serving-gpu', {
    nodeClass: nodes.reference, capacityTypes: [CapacityType.ON_DEMAND], instanceFamilies: ['g6e', 'g6'], maxGpus: 16,
  });
  // Guide "Cost Optimization > Spot Instances": as a Karpenter pool instead of Node objects.
  const trainingSpotGpus = new SpotNodePool(cluster, 'training-spot-gpu', {
    nodeClass: nodes.reference, gpu: { maxGpus: 32 }, instanceFamilies: ['g6e', 'g6', 'g5'], expireAfter: Duration.days(7),
  });

  // Guide "Resource Optimization > Priority classes": serving preempts training.
  const servingPriority = PriorityClass.onlineServing(cluster, 'ml-serving-priority');
  const trainingPriority = PriorityClass.training(cluster, 'ml-training-priority');

  // Kueue: whole training jobs admitted at once against the spot pool's GPUs.
  const trainingQueue = new ClusterQueue(cluster, 'training', {
    flavors: [{ flavor: ResourceFlavor.fromNodePool(cluster, 'spot-gpu', trainingSpotGpus), cpu: kplus.Cpu.units(256), memory: Size.tebibytes(2), gpus: 32 }],
    queueingStrategy: QueueingStrategy.STRICT_FIFO,
  });

  // Guide "Security > Secrets management: external vaults": AWS Secrets Manager
  // through the operator's IRSA role; only the ML namespaces may read it.
  const secrets = new ClusterSecretStore(cluster, 'aws-secrets', {
    provider: SecretProvider.awsSecretsManager({ region: 'us-west-2', serviceAccount: { name: 'external-secrets', namespace: 'external-secrets' } }),
    namespaces: [TRAINING, SERVING],
  });

  // Guide "Security > RBAC" and "Network policies": one namespace per team activity,
  // restricted Pod Security, default-deny traffic, a quota covering peak scale.
  // Egress beside DNS: HTTPS out of the cluster (model hub, S3, pip) for both; for
  // training also its own pods on every port (torchrun rendezvous, NCCL, Ray,
  // MLflow), and in the VPC the API server's endpoints (Ray's autoscaler scales
  // its worker groups) and MLflow's Postgres.
  const https = { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'], ports: [443] };
  const training = new MlNamespace(cluster, TRAINING, {
    allowMonitoringFrom: { namespace: MONITORING },
    allowEgress: { withinNamespace: true, cidrs: [https, { cidr: '10.0.0.0/16', ports: [443, 5432] }] },
    quota: {
      requests: { cpu: kplus.Cpu.units(200), memory: Size.gibibytes(1600) },
      limits: { cpu: kplus.Cpu.units(200), memory: Size.gibibytes(1600) },
      gpus: 32,
      objectCounts: { loadBalancers: 0 },
    },
  });
  const serving = new MlNamespace(cluster, SERVING, {
    allowIngressFrom: [{ namespace: GATEWAY, ports: [8000, 8080] }],
    allowMonitoringFrom: { namespace: MONITORING },
    allowEgress: { cidrs: [https] },
    quota: {
      requests: { cpu: kplus.Cpu.units(200), memory: Size.gibibytes(1024) },
      limits: { cpu: kplus.Cpu.units(200), memory: Size.gibibytes(1024) },
      gpus: 16,
      objectCounts: { loadBalancers: 0 },
    },
  });
  for (const ns of [training, serving]) {
    new MlPersonaRole(ns, 'ml-engineers', { persona: Persona.mlEngineer(), subjects: [kplus.Group.fromName(ns, 'engineers', 'ml-engineers')] });
    new MlPersonaRole(ns, 'viewers', { persona: Persona.viewer(), subjects: [kplus.Group.fromName(ns, 'viewers-group', 'ml-viewers')] });
    const deployer = new kplus.ServiceAccount(ns, 'ci-deployer-sa', { metadata: { name: 'ci-deployer' }, automountToken: false });
    new MlPersonaRole(ns, 'ci', { persona: Persona.ciDeployer(), subjects: [deployer] });
  }
  new MlCrdRoles(cluster, 'crd-roles');

  // Guide "Best Practices > Security > Image scanning": signed images of our
  // registry only, with a fresh scan showing nothing above MEDIUM.
  new ImagePolicy(cluster, 'signed-ml-images', {
    engine: ImagePolicyEngine.kyverno(),
    repositories: [REGISTRY],
    signature: ImageSignature.keyless({
      issuer: 'https://token.actions.githubusercontent.com',
      subjectRegExp: '^https://github\\.com/acme/ml-images/\\.github/workflows/mirror\\.yaml@refs/heads/main$',
    }),
    namespaces: [training, serving],
    vulnerabilityScan: { maxSeverity: VulnerabilitySeverity.MEDIUM, maxAge: Duration.days(7) },
  });

  // Guide "High Availability > Backup strategy": nightly Velero backups (EKS runs etcd).
  new VeleroSchedule(cluster, 'ml-nightly', { namespaces: [training, serving], ttl: Duration.days(30) });

  // Guide "High Availability > Load balancers": one Gateway for every model endpoint.
  const gatewayClass = new GatewayClass(cluster, 'istio', { controllerName: 'istio.io/gateway-controller' });
  const edge = new Chart(app, 'ml-platform-gateway', { namespace: GATEWAY, disableResourceNameHashes: true });
  const gateway = new Gateway(edge, 'ml-gateway', {
    gatewayClass,
    listeners: [{
      name: 'https',
      hostname: 'models.example.com',
      tlsCertificate: kplus.Secret.fromSecretName(edge, 'models-tls', 'models-tls'),
      allowedRoutes: AllowedRoutes.fromNamespaces(serving),
    }],
  });

  return { servingGpus, trainingSpotGpus, servingPriority, trainingPriority, trainingQueue, secrets, gateway };
}
