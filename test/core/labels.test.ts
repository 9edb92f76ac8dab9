import * as fc from 'fast-check';
import { LabelKeys, MlLabels } from '../../src';

describe('MlLabels', () => {
  test('recommended labels, with instance defaulting to the name', () => {
    expect(MlLabels.of({ name: 'bert', version: 'v1', component: 'model-server', partOf: 'search' })).toEqual({
      'app.kubernetes.io/name': 'bert',
      'app.kubernetes.io/instance': 'bert',
      'app.kubernetes.io/version': 'v1',
      'app.kubernetes.io/component': 'model-server',
      'app.kubernetes.io/part-of': 'search',
      'app.kubernetes.io/managed-by': 'cdk8s-ml',
    });
  });

  test('the selector never holds version or managed-by, and always matches the full label set', () => {
    fc.assert(fc.property(
      fc.record({
        name: fc.string({ minLength: 1 }),
        instance: fc.option(fc.string({ minLength: 1 }), { nil: undefined }),
        version: fc.option(fc.string({ minLength: 1 }), { nil: undefined }),
        component: fc.option(fc.string({ minLength: 1 }), { nil: undefined }),
      }),
      (options) => {
        const selector = MlLabels.selector(options);
        expect(selector[LabelKeys.VERSION]).toBeUndefined();
        expect(selector[LabelKeys.MANAGED_BY]).toBeUndefined();
        expect(MlLabels.matches(selector, MlLabels.of(options))).toBe(true);
      },
    ));
  });

  test('matches is false when a selector label is missing or different', () => {
    expect(MlLabels.matches({ a: '1' }, { a: '2' })).toBe(false);
    expect(MlLabels.matches({ a: '1', b: '2' }, { a: '1' })).toBe(false);
    expect(MlLabels.matches({}, { a: '1' })).toBe(true);
  });
});
