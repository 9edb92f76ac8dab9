/**
 * Evaluates a CRD's CEL validation rules (`x-kubernetes-validations`) on a custom
 * resource, as the API server does on create:
 *  - each rule runs at the schema node that declares it, with `self` bound to the
 *    value there (every list item / map value when declared under items or
 *    additionalProperties), only where that value is present;
 *  - values are typed by the schema (integer -> int, number -> double, objects with
 *    `properties` -> field-accessible with Kubernetes' property-name escaping, e.g.
 *    `namespace` -> `__namespace__`; maps keep their keys), and at the root `self`
 *    sees only metadata.name and metadata.generateName;
 *  - transition rules (they reference `oldSelf`) do not run on create: counted as
 *    skipped, never failed;
 *  - `messageExpression` gives the message when it evaluates to a string, else
 *    `message`, else the rule text; `fieldPath` is appended to the path.
 *
 * Engine: @bufbuild/cel (CommonJS, so jest loads it; parses all rules in the official
 * CRDs; RE2 regexes as the API server), plus the Kubernetes extension functions in
 * cel-kubernetes-lib.ts. A rule calling a function neither provides is skipped and
 * counted with its reason, so the summary shows exactly what is not evaluated.
 */
import * as fs from 'fs';
import * as path from 'path';
import { celEnv, CelResult, isCelError, parse, plan } from '@bufbuild/cel';
import { parseAllDocuments } from 'yaml';
import { KUBERNETES_CEL_FUNCS } from './cel-kubernetes-lib';

const env = celEnv({ funcs: KUBERNETES_CEL_FUNCS });

interface CompiledRule {
  readonly rule: string;
  /** Why the rule is not evaluated on create; undefined when it is. */
  readonly skip?: string;
  readonly run?: (ctx: Record<string, unknown>) => CelResult;
  readonly message?: (ctx: Record<string, unknown>) => CelResult;
}

const cache = new Map<string, CompiledRule>();

/** Function names a parsed expression calls (operators like `_==_` and `@in` excluded). */
function calledFunctions(expr: unknown): Set<string> {
  const names = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
    } else if (node && typeof node === 'object') {
      const fn = (node as { function?: unknown }).function;
      if (typeof fn === 'string' && !/^[_@!]/.test(fn)) names.add(fn);
      for (const v of Object.values(node)) if (v && typeof v === 'object') visit(v);
    }
  };
  visit(expr);
  return names;
}

function references(expr: unknown, ident: string): boolean {
  let found = false;
  const visit = (node: unknown): void => {
    if (found) return;
    if (Array.isArray(node)) {
      node.forEach(visit);
    } else if (node && typeof node === 'object') {
      if ((node as { $typeName?: string }).$typeName === 'cel.expr.Expr.Ident' && (node as { name?: string }).name === ident) found = true;
      for (const v of Object.values(node)) if (v && typeof v === 'object') visit(v);
    }
  };
  visit(expr);
  return found;
}

function compileExpr(source: string): { run?: (ctx: Record<string, unknown>) => CelResult; skip?: string; transition: boolean } {
  let parsed;
  try {
    parsed = parse(source);
  } catch (e) {
    return { skip: `does not parse: ${(e as Error).message.split('\n')[0]}`, transition: false };
  }
  const missing = [...calledFunctions(parsed.expr)].filter((f) => !env.funcs.find(f));
  if (missing.length > 0) return { skip: `function not implemented: ${missing.join(', ')}`, transition: false };
  const transition = references(parsed.expr, 'oldSelf');
  return { run: plan(env, parsed) as (ctx: Record<string, unknown>) => CelResult, transition };
}

