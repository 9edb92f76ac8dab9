import { IConstruct } from 'constructs';
import { invalidProp } from '../core/errors';

// Prometheus's duration syntax, as the prometheus-operator CRDs pattern it: units in
// descending order, each at most once (`1h30m`, `15s`, `500ms`). `15x` or `1.5m` fail.
const DURATION = /^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$/;
const UNIT_MS: { [unit: string]: number } = {
  y: 365 * 24 * 3600_000, w: 7 * 24 * 3600_000, d: 24 * 3600_000, h: 3600_000, m: 60_000, s: 1000, ms: 1,
};

/**
 * Milliseconds of a Prometheus duration string, or throws naming the prop. Zero is
 * refused unless `allowZero`: an interval or timeout of 0 means nothing is scraped.
 */
export function requirePromDuration(scope: IConstruct, prop: string, value: string, allowZero = false): number {
  if (value === '' || !DURATION.test(value)) {
    throw invalidProp(scope, prop, `('${value}') must be a Prometheus duration such as 30s, 1m or 1h30m (units y, w, d, h, m, s, ms, largest first)`);
  }
  const ms = promDurationMillis(value);
  if (ms === 0 && !allowZero) {
    throw invalidProp(scope, prop, `('${value}') must be longer than zero`);
  }
  return ms;
}

/** Milliseconds of a duration already known to match the syntax. */
export function promDurationMillis(value: string): number {
  let total = 0;
  for (const m of value.matchAll(/([0-9]+)(ms|y|w|d|h|m|s)/g)) {
    total += Number(m[1]) * UNIT_MS[m[2]];
  }
  return total;
}

/** Throws when a scrape timeout exceeds its interval, which Prometheus rejects at load. */
export function requireTimeoutWithinInterval(scope: IConstruct, timeoutProp: string, timeout: string, interval: string): void {
  if (promDurationMillis(timeout) > promDurationMillis(interval)) {
    throw invalidProp(scope, timeoutProp, `('${timeout}') must not exceed the scrape interval ('${interval}')`);
  }
}
