/** Options of {@link WorkloadServiceAccount.create}. */
export interface CreatedServiceAccountOptions {
  /**
   * Annotations of the ServiceAccount, e.g. for cloud workload identity.
   * @default - none
   */
  readonly annotations?: { [key: string]: string };
}

/**
 * The Kubernetes identity of a workload's pods: a ServiceAccount created for the
 * workload (the default: one per workload, no token mounted), one that exists
 * already, or one bound to a cloud identity.
 *
 * @example
 * import { MlModelServing, ModelSource, WorkloadServiceAccount } from 'cdk8s-ml';
 *
 * // EKS IRSA: the pods read the model bucket as this IAM role, with no keys in the cluster.
 * new MlModelServing(this, 'bert', {
 *   image: 'registry.example.com/bert-server:1.4.2',
 *   model: ModelSource.fromS3('s3://models/bert/7', { sizeLimit: Size.gibibytes(2), region: 'eu-west-1' }),
 *   serviceAccount: WorkloadServiceAccount.awsIamRole('arn:aws:iam::123456789012:role/bert-model-reader'),
 * });
 */
export class WorkloadServiceAccount {
  /** Create a ServiceAccount named after the workload. */
  public static create(options: CreatedServiceAccountOptions = {}): WorkloadServiceAccount {
    return new WorkloadServiceAccount(undefined, { ...options.annotations }, {});
  }

  /** Use an existing ServiceAccount (nothing is created). */
  public static fromName(name: string): WorkloadServiceAccount {
    return new WorkloadServiceAccount(name, {}, {});
  }

  /** EKS IAM Roles for Service Accounts: a created ServiceAccount annotated with the role. */
  public static awsIamRole(roleArn: string): WorkloadServiceAccount {
    return WorkloadServiceAccount.create({ annotations: { 'eks.amazonaws.com/role-arn': roleArn } });
  }

  /** GKE Workload Identity: a created ServiceAccount bound to a Google service account. */
  public static gcpServiceAccount(email: string): WorkloadServiceAccount {
    return WorkloadServiceAccount.create({ annotations: { 'iam.gke.io/gcp-service-account': email } });
  }

  /**
   * Azure Workload Identity: a created ServiceAccount with the client id, and the
   * pod label the webhook needs to inject the token.
   */
  public static azureWorkloadIdentity(clientId: string): WorkloadServiceAccount {
    return new WorkloadServiceAccount(undefined, { 'azure.workload.identity/client-id': clientId }, { 'azure.workload.identity/use': 'true' });
  }

  private constructor(
    /** The existing ServiceAccount's name, when not created. @internal */
    public readonly _existingName: string | undefined,
    /** @internal */
    public readonly _annotations: { [key: string]: string },
    /** Labels the pods need for this identity. @internal */
    public readonly _podLabels: { [key: string]: string },
  ) {}
}
