import { EXIT_CODE_CHILD_SCRIPT, EXIT_CODE_WRAPPER_SCRIPT } from './exit-code-contract';

/** Options of a {@link Torchrun} launch. */
export interface TorchrunOptions {
  /**
   * Arguments of the training script.
   * @default - none
   */
  readonly args?: string[];
  /**
   * How often torchrun's agent restarts the worker group (`--max-restarts`):
   * each time a peer is lost or a replaced peer rejoins, the group restarts from
   * the last checkpoint, so this is the number of interruptions the job absorbs
   * without a pod failure.
   * @default 3 on the Indexed Job backend (elastic launch); torchrun's own default (0) elsewhere
   */
  readonly maxRestarts?: number;
  /**
   * Elastic launch on the Indexed Job backend: torchrun's dynamic c10d rendezvous
   * through the headless Service (`--rdzv-backend=c10d`,
   * `--rdzv-endpoint=<job>-0.<service>:<masterPort>`, `--rdzv-id=<job>`,
   * `--nnodes=<minWorkers>:<workers>`), so a replaced pod rejoins and the
   * survivors restart with it. `false` renders the static rendezvous
   * (`--master-addr`, `--node-rank`), which cannot survive the loss of a worker:
   * such a job is refused on spot pools unless you accept it.
   * @default true
   */
  readonly elastic?: boolean;
  /**
   * Fewest workers the elastic job keeps training with (`--nnodes=min:max`).
   * Below `workers`, the survivors continue without a lost worker once the
   * rendezvous times out; your script must then cope with a smaller world size.
   * @default - the job's `workers`: the group waits for the replacement
   */
  readonly minWorkers?: number;
  /**
   * The exit-code contract: each training process runs under a small POSIX `sh`
   * wrapper (torchrun `--no-python`) that records the first non-zero exit code;
   * when torchrun fails, the container exits with that code instead of
   * torchrun's 1, so `nonRetriableExitCodes` and the PyTorchJob `ExitCode`
   * restart policy see the child's code. A child exiting with a non-retriable
   * code also stops the agent at once (no local restart can help). Needs `sh`
   * and `python` on the image's PATH (every PyTorch image has both).
   * @default true
   */
  readonly propagateExitCodes?: boolean;
  /**
   * More torchrun flags, placed before the script (e.g. `--log-dir=/tmp/logs`).
   * @default - none
   */
  readonly torchrunArgs?: string[];
}

/** What a backend knows about the launch (internal). */
export interface TorchrunLaunch {
  /** Explicit flags, before the user's (empty on the Kubeflow backends: PET_* carry them). */
  readonly flags: string[];
  /** The max-restarts torchrun gets when the user sets none. */
  readonly defaultMaxRestarts?: number;
}

/** The flags on the Indexed Job backend, from {@link Torchrun._indexedJobFlags} (internal). */
export interface IndexedJobRendezvous {
  readonly workers: number;
  readonly processesPerWorker: number;
  /** `<job>-0.<service>:<port>` */
  readonly endpoint: string;
  /** The rendezvous id (the job's name). */
  readonly id: string;
  readonly masterAddress: string;
  readonly masterPort: number;
}

const DEFAULT_ELASTIC_MAX_RESTARTS = 3;

