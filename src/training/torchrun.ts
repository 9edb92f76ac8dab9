/** Options of a {@link Torchrun} launch. */
export interface TorchrunOptions {
  /**
   * Arguments of the training script.
   * @default - none
   */
  readonly args?: string[];
  /**
   * How often torchrun restarts the local worker group on failure (`--max-restarts`).
   * @default - torchrun's default (0)
   */
  readonly maxRestarts?: number;
  /**
   * More torchrun flags, placed before the script (e.g. `--log-dir=/tmp/logs`).
   * @default - none
   */
  readonly torchrunArgs?: string[];
}

/**
 * Builds the `torchrun` command line for a training script, wired to the
 * environment a {@link DistributedTrainingJob} provides.
 *
 * On the Indexed Job backend the flags reference the container's env with
 * `$(VAR)`, which the kubelet expands in `command` and `args`:
 * `torchrun --nnodes=$(NNODES) --nproc-per-node=$(NPROC_PER_NODE) --node-rank=$(RANK)
 * --master-addr=$(MASTER_ADDR) --master-port=$(MASTER_PORT) train.py ...`.
 * On the Kubeflow backends the operator sets torchrun's own `PET_*` variables, so
 * the launch is just `torchrun train.py ...`.
 *
 * Flags use the dashed spelling of PyTorch 2.x.
 */
export class Torchrun {
  /** Launches a Python script file, e.g. `train.py`. */
  public static script(path: string, options: TorchrunOptions = {}): Torchrun {
    return new Torchrun(path, false, options);
  }

  /** Launches a Python module (`torchrun ... -m trainer.main`). */
  public static module(name: string, options: TorchrunOptions = {}): Torchrun {
    return new Torchrun(name, true, options);
  }

  private constructor(
    /** The script path or module name to launch. */
    public readonly entrypoint: string,
    /** Whether `entrypoint` is a module (`-m`). */
    public readonly isModule: boolean,
    private readonly options: TorchrunOptions,
  ) {}

  /**
   * The command with explicit static-rendezvous flags taken from the env variables
   * `NNODES`, `NPROC_PER_NODE`, `RANK`, `MASTER_ADDR` and `MASTER_PORT`.
   */
  public toCommand(): string[] {
    return [
      'torchrun',
      '--nnodes=$(NNODES)',
      '--nproc-per-node=$(NPROC_PER_NODE)',
      '--node-rank=$(RANK)',
      '--master-addr=$(MASTER_ADDR)',
      '--master-port=$(MASTER_PORT)',
      ...this.tail(),
    ];
  }

  /** The command for the Kubeflow operators, which configure torchrun through `PET_*` variables. */
  public toOperatorCommand(): string[] {
    return ['torchrun', ...this.tail()];
  }

  /** The shared part: extra flags, then the script and its arguments. */
  private tail(): string[] {
    const o = this.options;
    return [
      ...(o.maxRestarts !== undefined ? [`--max-restarts=${o.maxRestarts}`] : []),
      ...(o.torchrunArgs ?? []),
      ...(this.isModule ? ['-m'] : []),
      this.entrypoint,
      ...(o.args ?? []),
    ];
  }

  /** The max-restarts option, for validation. @internal */
  public get _maxRestarts(): number | undefined {
    return this.options.maxRestarts;
  }
}
