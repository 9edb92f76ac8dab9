// Names shared by the backends: env variables, labels and annotations of the
// distributed-training conventions (internal; not exported from the package).

/** The annotation the Job controller sets to a pod's completion index (Kubernetes 1.24+). */
export const COMPLETION_INDEX_ANNOTATION = 'batch.kubernetes.io/job-completion-index';

/** The label Kueue reads to queue a (suspended) workload. */
export const KUEUE_QUEUE_LABEL = 'kueue.x-k8s.io/queue-name';

/** The label JobSet (and so Trainer v2) puts on every pod of a TrainJob. */
export const JOBSET_NAME_LABEL = 'jobset.sigs.k8s.io/jobset-name';

/** The container port name the Training Operator reads MASTER_PORT from. */
export const PYTORCHJOB_PORT_NAME = 'pytorchjob-port';

/** torchrun's default port for the c10d rendezvous of elastic jobs. */
export const DEFAULT_ELASTIC_RDZV_PORT = 29400;

/** The variables the Indexed Job backend sets for torch.distributed / torchrun. */
export const INDEXED_JOB_ENV = ['MASTER_ADDR', 'MASTER_PORT', 'WORLD_SIZE', 'RANK', 'NODE_RANK', 'NNODES', 'NPROC_PER_NODE', 'LOCAL_WORLD_SIZE'];

/** The variables the Training Operator v1 injects into PyTorchJob pods (plus every PET_*). */
export const PYTORCHJOB_ENV = ['MASTER_ADDR', 'MASTER_PORT', 'WORLD_SIZE', 'RANK'];

/** torchrun reads its flags from PET_<FLAG>; the Kubeflow operators own them. */
export const RESERVED_ENV_PREFIX = 'PET_';

/** RFC 1035 label: what Service names must be (a letter first). */
export const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
