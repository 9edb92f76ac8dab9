// The `@example` snippets of the observability, platform, policy and integrations
// classes run, not only compile: jsii-rosetta --strict type-checks them against the
// assembly, and this test synthesizes each one the way the fixture
// (rosetta/default.ts-fixture) frames it, as the body of a Chart's constructor in
// namespace `ml`, then validates what it emits. A snippet that compiles but throws at
// synth, or emits an invalid object, fails here.
import * as fs from 'fs';
import * as path from 'path';
import * as cdk8s from 'cdk8s';
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import * as constructs from 'constructs';
import * as ts from 'typescript';
import * as publicApi from '../../src';
import { synthAndValidate } from '../util';

const REPO = path.join(__dirname, '..', '..');
const AREAS = ['observability', 'platform', 'policy', 'integrations'];

// Classes users do not construct in code, so they carry no example: PolicyValidation
// is loaded by cdk8s-cli from the `validations:` entry of cdk8s.yaml, shown in its doc.
const NO_EXAMPLE = new Set<string>(['PolicyValidation']);

// Examples whose pods are privileged on purpose, in a namespace that says so (its Pod
// Security label and reason): checked against the schemas, not the restricted profile.
const PRIVILEGED_BY_DESIGN = new Set<string>(['EtcdSnapshotCronJob']);

interface DocExample {
  readonly className: string;
  readonly file: string;
  readonly code: string;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

/** The text of the `@example` tag of a doc comment, as jsii reads it (margin `* ` removed). */
function exampleOf(comment: string): string | undefined {
  const lines = comment.replace(/^\/\*\*/, '').replace(/\*\/$/, '').split('\n').map((l) => l.replace(/^\s*\* ?/, ''));
  const start = lines.findIndex((l) => /^@example\b/.test(l));
  if (start < 0) return undefined;
  const body: string[] = [lines[start].replace(/^@example\s*/, '')];
  for (const l of lines.slice(start + 1)) {
    if (/^@\w+/.test(l)) break;
    body.push(l);
  }
  return body.join('\n').trim();
}

/**
 * Every class of the areas the package exports, with its example (undefined when it has
 * none). Classes exported by their file only (RayNodeGroup, RayClusterBuilder, ...) are
 * internal: not in the assembly, so neither jsii-rosetta nor users see them.
 */
function exportedClasses(): { className: string; file: string; code?: string }[] {
  const out: { className: string; file: string; code?: string }[] = [];
  for (const area of AREAS) {
    for (const file of sourceFiles(path.join(REPO, 'src', area))) {
      const text = fs.readFileSync(file, 'utf8');
      const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2020, true);
      for (const stmt of source.statements) {
        if (!ts.isClassDeclaration(stmt) || !stmt.name) continue;
        if (!stmt.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) continue;
        if (!(stmt.name.text in publicApi)) continue;
        const docs = ts.getJSDocCommentsAndTags(stmt).filter(ts.isJSDoc);
        const comment = docs.length > 0 ? text.slice(docs[docs.length - 1].pos, docs[docs.length - 1].end) : '';
        out.push({ className: stmt.name.text, file: path.relative(REPO, file), code: exampleOf(comment) });
      }
    }
  }
  return out;
}

/** What a snippet and the fixture may import; 'cdk8s-ml' is the package under test. */
const MODULES: { [name: string]: unknown } = { 'cdk8s-ml': publicApi, 'cdk8s': cdk8s, 'cdk8s-plus-27': kplus, 'constructs': constructs };

/**
 * Runs a snippet as jsii-rosetta frames it: its imports hoisted above the fixture, its
 * body in place of the fixture's `/// here`. Returns the fixture's App.
 */
function runSnippet(code: string): App {
  const imports: string[] = [];
  const body = code.replace(/^import[\s\S]*?from\s+'[^']+';\s*$/gm, (m) => { imports.push(m); return ''; });
  const fixture = fs.readFileSync(path.join(REPO, 'rosetta', 'default.ts-fixture'), 'utf8');
  const source = `${imports.join('\n')}\n${fixture.replace('/// here', () => body)}\nmodule.exports.app = app;\n`;
  const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 } }).outputText;
  const mod: { exports: { app?: App } } = { exports: {} };
  const load = (name: string) => {
    if (!(name in MODULES)) throw new Error(`snippet imports '${name}': only the fixture's modules and 'cdk8s-ml' are available`);
    return MODULES[name];
  };
  new Function('require', 'module', 'exports', js)(load, mod, mod.exports);
  return mod.exports.app!;
}

const classes = exportedClasses();
const examples: DocExample[] = classes.filter((c) => c.code !== undefined).map((c) => ({ ...c, code: c.code! }));

describe('@example snippets of observability, platform, policy and integrations', () => {
  test('every exported class a user constructs or calls a factory of has one', () => {
    const missing = classes.filter((c) => c.code === undefined && !NO_EXAMPLE.has(c.className)).map((c) => `${c.className} (${c.file})`);
    expect(missing).toEqual([]);
    // The exemption list names classes that exist and still have no example.
    for (const name of NO_EXAMPLE) expect(classes.find((c) => c.className === name)?.code).toBeUndefined();
  });

  test.each(examples.map((e) => [e.className, e] as const))('%s synthesizes valid manifests', (_name, example) => {
    expect(example.code).toMatch(/from 'cdk8s-ml';/);
    const app = runSnippet(example.code);
    // Validations (policy checks, cross-construct checks) run as at `cdk8s synth`.
    app.synthYaml();
    const [chart] = app.charts as Chart[];
    synthAndValidate(chart, { skipPodSecurity: PRIVILEGED_BY_DESIGN.has(example.className) });
  });
});
