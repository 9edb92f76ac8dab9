import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { isObject, nameOf } from './model/manifest';
import { PolicyTarget } from './policy-engine';

/** Manifests read from files, with the problems met on the way. @internal */
export interface LoadedManifests {
  readonly targets: PolicyTarget[];
  readonly errors: string[];
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

/**
 * Reads Kubernetes objects from YAML (multi-document, `helm template` output with its
 * `# Source:` comments, `kind: List` wrappers) or JSON. YAML 1.1, like the Kubernetes
 * API machinery, so `yes`/`on` and octal modes read as kubectl reads them. A
 * `construct-metadata.json` beside the files (cdk8s synth with validations) gives
 * construct paths; cdk8s keys it by object name only, so a path is used only for
 * names that are unique among the objects read.
 */
export function loadManifests(inputs: string[]): LoadedManifests {
  const targets: PolicyTarget[] = [];
  const errors: string[] = [];
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
    const docs = parseAllDocuments(text, { version: '1.1' });
    const list = Array.isArray(docs) ? docs : [docs];
    list.forEach((doc, i) => {
      if (doc.errors.length > 0) {
        errors.push(`${file}: document ${i + 1}: ${doc.errors[0].message.split('\n')[0]}`);
        return;
      }
      const value = doc.toJS({ maxAliasCount: 1000 });
      const objects = isObject(value) && value.kind === 'List' && Array.isArray(value.items) ? value.items : [value];
      for (const obj of objects) {
        if (!isObject(obj) || Object.keys(obj).length === 0) continue; // empty documents
        if (typeof obj.kind !== 'string' || typeof obj.apiVersion !== 'string') {
          errors.push(`${file}: document ${i + 1} is not a Kubernetes object (no apiVersion/kind)`);
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
  return { targets: withPaths, errors, files };
}
