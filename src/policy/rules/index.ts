// Every built-in rule, one per file, in pack order.
import { disruptionBudget } from './disruption-budget';
import { disruptionBudgetAllowsEviction } from './disruption-budget-allows-eviction';
import { gpuRequestEqualsLimit } from './gpu-request-equals-limit';
import { idleGpus } from './idle-gpus';
import { imagePinnedByDigest } from './image-pinned-by-digest';
import { noHostAccess } from './no-host-access';
import { noHpaAndVpa } from './no-hpa-and-vpa';
import { noLiteralSecrets } from './no-literal-secrets';
import { noSecretData } from './no-secret-data';
import { noTokenAutomount } from './no-token-automount';
import { podFitsAPool } from './pod-fits-a-pool';
import { podSecurityRestricted } from './pod-security-restricted';
import { progressDeadline } from './progress-deadline';
import { quotaAtMaxScale } from './quota-at-max-scale';
import { rayJobCleanup } from './ray-job-cleanup';
import { requestsAndLimits } from './requests-and-limits';
import { serverProbes } from './server-probes';
import { sharedMemoryForMultiGpu } from './shared-memory-for-multi-gpu';
import { spotNeedsDisruptionTolerance } from './spot-needs-disruption-tolerance';
import { spotWhereItWouldDo } from './spot-where-it-would-do';
import { startupProbeOnGpuServers } from './startup-probe-on-gpu-servers';
import { zoneSpread } from './zone-spread';
import { IPolicyRule } from '../policy-rule';

export const SECURITY_RULES: IPolicyRule[] = [podSecurityRestricted, noTokenAutomount, noHostAccess, noLiteralSecrets, noSecretData];
/** Opt-in security rules, not in the default pack. */
export const SECURITY_OPT_IN_RULES: IPolicyRule[] = [imagePinnedByDigest];
export const RELIABILITY_RULES: IPolicyRule[] = [
  serverProbes, disruptionBudget, disruptionBudgetAllowsEviction, zoneSpread, requestsAndLimits, progressDeadline,
];
export const ML_RULES: IPolicyRule[] = [
  gpuRequestEqualsLimit, sharedMemoryForMultiGpu, startupProbeOnGpuServers, noHpaAndVpa,
  spotNeedsDisruptionTolerance, rayJobCleanup, podFitsAPool, quotaAtMaxScale,
];
export const COST_RULES: IPolicyRule[] = [idleGpus, spotWhereItWouldDo];

export const BUILT_IN_RULES: IPolicyRule[] = [...SECURITY_RULES, ...SECURITY_OPT_IN_RULES, ...RELIABILITY_RULES, ...ML_RULES, ...COST_RULES];
