import { parseImage } from '../../core/image';
import { containersOf, podSpecs } from '../model/manifest';
import { defineRule, PolicySeverity } from '../policy-rule';

export const imagePinnedByDigest = defineRule({
  id: 'SEC-004',
  name: 'image-pinned-by-digest',
  severity: PolicySeverity.WARNING,
  explanation: 'A tag can be moved to another image after review; a digest cannot. Pinning by digest makes what runs exactly what was scanned and signed, and makes a rollback return the same bits. Opt-in: PolicyPack.security({ requireImageDigest: true }).',
  fix: 'Reference images as registry/name:tag@sha256:<digest> (e.g. resolve the tag with `crane digest` in CI).',
  check: (ctx) => ctx.objects.flatMap((obj) => podSpecs(obj).flatMap(({ path, spec }) =>
    containersOf(spec)
      .filter(({ container }) => typeof container.image === 'string' && !parseImage(container.image).digest)
      .map(({ list, index, container }) => ({
        object: obj,
        message: `container "${container.name}" image "${container.image}" is not pinned by digest`,
        location: `${path}.${list}[${index}].image`,
      })))),
});
