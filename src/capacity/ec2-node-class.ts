import { ApiObject, Size, SizeRoundingBehavior } from 'cdk8s';
import { Construct } from 'constructs';
import { makeClusterScoped } from './cluster-scoped';
import { KarpenterNodePool, KarpenterNodePoolProps } from './karpenter-node-pool';
import { NodeClassReference } from './karpenter-node-pool-options';
import { invalidProp } from '../core/errors';
import { applyObjectMetadata, ObjectMetadataOptions } from '../core/metadata-validation';
import { requireDnsSubdomain, requireInteger, requireProps } from '../core/validation';

// Karpenter's AWS provider: karpenter.k8s.aws/v1 EC2NodeClass, checked in tests
// against ../shared/crds/karpenter.k8s.aws_ec2nodeclasses.yaml (schema and CEL).
// https://karpenter.sh/docs/concepts/nodeclasses/
const AWS_API_VERSION = 'karpenter.k8s.aws/v1';
const ALIAS_FAMILIES = ['al2', 'al2023', 'bottlerocket', 'windows2019', 'windows2022', 'windows2025'];
/** `amiFamily` values the CRD accepts. */
const AMI_FAMILIES = ['AL2', 'AL2023', 'Bottlerocket', 'Custom', 'Windows2019', 'Windows2022', 'Windows2025'];

/** Options of {@link Ec2Ami.selector}. */
export interface Ec2AmiSelectorOptions {
  /** `amiFamily`: the user-data format and default block devices (`AL2023`, `Bottlerocket`, `Custom`, ...). */
  readonly family: string;
  /**
   * AMI ids (each its own term).
   * @default - none
   */
  readonly ids?: string[];
  /**
   * Tags an AMI must carry.
   * @default - none
   */
  readonly tags?: { [key: string]: string };
  /**
   * AMI name (wildcards allowed), with `owner`.
   * @default - none
   */
  readonly name?: string;
  /**
   * Owner account or alias of the named AMI.
   * @default - Karpenter's default (self, amazon)
   */
  readonly owner?: string;
}

/**
 * The AMIs of an {@link Ec2NodeClass}.
 *
 * @example
 * import { Ec2Ami, Ec2NodeClass, Ec2NodeIdentity } from 'cdk8s-ml';
 *
 * new Ec2NodeClass(this, 'bottlerocket', {
 *   // Your own Bottlerocket AMIs, found by tag.
 *   ami: Ec2Ami.selector({ family: 'Bottlerocket', tags: { team: 'ml' } }),
 *   identity: Ec2NodeIdentity.role('KarpenterNodeRole-ml'),
 *   subnets: { tags: { 'karpenter.sh/discovery': 'ml' } },
 *   securityGroups: { tags: { 'karpenter.sh/discovery': 'ml' } },
 * });
 */
export class Ec2Ami {
  /**
   * An EKS-optimized AMI by `family@version`, e.g. `al2023@v20240807` or
   * `bottlerocket@v1.20.0`. Pin the version: `@latest` rolls every node when AWS
   * publishes an AMI (Karpenter's drift), which is why it needs `allowLatest`.
   */
  public static alias(alias: string, allowLatest = false): Ec2Ami {
    return new Ec2Ami(alias, undefined, allowLatest);
  }

  /** Your own AMIs, by id, tags or name. */
  public static selector(options: Ec2AmiSelectorOptions): Ec2Ami {
    return new Ec2Ami(undefined, options, false);
  }

  private constructor(
    private readonly aliasValue: string | undefined,
    private readonly select: Ec2AmiSelectorOptions | undefined,
    private readonly allowLatest: boolean,
  ) {}

  /** The family (`al2023`, `bottlerocket`, or the selector's family, lowercased). @internal */
  public get _family(): string {
    return (this.aliasValue ? this.aliasValue.split('@')[0] : this.select!.family).toLowerCase();
  }

