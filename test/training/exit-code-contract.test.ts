import { spawnSync } from 'child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { DistributedTrainingJob, Torchrun, TrainingBackend } from '../../src';
import { findObject, synthAndValidate } from '../util';
import { evaluatePodFailurePolicy } from '../util/pod-failure-policy';

function rendered(codes?: number[], torchrun: Torchrun | undefined = Torchrun.script('train.py')) {
  const chart = new Chart(Testing.app(), 'train', { namespace: 'ml' });
  new DistributedTrainingJob(chart, 'llm', {
    image: 'training-worker:v1',
    torchrun,
    ...(torchrun ? {} : { command: ['python', 'train.py'] }),
    backend: TrainingBackend.indexedJob({ nonRetriableExitCodes: codes }),
  });
  return findObject(synthAndValidate(chart), 'Job');
}

const worker = (exitCode: number) => ({ containers: [{ name: 'training-worker', exitCode }] });

describe('the podFailurePolicy evaluator follows the Job controller', () => {
  const policy = {
    rules: [
      { action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [2, 3] } },
      { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
      { action: 'Count', onExitCodes: { operator: 'NotIn', values: [1] } },
    ],
  };
  test('first matching rule wins; exit code 0 never matches; containerName restricts; default Count', () => {
    expect(evaluatePodFailurePolicy(policy, { containers: [{ name: 'main', exitCode: 2 }], conditions: [{ type: 'DisruptionTarget', status: 'True' }] })).toBe('FailJob');
    expect(evaluatePodFailurePolicy(policy, { containers: [{ name: 'sidecar', exitCode: 2 }, { name: 'main', exitCode: 143 }], conditions: [{ type: 'DisruptionTarget', status: 'True' }] })).toBe('Ignore');
    expect(evaluatePodFailurePolicy(policy, { containers: [{ name: 'main', exitCode: 0 }], initContainers: [{ name: 'main', exitCode: 3 }] })).toBe('FailJob');
    expect(evaluatePodFailurePolicy({ rules: [{ action: 'Ignore', onExitCodes: { operator: 'NotIn', values: [5] } }] }, { containers: [{ name: 'x', exitCode: 0 }] })).toBe('Count');
    expect(evaluatePodFailurePolicy(policy, { containers: [{ name: 'main', exitCode: 1 }] })).toBe('Count');
    expect(evaluatePodFailurePolicy(undefined, worker(2))).toBe('Count');
  });
});

