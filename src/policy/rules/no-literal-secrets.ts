import { containersOf, podSpecs } from '../model/manifest';
import { defineRule, PolicySeverity } from '../policy-rule';

// Names that carry credentials by convention. Matched on word boundaries of the
// variable name so `TOKENIZER_PATH` or `MAX_TOKENS` are not flagged.
const SECRET_NAME = /(^|_)(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?|AUTH)(_|$)/i;
// Names that say the value is where a credential is, not the credential:
// MLFLOW_AUTH_CONFIG_PATH, AWS_SHARED_CREDENTIALS_FILE, TOKEN_DIR.
const LOCATION_NAME = /_(PATH|FILE|DIR)$/i;

export const noLiteralSecrets = defineRule({
  id: 'SEC-005',
  name: 'no-literal-secrets',
  severity: PolicySeverity.ERROR,
  // A literal credential in a manifest is already leaked to everyone who can read
  // the repository, the CI logs and `kubectl get -o yaml`: suppressing the finding
  // would not un-leak it.
  suppressible: false,
  explanation: 'An environment variable named like a credential (HF_TOKEN, WANDB_API_KEY, AWS_SECRET_ACCESS_KEY) has a literal value in the manifest, so the secret is in git, in CI logs and readable by anyone who can get the workload.',
  fix: 'Store the value in a Secret (made by External Secrets, Sealed Secrets or your vault) and reference it with env[].valueFrom.secretKeyRef or envFrom.secretRef; rotate the leaked value.',
  check: (ctx) => ctx.objects.flatMap((obj) => podSpecs(obj).flatMap(({ path, spec }) =>
    containersOf(spec).flatMap(({ list, index, container }) =>
      (Array.isArray(container.env) ? container.env : [])
        .map((e: any, i: number) => ({ e, i }))
        .filter(({ e }: any) => typeof e?.name === 'string' && SECRET_NAME.test(e.name) && !LOCATION_NAME.test(e.name) && e.value !== undefined && String(e.value) !== '')
        .map(({ e, i }: any) => ({
          object: obj,
          message: `container "${container.name}" sets ${e.name} to a literal value`,
          location: `${path}.${list}[${index}].env[${i}]`,
        }))))),
});
