// The guide's blue-green deployment: the `ml-model-service` Service selecting
// `app: ml-model, version: blue` (port 80 -> 8080), in front of two complete model
// servers, and its promotion to green.
//
// dist/blue-green.k8s.yaml is the live state and dist/blue-green-promoted.k8s.yaml
// the same app after promotion: apply one OR the other, never both. A safe
// promotion takes two applies: first green runs warm with the new image and is
// tested through `ml-model-preview` (the first chart), then `activeColor` switches
// (the second chart, in which only the two Services' selectors differ). Rollback is
// switching back.
import { App, Chart } from 'cdk8s';
import { BlueGreenColor, BlueGreenService, IdleColorPolicy, MlModelServingProps, TargetCluster } from 'cdk8s-ml';

/**
 * What both colors share besides the guide's `app: ml-model` pod label, which
 * BlueGreenService adds (with `version: blue|green`): a metrics endpoint.
 */
function color(image: string): MlModelServingProps {
  return { image, metrics: { port: 8080, path: '/metrics' } };
}

function release(app: App, chartId: string, activeColor: BlueGreenColor): void {
  const chart = new Chart(app, chartId, { namespace: 'ml', disableResourceNameHashes: true });
  // Each chart is one state of the release (apply one or the other), not both at once.
  TargetCluster.mark(chart, chartId);
  new BlueGreenService(chart, 'ml-model', {
    activeServiceName: 'ml-model-service', // the guide's name; pods carry `app: ml-model` by default
    blue: color('ml-model:v1'),
    green: color('ml-model:v2'),
    activeColor,
    // Keep the idle color at full size for an instant rollback;
    // IdleColorPolicy.scaleTo(1) or .remove() trade that for cost once the new color is trusted.
    idle: IdleColorPolicy.keepWarm(),
  });
}

export function build(app: App): void {
  release(app, 'blue-green', BlueGreenColor.BLUE);
  release(app, 'blue-green-promoted', BlueGreenColor.GREEN);
}

if (require.main === module) {
  const app = new App();
  build(app);
  app.synth();
}
