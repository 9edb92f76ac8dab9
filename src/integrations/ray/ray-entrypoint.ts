import { IConstruct } from 'constructs';
import { invalidProp } from '../../core/errors';

/** Options of {@link RayEntrypoint.tune} and {@link RayEntrypoint.rllib}. */
export interface RayExperimentOptions {
  /** The Python script, relative to the runtime env's working directory (or an absolute path in the image). */
  readonly script: string;
  /**
   * Where trials write checkpoints and results: `s3://`, `gs://`, `abfss://` or a
   * path on a filesystem every node mounts (then set `sharedFilesystem`). Ray
   * 2.7+ no longer syncs results to the head, so a node-local path loses the
   * checkpoints of trials that ran on workers.
   * @see https://docs.ray.io/en/latest/train/user-guides/persistent-storage.html
   */
  readonly storagePath: string;
  /**
   * `storagePath` is a path on a filesystem mounted on every node (NFS, a
   * ReadWriteMany PVC), not object storage.
   * @default false
   */
  readonly sharedFilesystem?: boolean;
  /**
   * The flag the script reads the storage path from and hands to
   * `tune.RunConfig(storage_path=...)` (or `tune.Tuner(run_config=...)` for RLlib).
   * @default '--storage-path'
   */
  readonly storagePathFlag?: string;
  /**
   * More arguments of the script.
   * @default - none
   */
  readonly args?: string[];
}

const CLOUD_STORAGE = /^(s3|gs|gcs|abfss?|az|hdfs):\/\/\S+$/;

/**
 * What a RayJob runs (`spec.entrypoint`): a shell command, or a Ray Tune / RLlib
 * experiment whose storage path is checked against the cluster's shape.
 *
 * @example
 * import { RayEntrypoint, RayJob } from 'cdk8s-ml';
 *
 * // An RLlib experiment checkpointing to S3: on a multi-node cluster the storage path
 * // must be object storage or a shared filesystem (checked at synth).
 * new RayJob(this, 'ppo-cartpole', {
 *   entrypoint: RayEntrypoint.rllib({ script: 'train_ppo.py', storagePath: 's3://ml-checkpoints/rllib/ppo', args: ['--stop-iters', '200'] }),
 *   runtimeEnv: { workingDir: 's3://ml-code/ppo.zip' },
 *   cluster: {
 *     image: 'rayproject/ray:2.52.0-py311',
 *     workerGroups: [{ groupName: 'cpu', minReplicas: 4 }],
 *   },
 * });
 */
export class RayEntrypoint {
  /** A shell command, e.g. `python train.py --epochs 10`. */
  public static command(command: string): RayEntrypoint {
    return new RayEntrypoint('command', () => command, undefined);
  }

  /**
   * A Ray Tune experiment: `python <script> --storage-path <storagePath> ...args`.
   * On a cluster with workers the storage path must be shared (object storage or
   * a shared filesystem).
   */
  public static tune(options: RayExperimentOptions): RayEntrypoint {
    return RayEntrypoint.experiment('tune', options);
  }

  /**
   * An RLlib training script (RLlib runs its algorithms through Ray Tune, so the
   * same storage rules apply).
   */
  public static rllib(options: RayExperimentOptions): RayEntrypoint {
    return RayEntrypoint.experiment('rllib', options);
  }

  private static experiment(kind: string, o: RayExperimentOptions): RayEntrypoint {
    const flag = o.storagePathFlag ?? '--storage-path';
    const command = () => ['python', o.script, flag, o.storagePath, ...(o.args ?? [])].map(shellQuote).join(' ');
    return new RayEntrypoint(kind, command, o);
  }

  private constructor(
    private readonly kind: string,
    private readonly command: () => string,
    private readonly experiment: RayExperimentOptions | undefined,
  ) {}

  /** The entrypoint, validated against the cluster (`multiNode` when it has workers). @internal */
  public _render(scope: IConstruct, multiNode: boolean): string {
    const o = this.experiment;
    if (!o) {
      const c = this.command();
      if (typeof c !== 'string' || !c.trim()) throw invalidProp(scope, 'entrypoint', 'must be a non-empty command');
      return c;
    }
    if (!o.script?.trim()) throw invalidProp(scope, 'entrypoint.script', `is required for a ${this.kind} entrypoint`);
    if (!o.storagePath?.trim()) throw invalidProp(scope, 'entrypoint.storagePath', `is required for a ${this.kind} entrypoint`);
    if (multiNode && !CLOUD_STORAGE.test(o.storagePath) && !o.sharedFilesystem) {
      throw invalidProp(scope, 'entrypoint.storagePath', `('${o.storagePath}') must be object storage (s3://, gs://, abfss://) or a shared filesystem (set sharedFilesystem: true) on a multi-node cluster: Ray does not sync trial results from workers to the head`);
    }
    return this.command();
  }
}

function shellQuote(arg: string): string {
  return /^[-\w./:=@%+,]+$/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`;
}
