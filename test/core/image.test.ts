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
    expect(() => requirePinnedImage(scope, 'image', `m@sha256:${'a'.repeat(64)}`, false)).not.toThrow();
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

describe('image references follow the distribution reference grammar', () => {
  const chart = () => new Chart(Testing.app(), 'prod');
  const sha = 'a'.repeat(64);
  test.each([
    ['ghcr.io/org/Model:v1', "has an invalid repository: lowercase alphanumerics separated by '.', '_', '__' or '-', in '/'-separated parts"],
    ['org/_model:v1', "has an invalid repository: lowercase alphanumerics separated by '.', '_', '__' or '-', in '/'-separated parts"],
    ['bad_host.io:port/m:v1', "has an invalid registry host 'bad_host.io:port'"],
    ['m:.v1', "has an invalid tag '.v1': 1 to 128 of letters, digits, '_', '.' and '-', not starting with '.' or '-'"],
    [`m:${'t'.repeat(129)}`, `has an invalid tag '${'t'.repeat(129)}': 1 to 128 of letters, digits, '_', '.' and '-', not starting with '.' or '-'`],
    ['m@sha256:abc', "has an invalid digest 'sha256:abc': algorithm:hex, e.g. sha256 and 64 hex digits"],
    [`m@md5:${'a'.repeat(32)}`, "has a digest of unsupported algorithm 'md5': use sha256, sha384 or sha512"],
    [`m@sha256:${'a'.repeat(63)}`, 'has a sha256 digest that is not 64 lowercase hex digits'],
    [`m@sha256:${'A'.repeat(64)}`, 'has a sha256 digest that is not 64 lowercase hex digits'],
  ])('refuses %s', (image, problem) => {
    const c = chart();
    expect(() => requirePinnedImage(c, 'image', image, true)).toThrow(`Chart 'prod': image ('${image}') ${problem}`);
  });

  test.each([
    'ml-model:v1', 'registry.local:5000/team/ml-model:v2', 'nvcr.io/nvidia/tritonserver:24.08-py3', 'localhost/m:1',
    '[::1]:5000/m:v1', 'a__b/c--d.e:V_1', `m@sha256:${sha}`, `m:v1@sha512:${'0'.repeat(128)}`, 'Registry.Example.com/m:v1',
  ])('accepts %s', image => {
    expect(() => requirePinnedImage(chart(), 'image', image, false)).not.toThrow();
  });

  test('property: lowercase repositories with a valid tag are accepted', () => {
    const part = fc.stringMatching(/^[a-z0-9]+(?:[._-][a-z0-9]+)?$/);
    fc.assert(fc.property(fc.array(part, { minLength: 1, maxLength: 3 }), fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}$/), (parts, tag) => {
      expect(() => requirePinnedImage(chart(), 'image', `${parts.join('/')}:${tag}`, true)).not.toThrow();
    }), { numRuns: 200 });
  });
});
