import { podAmounts } from '../model/workloads';
import { defineRule, PolicySeverity } from '../policy-rule';
import { hasSharedMemory, violation } from './helpers';

export const sharedMemoryForMultiGpu = defineRule({
  id: 'ML-002',
  name: 'shared-memory-for-multi-gpu',
  severity: PolicySeverity.WARNING,
  explanation: 'Pods with several GPUs exchange tensors through /dev/shm (NCCL, PyTorch DataLoader workers, vLLM tensor parallelism). The container runtime gives /dev/shm 64 MiB, so these pods crash with "No space left on device" or bus errors under load.',
  fix: 'Mount an emptyDir with medium: Memory (and a sizeLimit) at /dev/shm in the GPU containers.',
  check: (ctx) => ctx._podGroups()
    .filter((g) => podAmounts(g.at.spec, 'limits').gpu >= 2 && !hasSharedMemory(g.at.spec))
    .map((g) => violation(g, `the pod has ${podAmounts(g.at.spec, 'limits').gpu} GPUs and no memory-backed emptyDir at /dev/shm`, `${g.at.path}.volumes`)),
});