describe('rendered podFailurePolicy, evaluated as the Job controller does', () => {
  test('a reclaimed worker is ignored (recreated, uncounted); a child\'s non-retriable code fails the Job; an OOM is retried', () => {
    const policy = rendered([2, 3]).spec.podFailurePolicy;
    expect(evaluatePodFailurePolicy(policy, { ...worker(143), conditions: [{ type: 'DisruptionTarget', status: 'True' }] })).toBe('Ignore');
    // With the contract the container exits with the child's code, not torchrun's 1.
    expect(evaluatePodFailurePolicy(policy, worker(2))).toBe('FailJob');
    expect(evaluatePodFailurePolicy(policy, worker(3))).toBe('FailJob');
    expect(evaluatePodFailurePolicy(policy, worker(137))).toBe('Count');
    expect(evaluatePodFailurePolicy(policy, worker(1))).toBe('Count');
    // Another container (a sidecar) exiting 2 is not the training's verdict.
    expect(evaluatePodFailurePolicy(policy, { containers: [{ name: 'log-shipper', exitCode: 2 }, { name: 'training-worker', exitCode: 1 }] })).toBe('Count');
  });

  test('the non-retriable codes reach the training processes, which stop the agent on one', () => {
    const c = rendered([3, 2]).spec.template.spec.containers[0];
    expect(c.env).toContainEqual({ name: 'TRAINING_NON_RETRIABLE_EXIT_CODES', value: '2 3' });
    expect(c.env).toContainEqual({ name: 'TRAINING_EXIT_CODE_FILE', value: '/tmp/training-exit-code' });
    expect(c.env).toContainEqual({ name: 'TRAINING_RDZV_HOST_RANK', value: '0' });
  });

  test('the kubelet leaves the scripts alone: no $(...) or $$ for its variable expansion to rewrite', () => {
    const command: string[] = rendered([2]).spec.template.spec.containers[0].command;
    for (const arg of command) expect(arg).not.toMatch(/\$\(|\$\$/);
  });

  test('codes other than 1 with the contract turned off can never match: refused', () => {
    expect(() => rendered([2], Torchrun.script('train.py', { propagateExitCodes: false })))
      .toThrow("DistributedTrainingJob 'train/llm': backend.nonRetriableExitCodes (2) can never match: torchrun exits 1 whatever its processes' codes, and torchrun propagateExitCodes is false");
  });

  test('property: FailJob exactly for the configured codes, Ignore for every disruption', () => {
    const codeLists = fc.uniqueArray(fc.integer({ min: 1, max: 255 }), { minLength: 1, maxLength: 5 });
    fc.assert(fc.property(codeLists, fc.integer({ min: 1, max: 255 }), (codes, code) => {
      const policy = rendered(codes).spec.podFailurePolicy;
      expect(evaluatePodFailurePolicy(policy, worker(code))).toBe(codes.includes(code) ? 'FailJob' : 'Count');
      expect(evaluatePodFailurePolicy(policy, { ...worker(code), conditions: [{ type: 'DisruptionTarget', status: 'True' }] })).toBe('Ignore');
    }), { numRuns: 15 });
  });
});

// Runs the rendered command under /bin/sh with stand-ins for torchrun (runs two
// processes like the agent, exits 1 when one fails, as torchrun does) and python
// (exits with $FAKE_EXIT_<n>), to show the contract end to end.
describe('the exit-code contract, executed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'contract-'));
  const script = (name: string, body: string) => {
    writeFileSync(join(dir, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(dir, name), 0o755);
  };
  script('torchrun', [
    '[ -z "${FAKE_CONF_OUT:-}" ] || echo "${PET_RDZV_CONF:-}" > "$FAKE_CONF_OUT"',
    'while [ "$1" != "--no-python" ]; do shift; done; shift',
    'FAKE_PROC=0 "$@" & a=$!',
    'FAKE_PROC=1 "$@" & b=$!',
    'rc=0; wait $a || rc=1; wait $b || rc=1',
    'exit $rc',
  ].join('\n'));
  script('python', 'eval "code=\\${FAKE_EXIT_$FAKE_PROC:-0}"; [ "$code" = 0 ] || sleep 0.2; exit "$code"');

  function run(codes: number[], exits: [number, number], extraEnv: { [k: string]: string } = {}) {
    const container = rendered(codes).spec.template.spec.containers[0];
    const command = container.command as string[];
    const env = Object.fromEntries(container.env.filter((e: any) => e.value !== undefined).map((e: any) => [e.name, e.value]));
    const file = join(dir, `code-${Math.random()}`);
    const result = spawnSync(command[0], command.slice(1), {
      env: { ...env, TRAINING_EXIT_CODE_FILE: file, PATH: `${dir}:/usr/bin:/bin`, FAKE_EXIT_0: String(exits[0]), FAKE_EXIT_1: String(exits[1]), ...extraEnv },
      timeout: 20000,
    });
    return result.status;
  }

  test('success is 0; a child\'s code replaces torchrun\'s 1; a non-retriable code comes through', () => {
    expect(run([2], [0, 0])).toBe(0);
    expect(run([2], [0, 137])).toBe(137);
    expect(run([2], [2, 0])).toBe(2);
    expect(run([], [0, 7])).toBe(7);
  });

  test('worker 0 is told it hosts the c10d store, the others that they do not', () => {
    const out = join(dir, 'conf');
    for (const [rank, expected] of [['0', 'is_host=true'], ['3', 'is_host=false']]) {
      expect(run([], [0, 0], { PET_NODE_RANK: rank, FAKE_CONF_OUT: out })).toBe(0);
      expect(readFileSync(out, 'utf8').trim()).toBe(expected);
    }
    // A user's own PET_RDZV_CONF wins.
    run([], [0, 0], { PET_NODE_RANK: '0', PET_RDZV_CONF: 'read_timeout=120', FAKE_CONF_OUT: out });
    expect(readFileSync(out, 'utf8').trim()).toBe('read_timeout=120');
  });
});
