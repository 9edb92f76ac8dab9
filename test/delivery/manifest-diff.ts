// Structural diff of two synthesized manifest sets, as JSON pointers, so a test can
// say exactly which fields an apply would change.

/** Escapes a key for a JSON pointer: `app.kubernetes.io/version` -> `app.kubernetes.io~1version`. */
function pointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** The JSON pointers (under `prefix`) where `a` and `b` differ: changed, added or removed. */
export function diffJson(a: unknown, b: unknown, prefix = ''): string[] {
  if (a === b) return [];
  const bothObjects = typeof a === 'object' && typeof b === 'object' && a !== null && b !== null;
  if (!bothObjects || Array.isArray(a) !== Array.isArray(b)) return [prefix];
  const keys = new Set([...Object.keys(a as object), ...Object.keys(b as object)]);
  return [...keys].sort().flatMap(k => diffJson((a as any)[k], (b as any)[k], `${prefix}/${pointer(k)}`));
}

/**
 * Diff of two manifest sets, objects matched by `Kind/name`; each path is
 * `Kind/name` followed by the JSON pointer inside the object.
 */
export function diffManifests(before: any[], after: any[]): string[] {
  const index = (ms: any[]) => new Map(ms.map(m => [`${m.kind}/${m.metadata.name}`, m]));
  const a = index(before);
  const b = index(after);
  if (a.size !== before.length || b.size !== after.length) throw new Error('duplicate Kind/name in a manifest set');
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort();
  return keys.flatMap(k => diffJson(a.get(k), b.get(k)).map(p => `${k}${p}`));
}
