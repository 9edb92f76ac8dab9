// An independent reader of Prometheus durations, to check what the library writes:
// the syntax as the prometheus-operator CRDs pattern it (units largest first, each at
// most once), and the length in milliseconds.
const DURATION = /^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$/;
const UNIT_MS: { [unit: string]: number } = {
  y: 365 * 24 * 3600_000, w: 7 * 24 * 3600_000, d: 24 * 3600_000, h: 3600_000, m: 60_000, s: 1000, ms: 1,
};

/** True when `text` is a Prometheus duration. */
export function isPromDuration(text: string): boolean {
  return text !== '' && DURATION.test(text);
}

/** Milliseconds of a Prometheus duration. */
export function promDurationMillis(text: string): number {
  if (!isPromDuration(text)) throw new Error(`not a Prometheus duration: '${text}'`);
  let total = 0;
  for (const m of text.matchAll(/([0-9]+)(ms|y|w|d|h|m|s)/g)) total += Number(m[1]) * UNIT_MS[m[2]];
  return total;
}
