import { Chart, Testing } from 'cdk8s';
import { ILocalQueue, LocalQueue } from '../../src';

// Splits a rendered torchrun command into its parts, through the exit-code
// contract's wrappers (src/training/exit-code-contract.ts).
export interface Launch {
  /** torchrun and its flags (without the contract's --no-python). */
  readonly torchrun: string[];
  /** The script (or -m module) and its arguments. */
  readonly script: string[];
  /** Whether the contract wraps the launch. */
  readonly wrapped: boolean;
}

export function launchOf(command: string[]): Launch {
  if (command[0] !== '/bin/sh') {
    const script = command.findIndex((a, i) => i > 0 && !a.startsWith('--'));
    return { torchrun: command.slice(0, script), script: command.slice(script), wrapped: false };
  }
  const start = command.indexOf('torchrun');
  const noPython = command.indexOf('--no-python');
  // --no-python, /bin/sh, -c, CHILD, training-process, then the script.
  return { torchrun: command.slice(start, noPython), script: command.slice(noPython + 5), wrapped: true };
}

/** A LocalQueue made elsewhere, referenced explicitly (nothing emitted). */
export function externalQueue(name: string): ILocalQueue {
  return LocalQueue.external(new Chart(Testing.app(), 'queues'), name, name);
}
