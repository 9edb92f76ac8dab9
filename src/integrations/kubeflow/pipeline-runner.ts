import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { requireDnsSubdomain } from '../../core/validation';

/** Properties of {@link PipelineRunner}. */
export interface PipelineRunnerProps {
  /**
   * Name of the ServiceAccount, Role and RoleBinding.
   * @default 'pipeline-runner' - the name Kubeflow Pipelines' profile controller uses
   */
  readonly name?: string;
  /**
   * Annotations of the ServiceAccount (e.g. a cloud IAM role for the artifact store).
   * @default - none
   */
  readonly serviceAccountAnnotations?: { [key: string]: string };
}

/**
 * The namespace identity Kubeflow Pipelines runs a namespace's pipeline steps
 * as: a token-mounting ServiceAccount and a least-privilege Role for the Argo
 * Workflows executor (emissary: `workflowtaskresults` create/patch, pods
 * get/watch/patch, pods/log get) and the KFP v2 driver/launcher (configmaps and
 * secrets get: the `kfp-launcher` config and the object-store credentials).
 *
 * Decision: pipelines themselves are compiled IR submitted through the KFP API,
 * not Kubernetes manifests, so this library renders none; the KFP installation
 * (a cluster component) stays with its upstream manifests. What a manifest
 * library owns is the per-namespace part: this identity, the namespace
 * (`MlNamespace`) and its quotas.
 * @see https://argo-workflows.readthedocs.io/en/latest/workflow-rbac/
 *
 * @example
 * import { PipelineRunner } from 'cdk8s-ml';
 *
 * // The identity Kubeflow Pipelines runs this namespace's steps as, allowed to read
 * // the artifact bucket through its cloud IAM role.
 * new PipelineRunner(this, 'pipeline-runner', {
 *   serviceAccountAnnotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/kfp-artifacts' },
 * });
 */
export class PipelineRunner extends Construct {
  public readonly serviceAccount: kplus.ServiceAccount;
  public readonly role: kplus.Role;

  public constructor(scope: Construct, id: string, props: PipelineRunnerProps = {}) {
    super(scope, id);
    const name = props.name ?? 'pipeline-runner';
    requireDnsSubdomain(this, 'name', name);
    const labels = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/component': 'pipeline-runner', 'app.kubernetes.io/managed-by': 'cdk8s-ml' };
    // Argo's executor reports outputs through the API, so the pods need the token.
    this.serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', {
      metadata: { name, labels, ...(props.serviceAccountAnnotations ? { annotations: props.serviceAccountAnnotations } : {}) },
      automountToken: true,
    });
    this.role = new kplus.Role(this, 'Role', { metadata: { name, labels } });
    this.role.allow(['create', 'patch'], kplus.ApiResource.custom({ apiGroup: 'argoproj.io', resourceType: 'workflowtaskresults' }));
    this.role.allow(['get', 'watch', 'patch'], kplus.ApiResource.PODS);
    this.role.allow(['get'], kplus.ApiResource.custom({ apiGroup: '', resourceType: 'pods/log' }));
    this.role.allow(['get'], kplus.ApiResource.CONFIG_MAPS, kplus.ApiResource.SECRETS);
    const binding = new kplus.RoleBinding(this, 'RoleBinding', { metadata: { name, labels }, role: this.role });
    binding.addSubjects(this.serviceAccount);
  }
}
