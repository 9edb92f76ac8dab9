/** A PersistentVolumeClaim mounted into every worker. */
export interface TrainingVolume {
  /** Name of an existing PersistentVolumeClaim in the job's namespace. */
  readonly claimName: string;
  /**
   * Where the volume is mounted in the training container.
   * @default - '/checkpoints' for the checkpoint volume, '/data' for the dataset
   */
  readonly mountPath?: string;
  /**
   * The group ID that owns the volume's files, for storage that ignores
   * `fsGroup` (NFS, EFS access points, many RWX CSI drivers: the kubelet only
   * changes ownership for drivers that support it). It is added to the pods'
   * `supplementalGroups`, so the non-root training user (UID 1000) can write
   * through the directory's group permission (e.g. `chmod 2775`, group `gid`)
   * without an init container running as root. Make the export or access point
   * group-writable for that GID.
   * @default - none: rely on fsGroup (block volumes, most RWO drivers)
   */
  readonly groupId?: number;
}
