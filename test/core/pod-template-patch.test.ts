import { ApiObject, Chart, Cron, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { PodTemplatePatch, pointerKey } from '../../src/core/pod-template-patch';

describe('PodTemplatePatch', () => {
  test('escapes JSON pointer keys', () => {
    expect(pointerKey('nvidia.com/gpu')).toBe('nvidia.com~1gpu');
    expect(pointerKey('a~b')).toBe('a~0b');
  });

  test('patches the pod template of each workload kind at its own path', () => {
    const chart = new Chart(Testing.app(), 'c');
    const deployment = new kplus.Deployment(chart, 'd', { containers: [{ image: 'x:1' }] });
    const job = new kplus.Job(chart, 'j', { containers: [{ image: 'x:1' }] });
    const cron = new kplus.CronJob(chart, 'cj', { schedule: Cron.daily(), containers: [{ image: 'x:1' }] });
    for (const w of [deployment, job, cron]) {
      PodTemplatePatch.of(w).setPodSecurityContext('seccompProfile', { type: 'RuntimeDefault' }).setExtendedResource(0, 'nvidia.com/gpu', '2');
    }
    PodTemplatePatch.of(job).setSpec('completionMode', 'Indexed');
    const [d, j, c] = Testing.synth(chart);
    for (const spec of [d.spec.template.spec, j.spec.template.spec, c.spec.jobTemplate.spec.template.spec]) {
      expect(spec.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
      // Typed as Quantity, so the L1 converter keeps it.
      expect(spec.containers[0].resources.limits['nvidia.com/gpu']).toBe('2');
      expect(spec.containers[0].resources.requests['nvidia.com/gpu']).toBe('2');
    }
    expect(j.spec.completionMode).toBe('Indexed');
  });

  test('refuses objects without a known pod template', () => {
    const chart = new Chart(Testing.app(), 'c');
    const cm = new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap' });
    expect(() => PodTemplatePatch.of(cm)).toThrow('PodTemplatePatch: kind ConfigMap has no known pod template');
  });
});
