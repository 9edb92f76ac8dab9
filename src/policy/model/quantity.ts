import { isQuantity } from '../../capacity/quantity';

// Decimal and binary suffixes of the Kubernetes resource.Quantity grammar.
const SUFFIX: { [suffix: string]: number } = {
  'n': 1e-9,
  'u': 1e-6,
  'm': 1e-3,
  '': 1,
  'k': 1e3,
  'M': 1e6,
  'G': 1e9,
  'T': 1e12,
  'P': 1e15,
  'E': 1e18,
  'Ki': 2 ** 10,
  'Mi': 2 ** 20,
  'Gi': 2 ** 30,
  'Ti': 2 ** 40,
  'Pi': 2 ** 50,
  'Ei': 2 ** 60,
};

/**
 * The numeric value of a Kubernetes quantity (`500m` -> 0.5, `4Gi` -> 4294967296,
 * `1e3` -> 1000), or undefined when it is not one. Manifests from YAML carry numbers
 * as well as strings (`cpu: 2`), so both are accepted. The grammar itself is checked
 * by the capacity area's `isQuantity`, the one definition of it in this library.
 */
export function quantityValue(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || !isQuantity(value)) return undefined;
  const m = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(.*)$/.exec(value)!;
  const [, num, suffix] = m;
  if (suffix === '' || suffix in SUFFIX) return Number(num) * SUFFIX[suffix];
  return Number(value); // an exponent such as 1e3
}

/** CPU cores as shown in reports: `0.5`, `2`, `12.25`. */
export function formatCores(cores: number): string {
  return String(Math.round(cores * 1000) / 1000);
}

/** Bytes as GiB with at most two decimals, for reports. */
export function formatGiB(bytes: number): string {
  return String(Math.round((bytes / 2 ** 30) * 100) / 100);
}
