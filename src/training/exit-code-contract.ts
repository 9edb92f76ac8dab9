// The exit-code contract of a torchrun launch (internal; documented on
// TorchrunOptions.propagateExitCodes and DistributedTrainingJob).
//
// torchrun exits 1 whatever its children's codes were: when the worker group
// fails for good, torch.distributed.run's `main` (decorated with @record) dumps
// the first failure into the error file and re-raises ChildFailedError, so the
// interpreter exits 1 (torch/distributed/elastic/multiprocessing/errors/__init__.py,
// `record`). A Job's podFailurePolicy `onExitCodes` and the PyTorchJob `ExitCode`
// restart policy only see the container's code, so without help they can never
// tell an OOM-killed child (137) from a bug (2).
//
// The contract, in two POSIX sh scripts (no image change: `sh` and `python` are
// in every PyTorch image):
// - every training process runs as `sh -c CHILD training-process <script> <args>`
//   (torchrun `--no-python`, which executes the entrypoint directly); CHILD runs
//   python, forwards the agent's SIGTERM/SIGINT to it, and when python fails on
//   its own (not stopped by the agent) writes the code to
//   $TRAINING_EXIT_CODE_FILE; a code in $TRAINING_NON_RETRIABLE_EXIT_CODES also
//   stops the agent ($PPID), because a local restart cannot help either;
// - the container's command is `sh -c WRAPPER training-launcher torchrun ...`;
//   WRAPPER (PID 1) forwards SIGTERM/SIGINT to torchrun and, when torchrun fails,
//   exits with the recorded code instead of torchrun's.
// The file lives on the pod's /tmp emptyDir. A process that starts removes a
// stale code, so a code from an earlier restart round does not outlive it.

/** The env variable naming the file the child's exit code is written to. */
export const EXIT_CODE_FILE_ENV = 'TRAINING_EXIT_CODE_FILE';
/** The env variable listing the non-retriable codes (space-separated). */
export const NON_RETRIABLE_CODES_ENV = 'TRAINING_NON_RETRIABLE_EXIT_CODES';
/**
 * The node rank whose agent hosts the c10d rendezvous store (Indexed Job,
 * elastic): the wrapper turns it into torchrun's `PET_RDZV_CONF=is_host=true|false`.
 * torchrun otherwise guesses from the endpoint's host name, which older releases
 * get wrong for `<job>-0.<service>` (pytorch/pytorch#73380: the pod's hostname
 * and /etc/hosts name differ from the Service's name), leaving no store at all.
 */
export const RDZV_HOST_RANK_ENV = 'TRAINING_RDZV_HOST_RANK';
/** Where the code is written: the writable /tmp of every workload. */
export const EXIT_CODE_FILE = '/tmp/training-exit-code';

// Waits for $child and leaves its exit status in $rc: the first `wait` returns
// early (>128) when a trapped signal arrives, so wait again while it runs.
const WAIT_CHILD = 'wait "$child"; rc=$?; while kill -0 "$child" 2>/dev/null; do wait "$child"; rc=$?; done';

/** Runs one training process (python) and records its exit code. */
export const EXIT_CODE_CHILD_SCRIPT = [
  `rm -f "$${EXIT_CODE_FILE_ENV}"`,
  'stopped=0',
  'trap \'stopped=1; kill -TERM "$child" 2>/dev/null\' TERM INT',
  'python "$@" & child=$!',
  WAIT_CHILD,
  'if [ "$rc" -ne 0 ] && [ "$stopped" = 0 ]; then',
  `  echo "$rc" > "$${EXIT_CODE_FILE_ENV}"`,
  `  case " $${NON_RETRIABLE_CODES_ENV} " in *" $rc "*) kill -TERM "$PPID" ;; esac`,
  'fi',
  'exit "$rc"',
].join('\n');

/**
 * Runs torchrun as PID 1 and exits with the recorded child code when it fails;
 * first tells torchrun's c10d backend whether this pod hosts the store.
 */
export const EXIT_CODE_WRAPPER_SCRIPT = [
  `if [ -n "\${${RDZV_HOST_RANK_ENV}:-}" ] && [ -z "\${PET_RDZV_CONF:-}" ]; then`,
  `  if [ "$PET_NODE_RANK" = "$${RDZV_HOST_RANK_ENV}" ]; then PET_RDZV_CONF=is_host=true; else PET_RDZV_CONF=is_host=false; fi`,
  '  export PET_RDZV_CONF',
  'fi',
  `rm -f "$${EXIT_CODE_FILE_ENV}"`,
  'trap \'kill -TERM "$child" 2>/dev/null\' TERM INT',
  '"$@" & child=$!',
  WAIT_CHILD,
  `if [ "$rc" -ne 0 ] && [ -s "$${EXIT_CODE_FILE_ENV}" ]; then read -r rc < "$${EXIT_CODE_FILE_ENV}"; fi`,
  'exit "$rc"',
].join('\n');
