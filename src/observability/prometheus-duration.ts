import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { invalidProp } from '../core/errors';

// Units of Prometheus's duration syntax, largest first (a year is 365 days there).
const UNITS: Array<[string, number, boolean]> = [
  // [suffix, milliseconds, only when it divides the rest exactly]
  ['y', 365 * 24 * 3600_000, true],
  ['w', 7 * 24 * 3600_000, true],
  ['d', 24 * 3600_000, false],
  ['h', 3600_000, false],
  ['m', 60_000, false],
  ['s', 1000, false],
  ['ms', 1, false],
];

/**
 * A duration as Prometheus writes it (`model.Duration.String()`): units largest first,
 * each at most once (`30s`, `5m`, `1h30m`, `1w`), years and weeks only when exact
 * (`90d`, not `12w6d`), `0s` for zero. Assumes a whole number of milliseconds.
 */
export function formatPromDuration(duration: Duration): string {
  let ms = duration.toMilliseconds({ integral: false });
  if (ms === 0) return '0s';
  let out = '';
  for (const [suffix, unit, exact] of UNITS) {
    if (exact && ms % unit !== 0) continue;
    const n = Math.floor(ms / unit);
    if (n > 0) {
      out += `${n}${suffix}`;
      ms -= n * unit;
    }
  }
  return out;
}

/**
 * The Prometheus string of a duration, or throws naming the prop: Prometheus counts in
 * whole milliseconds, and zero is refused unless `allowZero` (an interval or timeout of
 * 0 means nothing is scraped).
 */
export function requirePromDuration(scope: IConstruct, prop: string, duration: Duration, allowZero = false): string {
  const ms = duration.toMilliseconds({ integral: false });
  if (!Number.isInteger(ms)) {
    throw invalidProp(scope, prop, `(${ms}ms) must be a whole number of milliseconds: Prometheus durations have no smaller unit`);
  }
  const text = formatPromDuration(duration);
  if (ms === 0 && !allowZero) {
    throw invalidProp(scope, prop, `('${text}') must be longer than zero`);
  }
  return text;
}

/** Throws when a scrape timeout exceeds its interval, which Prometheus rejects at load. */
export function requireTimeoutWithinInterval(scope: IConstruct, timeoutProp: string, timeout: Duration, interval: Duration): void {
  if (timeout.toMilliseconds({ integral: false }) > interval.toMilliseconds({ integral: false })) {
    throw invalidProp(scope, timeoutProp, `('${formatPromDuration(timeout)}') must not exceed the scrape interval ('${formatPromDuration(interval)}')`);
  }
}
