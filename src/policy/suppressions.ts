import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { BUILT_IN_RULES } from './rules';
import { invalidProp } from '../core/errors';

// The annotation that carries suppressions on any object (see Policy.SUPPRESS_ANNOTATION).
export const SUPPRESS_ANNOTATION = 'cdk8s-ml.io/suppress';

/** A rule waived with a written reason. */
export interface PolicySuppression {
  /** The rule id, e.g. `SEC-002`. */
  readonly ruleId: string;
  /** Why the rule does not apply here; required, shown in every report. */
  readonly reason: string;
}

/** Throws unless a suppression names a rule that may be waived and gives a reason. */
export function requireSuppression(scope: IConstruct | undefined, ruleId: string, reason: string): void {
  const fail = (problem: string) => (scope
    ? invalidProp(scope, `Policy.suppress('${ruleId}')`, problem)
    : new Error(`suppression of '${ruleId}' ${problem}`));
  if (typeof ruleId !== 'string' || ruleId.trim() === '') throw fail('needs a rule id');
  if (typeof reason !== 'string' || reason.trim().length < 10) {
    throw fail('needs a written reason (at least 10 characters) saying why the rule does not apply');
  }
  const rule = BUILT_IN_RULES.find((r) => r.id === ruleId);
  if (rule && !rule.suppressible) throw fail(`cannot be suppressed: ${rule.name} has no acceptable exceptions`);
}

const registry = new WeakMap<IConstruct, Policy>();

/**
 * Policy settings of a construct: suppressions that apply to every Kubernetes object
 * below it. Suppressions are also written onto those objects as the
 * `cdk8s-ml.io/suppress` annotation at synth, so `cdk8s-ml check dist/`, the
 * validation plugin and reviewers of the YAML see the same waivers.
 *
 * @example
 * import { GpuNodePool, MlModelServing, Policy, PolicyChecks, ServingScaling } from 'cdk8s-ml';
 *
 * PolicyChecks.of(this, { printWarnings: false });
 * const reranker = new MlModelServing(this, 'reranker', {
 *   image: 'registry.example.com/ml/reranker:2.3.0',
 *   gpus: { count: 1 },
 *   scaling: ServingScaling.fixed(2),
 * });
 * new GpuNodePool(this, 'gpu', { maxGpus: 4, instanceFamilies: ['g5'] }).schedule(reranker);
 * // Two warm GPU replicas on purpose: the waiver and its reason are annotated onto the
 * // objects, so `cdk8s-ml check` and the validation plugin honour it too.
 * Policy.of(reranker).suppress('COST-001', 'p99 latency SLO needs two warm GPU replicas at night; cold starts take 6 minutes');
 */
export class Policy {
  /**
   * The annotation that carries suppressions on any object, made with this library
   * or not: a JSON array of `{"id": "<rule id>", "reason": "<why>"}`.
   */
  public static readonly SUPPRESS_ANNOTATION = SUPPRESS_ANNOTATION;

  /** The policy settings of `scope` (one per construct). */
  public static of(scope: IConstruct): Policy {
    let policy = registry.get(scope);
    if (!policy) {
      policy = new Policy(scope);
      registry.set(scope, policy);
    }
    return policy;
  }

  /** Suppressions on `scope` and all its ancestors, nearest first. @internal */
  public static _suppressionsFor(scope: IConstruct): PolicySuppression[] {
    return scope.node.scopes.slice().reverse().flatMap((s) => registry.get(s)?.entries ?? []);
  }

  private readonly entries: PolicySuppression[] = [];
  private stamped = false;

  private constructor(private readonly scope: IConstruct) {}

  /** The suppressions made on this construct. */
  public get suppressions(): PolicySuppression[] {
    return [...this.entries];
  }

  /**
   * Waives `ruleId` for every object below this construct. Throws when the reason is
   * missing or too short, or when the rule cannot be suppressed.
   */
  public suppress(ruleId: string, reason: string): Policy {
    requireSuppression(this.scope, ruleId, reason);
    this.entries.push({ ruleId, reason: reason.trim() });
    if (!this.stamped) {
      this.stamped = true;
      // Validations run at synth before any object renders, so objects added after
      // this call are stamped too.
      this.scope.node.addValidation({ validate: () => { stampAnnotations(this.scope); return []; } });
    }
    return this;
  }
}

const originalAnnotation = new WeakMap<ApiObject, string | undefined>();

function stampAnnotations(scope: IConstruct): void {
  for (const child of scope.node.findAll()) {
    if (!(child instanceof ApiObject)) continue;
    if (!originalAnnotation.has(child)) originalAnnotation.set(child, child.metadata.toJson().annotations?.[SUPPRESS_ANNOTATION]);
    const own = parseSuppressAnnotation(originalAnnotation.get(child)).entries.map((e) => ({ ruleId: e.id, reason: e.reason }));
    const all = [...own, ...Policy._suppressionsFor(child)];
    const unique = all.filter((s, i) => all.findIndex((t) => t.ruleId === s.ruleId && t.reason === s.reason) === i);
    child.metadata.addAnnotation(SUPPRESS_ANNOTATION, JSON.stringify(unique.map((s) => ({ id: s.ruleId, reason: s.reason }))));
  }
}

/** The entries of a suppress annotation, and what is wrong with it. */
export function parseSuppressAnnotation(value: unknown): { entries: { id: string; reason: string }[]; problems: string[] } {
  if (value === undefined) return { entries: [], problems: [] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(String(value));
  } catch {
    return { entries: [], problems: [`annotation ${SUPPRESS_ANNOTATION} is not JSON: expected [{"id":"<rule>","reason":"<why>"}]`] };
  }
  if (!Array.isArray(parsed)) return { entries: [], problems: [`annotation ${SUPPRESS_ANNOTATION} must be a JSON array of {"id","reason"}`] };
  const entries: { id: string; reason: string }[] = [];
  const problems: string[] = [];
  for (const e of parsed) {
    const id = (e as any)?.id;
    const reason = (e as any)?.reason;
    try {
      requireSuppression(undefined, id, reason);
      entries.push({ id, reason: reason.trim() });
    } catch (err) {
      problems.push(`annotation ${SUPPRESS_ANNOTATION}: ${(err as Error).message}`);
    }
  }
  return { entries, problems };
}
