import { IConstruct } from 'constructs';
import { invalidProp } from '../core/errors';

/**
 * A value of an ExternalSecret's target template. Templates reference the fetched
 * secrets (`{{ .password }}`), so the synthesized YAML holds no secret; a literal is
 * written to the YAML as is, so it must be declared non-sensitive.
 *
 * @example
 * import { ExternalSecret, SecretStore, TemplateValue } from 'cdk8s-ml';
 *
 * const store = SecretStore.fromSecretStoreName(this, 'aws', 'aws-secrets');
 * // The database URI is assembled by the operator in the cluster: no password in YAML.
 * new ExternalSecret(this, 'mlflow-db', {
 *   store,
 *   data: [
 *     { secretKey: 'user', remoteKey: 'ml/mlflow-db', property: 'username' },
 *     { secretKey: 'password', remoteKey: 'ml/mlflow-db', property: 'password' },
 *   ],
 *   template: {
 *     data: {
 *       MLFLOW_BACKEND_STORE_URI: TemplateValue.template('postgresql://{{ .user }}:{{ .password }}@mlflow-db:5432/mlflow'),
 *       DB_HOST: TemplateValue.nonSensitive('mlflow-db'),
 *     },
 *   },
 * });
 */
export class TemplateValue {
  /**
   * A template over the fetched keys (External Secrets template engine v2), e.g.
   * `postgres://{{ .user }}:{{ .password }}@db:5432/mlflow`.
   */
  public static template(template: string): TemplateValue {
    return new TemplateValue(template, true);
  }

  /**
   * A literal that is not a secret (a username, a hostname, a port), written into
   * the synthesized YAML.
   */
  public static nonSensitive(value: string): TemplateValue {
    return new TemplateValue(value, false);
  }

  private constructor(private readonly value: string, private readonly isTemplate: boolean) {}

  /** The rendered value; refuses a "template" without `{{ }}` (a literal in disguise). @internal */
  public _render(scope: IConstruct, prop: string): string {
    if (this.isTemplate && !/\{\{.*\}\}/s.test(this.value)) {
      throw invalidProp(scope, prop, 'is a template without {{ }}: it would write a literal into the YAML; reference fetched keys, or use TemplateValue.nonSensitive() for a value that is not secret');
    }
    return this.value;
  }
}
