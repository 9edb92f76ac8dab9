import { Torchrun } from '../../src';

describe('Torchrun', () => {
  test('explicit static rendezvous flags from the env, then the script and its arguments', () => {
    expect(Torchrun.script('train.py', { args: ['--epochs', '10'] }).toCommand()).toEqual([
      'torchrun',
      '--nnodes=$(NNODES)',
      '--nproc-per-node=$(NPROC_PER_NODE)',
      '--node-rank=$(RANK)',
      '--master-addr=$(MASTER_ADDR)',
      '--master-port=$(MASTER_PORT)',
      'train.py', '--epochs', '10',
    ]);
  });

  test('the operator form relies on PET_* variables', () => {
    expect(Torchrun.script('train.py').toOperatorCommand()).toEqual(['torchrun', 'train.py']);
  });

  test('modules, restarts and extra torchrun flags come before the script', () => {
    const t = Torchrun.module('trainer.main', { maxRestarts: 3, torchrunArgs: ['--log-dir=/tmp/logs'], args: ['--x'] });
    expect(t.toOperatorCommand()).toEqual(['torchrun', '--max-restarts=3', '--log-dir=/tmp/logs', '-m', 'trainer.main', '--x']);
    expect(t.toCommand().slice(-5)).toEqual(['--max-restarts=3', '--log-dir=/tmp/logs', '-m', 'trainer.main', '--x']);
    expect(t.entrypoint).toBe('trainer.main');
    expect(t.isModule).toBe(true);
    expect(Torchrun.script('train.py').isModule).toBe(false);
  });
});
