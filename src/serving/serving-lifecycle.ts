import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import type { MlModelServingProps } from './ml-model-serving';
import { RuntimeSpec } from './runtimes/runtime-spec';
import { invalidProp } from '../core/errors';
import { PreStop } from '../core/lifecycle';

// How a model server starts, becomes ready, rolls out and stops: probes, the
// progress deadline, the preStop drain and the rollout checks.

/** @internal */
/**
 * The preStop hook (the user's, or a `sleep` drain) checked against the grace
 * period: SIGKILL before the hook and the in-flight requests are done drops them.
 */
export function drainHook(scope: IConstruct, props: MlModelServingProps): PreStop {
  const preStop = props.preStop ?? PreStop.sleep(props.drainPeriod ?? Duration.seconds(15));
  const inFlight = (props.inFlightTimeout ?? Duration.seconds(30)).toSeconds();
  const grace = (props.terminationGracePeriod ?? Duration.seconds(60)).toSeconds();
  if (grace < preStop.seconds + inFlight) {
    throw invalidProp(scope, 'terminationGracePeriod', `(${grace}s) must cover the preStop hook (${preStop.seconds}s) plus inFlightTimeout (${inFlight}s)`);
  }
  return preStop;
}

/** @internal */
/** The progress deadline: given (and long enough), or derived from the startup and download budgets. */
export function progressDeadlineOf(scope: IConstruct, props: MlModelServingProps, startupBudget: Duration): Duration {
  const needed = startupBudget.toSeconds();
  if (props.progressDeadline) {
    const given = props.progressDeadline.toSeconds();
    if (given < needed) {
      throw invalidProp(scope, 'progressDeadline', `(${given}s) must be at least startupTimeout + downloadTimeout (${needed}s): every slow model load would be reported as a failed rollout`);
    }
    return props.progressDeadline;
  }
  return Duration.seconds(Math.max(600, needed + 120));
}

/** @internal */
/** Refuses rollouts Kubernetes would reject or that could never progress. */
export function validateRollout(
  scope: IConstruct, maxSurge: kplus.PercentOrAbsolute, maxUnavailable: kplus.PercentOrAbsolute, minReady: Duration, progressDeadline: Duration,
): void {
  for (const [prop, value] of [['maxSurge', maxSurge], ['maxUnavailable', maxUnavailable]] as const) {
    const v = value.value;
    const percent = typeof v === 'string' ? Number(v.replace('%', '')) : undefined;
    if (percent !== undefined ? !(Number.isInteger(percent) && percent >= 0 && percent <= 100) : !(Number.isInteger(v) && v >= 0)) {
      throw invalidProp(scope, prop, `(${v}) must be a whole number >= 0 or a percentage from 0% to 100%`);
    }
  }
  if (maxSurge.isZero() && maxUnavailable.isZero()) {
    throw invalidProp(scope, 'maxSurge', 'and maxUnavailable cannot both be 0: the rollout could never replace a pod');
  }
  if (progressDeadline.toSeconds() <= minReady.toSeconds()) {
    throw invalidProp(scope, 'progressDeadline', `(${progressDeadline.toSeconds()}s) must be greater than minReady (${minReady.toSeconds()}s)`);
  }
}

/** @internal */
export function serverProbes(scope: IConstruct, port: number, props: MlModelServingProps, rt?: RuntimeSpec): Pick<kplus.ContainerProps, 'liveness' | 'readiness' | 'startup'> {
  const period = 10;
  const startupTimeout = props.startupTimeout ?? Duration.minutes(10);
  const startupFailures = Math.ceil(startupTimeout.toSeconds() / period);
  if (startupFailures < 1) {
    throw invalidProp(scope, 'startupTimeout', `(${startupTimeout.toSeconds()}s) must be at least ${period}s`);
  }
  const livenessPath = props.livenessPath ?? rt?.livenessPath ?? '/health';
  const readinessPath = props.readinessPath ?? rt?.readinessPath ?? '/ready';
  const startupPath = rt?.startupPath ?? livenessPath;
  for (const [prop, path] of [['livenessPath', livenessPath], ['readinessPath', readinessPath]] as const) {
    if (!path.startsWith('/')) throw invalidProp(scope, prop, `('${path}') must start with '/'`);
  }
  return {
    liveness: props.liveness ?? kplus.Probe.fromHttpGet(livenessPath, {
      port: port, periodSeconds: Duration.seconds(period), timeoutSeconds: Duration.seconds(5), failureThreshold: 3,
    }),
    readiness: props.readiness ?? kplus.Probe.fromHttpGet(readinessPath, {
      port: port, periodSeconds: Duration.seconds(5), timeoutSeconds: Duration.seconds(5), failureThreshold: 3,
    }),
    startup: props.startup ?? kplus.Probe.fromHttpGet(startupPath, {
      port: port, periodSeconds: Duration.seconds(period), timeoutSeconds: Duration.seconds(5), failureThreshold: startupFailures,
    }),
  };
}
