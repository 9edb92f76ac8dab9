// JavaScript callers get no type checks: every exported construct called without
// props, or with an empty props object, fails with the library's own error (or
// succeeds when nothing is required), never with a TypeError from deep inside.
import { Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import * as lib from '../../src';
import { MlValidationError } from '../../src/core/errors';

const constructs = Object.entries(lib)
  .filter(([, cls]) => typeof cls === 'function' && (cls as any).prototype instanceof Construct && cls !== lib.MlWorkload)
  .map(([name, cls]) => [name, cls] as [string, new (scope: Construct, id: string, props?: unknown) => Construct]);

describe('a missing props object or required prop gives a clear error', () => {
  test('there are constructs to check', () => {
    expect(constructs.length).toBeGreaterThan(30);
  });

  test.each(constructs)('%s', (_, Cls) => {
    for (const props of [undefined, {}]) {
      const chart = new Chart(Testing.app(), 'c');
      try {
        new Cls(chart, 'x', props);
      } catch (e) {
        expect(e).toBeInstanceOf(MlValidationError);
        expect((e as MlValidationError).message).toMatch(/^\w+ 'c\/x': /);
      }
    }
  });

  test('the messages say what is missing', () => {
    const chart = new Chart(Testing.app(), 'c');
    expect(() => new lib.CanaryRelease(chart, 'a', undefined as any)).toThrow("CanaryRelease 'c/a': props are required (at least stable, traffic)");
    expect(() => new lib.CanaryRelease(chart, 'b', {} as any)).toThrow("CanaryRelease 'c/b': stable is required");
    expect(() => new lib.MlModelServing(chart, 'c', {} as any)).toThrow("MlModelServing 'c/c': image is required");
  });
});
