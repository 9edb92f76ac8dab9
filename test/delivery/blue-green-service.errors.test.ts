import { Chart, Testing } from 'cdk8s';
import { BlueGreenColor, BlueGreenService, BlueGreenServiceProps, IdleColorPolicy, ServingScaling } from '../../src';

function make(props: Partial<BlueGreenServiceProps>) {
  const chart = new Chart(Testing.app(), 'prod');
  return () => new BlueGreenService(chart, 'ml-model', {
    activeColor: BlueGreenColor.BLUE,
    blue: { image: 'ml-model:v1' },
    green: { image: 'ml-model:v2' },
    ...props,
  });
}

const P = "BlueGreenService 'prod/ml-model':";

describe('BlueGreenService rejects bad input at synth time, naming path and prop', () => {
  test.each<[string, Partial<BlueGreenServiceProps>, string]>([
    ['an unknown color', { activeColor: 'purple' as BlueGreenColor },
      `${P} activeColor ('purple') must be one of 'blue', 'green'`],
    ['an active color that is not defined', { activeColor: BlueGreenColor.GREEN, green: undefined },
      `${P} green is not defined, but it is the activeColor: the active Service would select no pods`],
    ['an active color with zero replicas', { blue: { image: 'ml-model:v1', scaling: ServingScaling.fixed(0) } },
      `${P} blue.scaling (0 replicas) must run at least one replica: blue is the activeColor`],
    ['colors on different ports', { green: { image: 'ml-model:v2', port: 9000 } },
      `${P} green.port (9000) must equal blue.port (8080): a promotion only switches the Service's selector, not its target port`],
    ['identical images for both colors', { green: { image: 'ml-model:v1' } },
      `${P} green.image ('ml-model:v1', version 'v1') is the release blue runs: both would serve the same thing; give green the new image, or set green.version to tell two model releases on one server image apart`],
    ['identical images and versions while green is active', { activeColor: BlueGreenColor.GREEN, blue: { image: 'ml-model:v2' } },
      `${P} blue.image ('ml-model:v2', version 'v2') is the release green runs`],
    ['a color selector label that would select both colors', { green: { image: 'ml-model:v2', selectorLabels: { version: 'v2' } } },
      `${P} green.selectorLabels must not set 'version': BlueGreenService sets it to 'green' on these pods, and a value shared by both tracks would make the Services select both`],
    ['a color label that would select both colors', { blue: { image: 'ml-model:v1', labels: { version: 'stable' } } },
      `${P} blue.labels must not set 'version': BlueGreenService sets it to 'blue' on these pods`],
    ['app labels carrying the color label', { appLabels: { app: 'ml-model', version: 'blue' } },
      `${P} appLabels must not contain 'version': the Services add it per color, and one value would select both colors`],
    ['a color overriding the app labels, leaving the active Service without pods', { blue: { image: 'ml-model:v1', selectorLabels: { app: 'other' } } },
      `${P} appLabels (app=ml-model, version=blue) do not match the pods of blue, which have app=other: the active Service would select none of them; do not override appLabels in blue's labels or selectorLabels`],
    ['a color overriding the app labels, leaving the preview Service without pods', { green: { image: 'ml-model:v2', selectorLabels: { app: 'other' } } },
      `${P} appLabels (app=ml-model, version=green) do not match the pods of green, which have app=other: the preview Service would select none of them`],
    ['app labels that the recommended labels override', { appLabels: { 'app.kubernetes.io/name': 'ml-model' } },
      `${P} appLabels (app.kubernetes.io/name=ml-model, version=blue) do not match the pods of blue, which have app.kubernetes.io/name=ml-model-blue`],
    ['two colors with one name', { blue: { image: 'ml-model:v1', name: 'srv' }, green: { image: 'ml-model:v2', name: 'srv' } },
      `${P} green.name ('srv') is also blue's name: the two colors would overwrite each other's objects`],
    ['an active Service named like a color', { activeServiceName: 'ml-model-green' },
      `${P} activeServiceName ('ml-model-green') is the name of green's own Service: pick another name or rename green`],
    ['a preview Service named like the idle color', { previewServiceName: 'ml-model-green' },
      `${P} previewServiceName ('ml-model-green') is the name of green's own Service: pick another name or rename green`],
    ['empty app labels (the Services would select every blue or green pod in the namespace)', { appLabels: {} },
      `${P} appLabels must hold at least one label: the Services select pods by them`],
    ['a color label contradicting the app labels', { blue: { image: 'ml-model:v1', labels: { app: 'model' } } },
      `${P} blue.labels['app'] ('model') conflicts with appLabels ('ml-model')`],
    ['a preview Service named like the active one', { activeServiceName: 'svc', previewServiceName: 'svc' },
      `${P} previewServiceName ('svc') is also the active Service's name`],
    ['an invalid Service name', { previewServiceName: 'Preview_Svc' },
      `${P} previewServiceName ('Preview_Svc') must be a valid RFC 1035 label, since it names a Service`],
    ['negative idle replicas', { idle: IdleColorPolicy.scaleTo(-1) },
      `${P} idle.replicas (-1) must be >= 0`],
    ['fractional idle replicas', { idle: IdleColorPolicy.scaleTo(0.5) },
      `${P} idle.replicas (0.5) must be an integer`],
    ['an invalid name', { name: 'ML_Model' },
      `${P} name ('ML_Model') must be a valid RFC 1035 label, since it names a Service: lowercase alphanumerics and '-', starting with a letter and ending with an alphanumeric, at most 55 characters because '-preview' is appended`],
    ['service port 0', { servicePort: 0 },
      `${P} servicePort (0) must be between 1 and 65535`],
  ])('refuses %s', (_what, props, message) => {
    expect(make(props)).toThrow(message);
  });

  test('a color\'s own bad input is reported on the service, under the prop the user wrote', () => {
    expect(make({ green: { image: 'ml-model:latest' } }))
      .toThrow("BlueGreenService 'prod/ml-model': green.image ('ml-model:latest') uses the mutable ':latest' tag");
  });
});