/**
 * Builds the `torchrun` command line for a training script, wired to the
 * rendezvous a {@link DistributedTrainingJob} provides.
 *
 * On the Indexed Job backend the launch is elastic by default: torchrun's c10d
 * rendezvous through the job's headless Service, hosted by worker 0's agent
 * (`--rdzv-backend=c10d --rdzv-endpoint=<job>-0.<service>:29500 --rdzv-id=<job>
 * --nnodes=4:4 --nproc-per-node=8 --max-restarts=3`). On the Kubeflow backends
 * the operator sets torchrun's own `PET_*` variables (the PyTorchJob operator
 * sets the elastic ones from `elasticPolicy`), so the launch carries no
 * rendezvous flags.
 *
 * Flags use the dashed spelling of PyTorch 2.x (torch/distributed/run.py; every
 * flag also reads `PET_<FLAG>`, torch/distributed/argparse_util.py).
 *
 * @example
 * import { DistributedTrainingJob, Torchrun } from 'cdk8s-ml';
 *
 * new DistributedTrainingJob(this, 'resnet', {
 *   image: 'registry.example.com/resnet-trainer:1.2.0',
 *   workers: 4,
 *   gpus: { count: 1 },
 *   // Elastic: training goes on with 2 to 4 workers, restarting up to 5 times.
 *   torchrun: Torchrun.script('/app/train.py', { args: ['--epochs', '90'], minWorkers: 2, maxRestarts: 5 }),
 * });
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

  /** Whether the Indexed Job launch uses the elastic c10d rendezvous. */
  public get elastic(): boolean {
    return this.options.elastic ?? true;
  }

  /** Whether the exit-code contract wraps the launch. */
  public get propagatesExitCodes(): boolean {
    return this.options.propagateExitCodes ?? true;
  }

  /** The rendezvous flags on the Indexed Job backend. @internal */
  public _indexedJobFlags(r: IndexedJobRendezvous): TorchrunLaunch {
    if (!this.elastic) {
      // Static rendezvous: node ranks from the completion index, worker 0 hosts the store.
      return {
        flags: [
          `--nnodes=${r.workers}`,
          `--nproc-per-node=${r.processesPerWorker}`,
          '--node-rank=$(PET_NODE_RANK)',
          `--master-addr=${r.masterAddress}`,
          `--master-port=${r.masterPort}`,
        ],
      };
    }
    // Dynamic c10d rendezvous: worker 0's agent hosts the TCP store. Inside the
    // exit-code contract the wrapper says so explicitly (PET_RDZV_CONF=is_host=...,
    // c10d_rendezvous_backend.py `_create_tcp_store`); without it torchrun guesses
    // with _matches_machine_hostname, which recent releases get right by
    // comparing the endpoint's resolved addresses with the machine's. Node ranks
    // come from the rendezvous, not from the index.
    return {
      flags: [
        `--nnodes=${this._minWorkers ?? r.workers}:${r.workers}`,
        `--nproc-per-node=${r.processesPerWorker}`,
        '--rdzv-backend=c10d',
        `--rdzv-endpoint=${r.endpoint}`,
        `--rdzv-id=${r.id}`,
      ],
      defaultMaxRestarts: DEFAULT_ELASTIC_MAX_RESTARTS,
    };
  }

  /**
   * The container command: torchrun with `launch.flags`, the user's flags and the
   * script, inside the exit-code contract unless it is turned off (internal).
   * @internal
   */
  public _command(launch: TorchrunLaunch): string[] {
    const o = this.options;
    const maxRestarts = o.maxRestarts ?? launch.defaultMaxRestarts;
    const torchrun = [
      'torchrun',
      ...launch.flags,
      ...(maxRestarts !== undefined ? [`--max-restarts=${maxRestarts}`] : []),
      ...(o.torchrunArgs ?? []),
    ];
    const script = [...(this.isModule ? ['-m'] : []), this.entrypoint, ...(o.args ?? [])];
    if (!this.propagatesExitCodes) return [...torchrun, ...script];
    // sh -c SCRIPT NAME ARGS...: NAME becomes $0, ARGS "$@" (POSIX sh).
    return [
      '/bin/sh', '-c', EXIT_CODE_WRAPPER_SCRIPT, 'training-launcher',
      ...torchrun, '--no-python',
      '/bin/sh', '-c', EXIT_CODE_CHILD_SCRIPT, 'training-process',
      ...script,
    ];
  }

  /** The max-restarts option, for validation. @internal */
  public get _maxRestarts(): number | undefined {
    return this.options.maxRestarts;
  }

  /** The min-workers option, for validation. @internal */
  public get _minWorkers(): number | undefined {
    return this.options.minWorkers;
  }
}
