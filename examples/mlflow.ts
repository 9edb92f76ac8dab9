// MLflow: a production tracking server (Postgres URI from a Secret, artifacts proxied
// to S3, basic auth, schema migration Job, nightly gc) and a model server that
// downloads the registry's `champion` version of a model at start-up and serves it
// with MLServer's MLflow runtime (V2 inference protocol, health probes, metrics).
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { MlflowArtifactStore, MlflowAuth, MlflowTrackingServer, MlModelServing, ModelSource, ServingRuntime, WorkloadServiceAccount } from 'cdk8s-ml';

const MLFLOW_IMAGE = 'ghcr.io/mlflow/mlflow:v3.6.0';

export function build(app: App): void {
  const chart = new Chart(app, 'mlflow', { namespace: 'mlops', disableResourceNameHashes: true });

  const mlflow = new MlflowTrackingServer(chart, 'mlflow', {
    image: MLFLOW_IMAGE,
    backendStore: { secret: kplus.Secret.fromSecretName(chart, 'Db', 'mlflow-postgres'), key: 'uri' },
    artifactStore: MlflowArtifactStore.s3('s3://acme-ml-artifacts/mlflow'),
    serviceAccount: WorkloadServiceAccount.awsIamRole('arn:aws:iam::123456789012:role/mlflow-artifacts'),
    auth: MlflowAuth.basicAuth({ config: kplus.Secret.fromSecretName(chart, 'Auth', 'mlflow-basic-auth') }),
    gcEnvFrom: [kplus.Env.fromSecret(kplus.Secret.fromSecretName(chart, 'GcCreds', 'mlflow-gc-credentials'))],
    allowedHosts: ['mlflow.example.com'],
  });

  new MlModelServing(chart, 'churn-model', {
    // The model is downloaded into /mnt/models, which the runtime serves as `churn-model`
    // (POST /v2/models/churn-model/infer).
    runtime: ServingRuntime.mlflow(),
    model: ModelSource.fromMlflowRegistry({
      name: 'churn',
      alias: 'champion',
      trackingUri: mlflow.trackingUri,
      image: MLFLOW_IMAGE,
      envFrom: [kplus.Env.fromSecret(kplus.Secret.fromSecretName(chart, 'RegistryCreds', 'mlflow-reader-credentials'))],
    }),
  });
}

if (require.main === module) {
  const app = new App();
  build(app);
  app.synth();
}