  /** `amiSelectorTerms` and `amiFamily`. @internal */
  public _render(scope: Construct): { amiSelectorTerms: any[]; amiFamily?: string } {
    if (this.aliasValue !== undefined) {
      const [family, version] = this.aliasValue.split('@');
      if (!/^[a-zA-Z0-9]+@.+$/.test(this.aliasValue) || this.aliasValue.length > 30 || !ALIAS_FAMILIES.includes(family)) {
        throw invalidProp(scope, 'ami', `('${this.aliasValue}') must be 'family@version' (at most 30 characters) with family one of ${ALIAS_FAMILIES.join(', ')}`);
      }
      if (version === 'latest' && !this.allowLatest && !family.startsWith('windows')) {
        throw invalidProp(scope, 'ami', `('${this.aliasValue}') follows every AMI release and rolls all nodes with it: pin a version, or pass allowLatest`);
      }
      if (family.startsWith('windows') && version !== 'latest') {
        throw invalidProp(scope, 'ami', `('${this.aliasValue}'): Windows families only take '@latest'`);
      }
      return { amiSelectorTerms: [{ alias: this.aliasValue }] };
    }
    const s = this.select!;
    if (!AMI_FAMILIES.includes(s.family)) throw invalidProp(scope, 'ami.family', `('${s.family}') must be one of ${AMI_FAMILIES.join(', ')}`);
    const terms = [
      ...(s.ids ?? []).map(id => ({ id })),
      ...(s.tags || s.name ? [{ ...(s.tags ? { tags: requireTags(scope, 'ami.tags', s.tags) } : {}), ...(s.name ? { name: s.name } : {}), ...(s.owner ? { owner: s.owner } : {}) }] : []),
    ];
    if (terms.length === 0) throw invalidProp(scope, 'ami', 'selects no AMI: give ids, tags or a name');
    if (s.owner && !s.name && !s.tags) throw invalidProp(scope, 'ami.owner', 'needs a name or tags to select by');
    return { amiSelectorTerms: terms, amiFamily: s.family };
  }
}

/**
 * The IAM identity of the nodes.
 *
 * @example
 * import { Ec2Ami, Ec2NodeClass, Ec2NodeIdentity } from 'cdk8s-ml';
 *
 * new Ec2NodeClass(this, 'gpu', {
 *   ami: Ec2Ami.alias('al2023@v20240807'),
 *   // An instance profile you manage (else Karpenter makes one for a role).
 *   identity: Ec2NodeIdentity.instanceProfile('ml-gpu-nodes'),
 *   subnets: { ids: ['subnet-0a1b2c3d4e5f60718', 'subnet-0f1e2d3c4b5a69788'] },
 *   securityGroups: { tags: { 'karpenter.sh/discovery': 'ml' } },
 * });
 */
export class Ec2NodeIdentity {
  /** An IAM role; Karpenter creates and manages the instance profile. */
  public static role(roleName: string): Ec2NodeIdentity {
    return new Ec2NodeIdentity('role', roleName);
  }

  /** An instance profile you manage. */
  public static instanceProfile(name: string): Ec2NodeIdentity {
    return new Ec2NodeIdentity('instanceProfile', name);
  }

  private constructor(private readonly field: 'role' | 'instanceProfile', private readonly value: string) {}

  /** @internal */
  public _render(scope: Construct): { [field: string]: string } {
    if (this.value.trim() === '') throw invalidProp(scope, 'identity', `(${this.field}) must not be empty`);
    return { [this.field]: this.value };
  }
}

/** A subnet or security-group selector: tags, or ids. */
export interface Ec2SelectorTerms {
  /**
   * Tags to match, e.g. `{ 'karpenter.sh/discovery': 'my-cluster' }`.
   * @default - none
   */
  readonly tags?: { [key: string]: string };
  /**
   * Ids, each its own term.
   * @default - none
   */
  readonly ids?: string[];
}

/** The root volume. */
export interface Ec2RootVolumeOptions {
  /**
   * Size: it holds the container images (GPU images are 10-20 GiB each) and
   * everything pods write to emptyDir and the image cache (model files).
   * @default Size.gibibytes(200)
   */
  readonly size?: Size;
  /**
   * gp3 IOPS (3000..16000).
   * @default 3000 (gp3's baseline)
   */
  readonly iops?: number;
  /**
   * gp3 throughput in MiB/s (125..1000); image pulls and model loads are throughput bound.
   * @default 250
   */
  readonly throughput?: number;
  /**
   * KMS key of the encryption.
   * @default - the account's default EBS key
   */
  readonly kmsKeyId?: string;
}

