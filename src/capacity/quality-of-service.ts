import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { mebibytes } from './resource-amounts';
import { cpuMillis, QosClass } from '../core/resources';

/**
 * The Kubernetes QoS class of any cdk8s-plus workload, and resources that make a
 * container Guaranteed. (MlModelServing has `guaranteedQos` and `qosClass` itself.)
 *
 * The QoS class decides eviction order under node pressure: BestEffort first, then
 * Burstable pods above their requests, Guaranteed last.
 *
 * @example
 * import { PodSecurity, QualityOfService } from 'cdk8s-ml';
 *
 * // A cdk8s-plus Job of your own with Guaranteed QoS: requests equal limits.
 * const job = new kplus.Job(this, 'embed', {
 *   containers: [{
 *     image: 'registry.example.com/embedder:0.4.0',
 *     resources: QualityOfService.guaranteed(kplus.Cpu.units(4), Size.gibibytes(16)),
 *   }],
 * });
 * PodSecurity.restricted().applyTo(job);
 */
export class QualityOfService {
  /**
   * The QoS class Kubernetes will give the workload's pods, from the cpu and memory
   * requests and limits of all its containers and init containers: Guaranteed when
   * every container has limits equal to its requests (a request left out defaults to
   * the limit), BestEffort when none sets any, Burstable otherwise.
   */
  public static of(workload: kplus.AbstractPod): QosClass {
    const containers = [...workload.initContainers, ...workload.containers];
    return classifyQos(containers.map(c => c.resources));
  }

  /**
   * Container resources with limits equal to requests, for the Guaranteed class:
   * pass as a container's `resources`.
   */
  public static guaranteed(cpu: kplus.Cpu, memory: Size): kplus.ContainerResources {
    return { cpu: { request: cpu, limit: cpu }, memory: { request: memory, limit: memory } };
  }

  private constructor() {}
}

/** The QoS class of a pod whose containers have these resources. */
export function classifyQos(resources: Array<kplus.ContainerResources | undefined>): QosClass {
  const anySet = resources.some(r => r?.cpu?.request || r?.cpu?.limit || r?.memory?.request || r?.memory?.limit);
  if (!anySet) return QosClass.BEST_EFFORT;
  const guaranteed = resources.every(r => {
    const cpu = r?.cpu;
    const memory = r?.memory;
    if (!cpu?.limit || !memory?.limit) return false;
    const cpuRequest = cpu.request ?? cpu.limit;
    const memoryRequest = memory.request ?? memory.limit;
    return cpuMillis(cpuRequest) === cpuMillis(cpu.limit) && mebibytes(memoryRequest) === mebibytes(memory.limit);
  });
  return guaranteed ? QosClass.GUARANTEED : QosClass.BURSTABLE;
}

