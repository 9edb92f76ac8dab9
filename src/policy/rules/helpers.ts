// Small shared pieces of the rules: iterate pod templates, find the PDBs and
// autoscalers of a workload, name containers the same way in every message.
import { isObject, namespaceOf, SERVER_KINDS } from '../model/manifest';
import { PodGroup } from '../model/workloads';
import { PolicyContext } from '../policy-context';
import { PolicyViolation } from '../policy-rule';

/** `spec.template.spec.containers[0] (container "server")`. */
export function containerAt(group: PodGroup, list: string, index: number): string {
  return `${group.at.path}.${list}[${index}]`;
}

/** A violation on a pod group's object. */
export function violation(group: PodGroup, message: string, location?: string): PolicyViolation {
  return { object: group.object, message: group.role ? `${group.role}: ${message}` : message, location: location ?? group.at.path };
}

/** The pod groups of long-running servers (Deployments, StatefulSets, Rollouts, LeaderWorkerSets, KServe predictors). */
export function serverGroups(ctx: PolicyContext): PodGroup[] {
  return ctx._podGroups().filter((g) => SERVER_KINDS.has(g.object.kind) || g.object.kind === 'InferenceService');
}

/** The template labels of a pod group. */
export function podLabels(group: PodGroup): { [key: string]: string } {
  return isObject(group.at.metadata?.labels) ? group.at.metadata.labels : {};
}

/** PodDisruptionBudgets in the group's namespace that select its pods. */
export function budgetsOf(ctx: PolicyContext, group: PodGroup): any[] {
  const ns = namespaceOf(group.object);
  const labels = podLabels(group);
  return ctx._budgetsFor(ns, labels);
}

/** True when the pod mounts a memory-backed emptyDir at /dev/shm. */
export function hasSharedMemory(spec: any): boolean {
  const volumes: any[] = Array.isArray(spec?.volumes) ? spec.volumes : [];
  const memory = new Set(volumes.filter((v) => v?.emptyDir?.medium === 'Memory').map((v) => v.name));
  return (spec?.containers ?? []).some((c: any) => (c?.volumeMounts ?? []).some((m: any) => m?.mountPath === '/dev/shm' && memory.has(m.name)));
}