/** Properties of {@link Ec2NodeClass}. */
export interface Ec2NodeClassProps {
  /**
   * Name of the EC2NodeClass.
   * @default - the construct id
   */
  readonly name?: string;
  /** The AMIs. */
  readonly ami: Ec2Ami;
  /** The nodes' IAM role or instance profile. */
  readonly identity: Ec2NodeIdentity;
  /** The subnets nodes launch in. */
  readonly subnets: Ec2SelectorTerms;
  /** The security groups of the nodes. */
  readonly securityGroups: Ec2SelectorTerms;
  /**
   * The root volume (gp3, encrypted, deleted with the node).
   * @default - 200 GiB, 3000 IOPS, 250 MiB/s
   */
  readonly rootVolume?: Ec2RootVolumeOptions;
  /**
   * Use the instance-store NVMe disks (p4d, p5, g5, g6 ...) as one RAID0 array for
   * the kubelet and container images, which then no longer fill the root volume.
   * @default false
   */
  readonly raid0InstanceStore?: boolean;
  /**
   * Tags of the EC2 instances, volumes and launch templates (e.g. cost allocation).
   * @default - none
   */
  readonly tags?: { [key: string]: string };
  /**
   * Labels and annotations of the EC2NodeClass.
   * @default - none
   */
  readonly metadata?: ObjectMetadataOptions;
}

/**
 * A Karpenter `EC2NodeClass` (karpenter.k8s.aws/v1): how the nodes of its
 * NodePools are launched on AWS. `addNodePool` pairs a NodePool with it.
 * IMDSv2 only, with a hop limit of 1 (Karpenter's defaults, written out so they
 * are reviewed), so pods cannot reach the node's credentials.
 *
 * @example
 * import { Ec2Ami, Ec2NodeClass, Ec2NodeIdentity } from 'cdk8s-ml';
 *
 * // How Karpenter launches the GPU nodes on AWS, and a NodePool that uses it.
 * const nodeClass = new Ec2NodeClass(this, 'gpu', {
 *   ami: Ec2Ami.alias('al2023@v20240807'),
 *   identity: Ec2NodeIdentity.role('KarpenterNodeRole-ml'),
 *   subnets: { tags: { 'karpenter.sh/discovery': 'ml' } },
 *   securityGroups: { tags: { 'karpenter.sh/discovery': 'ml' } },
 *   rootVolume: { size: Size.gibibytes(500) }, // container images and model caches
 * });
 * nodeClass.addNodePool('gpu', { gpu: { maxGpus: 16 } });
 */
export class Ec2NodeClass extends Construct {
  /** The name. */
  public readonly name: string;
  /** The reference a NodePool's `nodeClass` takes. */
  public readonly reference: NodeClassReference;
  /** The EC2NodeClass. */
  public readonly apiObject: ApiObject;

