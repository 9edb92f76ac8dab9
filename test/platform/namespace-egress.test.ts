import { Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { DistributedTrainingJob, MlNamespace, NamespaceEgress, Torchrun } from '../../src';
import { findObject, findObjects, synthAndValidate } from '../util';
import { NetworkPolicyEvaluator } from '../util/network-policy-evaluator';

function synth(allowEgress?: NamespaceEgress) {
  const chart = new Chart(Testing.app(), 'platform');
  const ns = new MlNamespace(chart, 'ml-training', { allowEgress });
  const job = new DistributedTrainingJob(ns, 'finetune', { image: 'registry.example.com/train:1.0', workers: 2, torchrun: Torchrun.script('/app/train.py') });
  const manifests = synthAndValidate(chart);
  const labels = findObject(manifests, 'Job', 'finetune').spec.template.metadata.labels;
  return { ns, job, manifests, worker: { namespace: 'ml-training', labels }, e: new NetworkPolicyEvaluator(manifests) };
}

const internet = (ip: string) => ({ namespace: 'x', labels: {}, external: true, ip });

describe('MlNamespace allowEgress', () => {
  test('without it, the default-deny blocks training workers from each other and from object storage', () => {
    const { worker, e, manifests } = synth();
    expect(findObjects(manifests, 'NetworkPolicy').map(p => p.metadata.name)).not.toContain('allow-egress');
    expect(e.allows({ from: worker, to: worker, port: 29500 })).toBe(false);
    expect(e.allows({ from: worker, to: internet('52.216.0.10'), port: 443 })).toBe(false);
  });

  test('withinNamespace opens every port between the namespace\'s pods; cidrs open ranges on their ports', () => {
    const { worker, e, manifests, ns } = synth({
      withinNamespace: true,
      cidrs: [{ cidr: '0.0.0.0/0', except: ['10.0.0.0/8'], ports: [443] }, { cidr: '10.0.0.0/16', ports: [5432] }],
      namespaces: [{ namespace: 'mlflow', ports: [5000] }],
    });
    expect(ns.allowEgress).toBeDefined();
    expect(findObject(manifests, 'NetworkPolicy', 'allow-egress').spec).toEqual({
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        { to: [{ podSelector: {} }] },
        { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'mlflow' } } }], ports: [{ protocol: 'TCP', port: 5000 }] },
        { to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }], ports: [{ protocol: 'TCP', port: 443 }] },
        { to: [{ ipBlock: { cidr: '10.0.0.0/16' } }], ports: [{ protocol: 'TCP', port: 5432 }] },
      ],
    });
    // torchrun's rendezvous and NCCL's ephemeral ports (the job's own policy admits its peers).
    expect(e.allows({ from: worker, to: worker, port: 29500 })).toBe(true);
    expect(e.allows({ from: worker, to: worker, port: 41234 })).toBe(true);
    expect(e.allows({ from: worker, to: { namespace: 'mlflow', labels: {} }, port: 5000 })).toBe(true);
    expect(e.allows({ from: worker, to: { namespace: 'mlflow', labels: {} }, port: 22 })).toBe(false);
    expect(e.allows({ from: worker, to: internet('52.216.0.10'), port: 443 })).toBe(true);
    expect(e.allows({ from: worker, to: internet('52.216.0.10'), port: 80 })).toBe(false);
    expect(e.allows({ from: worker, to: internet('10.0.3.4'), port: 5432 })).toBe(true);
    expect(e.allows({ from: worker, to: internet('10.1.3.4'), port: 443 })).toBe(false);
    // Other namespaces still get nothing in.
    expect(e.allows({ from: { namespace: 'default', labels: {} }, to: worker, port: 29500 })).toBe(false);
  });

  test('errors', () => {
    const make = (allowEgress: NamespaceEgress) => () => new MlNamespace(new Chart(Testing.app(), 'p'), 'ml', { allowEgress });
    expect(make({})).toThrow("MlNamespace 'p/ml': allowEgress allows nothing: set withinNamespace, namespaces or cidrs, or leave it out (DNS only)");
    expect(make({ cidrs: [{ cidr: '0.0.0.0' }] }))
      .toThrow("MlNamespace 'p/ml': allowEgress.cidrs[0].cidr ('0.0.0.0') must be an IPv4 or IPv6 CIDR such as '0.0.0.0/0' or '10.0.0.0/16'");
    expect(make({ cidrs: [{ cidr: '0.0.0.0/0', except: ['10.0.0.0/33'] }] }))
      .toThrow("MlNamespace 'p/ml': allowEgress.cidrs[0].except[0] ('10.0.0.0/33') must be an IPv4 or IPv6 CIDR such as '0.0.0.0/0' or '10.0.0.0/16'");
    expect(make({ cidrs: [{ cidr: '::/0', ports: [] }] })).toThrow("MlNamespace 'p/ml': allowEgress.cidrs[0].ports is empty: leave it out to allow every port, or list at least one");
    expect(make({ cidrs: [{ cidr: '::/0', ports: [70000] }] })).toThrow("MlNamespace 'p/ml': allowEgress.cidrs[0].ports[0] (70000)");
    expect(make({ namespaces: [{ namespace: 'ml' }] })).toThrow("MlNamespace 'p/ml': allowEgress.namespaces[0].namespace ('ml') is this namespace: use allowEgress.withinNamespace");
    expect(make({ namespaces: [{ namespace: 'Bad_Name' }] })).toThrow("MlNamespace 'p/ml': allowEgress.namespaces[0].namespace");
  });
});

describe('allowEgress cidrs (properties)', () => {
  const octet = fc.integer({ min: 0, max: 255 });
  const make = (cidr: string) => () => new MlNamespace(new Chart(Testing.app(), 'p'), 'ml', { allowEgress: { cidrs: [{ cidr, ports: [443] }] } });

  test('every IPv4 CIDR is accepted, and admits its own addresses on the port only', () => {
    fc.assert(fc.property(fc.tuple(octet, octet, octet, octet), fc.integer({ min: 0, max: 32 }), (ip, prefix) => {
      const address = ip.join('.');
      const chart = new Chart(Testing.app(), 'p');
      new MlNamespace(chart, 'ml', { allowEgress: { cidrs: [{ cidr: `${address}/${prefix}`, ports: [443] }] } });
      const e = new NetworkPolicyEvaluator(chart.toJson());
      const pod = { namespace: 'ml', labels: {} };
      return e.allows({ from: pod, to: internet(address), port: 443 }) && !e.allows({ from: pod, to: internet(address), port: 444 });
    }), { numRuns: 50 });
  });

  test('an octet above 255 or a prefix above 32 is refused', () => {
    fc.assert(fc.property(fc.tuple(octet, octet, octet), fc.integer({ min: 256, max: 999 }), fc.integer({ min: 0, max: 32 }), (ip, bad, prefix) => {
      expect(make(`${[...ip, bad].join('.')}/${prefix}`)).toThrow(/must be an IPv4 or IPv6 CIDR/);
      expect(make(`${[...ip, 1].join('.')}/${prefix + 33}`)).toThrow(/must be an IPv4 or IPv6 CIDR/);
    }), { numRuns: 50 });
  });
});
