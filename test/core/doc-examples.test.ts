/**
 * The @example of every class in src/core, serving, training, delivery and capacity
 * runs: jsii-rosetta --strict (`npx projen rosetta`) proves a snippet compiles and
 * translates, this proves it synthesizes and that what it emits is valid (schemas,
 * CRD schemas + CEL, API-server rules, the restricted profile). Each snippet is
 * wrapped the way rosetta/default.ts-fixture wraps it: its imports hoisted, its body
 * a chart constructor's (`this` a Chart in namespace `ml`), 'cdk8s-ml' the sources.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as cdk8s from 'cdk8s';
import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import * as constructs from 'constructs';
import * as ts from 'typescript';
import * as src from '../../src';
import { describeWithCrds, synthAndValidate } from '../util';

const ROOT = path.resolve(__dirname, '../..');
const AREAS = ['core', 'serving', 'training', 'delivery', 'capacity'];

/**
 * Nothing a user constructs or calls a factory of, or no snippet rosetta can translate:
 * constants (LabelKeys, CanaryAnnotations), abstract bases users do not instantiate
 * (MlWorkload, NodePoolBase: their subclasses have examples), and MlValidationErrors,
 * whose use needs try/catch, which jsii-rosetta cannot translate.
 */
const WITHOUT_EXAMPLE = new Set<string>(['LabelKeys', 'CanaryAnnotations', 'MlWorkload', 'NodePoolBase', 'MlValidationErrors']);

interface DocExample { readonly className: string; readonly file: string; readonly code: string }

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Every exported class of the areas, with the text of its @example tag (if any). */
function exportedClasses(): Array<{ className: string; file: string; example?: string }> {
  return AREAS.flatMap((area) => sourceFiles(path.join(ROOT, 'src', area))).flatMap((file) => {
    const sf = ts.createSourceFile(file, fs.readFileSync(file, 'utf-8'), ts.ScriptTarget.Latest, true);
    return sf.statements.filter(ts.isClassDeclaration)
      .filter((c) => c.name && c.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword))
      .filter((c) => c.name!.text in src) // reachable from the package's entry point
      .map((c) => {
        const tag = ts.getJSDocTags(c).find((t) => t.tagName.text === 'example');
        return { className: c.name!.text, file: path.relative(ROOT, file), example: tag ? ts.getTextOfJSDocComment(tag.comment) : undefined };
      });
  });
}

const classes = exportedClasses();
const examples: DocExample[] = classes.filter((c) => c.example).map((c) => ({ className: c.className, file: c.file, code: c.example! }));

/** Runs a snippet as the body of a chart's constructor; 'cdk8s-ml' is the sources. */
function runSnippet(chart: Chart, code: string): void {
  const lines = code.split('\n');
  const imports = lines.filter((l) => /^import\s/.test(l));
  const body = lines.filter((l) => !/^import\s/.test(l));
  const module = [
    "import { App, Chart, Cron, Duration, Size } from 'cdk8s';",
    "import * as kplus from 'cdk8s-plus-27';",
    ...imports,
    'export function run(this: Chart): void {',
    // Keep the fixture's names referenced so the transpiler keeps their imports.
    'void [App, Chart, Cron, Duration, Size, kplus];',
    ...body,
    '}',
  ].join('\n');
  const js = ts.transpileModule(module, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 } }).outputText;
  const exports: { run?: (this: Chart) => void } = {};
  const modules: { [id: string]: unknown } = { 'cdk8s': cdk8s, 'cdk8s-plus-27': kplus, 'constructs': constructs, 'cdk8s-ml': src };
  const req = (id: string) => {
    if (!(id in modules)) throw new Error(`a snippet imports '${id}': only cdk8s, cdk8s-plus-27, constructs and cdk8s-ml are dependencies of users' apps`);
    return modules[id];
  };
  new Function('require', 'exports', js)(req, exports);
  exports.run!.call(chart);
}

test('every exported class in the areas has an @example (or is listed as exempt)', () => {
  const missing = classes.filter((c) => !c.example && !WITHOUT_EXAMPLE.has(c.className)).map((c) => `${c.className} (${c.file})`);
  expect(missing).toEqual([]);
  const exemptWithExample = classes.filter((c) => c.example && WITHOUT_EXAMPLE.has(c.className)).map((c) => c.className);
  expect(exemptWithExample).toEqual([]);
});

test('each snippet imports what it uses from cdk8s-ml itself', () => {
  for (const e of examples) {
    expect(`${e.className}: ${/from 'cdk8s-ml'/.test(e.code)}`).toBe(`${e.className}: true`);
  }
});

describeWithCrds('@example snippets synthesize valid manifests', () => {
  test.each(examples.map((e) => [e.className, e] as const))('%s', (_name, e) => {
    const chart = new Chart(Testing.app(), 'fixture', { namespace: 'ml' });
    runSnippet(chart, e.code);
    // A snippet that relaxes pod security on purpose (RDMA's IPC_LOCK) is not restricted.
    synthAndValidate(chart, { skipPodSecurity: /PodSecurity\.relaxed\(/.test(e.code) });
  });
});

// The README's TypeScript-only blocks (```ts ... infused: rosetta cannot translate the
// excerpt's object spread or jest's callbacks, so it skips them) cannot rot either: the
// composition excerpt is examples/composition.ts's build(), which test/examples.test.ts
// synthesizes and validates.
test("the README's composition excerpt is examples/composition.ts's build()", () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf-8').split('\n');
  const start = readme.indexOf('```ts fixture=composition infused');
  expect(start).toBeGreaterThan(0);
  const excerpt = readme.slice(start + 1, readme.indexOf('```', start + 1));
  const source = fs.readFileSync(path.join(ROOT, 'examples', 'composition.ts'), 'utf-8').split('\n');
  const from = source.indexOf('export function build(app: App): void {');
  expect(excerpt).toEqual(source.slice(from, source.indexOf('}', from) + 1));
});
