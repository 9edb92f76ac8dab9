import { diffJson, diffManifests } from './manifest-diff';

// The rolling-update tests rely on this diff seeing every change, so it is tested itself.
describe('manifest diff', () => {
  test('reports changed, added and removed fields as JSON pointers, nothing for equal values', () => {
    expect(diffJson({ a: 1, b: { c: [1, 2] } }, { a: 1, b: { c: [1, 2] } })).toEqual([]);
    expect(diffJson({ a: 1, b: { 'x/y': 2 } }, { a: 2, b: { 'x/y': 3 }, d: null })).toEqual(['/a', '/b/x~1y', '/d']);
    expect(diffJson({ l: [1, 2] }, { l: [1] })).toEqual(['/l/1']);
    expect(diffJson({ l: [] }, { l: {} })).toEqual(['/l']);
  });

  test('matches objects by kind and name, reporting whole objects added or removed', () => {
    const svc = { kind: 'Service', metadata: { name: 's' }, spec: { port: 1 } };
    const dep = { kind: 'Deployment', metadata: { name: 's' } };
    expect(diffManifests([svc, dep], [dep, svc])).toEqual([]);
    expect(diffManifests([svc], [{ ...svc, spec: { port: 2 } }, dep])).toEqual(['Deployment/s', 'Service/s/spec/port']);
    expect(() => diffManifests([svc, svc], [svc])).toThrow('duplicate Kind/name');
  });
});
