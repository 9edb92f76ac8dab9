import { Chart, Duration, Testing } from 'cdk8s';
import { MlModelServing, MlModelServingProps, ModelSource, PreStop, ServingRuntime } from '../../src';
import { findObject, findObjects, synthAndValidate } from '../util';

function synth(props: Partial<MlModelServingProps> = {}) {
  const chart = new Chart(Testing.app(), 'prod', { namespace: 'ml' });
  const serving = new MlModelServing(chart, 'bert', { image: 'ml-model:v1', ...props });
  const manifests = synthAndValidate(chart);
  const deployment = findObject(manifests, 'Deployment', 'bert');
  return { serving, manifests, deployment, pod: deployment.spec.template.spec, container: deployment.spec.template.spec.containers[0] };
}

describe('MlModelServing serving knobs', () => {
  test('a preStop sleep drains by default, within the grace period', () => {
    const { container, pod } = synth();
    expect(container.lifecycle).toEqual({ preStop: { sleep: { seconds: 15 } } });
    expect(pod.terminationGracePeriodSeconds).toBe(60);
    const own = synth({ preStop: PreStop.sleep(Duration.seconds(40)), terminationGracePeriod: Duration.seconds(90) });
    expect(own.container.lifecycle.preStop.sleep.seconds).toBe(40);
  });

  test('the grace period must cover the drain and the in-flight budget', () => {
    expect(() => synth({ drainPeriod: Duration.seconds(20), inFlightTimeout: Duration.minutes(1) })).toThrow(
      "MlModelServing 'prod/bert': terminationGracePeriod (60s) must cover the preStop hook (20s) plus inFlightTimeout (60s)");
  });

  test('progress deadline: derived from the startup and download budgets, refused when shorter', () => {
    expect(synth().deployment.spec.progressDeadlineSeconds).toBe(720);
    const llm = synth({ model: ModelSource.fromStorageUri('s3://models/llama'), startupTimeout: Duration.minutes(30) });
    expect(llm.deployment.spec.progressDeadlineSeconds).toBe(30 * 60 + 10 * 60 + 120);
    expect(() => synth({ progressDeadline: Duration.minutes(5) })).toThrow(
      "MlModelServing 'prod/bert': progressDeadline (300s) must be at least startupTimeout + downloadTimeout (600s): every slow model load would be reported as a failed rollout");
  });

  test('readiness and liveness path shorthands', () => {
    const { container } = synth({ readinessPath: '/v2/health/ready', livenessPath: '/live' });
    expect(container.readinessProbe.httpGet.path).toBe('/v2/health/ready');
    expect(container.livenessProbe.httpGet.path).toBe('/live');
    expect(container.startupProbe.httpGet.path).toBe('/live');
    expect(() => synth({ readinessPath: 'ready' })).toThrow("MlModelServing 'prod/bert': readinessPath ('ready') must start with '/'");
  });

  test('HTTPRoute to the Service through a Gateway', () => {
    const { manifests } = synth({
      runtime: ServingRuntime.vllm({ model: 'org/model' }),
      httpRoute: { gatewayName: 'inference', gatewayNamespace: 'gateways', hostnames: ['llm.example.com'], pathPrefix: '/v1' },
    });
    const [route] = findObjects(manifests, 'HTTPRoute');
    expect(route.spec).toEqual({
      parentRefs: [{ name: 'inference', namespace: 'gateways' }],
      hostnames: ['llm.example.com'],
      rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/v1' } }], backendRefs: [{ name: 'bert', port: 80 }] }],
    });
    expect(() => synth({ httpRoute: { gatewayName: 'gw', hostnames: ['Bad_Host'] } })).toThrow(
      "MlModelServing 'prod/bert': httpRoute.hostnames[0] ('Bad_Host') must be a DNS name, optionally with a leading '*.'");
  });
});

describe('MlModelServing Ingress', () => {
  test('host, prefix path, class and TLS from a Secret', () => {
    const { manifests } = synth({ ingress: { host: 'bert.example.com', pathPrefix: '/v1', ingressClassName: 'nginx', tlsSecret: 'bert-tls' } });
    const ingress = findObject(manifests, 'Ingress', 'bert');
    expect(ingress.spec).toEqual({
      ingressClassName: 'nginx',
      tls: [{ hosts: ['bert.example.com'], secretName: 'bert-tls' }],
      rules: [{
        host: 'bert.example.com',
        http: { paths: [{ path: '/v1', pathType: 'Prefix', backend: { service: { name: 'bert', port: { number: 80 } } } }] },
      }],
    });
    expect(() => synth({ ingress: { tlsSecret: 'x' } })).toThrow(
      "MlModelServing 'prod/bert': ingress.tlsSecret needs a host: a certificate names the hosts it serves");
  });
});
