import { Size, SizeRoundingBehavior } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { invalidProp } from '../core/errors';
import { cpuMillis } from '../core/resources';

/** Amounts of cpu, memory and ephemeral storage (quota totals, LimitRange bounds). */
export interface ResourceAmounts {
  /**
   * CPU.
   * @default - not constrained
   */
  readonly cpu?: kplus.Cpu;
  /**
   * Memory.
   * @default - not constrained
   */
  readonly memory?: Size;
  /**
   * Ephemeral (node-local) storage.
   * @default - not constrained
   */
  readonly ephemeralStorage?: Size;
}

/** Mebibytes of a size, unrounded (what cdk8s-plus renders memory in). */
export function mebibytes(size: Size): number {
  return size.toMebibytes({ rounding: SizeRoundingBehavior.NONE });
}

/** `ResourceAmounts` as Kubernetes quantities keyed `<prefix>cpu`, `<prefix>memory`, ... */
export function renderAmounts(amounts: ResourceAmounts | undefined, prefix = ''): { [key: string]: string } {
  const out: { [key: string]: string } = {};
  if (amounts?.cpu) out[`${prefix}cpu`] = amounts.cpu.amount;
  if (amounts?.memory) out[`${prefix}memory`] = `${mebibytes(amounts.memory)}Mi`;
  if (amounts?.ephemeralStorage) out[`${prefix}ephemeral-storage`] = `${mebibytes(amounts.ephemeralStorage)}Mi`;
  return out;
}

// Binary units, largest first, in KiB.
const BINARY_UNITS: Array<[string, number]> = [['Pi', 1024 ** 4], ['Ti', 1024 ** 3], ['Gi', 1024 ** 2], ['Mi', 1024], ['Ki', 1]];

/**
 * A size as a Kubernetes quantity in the largest binary unit that divides it
 * (`4000Gi`, `4Ti`, `512Mi`), for totals people read; Mi with decimals otherwise.
 */
export function formatSize(size: Size): string {
  const kib = size.toKibibytes({ rounding: SizeRoundingBehavior.NONE });
  if (Number.isInteger(kib) && kib > 0) {
    const [unit, per] = BINARY_UNITS.find(([, n]) => kib % n === 0)!;
    return `${kib / per}${unit}`;
  }
  return `${mebibytes(size)}Mi`;
}

/** Throws unless every given amount is positive (zero allowed when `allowZero`). */
export function requirePositiveAmounts(scope: IConstruct, prop: string, amounts: ResourceAmounts | undefined, allowZero = false): void {
  const check = (field: string, value: number, shown: string) => {
    if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
      throw invalidProp(scope, `${prop}.${field}`, `(${shown}) must be ${allowZero ? 'a non-negative' : 'a positive'} quantity`);
    }
  };
  if (amounts?.cpu) check('cpu', cpuMillis(amounts.cpu), amounts.cpu.amount);
  if (amounts?.memory) check('memory', mebibytes(amounts.memory), `${mebibytes(amounts.memory)}Mi`);
  if (amounts?.ephemeralStorage) check('ephemeralStorage', mebibytes(amounts.ephemeralStorage), `${mebibytes(amounts.ephemeralStorage)}Mi`);
}

/**
 * Throws unless every amount in `lower` is <= the same amount in `upper` (where both
 * are given), e.g. requests <= limits, min <= default.
 */
export function requireOrdered(
  scope: IConstruct,
  lowerProp: string, lower: ResourceAmounts | undefined,
  upperProp: string, upper: ResourceAmounts | undefined,
): void {
  if (!lower || !upper) return;
  if (lower.cpu && upper.cpu && cpuMillis(lower.cpu) > cpuMillis(upper.cpu)) {
    throw invalidProp(scope, `${lowerProp}.cpu`, `(${lower.cpu.amount}) must be <= ${upperProp}.cpu (${upper.cpu.amount})`);
  }
  const sizes: Array<[string, Size | undefined, Size | undefined]> = [
    ['memory', lower.memory, upper.memory],
    ['ephemeralStorage', lower.ephemeralStorage, upper.ephemeralStorage],
  ];
  for (const [field, a, b] of sizes) {
    if (a && b && mebibytes(a) > mebibytes(b)) {
      throw invalidProp(scope, `${lowerProp}.${field}`, `(${mebibytes(a)}Mi) must be <= ${upperProp}.${field} (${mebibytes(b)}Mi)`);
    }
  }
}

/** A quantity map in the typed form the cdk8s-plus L1s need (plain strings vanish). */
export function toQuantities(list: { [key: string]: string }): { [key: string]: kplus.k8s.Quantity } {
  const out: { [key: string]: kplus.k8s.Quantity } = {};
  for (const [k, v] of Object.entries(list)) out[k] = kplus.k8s.Quantity.fromString(v);
  return out;
}
