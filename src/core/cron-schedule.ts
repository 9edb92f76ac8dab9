import { IConstruct } from 'constructs';
import { invalidProp } from './errors';

// A cron field as the upstream CronJob parser takes it: numbers, names (MON, JAN),
// `*`, `?`, ranges, lists and steps.
const CRON_FIELD = /^[0-9A-Za-z*?,/-]+$/;

// The ranges robfig/cron (Karpenter's parser, as the CronJob controller's) accepts.
// Hand-written rather than an npm cron parser on purpose: those (cron-parser, croner)
// accept what robfig's ParseStandard refuses (a seconds field, L, W, #), so they would
// pass schedules the API server rejects; what is needed is only this range check.
// @see https://github.com/robfig/cron/blob/v3.0.1/parser.go
const CRON_RANGES: { name: string; min: number; max: number; names?: string[] }[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] },
  { name: 'day of week', min: 0, max: 6, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
];

/** What is wrong with one cron field (a list of ranges with optional steps), or undefined. */
function cronFieldProblem(field: string, range: { min: number; max: number; names?: string[] }): string | undefined {
  const value = (v: string): number | undefined => {
    const named = range.names?.indexOf(v.toUpperCase()) ?? -1;
    if (named >= 0) return named + range.min;
    return /^[0-9]+$/.test(v) ? Number(v) : undefined;
  };
  for (const part of field.split(',')) {
    const [span, step, extra] = part.split('/');
    if (extra !== undefined || span === '' || (step !== undefined && !/^[1-9][0-9]*$/.test(step))) return `'${part}' is not a value, range or step`;
    if (span === '*' || span === '?') continue;
    const [lo, hi, more] = span.split('-');
    const a = value(lo);
    const b = hi === undefined ? a : value(hi);
    if (more !== undefined || a === undefined || b === undefined) return `'${part}' is not a value, range or step`;
    if (a < range.min || b > range.max || a > b) return `'${span}' is outside ${range.min}-${range.max}`;
  }
  return undefined;
}

// robfig/cron's descriptors, which ParseStandard accepts and Karpenter's CRD pattern allows.
const CRON_DESCRIPTOR = /^@(annually|yearly|monthly|weekly|daily|midnight|hourly)$/;

/**
 * Throws unless `schedule` parses as the API server parses a CronJob's (and Karpenter
 * and Velero theirs): robfig/cron's ParseStandard, 5 fields in range or a descriptor
 * such as `@daily`; no time zone prefix (kubernetes pkg/apis/batch/validation
 * validateScheduleFormat refuses `TZ=` and `CRON_TZ=` in the schedule).
 */
export function requireCronSchedule(scope: IConstruct, prop: string, schedule: string): void {
  const text = String(schedule).trim();
  if (CRON_DESCRIPTOR.test(text)) return;
  if (/^(CRON_)?TZ=/.test(text)) {
    throw invalidProp(scope, prop, `('${schedule}') must not name a time zone: schedules run in the controller's time zone`);
  }
  const fields = text.split(/\s+/);
  if (fields.length !== 5 || !fields.every(f => CRON_FIELD.test(f))) {
    throw invalidProp(scope, prop, `('${schedule}') must be a cron expression of 5 fields (minute hour day-of-month month day-of-week)`);
  }
  fields.forEach((f, i) => {
    const bad = cronFieldProblem(f, CRON_RANGES[i]);
    if (bad) throw invalidProp(scope, prop, `('${schedule}') has ${CRON_RANGES[i].name} '${f}': ${bad}`);
  });
}
