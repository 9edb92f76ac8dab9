/** A PersistentVolumeClaim mounted into every worker. */
export interface TrainingVolume {
  /** Name of an existing PersistentVolumeClaim in the job's namespace. */
  readonly claimName: string;
  /**
   * Where the volume is mounted in the training container.
   * @default - '/checkpoints' for the checkpoint volume, '/data' for the dataset
   */
  readonly mountPath?: string;
}