/** Compiles (once per rule text) one `x-kubernetes-validations` entry. */
export function compileRule(entry: { rule: string; messageExpression?: string; optionalOldSelf?: boolean }): CompiledRule {
  const key = `${entry.rule}\u0000${entry.messageExpression ?? ''}`;
  let compiled = cache.get(key);
  if (!compiled) {
    const main = compileExpr(entry.rule);
    const msg = entry.messageExpression ? compileExpr(entry.messageExpression) : undefined;
    compiled = main.skip ? { rule: entry.rule, skip: main.skip }
      // With optionalOldSelf the rule does run on create, with oldSelf an empty optional:
      // none of the official CRDs uses it, so it is reported rather than approximated.
      : main.transition ? { rule: entry.rule, skip: entry.optionalOldSelf ? 'optionalOldSelf transition rule (not modelled)' : 'transition rule (oldSelf): not evaluated on create' }
        : { rule: entry.rule, run: main.run, message: msg?.run };
    cache.set(key, compiled);
  }
  return compiled;
}

// ---------------------------------------------------------------- values

const CEL_RESERVED = new Set(['true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function',
  'if', 'import', 'let', 'loop', 'package', 'namespace', 'return', 'var', 'void', 'while']);

/** Kubernetes' escaping of property names for CEL field access (apiserver/pkg/cel). */
export function escapePropertyName(name: string): string | undefined {
  if (CEL_RESERVED.has(name)) return `__${name}__`;
  if (!/^[a-zA-Z_.\-/][a-zA-Z0-9_.\-/]*$/.test(name)) return undefined; // not accessible from CEL
  return name.replace(/__/g, '__underscores__').replace(/\./g, '__dot__').replace(/-/g, '__dash__').replace(/\//g, '__slash__');
}

// Kubernetes types strings by format: `duration` -> CEL duration, `date`/`date-time` -> timestamp.
const asDuration = plan(env, parse('duration(v)')) as (ctx: Record<string, unknown>) => CelResult;
const asTimestamp = plan(env, parse('timestamp(v)')) as (ctx: Record<string, unknown>) => CelResult;

function formatted(value: string, format: unknown): unknown {
  const convert = format === 'duration' ? asDuration : format === 'date-time' ? asTimestamp
    : format === 'date' ? (ctx: Record<string, unknown>) => asTimestamp({ v: `${ctx.v}T00:00:00Z` }) : undefined;
  const out = convert?.({ v: value });
  // An unparsable value stays a string; the schema check has already reported it.
  return out === undefined || isCelError(out) ? value : out;
}

/** A JSON value as CEL sees it under `schema` (undefined schema: untyped, e.g. preserve-unknown-fields). */
export function toCel(value: unknown, schema: any): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' && schema?.format) return formatted(value, schema.format);
  if (typeof value === 'number') {
    const integer = schema?.type === 'integer' || (schema?.type !== 'number' && Number.isInteger(value));
    return integer && Number.isInteger(value) ? BigInt(value) : value;
  }
  if (Array.isArray(value)) return value.map((v) => toCel(v, schema?.items));
  if (typeof value === 'object') {
    const out = new Map<string, unknown>();
    const props = schema?.properties;
    for (const [k, v] of Object.entries(value)) {
      if (props && props[k] !== undefined) {
        const name = escapePropertyName(k);
        if (name !== undefined) out.set(name, toCel(v, props[k]));
      } else if (!props || schema?.additionalProperties !== undefined || schema?.['x-kubernetes-preserve-unknown-fields']) {
        const sub = typeof schema?.additionalProperties === 'object' ? schema.additionalProperties : undefined;
        out.set(k, toCel(v, sub));
      } // else: an undeclared field, which the API server prunes before CEL sees it

    }
    return out;
  }
  return value;
}

// ---------------------------------------------------------------- evaluation

/** Counters of the current module instance (one per jest test file). */
export interface CelStats {
  evaluated: number;
  failed: number;
  skipped: number;
}

const stats: CelStats = { evaluated: 0, failed: 0, skipped: 0 };

export function celStats(): CelStats {
  return { ...stats };
}

function resultText(r: CelResult): string {
  return isCelError(r) ? `evaluation error: ${r.message}` : String(r);
}

