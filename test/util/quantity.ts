/**
 * Kubernetes resource quantities ("500m", "1.5Gi", "2e3") as exact integers of
 * nano-units, so that `limits >= requests` and "is a whole number" are decided the
 * way apimachinery's `resource.Quantity` decides them, without float rounding.
 */

const BINARY: Record<string, bigint> = { Ki: 2n ** 10n, Mi: 2n ** 20n, Gi: 2n ** 30n, Ti: 2n ** 40n, Pi: 2n ** 50n, Ei: 2n ** 60n };
const DECIMAL: Record<string, number> = { 'n': -9, 'u': -6, 'm': -3, '': 0, 'k': 3, 'M': 6, 'G': 9, 'T': 12, 'P': 15, 'E': 18 };
const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

/** The quantity in nano-units (1 = 1e-9), or undefined when it is not a quantity. Numbers are accepted as YAML renders them. */
export function parseQuantity(value: unknown): bigint | undefined {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string') return undefined;
  const m = QUANTITY.exec(text);
  if (!m) return undefined;
  const [, sign, number, suffix = ''] = m;
  const [whole, fraction = ''] = number.split('.');
  // mantissa * 10^exp10 * multiplier, all scaled by 1e9 to stay integral.
  let mantissa = BigInt((whole || '0') + fraction);
  let exp10 = 9 - fraction.length;
  let multiplier = 1n;
  if (suffix in BINARY) multiplier = BINARY[suffix];
  else if (/^[eE]/.test(suffix)) exp10 += Number(suffix.slice(1));
  else exp10 += DECIMAL[suffix];
  let out = mantissa * multiplier;
  // Below a nano-unit the API server rounds up; the exactness we need stops at 1n.
  if (exp10 >= 0) {
    out *= 10n ** BigInt(exp10);
  } else {
    const div = 10n ** BigInt(-exp10);
    out = (out + div - 1n) / div;
  }
  mantissa = out;
  return sign === '-' ? -mantissa : mantissa;
}

/** True for a quantity that is a whole number of units (extended resources and object counts must be). */
export function isWholeQuantity(value: unknown): boolean {
  const q = parseQuantity(value);
  return q !== undefined && q % 1_000_000_000n === 0n;
}
