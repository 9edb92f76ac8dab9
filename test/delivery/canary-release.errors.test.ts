import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { CanaryRelease, CanaryReleaseProps, CanaryTraffic, ServingScaling } from '../../src';

function make(props: Partial<CanaryReleaseProps>) {
  const chart = new Chart(Testing.app(), 'prod');
  return () => new CanaryRelease(chart, 'ml-model', {
    stable: { image: 'ml-model:v1' },
    canary: { image: 'ml-model:v2' },
    weight: 25,
    traffic: CanaryTraffic.replicaRatio({ totalReplicas: 4 }),
    ...props,
  });
}

const P = "CanaryRelease 'prod/ml-model':";
const gateway = (options: Partial<Parameters<typeof CanaryTraffic.gatewayApi>[0]> = {}) =>
  CanaryTraffic.gatewayApi({ gateway: { name: 'gw' }, ...options });

describe('CanaryRelease rejects bad input at synth time, naming path and prop', () => {
  test.each<[string, Partial<CanaryReleaseProps>, string]>([
    ['a weight above 100', { weight: 101 }, `${P} weight (101) must be between 0 and 100`],
    ['a negative weight', { weight: -5 }, `${P} weight (-5) must be between 0 and 100`],
    ['a fractional weight', { weight: 12.5 }, `${P} weight (12.5) must be an integer`],
    ['a weight without a canary', { canary: undefined, weight: 10 }, `${P} weight (10) must be 0 when there is no canary`],
    ['zero total replicas', { traffic: CanaryTraffic.replicaRatio({ totalReplicas: 0 }) }, `${P} totalReplicas (0) must be >= 1`],
    ['fractional total replicas', { traffic: CanaryTraffic.replicaRatio({ totalReplicas: 2.5 }) }, `${P} totalReplicas (2.5) must be an integer`],
    ['a weight too small for the replicas (zero canary replicas)', { weight: 10 },
      `${P} weight (10) with totalReplicas (4) gives the canary 0 replicas (the closest share is 0%), so it would get no requests: use totalReplicas >= 5 for this weight`],
    ['a weight too large for the replicas (zero stable replicas)', { weight: 90 },
      `${P} weight (90) with totalReplicas (4) gives the stable track 0 replicas (the closest share is 100%), so every request would go to the canary: use totalReplicas >= 6 for this weight`],
    ['a single replica split', { weight: 50, traffic: CanaryTraffic.replicaRatio({ totalReplicas: 1 }) },
      `${P} weight (50) with totalReplicas (1) gives the stable track 0 replicas`],
    ['track scaling with replica ratio', { canary: { image: 'ml-model:v2', scaling: ServingScaling.fixed(2) } },
      `${P} canary.scaling must not be set with CanaryTraffic.replicaRatio: both tracks run fixed replica counts computed from totalReplicas and weight (use CanaryTraffic.gatewayApi to autoscale each track)`],
    ['stable scaling with replica ratio', { stable: { image: 'ml-model:v1', scaling: ServingScaling.autoscale() } },
      `${P} stable.scaling must not be set with CanaryTraffic.replicaRatio`],
    ['a routed weight to a canary with zero replicas', { traffic: gateway(), canary: { image: 'ml-model:v2', scaling: ServingScaling.fixed(0) } },
      `${P} weight (25) sends requests to a canary with 0 replicas (canary.scaling): run at least one canary replica, or set weight to 0`],
    ['a routed stable share to a stable track with zero replicas', { traffic: gateway(), stable: { image: 'ml-model:v1', scaling: ServingScaling.fixed(0) } },
      `${P} weight (25) leaves 75% of requests to a stable track with 0 replicas (stable.scaling): run at least one stable replica, or set weight to 100`],
    ['identical images for both versions', { canary: { image: 'ml-model:v1' } },
      `${P} canary.image ('ml-model:v1', version 'v1') is the release stable runs: both would serve the same thing; give canary the new image, or set canary.version to tell two model releases on one server image apart`],
    ['identical digests', { stable: { image: `m@sha256:${'a'.repeat(64)}` }, canary: { image: `m@sha256:${'a'.repeat(64)}` } },
      `${P} canary.image ('m@sha256:${'a'.repeat(64)}', version 'aaaaaaaaaaaa') is the release stable runs`],
    ['a track label on a track', { stable: { image: 'ml-model:v1', selectorLabels: { track: 'main' } } },
      `${P} stable.selectorLabels must not set 'track': CanaryRelease sets it to 'stable' on these pods, and a value shared by both tracks would make the Services select both`],
    ['a track label in app labels', { appLabels: { app: 'ml-model', track: 'stable' } },
      `${P} appLabels must not contain 'track': it tells the tracks apart, and one value would select a single track`],
    ['a track overriding the app labels, leaving the Service without its pods', { canary: { image: 'ml-model:v2', selectorLabels: { app: 'ml-model-next' } } },
      `${P} appLabels (app=ml-model) do not match the pods of canary, which have app=ml-model-next: the Service would select none of them`],
    ['two tracks with one name', { stable: { image: 'ml-model:v1', name: 'srv' }, canary: { image: 'ml-model:v2', name: 'srv' } },
      `${P} canary.name ('srv') is also the stable track's name: the two tracks would overwrite each other's objects`],
    ['tracks on different ports', { canary: { image: 'ml-model:v2', port: 9000 } },
      `${P} canary.port (9000) must equal stable.port (8080): one Service or route serves both tracks`],
    ['a shared Service named like a track', { stable: { image: 'ml-model:v1', name: 'ml-model' } },
      `${P} name ('ml-model') is also the name of a track's own Service: name the tracks differently`],
    ['an invalid name', { name: 'ML' }, `${P} name ('ML') must be a valid RFC 1035 label, since it names a Service: lowercase alphanumerics and '-', starting with a letter and ending with an alphanumeric, at most 56 characters because '-stable' is appended`],
    ['service port out of range', { servicePort: 70000 }, `${P} servicePort (70000) must be between 1 and 65535`],
    ['an IP as hostname', { traffic: gateway({ hostnames: ['10.0.0.1:80'] }) },
      `${P} hostnames[0] ('10.0.0.1:80') must be a lowercase RFC 1123 host name, optionally prefixed with '*.', without port or IP address`],
    ['an uppercase hostname', { traffic: gateway({ hostnames: ['ok.example.com', 'Models.Example.com'] }) },
      `${P} hostnames[1] ('Models.Example.com') must be a lowercase RFC 1123 host name`],
    ['an empty hostname list', { traffic: gateway({ hostnames: [] }) }, `${P} hostnames (0) must hold 1 to 16 hostnames`],
    ['17 hostnames', { traffic: gateway({ hostnames: Array.from({ length: 17 }, (_, i) => `h${i}.example.com`) }) },
      `${P} hostnames (17) must hold 1 to 16 hostnames`],
    ['a relative path prefix', { traffic: gateway({ pathPrefix: 'predict' }) },
      `${P} pathPrefix ('predict') must be an absolute path starting with '/', without '//', '/./', '/../', '%2f' or '#', not ending in '/.' or '/..'`],
    ['a path prefix with //', { traffic: gateway({ pathPrefix: '/v1//predict' }) }, `${P} pathPrefix ('/v1//predict') must be an absolute path`],
    ['a path prefix ending in /..', { traffic: gateway({ pathPrefix: '/v1/..' }) }, `${P} pathPrefix ('/v1/..') must be an absolute path`],
    ['an invalid gateway name', { traffic: CanaryTraffic.gatewayApi({ gateway: { name: 'My_Gateway' } }) },
      `${P} gateway.name ('My_Gateway') must be a valid RFC 1123 DNS subdomain`],
    ['an invalid gateway namespace', { traffic: CanaryTraffic.gatewayApi({ gateway: { name: 'gw', namespace: 'gateway.system' } }) },
      `${P} gateway.namespace ('gateway.system') must be a valid RFC 1123 DNS label`],
    ['an invalid listener', { traffic: CanaryTraffic.gatewayApi({ gateway: { name: 'gw', sectionName: 'HTTPS' } }) },
      `${P} gateway.sectionName ('HTTPS') must be a valid RFC 1123 DNS subdomain`],
    ['an invalid route name', { traffic: gateway({ routeName: 'Route!' }) }, `${P} routeName ('Route!') must be a valid RFC 1123 DNS subdomain`],
    ['an ingress host with a port', { traffic: CanaryTraffic.ingressNginx({ host: 'models.example.com:443' }) },
      `${P} host ('models.example.com:443') must be a lowercase RFC 1123 host name`],
    ['a relative ingress path', { traffic: CanaryTraffic.ingressNginx({ host: 'models.example.com', path: 'v1' }) },
      `${P} path ('v1') must be an absolute path`],
    ['an IP address as hostname (the pattern alone lets it through)', { traffic: gateway({ hostnames: ['10.0.0.1'] }) },
      `${P} hostnames[0] ('10.0.0.1') must be a lowercase RFC 1123 host name, optionally prefixed with '*.', without port or IP address`],
    ['an IP address as ingress host', { traffic: CanaryTraffic.ingressNginx({ host: '192.168.0.10' }) },
      `${P} host ('192.168.0.10') must be a lowercase RFC 1123 host name`],
    ['a path prefix with a space (the CRD\'s character rule)', { traffic: gateway({ pathPrefix: '/v1/my model' }) },
      `${P} pathPrefix ('/v1/my model') must be an absolute path starting with '/', without '//', '/./', '/../', '%2f' or '#', not ending in '/.' or '/..', made of letters, digits, %XX escapes and -._~!$&'()*+,;=:@/ only`],
    ['a path prefix with a query', { traffic: gateway({ pathPrefix: '/predict?v=2' }) }, `${P} pathPrefix ('/predict?v=2') must be an absolute path`],
    ['a path prefix with a broken escape', { traffic: gateway({ pathPrefix: '/a%zz' }) }, `${P} pathPrefix ('/a%zz') must be an absolute path`],
    ['a service port with routed traffic', { traffic: gateway(), servicePort: 8000 },
      `${P} servicePort only applies to CanaryTraffic.replicaRatio: routed traffic goes to each track's own Service (set it in stable and canary)`],
    ['a service type with ingress traffic', { traffic: CanaryTraffic.ingressNginx({ host: 'models.example.com' }), serviceType: kplus.ServiceType.LOAD_BALANCER },
      `${P} serviceType only applies to CanaryTraffic.replicaRatio`],
    ['empty app labels', { appLabels: {} },
      `${P} appLabels must hold at least one label: the Services select pods by them, and without one they would select the pods of every release in the namespace`],
    ['a track label contradicting the app labels', { canary: { image: 'ml-model:v2', labels: { app: 'ml-model-v2' } } },
      `${P} canary.labels['app'] ('ml-model-v2') conflicts with appLabels ('ml-model'): both tracks' pods carry appLabels, which the Services select; drop it or change appLabels`],
  ])('refuses %s', (_what, props, message) => {
    expect(make(props)).toThrow(message);
  });

  test('a track\'s own bad input is reported on the release, under the prop the user wrote', () => {
    expect(make({ canary: { image: 'ml-model' } }))
      .toThrow("CanaryRelease 'prod/ml-model': canary.image ('ml-model') has no tag, which means ':latest'");
    expect(make({ stable: { image: 'ml-model:v1', port: 70000 } }))
      .toThrow("CanaryRelease 'prod/ml-model': stable.port (70000) must be between 1 and 65535");
  });
});
