import { IConstruct } from 'constructs';
import { isLabelName } from './promql';
import { invalidProp } from '../core/errors';
import { requireRe2 } from '../core/validation';

/**
 * What a relabeling rule does.
 * @see https://prometheus.io/docs/prometheus/latest/configuration/configuration/#relabel_config
 */
export enum RelabelAction {
  /** Write `replacement` (with regex groups) to `targetLabel`. */
  REPLACE = 'replace',
  /** Drop targets whose joined source labels do not match `regex`. */
  KEEP = 'keep',
  /** Drop targets whose joined source labels match `regex`. */
  DROP = 'drop',
  /** Write the hash of the source labels modulo `modulus` to `targetLabel`. */
  HASHMOD = 'hashmod',
  /** Copy labels whose name matches `regex` to the names given by `replacement`. */
  LABELMAP = 'labelmap',
  /** Remove labels whose name matches `regex`. */
  LABELDROP = 'labeldrop',
  /** Remove labels whose name does not match `regex`. */
  LABELKEEP = 'labelkeep',
  /** Write the lower-cased source labels to `targetLabel`. */
  LOWERCASE = 'lowercase',
  /** Write the upper-cased source labels to `targetLabel`. */
  UPPERCASE = 'uppercase',
  /** Keep targets whose joined source labels equal `targetLabel`'s value. */
  KEEPEQUAL = 'keepequal',
  /** Drop targets whose joined source labels equal `targetLabel`'s value. */
  DROPEQUAL = 'dropequal',
}

/**
 * One relabeling rule, rendered as `relabel_configs` in prometheus.yml and as
 * `relabelings` in ServiceMonitors and PodMonitors.
 */
export interface RelabelRule {
  /**
   * What the rule does.
   * @default RelabelAction.REPLACE
   */
  readonly action?: RelabelAction;
  /**
   * Labels whose values are joined with `separator` and matched against `regex`.
   * @default - none
   */
  readonly sourceLabels?: string[];
  /**
   * Separator of the joined source label values.
   * @default ';'
   */
  readonly separator?: string;
  /**
   * The label written by replace, hashmod, lowercase and uppercase (required there).
   * @default - none
   */
  readonly targetLabel?: string;
  /**
   * Regular expression (RE2, fully anchored) matched against the joined source labels.
   * @default '(.*)'
   */
  readonly regex?: string;
  /**
   * Modulus of the hash; required by hashmod.
   * @default - none
   */
  readonly modulus?: number;
  /**
   * Replacement written to `targetLabel`, with regex groups such as `$1`.
   * @default '$1'
   */
  readonly replacement?: string;
}

const NEEDS_TARGET = new Set([RelabelAction.REPLACE, RelabelAction.HASHMOD, RelabelAction.LOWERCASE,
  RelabelAction.UPPERCASE, RelabelAction.KEEPEQUAL, RelabelAction.DROPEQUAL]);

/** Throws unless the rule is one Prometheus would load. */
export function validateRelabelRule(scope: IConstruct, prop: string, rule: RelabelRule): void {
  const action = rule.action ?? RelabelAction.REPLACE;
  if (NEEDS_TARGET.has(action) && !rule.targetLabel) {
    throw invalidProp(scope, `${prop}.targetLabel`, `is required by the '${action}' action`);
  }
  if (action === RelabelAction.HASHMOD && (rule.modulus === undefined || !Number.isInteger(rule.modulus) || rule.modulus < 1)) {
    throw invalidProp(scope, `${prop}.modulus`, `(${rule.modulus}) must be a positive integer for the 'hashmod' action`);
  }
  for (const label of rule.sourceLabels ?? []) {
    if (!isLabelName(label)) throw invalidProp(scope, `${prop}.sourceLabels`, `('${label}') must be valid label names`);
  }
  // A target label may use regex groups ($1) under replace, so only plain names are checked.
  if (rule.targetLabel && !rule.targetLabel.includes('$') && !isLabelName(rule.targetLabel)) {
    throw invalidProp(scope, `${prop}.targetLabel`, `('${rule.targetLabel}') must be a valid label name`);
  }
  if (rule.regex !== undefined) requireRe2(scope, `${prop}.regex`, rule.regex);
}

/** The prometheus.yml (snake_case) form. */
export function renderRelabelConfig(rule: RelabelRule): { [key: string]: unknown } {
  return prune({
    source_labels: rule.sourceLabels,
    separator: rule.separator,
    target_label: rule.targetLabel,
    regex: rule.regex,
    modulus: rule.modulus,
    replacement: rule.replacement,
    action: rule.action ?? RelabelAction.REPLACE,
  });
}

/** The prometheus-operator (camelCase) form. */
export function renderRelabeling(rule: RelabelRule): { [key: string]: unknown } {
  return prune({
    sourceLabels: rule.sourceLabels,
    separator: rule.separator,
    targetLabel: rule.targetLabel,
    regex: rule.regex,
    modulus: rule.modulus,
    replacement: rule.replacement,
    action: rule.action ?? RelabelAction.REPLACE,
  });
}

/** Drops undefined values so rendered objects carry only what was set. */
export function prune<T extends { [key: string]: unknown }>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as T;
}
