import * as fs from 'fs';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { parse } from 'yaml';
import { requireHostname, requireHttpPath } from '../../src/delivery/route-validation';
import { CRDS_DIR, crdsAvailable } from '../util';

// The schema validator checks HTTPRoutes against the CRD's OpenAPI schema, but the
// API server also runs the CRD's CEL rules (x-kubernetes-validations), which it does
// not evaluate. These properties compare our synth-time checks with the rules read
// from the official CRD itself, so a rule the CRD adds or changes fails here.

/** The v1 HTTPRoute schema of `spec.rules[].matches[].path` and `spec.hostnames[]`. */
function httpRouteSchemas(): { path: any; hostname: any } {
  const crd = parse(fs.readFileSync(path.join(CRDS_DIR, 'gateway.networking.k8s.io_httproutes.yaml'), 'utf8'));
  const spec = crd.spec.versions.find((v: any) => v.name === 'v1').schema.openAPIV3Schema.properties.spec.properties;
  return { path: spec.rules.items.properties.matches.items.properties.path, hostname: spec.hostnames.items };
}

/**
 * The CEL rules on a PathPrefix match, as predicates on its value. Only the forms
 * the CRD uses are understood; any other rule fails the test rather than pass unseen.
 */
function pathRules(schema: any): Array<{ rule: string; holds: (value: string) => boolean }> {
  return schema['x-kubernetes-validations'].map(({ rule }: { rule: string }) => {
    const flat = rule.replace(/\s+/g, ' ');
    if (flat === "self.type in ['Exact','PathPrefix'] || self.type == 'RegularExpression'") return { rule, holds: () => true };
    const guarded = /^\(self\.type in \['Exact','PathPrefix'\]\) \? (.*) : true$/.exec(flat);
    if (!guarded) throw new Error(`unknown CEL rule form: ${rule}`);
    const body = guarded[1];
    let m: RegExpExecArray | null;
    if ((m = /^self\.value\.startsWith\('(.*)'\)$/.exec(body))) { const s = m[1]; return { rule, holds: (v: string) => v.startsWith(s) }; }
    if ((m = /^!self\.value\.contains\('(.*)'\)$/.exec(body))) { const s = m[1]; return { rule, holds: (v: string) => !v.includes(s) }; }
    if ((m = /^!self\.value\.endsWith\('(.*)'\)$/.exec(body))) { const s = m[1]; return { rule, holds: (v: string) => !v.endsWith(s) }; }
    if ((m = /^self\.value\.matches\(r"""(.*)"""\)$/.exec(body))) { const re = new RegExp(m[1]); return { rule, holds: (v: string) => re.test(v) }; }
    throw new Error(`unknown CEL rule: ${rule}`);
  });
}

/** Whether `check` accepts `value` (it throws on refusal). */
function accepts(check: (scope: Chart, prop: string, value: string) => void, value: string): boolean {
  try {
    check(new Chart(Testing.app(), 'prod'), 'prop', value);
    return true;
  } catch (e) {
    expect((e as Error).message).toMatch(/^Chart 'prod': prop \('/);
    return false;
  }
}

(crdsAvailable() ? describe : describe.skip)('HTTPRoute hosts and paths: synth-time checks agree with the CRD', () => {
  const schemas = crdsAvailable() ? httpRouteSchemas() : { path: {}, hostname: {} };

  test('a path prefix is accepted exactly when every CEL rule and the maxLength of the CRD hold', () => {
    const rules = pathRules(schemas.path);
    expect(rules.length).toBeGreaterThanOrEqual(10);
    const maxLength = schemas.path.properties.value.maxLength;
    const crdAccepts = (v: string) => v.length <= maxLength && rules.every(r => r.holds(v));
    // Paths built from the characters the rules care about, so every rule gets hit.
    const piece = fc.constantFrom('/', '.', '..', '%2f', '%2F', '%41', '%', '#', '?', ' ', 'a', 'Z', '9', '-', '~', '@', ':', '"', 'é');
    const pathLike = fc.array(piece, { maxLength: 10 }).map(parts => parts.join(''));
    fc.assert(fc.property(fc.oneof(pathLike, pathLike.map(p => `/${p}`), fc.string()), value => {
      expect(accepts(requireHttpPath, value)).toBe(crdAccepts(value));
    }), { numRuns: 2000 });
    expect(accepts(requireHttpPath, '/' + 'a'.repeat(maxLength))).toBe(false);
    expect(accepts(requireHttpPath, '/v1/models/bert:predict')).toBe(true);
  });

  test('an accepted host matches the CRD hostname pattern and length; IPv4 addresses are refused', () => {
    const pattern = new RegExp(schemas.hostname.pattern);
    const { maxLength, minLength } = schemas.hostname;
    const hostLike = fc.array(fc.constantFrom('a', 'z', '0', '-', '.', '*', '*.', 'A', ':', '_', 'models', '.example.com'), { maxLength: 8 })
      .map(parts => parts.join(''));
    fc.assert(fc.property(fc.oneof(hostLike, fc.domain()), host => {
      const crdAccepts = host.length >= minLength && host.length <= maxLength && pattern.test(host);
      if (!crdAccepts) expect(accepts(requireHostname, host)).toBe(false);
      // Everything the pattern accepts that is not an IP address is accepted.
      if (crdAccepts && !/^[0-9.]+$/.test(host)) expect(accepts(requireHostname, host)).toBe(true);
    }), { numRuns: 1000 });
    fc.assert(fc.property(fc.ipV4(), ip => {
      expect(pattern.test(ip)).toBe(true); // why the pattern alone is not enough
      expect(accepts(requireHostname, ip)).toBe(false);
    }), { numRuns: 200 });
  });
});
