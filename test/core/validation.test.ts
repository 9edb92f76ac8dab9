import { Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import * as fc from 'fast-check';
import { invalidProp } from '../../src/core/errors';
import { isLabelValue, requireDnsLabel, requireDnsSubdomain, requireInteger, requirePercentage, requirePort } from '../../src/core/validation';

class Thing extends Construct {}

describe('validation helpers', () => {
  const scope = new Thing(new Chart(Testing.app(), 'prod'), 'bert');

  test('errors name the construct type, its path and the prop', () => {
    expect(invalidProp(scope, 'maxReplicas', '(1) must be >= minReplicas (2)').message)
      .toBe("Thing 'prod/bert': maxReplicas (1) must be >= minReplicas (2)");
  });

  test('integers and ranges', () => {
    expect(() => requireInteger(scope, 'n', 1.5, 0)).toThrow("Thing 'prod/bert': n (1.5) must be an integer");
    expect(() => requireInteger(scope, 'n', -1, 0)).toThrow("Thing 'prod/bert': n (-1) must be >= 0");
    expect(() => requireInteger(scope, 'n', 11, 0, 10)).toThrow("Thing 'prod/bert': n (11) must be between 0 and 10");
    expect(() => requirePort(scope, 'port', 0)).toThrow('port (0) must be between 1 and 65535');
    expect(() => requirePercentage(scope, 'cpu', 101)).toThrow('cpu (101) must be between 1 and 100');
    fc.assert(fc.property(fc.integer({ min: 1, max: 65535 }), (p) => { requirePort(scope, 'port', p); }));
  });

  test('DNS labels and subdomains', () => {
    expect(() => requireDnsLabel(scope, 'name', 'ok-name-1')).not.toThrow();
    for (const bad of ['Upper', '-lead', 'trail-', 'dot.ted', 'a'.repeat(64), '']) {
      expect(() => requireDnsLabel(scope, 'name', bad)).toThrow(/must be a valid RFC 1123 DNS label/);
    }
    expect(() => requireDnsSubdomain(scope, 'name', 'a.b-c.d')).not.toThrow();
    expect(() => requireDnsSubdomain(scope, 'name', 'a..b')).toThrow(/RFC 1123 DNS subdomain/);
  });

  test('label values follow the Kubernetes grammar', () => {
    const valid = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
    fc.assert(fc.property(fc.string({ maxLength: 70 }), (s) => {
      expect(isLabelValue(s)).toBe(s.length <= 63 && valid.test(s));
    }));
    expect(isLabelValue('v1.2.3')).toBe(true);
    expect(isLabelValue('-v1')).toBe(false);
  });
});
