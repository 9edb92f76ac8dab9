// A small evaluator of the Job controller's podFailurePolicy, to check rendered
// policies against what Kubernetes does with a failed pod. Semantics from the
// batch/v1 API (PodFailurePolicyRule, PodFailurePolicyOnExitCodesRequirement,
// PodFailurePolicyOnPodConditionsPattern) and the Job controller
// (kubernetes/kubernetes pkg/controller/job/pod_failure_policy.go):
// - only pods in phase Failed are evaluated; rules are tried in order and the
//   first rule that matches decides;
// - onExitCodes looks at `.state.terminated.exitCode` of the app and init
//   containers (restricted to `containerName` when set); containers that exited
//   0 are excluded; In matches a code in `values`, NotIn a code not in them;
// - onPodConditions matches when one pattern has the type and status of one of
//   the pod's conditions;
// - no rule matched: the failure is counted (as `Count`).

/** What the Job controller does with a failed pod. */
export type PodFailureAction = 'FailJob' | 'FailIndex' | 'Ignore' | 'Count';

export interface FailedPod {
  readonly containers: { name: string; exitCode?: number }[];
  readonly initContainers?: { name: string; exitCode?: number }[];
  readonly conditions?: { type: string; status: string }[];
}

function exitCodesMatch(requirement: any, pod: FailedPod): boolean {
  const statuses = [...pod.containers, ...(pod.initContainers ?? [])];
  return statuses.some(c => {
    if (c.exitCode === undefined || c.exitCode === 0) return false;
    if (requirement.containerName !== undefined && requirement.containerName !== c.name) return false;
    const inValues = (requirement.values as number[]).includes(c.exitCode);
    if (requirement.operator === 'In') return inValues;
    if (requirement.operator === 'NotIn') return !inValues;
    return false; // unknown operators never match
  });
}

function conditionsMatch(patterns: any[], pod: FailedPod): boolean {
  return patterns.some(p => (pod.conditions ?? []).some(c => c.type === p.type && c.status === (p.status ?? 'True')));
}

/** The action the Job controller takes for `pod` (failed) under `policy` (a Job's spec.podFailurePolicy). */
export function evaluatePodFailurePolicy(policy: any | undefined, pod: FailedPod): PodFailureAction {
  for (const rule of policy?.rules ?? []) {
    const matched = rule.onExitCodes ? exitCodesMatch(rule.onExitCodes, pod)
      : rule.onPodConditions ? conditionsMatch(rule.onPodConditions, pod) : false;
    if (matched) return rule.action;
  }
  return 'Count';
}