  public constructor(scope: Construct, id: string, props: Ec2NodeClassProps) {
    super(scope, id);
    requireProps(this, props, ['ami', 'identity', 'subnets', 'securityGroups']);
    this.name = props.name ?? id;
    requireDnsSubdomain(this, 'name', this.name);
    const ami = props.ami._render(this);
    const root = props.rootVolume ?? {};
    const gib = (root.size ?? Size.gibibytes(200)).toGibibytes({ rounding: SizeRoundingBehavior.NONE });
    if (!(Number.isInteger(gib) && gib >= 20 && gib <= 16384)) {
      throw invalidProp(this, 'rootVolume.size', `(${gib}Gi) must be a whole number of GiB between 20 and 16384 (gp3's limit); GPU images and model caches need 100Gi or more`);
    }
    const iops = root.iops ?? 3000;
    const throughput = root.throughput ?? 250;
    requireInteger(this, 'rootVolume.iops', iops, 3000, 16000);
    requireInteger(this, 'rootVolume.throughput', throughput, 125, 1000);
    if (throughput > iops / 4) {
      throw invalidProp(this, 'rootVolume.throughput', `(${throughput} MiB/s) needs at least ${throughput * 4} IOPS (gp3 allows 0.25 MiB/s per IOPS)`);
    }
    // Bottlerocket boots from /dev/xvda and keeps images and pod data on /dev/xvdb.
    const deviceName = ami.amiFamily === undefined && props.ami._family === 'bottlerocket' || ami.amiFamily === 'Bottlerocket' ? '/dev/xvdb' : '/dev/xvda';
    this.apiObject = new ApiObject(this, 'Resource', {
      apiVersion: AWS_API_VERSION,
      kind: 'EC2NodeClass',
      metadata: { name: this.name },
      spec: {
        ...ami,
        ...props.identity._render(this),
        subnetSelectorTerms: selectorTerms(this, 'subnets', props.subnets),
        securityGroupSelectorTerms: selectorTerms(this, 'securityGroups', props.securityGroups),
        blockDeviceMappings: [{
          deviceName,
          rootVolume: true,
          ebs: {
            volumeSize: `${gib}Gi`,
            volumeType: 'gp3',
            iops,
            throughput,
            encrypted: true,
            deleteOnTermination: true,
            ...(root.kmsKeyId ? { kmsKeyID: root.kmsKeyId } : {}),
          },
        }],
        ...(props.raid0InstanceStore ? { instanceStorePolicy: 'RAID0' } : {}),
        metadataOptions: { httpEndpoint: 'enabled', httpProtocolIPv6: 'disabled', httpPutResponseHopLimit: 1, httpTokens: 'required' },
        ...(props.tags ? { tags: requireInstanceTags(this, props.tags) } : {}),
      },
    });
    // Cluster-scoped: without this, a chart with a namespace put one on it, which the API server refuses.
    makeClusterScoped(this.apiObject);
    this.reference = { name: this.name, group: 'karpenter.k8s.aws', kind: 'EC2NodeClass' };
    applyObjectMetadata(this, 'metadata', props.metadata);
  }

  /** A Karpenter NodePool launching its nodes with this class. */
  public addNodePool(id: string, props: KarpenterNodePoolProps = {}): KarpenterNodePool {
    if (props.nodeClass) throw invalidProp(this, `${id}.nodeClass`, 'must not be set: the pool uses this EC2NodeClass');
    return new KarpenterNodePool(this, id, { ...props, nodeClass: this.reference });
  }
}

function requireTags(scope: Construct, prop: string, tags: { [key: string]: string }): { [key: string]: string } {
  for (const [k, v] of Object.entries(tags)) {
    if (k === '' || v === '') throw invalidProp(scope, prop, `('${k}': '${v}') must have a non-empty key and value`);
  }
  return { ...tags };
}

function requireInstanceTags(scope: Construct, tags: { [key: string]: string }): { [key: string]: string } {
  // Karpenter sets these itself and the CRD refuses them.
  const reserved = ['eks:eks-cluster-name', 'karpenter.sh/nodepool', 'karpenter.sh/nodeclaim', 'karpenter.k8s.aws/ec2nodeclass'];
  for (const k of Object.keys(tags)) {
    if (k === '' || reserved.includes(k) || k.startsWith('kubernetes.io/cluster')) {
      throw invalidProp(scope, 'tags', `('${k}') is set by Karpenter or EKS and may not be given`);
    }
  }
  return { ...tags };
}

function selectorTerms(scope: Construct, prop: string, terms: Ec2SelectorTerms): any[] {
  const out = [
    ...(terms.ids ?? []).map(id => ({ id })),
    ...(terms.tags ? [{ tags: requireTags(scope, `${prop}.tags`, terms.tags) }] : []),
  ];
  if (out.length === 0) throw invalidProp(scope, prop, 'selects nothing: give tags (e.g. karpenter.sh/discovery) or ids');
  if (terms.ids && terms.tags) throw invalidProp(scope, prop, 'takes tags or ids, not both: Karpenter ORs the terms, so the ids would widen the tag selection');
  return out;
}
