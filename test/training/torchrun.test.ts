import { launchOf } from './launch';
import { Torchrun } from '../../src';

const RDZV = { workers: 4, processesPerWorker: 8, endpoint: 'train-0.train:29500', id: 'train', masterAddress: 'train-0.train', masterPort: 29500 };

describe('Torchrun', () => {
  // Flags as torch/distributed/run.py spells them (PyTorch 2.x): --nnodes takes
  // MIN:MAX, --rdzv-backend/--rdzv-endpoint/--rdzv-id the dynamic rendezvous.
  test('elastic by default: c10d rendezvous, nnodes min:max, max-restarts 3', () => {
    const t = Torchrun.script('train.py', { args: ['--epochs', '10'] });
    expect(t.elastic).toBe(true);
    expect(launchOf(t._command(t._indexedJobFlags(RDZV)))).toEqual({
      torchrun: ['torchrun', '--nnodes=4:4', '--nproc-per-node=8', '--rdzv-backend=c10d', '--rdzv-endpoint=train-0.train:29500', '--rdzv-id=train', '--max-restarts=3'],
      script: ['train.py', '--epochs', '10'],
      wrapped: true,
    });
  });

  test('minWorkers lowers the elastic range; maxRestarts overrides the default', () => {
    const t = Torchrun.script('train.py', { minWorkers: 2, maxRestarts: 10 });
    expect(launchOf(t._command(t._indexedJobFlags(RDZV))).torchrun).toEqual(expect.arrayContaining(['--nnodes=2:4', '--max-restarts=10']));
  });

  test('static launch: node rank from the env, worker 0 as master', () => {
    const t = Torchrun.script('train.py', { elastic: false, propagateExitCodes: false });
    expect(t._command(t._indexedJobFlags(RDZV))).toEqual([
      'torchrun', '--nnodes=4', '--nproc-per-node=8', '--node-rank=$(PET_NODE_RANK)', '--master-addr=train-0.train', '--master-port=29500', 'train.py',
    ]);
  });

  test('the operator form has no rendezvous flags (PET_* variables carry them)', () => {
    const t = Torchrun.script('train.py', { propagateExitCodes: false });
    expect(t._command({ flags: [] })).toEqual(['torchrun', 'train.py']);
  });

  test('modules, restarts and extra torchrun flags come before the script; -m reaches python', () => {
    const t = Torchrun.module('trainer.main', { maxRestarts: 3, torchrunArgs: ['--log-dir=/tmp/logs'], args: ['--x'] });
    expect(launchOf(t._command({ flags: [] }))).toEqual({
      torchrun: ['torchrun', '--max-restarts=3', '--log-dir=/tmp/logs'], script: ['-m', 'trainer.main', '--x'], wrapped: true,
    });
    expect(t.entrypoint).toBe('trainer.main');
    expect(t.isModule).toBe(true);
    expect(Torchrun.script('train.py').isModule).toBe(false);
  });
});
