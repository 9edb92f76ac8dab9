// The Prometheus project's own PromQL grammar (@prometheus-io/lezer-promql), for tests.

// The package is typed as ESM but ships a CommonJS build (its "require" export),
// which is what jest loads; the types come from the ESM side.
type LezerPromql = typeof import('@prometheus-io/lezer-promql', { with: { 'resolution-mode': 'import' } });
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parser } = require('@prometheus-io/lezer-promql') as LezerPromql;

/** Syntax errors the grammar finds in `expr`; empty when it parses. */
export function syntaxErrors(expr: string): string[] {
  const errors: string[] = [];
  parser.parse(expr).iterate({
    enter: (node) => {
      if (node.type.isError) errors.push(`at ${node.from}: '${expr.slice(Math.max(0, node.from - 10), node.to + 10)}'`);
    },
  });
  return errors;
}
