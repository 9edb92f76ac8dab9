import { Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { parseImage, requirePinnedImage, versionFromImage } from '../../src/core/image';

describe('image references', () => {
  test.each([
    ['ml-model:v2', { tag: 'v2', digest: undefined }],
    ['ml-model', { tag: undefined, digest: undefined }],
    ['registry:5000/team/ml-model', { tag: undefined, digest: undefined }],
    ['registry:5000/team/ml-model:1.2.3', { tag: '1.2.3', digest: undefined }],
    ['ml-model@sha256:abc', { tag: undefined, digest: 'sha256:abc' }],
    ['ml-model:v1@sha256:abc', { tag: 'v1', digest: 'sha256:abc' }],
  ])('parses %s', (image, expected) => {
    expect(parseImage(image)).toEqual(expected);
  });

  test('the version label comes from the tag, else the digest prefix, else nothing', () => {
    expect(versionFromImage('m:v2')).toBe('v2');
    expect(versionFromImage('m@sha256:0123456789abcdef')).toBe('0123456789ab');
    expect(versionFromImage('m')).toBeUndefined();
    // A tag that is not a valid label value (over 63 characters) gives no label.
    expect(versionFromImage(`m:${'a'.repeat(64)}`)).toBeUndefined();
  });

  test('pinned images pass, mutable ones fail unless allowed', () => {
    const scope = new Chart(Testing.app(), 'c');
    expect(() => requirePinnedImage(scope, 'image', 'm:v1', false)).not.toThrow();
    expect(() => requirePinnedImage(scope, 'image', 'm@sha256:abc', false)).not.toThrow();
    expect(() => requirePinnedImage(scope, 'image', 'm:latest', true)).not.toThrow();
    expect(() => requirePinnedImage(scope, 'image', 'm:latest', false)).toThrow(/mutable ':latest'/);
    expect(() => requirePinnedImage(scope, 'image', '', true)).toThrow("Chart 'c': image ('') must be a non-empty image reference without whitespace");
  });

  test('any image with a non-latest tag or a digest is pinned; any bare name is not', () => {
    const name = fc.stringMatching(/^[a-z0-9]+(\/[a-z0-9]+){0,2}$/);
    const scope = new Chart(Testing.app(), 'c');
    fc.assert(fc.property(name, fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}$/), (n, tag) => {
      const pinned = () => requirePinnedImage(scope, 'image', `${n}:${tag}`, false);
      if (tag === 'latest') expect(pinned).toThrow(); else expect(pinned).not.toThrow();
      expect(() => requirePinnedImage(scope, 'image', n, false)).toThrow(/has no tag/);
    }));
  });
});
