import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { invalidProp } from '../core/errors';
import { requireInteger } from '../core/validation';

/** NCCL's log levels (`NCCL_DEBUG`). */
export enum NcclDebugLevel {
  /** The NCCL version at start-up. */
  VERSION = 'VERSION',
  /** Warnings, the production setting. */
  WARN = 'WARN',
  /** Topology, transports and rings chosen: the first thing to look at when collectives are slow. */
  INFO = 'INFO',
  /** Every call (only in NCCL builds with tracing). */
  TRACE = 'TRACE',
}

/**
 * NCCL and torch.distributed settings of the training container, as env variables
 * (names from NVIDIA's NCCL user guide, "Environment Variables", and PyTorch's
 * ProcessGroupNCCL). The collective timeout itself is `init_process_group(timeout=...)`
 * in the script.
 */
export interface NcclOptions {
  /**
   * Interfaces NCCL and Gloo open their sockets on (`NCCL_SOCKET_IFNAME`,
   * `GLOO_SOCKET_IFNAME`): NCCL prefix syntax, e.g. `eth0`, `=eth0`, `^lo,docker`.
   * Set it when pods have several interfaces (Multus, EFA) and NCCL picks the wrong one.
   * @default - NCCL's choice (the first non-loopback interface, `ib` ones first)
   */
  readonly socketInterface?: string;
  /**
   * `NCCL_DEBUG`.
   * @default - not set (NCCL prints errors only)
   */
  readonly debug?: NcclDebugLevel;
  /**
   * How long the NCCL watchdog waits for a hung collective's heartbeat before it
   * aborts the process (`TORCH_NCCL_HEARTBEAT_TIMEOUT_SEC`): shorter means a lost
   * peer is noticed sooner, the process exits and torchrun's agent restarts the
   * group instead of waiting. Whole seconds, at least 1.
   * @default - PyTorch's default (8 minutes in 2.x)
   */
  readonly heartbeatTimeout?: Duration;
  /**
   * InfiniBand / RoCE verbs timeout exponent (`NCCL_IB_TIMEOUT`, 1..31: the wait
   * is 4.096 µs × 2^value). Raise it on large or congested fabrics.
   * @default - NCCL's default (20)
   */
  readonly ibTimeout?: number;
  /**
   * Disable the InfiniBand/RoCE transport (`NCCL_IB_DISABLE=1`): NCCL falls back
   * to TCP sockets.
   * @default false
   */
  readonly disableInfiniBand?: boolean;
}

/** The env of `options`, validated (internal). */
export function ncclEnv(scope: Construct, options: NcclOptions = {}): { [name: string]: kplus.EnvValue } {
  const env: { [name: string]: string } = {};
  if (options.socketInterface !== undefined) {
    if (!/^[\^=]?[=]?[A-Za-z0-9_.:-]+(,=?[A-Za-z0-9_.:-]+)*$/.test(options.socketInterface)) {
      throw invalidProp(scope, 'nccl.socketInterface', `('${options.socketInterface}') must be a comma-separated list of interface prefixes, optionally starting with ^ (exclude) and = (exact), e.g. '=eth0'`);
    }
    env.NCCL_SOCKET_IFNAME = options.socketInterface;
    // Gloo takes one interface name, without NCCL's prefix syntax.
    if (/^[A-Za-z0-9_.:-]+$/.test(options.socketInterface.replace(/^=/, ''))) env.GLOO_SOCKET_IFNAME = options.socketInterface.replace(/^=/, '');
  }
  if (options.debug !== undefined) env.NCCL_DEBUG = options.debug;
  if (options.heartbeatTimeout !== undefined) {
    const s = options.heartbeatTimeout.toSeconds({ integral: false });
    if (!Number.isInteger(s) || s < 1) throw invalidProp(scope, 'nccl.heartbeatTimeout', `(${s}s) must be a whole number of seconds >= 1`);
    env.TORCH_NCCL_HEARTBEAT_TIMEOUT_SEC = String(s);
  }
  if (options.ibTimeout !== undefined) {
    requireInteger(scope, 'nccl.ibTimeout', options.ibTimeout, 1, 31);
    if (options.disableInfiniBand) throw invalidProp(scope, 'nccl.ibTimeout', 'has no effect with disableInfiniBand');
    env.NCCL_IB_TIMEOUT = String(options.ibTimeout);
  }
  if (options.disableInfiniBand) env.NCCL_IB_DISABLE = '1';
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, kplus.EnvValue.fromValue(v)]));
}
