import { Chart, Duration, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { MlModelServing, ModelServerAlerts, ModelServerAlertsProps } from '../../src';

function make(props: Partial<ModelServerAlertsProps>) {
  const chart = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
  const serving = new MlModelServing(chart, 'bert', { image: 'ml-model:v1', gpus: { count: 1 } });
  return () => new ModelServerAlerts(chart, 'alerts', { serving, ...props });
}

describe('ModelServerAlerts rejects bad input at synth time', () => {
  test.each<[string, Partial<ModelServerAlertsProps>, string]>([
    ['error ratio above 1', { errorRatioThreshold: 5 },
      "ModelServerAlerts 'prod/alerts': errorRatioThreshold (5) must be between 0 and 1, exclusive"],
    ['error ratio 0', { errorRatioThreshold: 0 },
      "ModelServerAlerts 'prod/alerts': errorRatioThreshold (0) must be between 0 and 1, exclusive"],
    ['zero latency threshold', { p99LatencyThreshold: Duration.millis(0) },
      "ModelServerAlerts 'prod/alerts': p99LatencyThreshold must be longer than zero"],
    ['GPU saturation above 100', { gpuSaturatedPercent: 120 },
      "ModelServerAlerts 'prod/alerts': gpuSaturatedPercent (120) must be between 0 and 100, exclusive"],
    ['GPU idle above saturation', { gpuIdlePercent: 60, gpuSaturatedPercent: 50 },
      "ModelServerAlerts 'prod/alerts': gpuIdlePercent (60) must be below gpuSaturatedPercent (50)"],
    ['bad rate window', { rateWindow: Duration.millis(1.5) },
      "ModelServerAlerts 'prod/alerts': rateWindow (1.5ms) must be a whole number of milliseconds: Prometheus durations have no smaller unit"],
    ['zero rate window', { rateWindow: Duration.seconds(0) },
      "ModelServerAlerts 'prod/alerts': rateWindow ('0s') must be longer than zero"],
    ['bad pending period', { pendingPeriod: Duration.millis(0.25) },
      "ModelServerAlerts 'prod/alerts': pendingPeriod (0.25ms) must be a whole number of milliseconds"],
    ['bad idle period', { gpuIdlePeriod: Duration.seconds(0) },
      "ModelServerAlerts 'prod/alerts': gpuIdlePeriod ('0s') must be longer than zero"],
    ['bad DCGM label', { dcgmPodLabel: 'exported-pod' },
      "ModelServerAlerts 'prod/alerts': dcgmPodLabel ('exported-pod') must be a valid Prometheus label name"],
    ['bad alert label key', { alertLabels: { 'team.name': 'nlp' } },
      "ModelServerAlerts 'prod/alerts': alertLabels key ('team.name') must be a valid Prometheus label name"],
    ['bad rule label value', { ruleLabels: { release: 'kube prometheus' } },
      "ModelServerAlerts 'prod/alerts': ruleLabels['release'] ('kube prometheus') must be a valid label value"],
    ['bad name', { name: 'Bert Alerts' },
      "ModelServerAlerts 'prod/alerts': name ('Bert Alerts') must be a valid RFC 1123 DNS subdomain"],
  ])('%s', (_name, props, message) => {
    expect(make(props)).toThrow(message);
  });

  test('any ratio strictly between 0 and 1 is accepted and rendered as the threshold (property)', () => {
    fc.assert(fc.property(fc.double({ min: 0.0001, max: 0.9999, noNaN: true }), (ratio) => {
      const alerts = make({ errorRatioThreshold: ratio })();
      expect(alerts.alertNames).toContain('ModelServerHighErrorRatio');
    }), { numRuns: 30 });
    fc.assert(fc.property(fc.oneof(fc.double({ max: 0, noNaN: true }), fc.double({ min: 1, noNaN: true })), (ratio) => {
      expect(make({ errorRatioThreshold: ratio })).toThrow('errorRatioThreshold');
    }), { numRuns: 30 });
  });
});
