import { ApiObject, Chart, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import * as fc from 'fast-check';
import {
  ExternalSecret, ImagePolicy, ImagePolicyEngine, ImageSignature, MlNamespace, MlPersonaRole, Persona, PriorityClass, SecretStore,
  VulnerabilitySeverity,
} from '../../src';
import { NetworkPolicyEvaluator } from '../util/network-policy-evaluator';

const dnsLabel = fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/);

describe('properties', () => {
  test('placement: namespaced objects under an MlNamespace land in it, unless they name another; cluster-scoped ones never get one', () => {
    const objectArb = fc.record({
      kind: fc.constantFrom('ConfigMap', 'ServiceAccount', 'PriorityClass', 'ClusterRole'),
      explicit: fc.constantFrom<'none' | 'chart' | 'other'>('none', 'chart', 'other'),
      depth: fc.integer({ min: 0, max: 3 }),
    });
    fc.assert(fc.property(fc.option(fc.constant('base'), { nil: undefined }), fc.array(objectArb, { minLength: 1, maxLength: 6 }), (chartNs, objects) => {
      const c = new Chart(Testing.app(), 'p', { namespace: chartNs });
      const ns = new MlNamespace(c, 'ml');
      objects.forEach((o, i) => {
        let scope: Construct = ns;
        for (let d = 0; d < o.depth; d++) scope = new Construct(scope, `o${i}-level${d}`);
        const namespace = o.explicit === 'other' ? 'other' : o.explicit === 'chart' ? chartNs : undefined;
        const name = `obj-${i}`;
        if (o.kind === 'ConfigMap') new kplus.ConfigMap(scope, name, { metadata: { name, namespace } });
        else if (o.kind === 'ServiceAccount') new kplus.ServiceAccount(scope, name, { metadata: { name, namespace }, automountToken: false });
        else if (o.kind === 'PriorityClass') new PriorityClass(scope, name, { value: 1000 + i, name });
        else new kplus.k8s.KubeClusterRole(scope, name, { metadata: { name } });
      });
      const manifests = Testing.synth(c);
      objects.forEach((o, i) => {
        const obj = manifests.find(m => m.metadata.name === `obj-${i}`);
        const clusterScoped = o.kind === 'PriorityClass' || o.kind === 'ClusterRole';
        if (clusterScoped) {
          // Ours drop the chart's namespace themselves; placement drops it from raw L1s.
          expect(obj.metadata.namespace).toBeUndefined();
        } else {
          expect(obj.metadata.namespace).toBe(o.explicit === 'other' ? 'other' : 'ml');
        }
      });
      expect(manifests.find(m => m.kind === 'Namespace').metadata.namespace).toBeUndefined();
    }), { numRuns: 100 });
  });

  test('personas: never a wildcard; Secrets exactly the names asked for, get only', () => {
    const personaArb = fc.constantFrom(Persona.mlEngineer, Persona.viewer, Persona.ciDeployer, Persona.notebookUser);
    fc.assert(fc.property(personaArb, fc.option(fc.array(dnsLabel, { minLength: 1, maxLength: 5 }), { nil: undefined }), (persona, secretNames) => {
      const c = new Chart(Testing.app(), 'p', { namespace: 'ml' });
      new MlPersonaRole(c, 'r', { persona: persona({ secretNames }) });
      const role = Testing.synth(c)[0];
      for (const rule of role.rules) {
        expect([...rule.apiGroups, ...rule.resources, ...rule.verbs]).not.toContain('*');
      }
      const secretRules = role.rules.filter((r: any) => r.resources.includes('secrets'));
      if (secretNames === undefined) {
        expect(secretRules).toEqual([]);
      } else {
        expect(secretRules).toEqual([{ apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: [...new Set(secretNames)] }]);
      }
    }), { numRuns: 200 });
  });

  test('ExternalSecret refreshInterval renders as a Go duration of the same length', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 10_000_000 }), (seconds) => {
      const c = new Chart(Testing.app(), 'p', { namespace: 'ml' });
      const store = SecretStore.fromSecretStoreName(c, 's', 'store');
      const es = new ExternalSecret(c, 'e', { store, refreshInterval: Duration.seconds(seconds), data: [{ secretKey: 'k', remoteKey: 'r' }] });
      const rendered: string = (ApiObject.of(es.apiObject).toJson() as any).spec.refreshInterval;
      const m = /^(\d+)h(\d+)m(\d+)s$/.exec(rendered);
      expect(m).not.toBeNull();
      const [h, min, s] = m!.slice(1).map(Number);
      expect(min).toBeLessThan(60);
      expect(s).toBeLessThan(60);
      expect(h * 3600 + min * 60 + s).toBe(seconds);
    }), { numRuns: 200 });
  });

  test('image policy: the denied severities are exactly those above the maximum, for both engines', () => {
    const order = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];
    fc.assert(fc.property(fc.constantFrom(VulnerabilitySeverity.LOW, VulnerabilitySeverity.MEDIUM, VulnerabilitySeverity.HIGH), (max) => {
      const denied = order.slice(order.indexOf(max) + 1);
      for (const engine of [ImagePolicyEngine.kyverno(), ImagePolicyEngine.sigstorePolicyController()]) {
        const c = new Chart(Testing.app(), 'p');
        const ns = new MlNamespace(c, 'ml');
        new ImagePolicy(c, 'images', {
          engine,
          repositories: ['registry.example.com/ml'],
          signature: ImageSignature.keyless({ issuer: 'https://issuer.example.com', subject: 'ci@example.com' }),
          namespaces: [ns],
          vulnerabilityScan: { maxSeverity: max },
        });
        const text = JSON.stringify(Testing.synth(c));
        for (const s of order) {
          const mentioned = text.includes(`Severity == '${s}'`) || text.includes(`\\"${s}\\"`);
          expect(`${s}:${mentioned}`).toBe(`${s}:${denied.includes(s)}`);
        }
      }
    }));
  });

  test('allowances: each allowed namespace reaches the given port of every ML pod, and nothing else gets in', () => {
    fc.assert(fc.property(
      fc.uniqueArray(dnsLabel.filter(n => n !== 'ml'), { minLength: 1, maxLength: 4 }),
      fc.integer({ min: 1, max: 65535 }),
      dnsLabel,
      fc.integer({ min: 1, max: 65535 }),
      (allowed, port, source, probePort) => {
        const c = new Chart(Testing.app(), 'p');
        new MlNamespace(c, 'ml', { allowIngressFrom: allowed.map(namespace => ({ namespace, ports: [port] })) });
        const e = new NetworkPolicyEvaluator(Testing.synth(c));
        const target = { namespace: 'ml', labels: { app: 'any' } };
        for (const ns of allowed) expect(e.allows({ from: { namespace: ns, labels: {} }, to: target, port })).toBe(true);
        const expected = allowed.includes(source) && probePort === port;
        expect(e.allows({ from: { namespace: source, labels: {} }, to: target, port: probePort })).toBe(expected);
      },
    ), { numRuns: 200 });
  });
});
