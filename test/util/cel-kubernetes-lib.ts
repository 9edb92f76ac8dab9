/**
 * The Kubernetes CEL extension functions that the official CRDs in ../shared/crds
 * actually call, on top of @bufbuild/cel's standard library and its `strings`
 * extension (which already provides `split`, `indexOf`, `lowerAscii`, `join`...).
 *
 * Kubernetes adds more libraries (lists, urls, ip/cidr, quantity, format, authz...).
 * Only what a CRD rule uses is implemented here; a rule calling anything else is
 * counted as skipped ("function not implemented") by cel-rules.ts, never guessed at.
 * Written from the Kubernetes CEL library documentation (apiserver/pkg/cel/library),
 * not copied.
 */
import { celMethod, CelFunc, CelScalar, listType } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { RE2JS } from '@bufbuild/re2';

// RE2JS (what @bufbuild/cel's `matches` uses) exposes no "find" API, so a pattern is
// first compiled by RE2JS, which rejects what RE2 rejects (look-arounds, backreferences),
// then run as a JS RegExp: for RE2-valid patterns both are leftmost-first, so the first
// match is the same. Go's leading inline flags ((?i)...) become RegExp flags.
const compiled = new Map<string, RegExp>();
function regExp(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (!re) {
    RE2JS.compile(pattern);
    const inline = /^\(\?([ims]+)\)/.exec(pattern);
    re = inline ? new RegExp(pattern.slice(inline[0].length), `gu${inline[1]}`) : new RegExp(pattern, 'gu');
    compiled.set(pattern, re);
  }
  re.lastIndex = 0;
  return re;
}

function findAll(text: string, pattern: string, limit: number): string[] {
  const out: string[] = [];
  const re = regExp(pattern);
  for (let m = re.exec(text); m && (limit < 0 || out.length < limit); m = re.exec(text)) {
    out.push(m[0]);
    if (m[0] === '') re.lastIndex++;
  }
  return out;
}

/**
 * Kubernetes regex library: `'abc'.find('[a-z]')` is the first match or '' when none;
 * `findAll(pattern)` every match, `findAll(pattern, n)` at most n (n < 0: all).
 * Karpenter's NodePool/EC2NodeClass rules use `find('^([^/]+)')` to take a label
 * key's domain and `alias.find('^[^@]+')` for the AMI family.
 */
const regexLib: CelFunc[] = [
  celMethod('find', CelScalar.STRING, [CelScalar.STRING], CelScalar.STRING, function (pattern) {
    return findAll(this, pattern, 1)[0] ?? '';
  }),
  celMethod('findAll', CelScalar.STRING, [CelScalar.STRING], listType(CelScalar.STRING), function (pattern) {
    return findAll(this, pattern, -1);
  }),
  celMethod('findAll', CelScalar.STRING, [CelScalar.STRING, CelScalar.INT], listType(CelScalar.STRING), function (pattern, n) {
    return findAll(this, pattern, Number(n));
  }),
];

/** Every extension function the harness registers in its CEL environment. */
export const KUBERNETES_CEL_FUNCS: CelFunc[] = [...strings, ...regexLib];