function evaluate(rules: any[], value: unknown, schema: any, at: string, out: string[], root: boolean): void {
  let self = toCel(value, schema);
  if (root && self instanceof Map) {
    // The API server exposes only these metadata fields to root-level rules.
    const meta = (value as any)?.metadata ?? {};
    self.set('metadata', new Map(Object.entries({ name: meta.name, generateName: meta.generateName }).filter(([, v]) => v !== undefined)));
  }
  for (const entry of rules) {
    if (typeof entry?.rule !== 'string') continue;
    const rule = compileRule(entry);
    if (!rule.run) {
      stats.skipped++;
      continue;
    }
    stats.evaluated++;
    const ctx = { self };
    const result = rule.run(ctx);
    if (result === true) continue;
    stats.failed++;
    const msg = rule.message?.(ctx);
    const message = typeof msg === 'string' ? msg : entry.message ?? `failed rule: ${entry.rule}`;
    const where = (at || '(root)') + (typeof entry.fieldPath === 'string' ? entry.fieldPath : '');
    const detail = result === false ? '' : ` (${resultText(result)})`;
    out.push(`${where}: ${message}${detail} [cel: ${entry.rule.length > 120 ? `${entry.rule.slice(0, 117)}...` : entry.rule}]`);
  }
}

function walk(value: unknown, schema: any, at: string, out: string[], root = false): void {
  if (!schema || typeof schema !== 'object' || value === undefined || value === null) return;
  if (Array.isArray(schema['x-kubernetes-validations'])) evaluate(schema['x-kubernetes-validations'], value, schema, at, out, root);
  if (Array.isArray(value)) {
    if (schema.items) value.forEach((v, i) => walk(v, schema.items, `${at}[${i}]`, out));
  } else if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value as object)) {
      const sub = schema.properties?.[k] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
      if (sub) walk(v, sub, at ? (schema.properties?.[k] ? `${at}.${k}` : `${at}[${JSON.stringify(k)}]`) : k, out);
    }
  }
}

/** CEL rule failures of one custom resource under its CRD version's openAPIV3Schema, as `path: message [cel: rule]`. */
export function celProblems(obj: unknown, schema: object): string[] {
  const out: string[] = [];
  walk(obj, schema, '', out, true);
  return out;
}

// ---------------------------------------------------------------- inventory

export interface CelRuleRef {
  readonly file: string;
  readonly version: string;
  readonly path: string;
  readonly rule: string;
}

export interface CelInventory {
  /** Rules in every served CRD version in the folder. */
  readonly total: number;
  /** Rules the harness evaluates on every custom resource of their kind. */
  readonly evaluated: number;
  /** Transition rules: the API server does not run them on create either. */
  readonly transition: number;
  /** Rules that should run on create but are not evaluated here, each with its reason. */
  readonly skipped: ReadonlyArray<CelRuleRef & { readonly reason: string }>;
}

/** Counts and classifies every CEL rule of the served CRD versions in `dir` (parses all files: ~2 s). */
export function celRuleInventory(dir: string): CelInventory {
  let total = 0;
  let evaluated = 0;
  let transition = 0;
  const skipped: Array<CelRuleRef & { reason: string }> = [];
  const visit = (node: unknown, at: string, file: string, version: string): void => {
    if (Array.isArray(node)) {
      node.forEach((n, i) => visit(n, `${at}[${i}]`, file, version));
    } else if (node && typeof node === 'object') {
      for (const entry of (node as any)['x-kubernetes-validations'] ?? []) {
        total++;
        const rule = compileRule(entry);
        if (rule.run) evaluated++;
        else if (rule.skip?.startsWith('transition rule')) transition++;
        else skipped.push({ file, version, path: at || '(root)', rule: entry.rule, reason: rule.skip ?? 'unknown' });
      }
      for (const [k, v] of Object.entries(node)) {
        if (k === 'x-kubernetes-validations') continue;
        visit(v, k === 'properties' ? at : k === 'items' || k === 'additionalProperties' ? `${at}[*]` : `${at}.${k}`, file, version);
      }
    }
  };
  for (const file of fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort()) {
    for (const doc of parseAllDocuments(fs.readFileSync(path.join(dir, file), 'utf8'))) {
      const crd = doc.toJS({ maxAliasCount: -1 });
      if (crd?.kind !== 'CustomResourceDefinition') continue;
      for (const v of crd.spec?.versions ?? []) {
        if (v.served) visit(v.schema?.openAPIV3Schema, '', file, v.name);
      }
    }
  }
  return { total, evaluated, transition, skipped };
}
