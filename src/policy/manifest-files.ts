import * as fs from 'fs';
import * as path from 'path';
import type * as JsYaml from 'js-yaml';
import { isObject, nameOf } from './model/manifest';
import { PolicyTarget } from './policy-engine';

/** Manifests read from files, with the problems met on the way. @internal */
export interface LoadedManifests {
  readonly targets: PolicyTarget[];
  readonly errors: string[];
  /** Documents that are not Kubernetes objects (values files, Chart.yaml...), left out. */
  readonly skipped: string[];
  readonly files: string[];
}

const MANIFEST_FILE = /\.(ya?ml|json)$/i;

/** Every YAML/JSON file under `inputs` (files or folders, recursively, sorted). */
export function manifestFiles(inputs: string[]): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    const stat = fs.statSync(p);
    if (stat.isDirectory()) {
      for (const entry of fs.readdirSync(p).sort()) {
        if (entry === 'node_modules' || entry.startsWith('.')) continue;
        const child = path.join(p, entry);
        if (fs.statSync(child).isDirectory() || MANIFEST_FILE.test(entry)) walk(child);
      }
    } else {
      out.push(p);
    }
  };
  for (const input of inputs) walk(input);
  return out;
}

// kubectl reads YAML 1.1 (sigs.k8s.io/yaml): unquoted yes/no/on/off are booleans
// there, so `hostNetwork: yes` must read as true here too. js-yaml follows YAML 1.2,
// which keeps only true/false; this type adds the 1.1 spellings back.
// js-yaml is loaded on first read: `require('cdk8s-ml')` in an app that reads no
// manifests does not pay for it.
let SCHEMA: JsYaml.Schema | undefined;
function yaml11Schema(jsyaml: typeof JsYaml): JsYaml.Schema {
  const YAML11_BOOL = new jsyaml.Type('tag:yaml.org,2002:bool', {
    kind: 'scalar',
    resolve: (data: string) => /^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/.test(data),
    construct: (data: string) => /^(y|Y|yes|Yes|YES|true|True|TRUE|on|On|ON)$/.test(data),
    predicate: (v: unknown) => typeof v === 'boolean',
    represent: { lowercase: (v: any) => (v ? 'true' : 'false') },
    defaultStyle: 'lowercase',
  });
  return jsyaml.DEFAULT_SCHEMA.extend({ implicit: [YAML11_BOOL] });
}

/** The documents of a YAML stream as plain objects (js-yaml: ~10x faster than `yaml` on large files). */
export function parseYamlDocuments(text: string): unknown[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const jsyaml = require('js-yaml') as typeof JsYaml;
  SCHEMA ??= yaml11Schema(jsyaml);
  return jsyaml.loadAll(text, undefined, { schema: SCHEMA });
}

/**
 * Reads Kubernetes objects from YAML (multi-document, `helm template` output with its
 * `# Source:` comments, `kind: List` wrappers) or JSON, with YAML 1.1 booleans as
 * kubectl reads them. A
 * `construct-metadata.json` beside the files (cdk8s synth with validations) gives
 * construct paths; cdk8s keys it by object name only, so a path is used only for
 * names that are unique among the objects read.
 */
export function loadManifests(inputs: string[]): LoadedManifests {
  const targets: PolicyTarget[] = [];
  const errors: string[] = [];
  const skipped: string[] = [];
  const metadata: { [name: string]: string } = {};
  const files = manifestFiles(inputs);
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf-8');
    if (path.basename(file) === 'construct-metadata.json') {
      try {
        for (const [name, m] of Object.entries(JSON.parse(text).resources ?? {})) metadata[name] = (m as any).path;
      } catch (e) {
        errors.push(`${file}: ${(e as Error).message}`);
      }
      continue;
    }
    let docs: unknown[];
    try {
      docs = parseYamlDocuments(text);
    } catch (e) {
      const hint = text.includes('{{') ? ' (an unrendered Helm template? check the output of `helm template`)' : '';
      errors.push(`${file}: ${String((e as Error).message).split('\n')[0]}${hint}`);
      continue;
    }
    docs.forEach((value, i) => {
      const objects = isObject(value) && value.kind === 'List' && Array.isArray(value.items) ? value.items : [value];
      for (const obj of objects) {
        if (obj === null || obj === undefined || (isObject(obj) && Object.keys(obj).length === 0)) continue; // empty documents
        if (!isObject(obj) || typeof obj.kind !== 'string' || typeof obj.apiVersion !== 'string') {
          skipped.push(`${file}: document ${i + 1} is not a Kubernetes object (no apiVersion/kind), skipped`);
          continue;
        }
        targets.push({ manifest: obj, source: file });
      }
    });
  }
  const counts = new Map<string, number>();
  for (const t of targets) counts.set(nameOf(t.manifest), (counts.get(nameOf(t.manifest)) ?? 0) + 1);
  const withPaths = targets.map((t) => {
    const name = nameOf(t.manifest);
    return metadata[name] && counts.get(name) === 1 ? { ...t, constructPath: metadata[name] } : t;
  });
  return { targets: withPaths, errors, skipped, files };
}
