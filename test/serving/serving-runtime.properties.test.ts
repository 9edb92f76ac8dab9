import { Chart, Duration, Size, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { MlModelServing, PreStop, ServingRuntime } from '../../src';

function build(props: any): MlModelServing {
  const chart = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
  return new MlModelServing(chart, 'llm', { image: 'ml-model:v1', ...props });
}

describe('serving knobs and runtimes (properties)', () => {
  test('the grace period is accepted exactly when it covers the drain and the in-flight budget', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 600 }),
      (drain, inFlight, grace) => {
        const make = () => build({
          preStop: PreStop.sleep(Duration.seconds(drain)),
          inFlightTimeout: Duration.seconds(inFlight),
          terminationGracePeriod: Duration.seconds(grace),
        });
        if (grace >= drain + inFlight) expect(make).not.toThrow();
        else expect(make).toThrow(/terminationGracePeriod .* must cover the preStop hook/);
      }), { numRuns: 200 });
  });

  test('the progress deadline always covers the startup budget; a shorter given one is refused', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 120 }), fc.integer({ min: 0, max: 60 }), fc.option(fc.integer({ min: 1, max: 240 })),
      (startupMin, downloadMin, givenMin) => {
        const props = {
          startupTimeout: Duration.minutes(startupMin),
          downloadTimeout: Duration.minutes(downloadMin),
          ...(givenMin !== null ? { progressDeadline: Duration.minutes(givenMin) } : {}),
        };
        const budget = (startupMin + downloadMin) * 60;
        if (givenMin !== null && givenMin * 60 < budget) {
          expect(() => build(props)).toThrow(/progressDeadline .* must be at least startupTimeout \+ downloadTimeout/);
          return;
        }
        const serving = build(props);
        expect(serving.startupBudget.toSeconds()).toBe(budget);
      }), { numRuns: 200 });
  });

  test('vLLM: tensor parallelism follows the GPU count, and /dev/shm must fit below the memory limit', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 64 }), fc.integer({ min: 4, max: 256 }),
      (gpus, shmGi, memGi) => {
        const make = () => build({
          image: undefined,
          runtime: ServingRuntime.vllm({ model: 'org/model', sharedMemory: Size.gibibytes(shmGi) }),
          gpus: { count: gpus },
          resources: { memory: { request: Size.gibibytes(memGi), limit: Size.gibibytes(memGi) } },
        });
        if (shmGi >= memGi) {
          expect(make).toThrow(/runtime.sharedMemory .* must be below the memory limit/);
          return;
        }
        const serving = make();
        const args = serving._server.kplusProps.args!;
        expect(args[args.indexOf('--tensor-parallel-size') + 1]).toBe(String(gpus));
      }), { numRuns: 100 });
  });
});
