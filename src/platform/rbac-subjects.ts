// RoleBinding subjects from cdk8s-plus ISubjects (users, groups, ServiceAccounts). Internal.
import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { MlNamespace } from './ml-namespace';
import { invalidProp } from '../core/errors';

/** Throws when a subject is bound twice. */
export function requireNewSubject(scope: IConstruct, prop: string, bound: kplus.ISubject[], s: kplus.ISubject): void {
  const c = s.toSubjectConfiguration();
  if (bound.some(e => sameSubject(e.toSubjectConfiguration(), c))) {
    throw invalidProp(scope, prop, `bind ${c.kind} '${c.name}' twice; give each subject once`);
  }
}

/**
 * The subject as a binding spells it, rendered at synth: a ServiceAccount needs its
 * namespace, and one created inside an MlNamespace only gets it at synth.
 */
export function renderSubject(s: kplus.ISubject, fallbackNamespace: string | undefined): kplus.k8s.Subject {
  const c = s.toSubjectConfiguration();
  if (c.kind !== 'ServiceAccount') {
    return { apiGroup: c.apiGroup ?? 'rbac.authorization.k8s.io', kind: c.kind, name: c.name };
  }
  return { kind: c.kind, name: c.name, namespace: serviceAccountNamespace(s, c) ?? fallbackNamespace };
}

function serviceAccountNamespace(s: kplus.ISubject, c: kplus.SubjectConfiguration): string | undefined {
  // An explicit namespace (not the chart's default) wins; else where placement puts it.
  if (c.namespace !== undefined && c.namespace !== Chart.of(s).namespace) return c.namespace;
  return MlNamespace.of(s)?.name ?? c.namespace;
}

function sameSubject(a: kplus.SubjectConfiguration, b: kplus.SubjectConfiguration): boolean {
  return a.kind === b.kind && a.name === b.name && (a.namespace ?? '') === (b.namespace ?? '');
}
