/**
 * `npx projen crds:fetch`: downloads the official CRDs the tests validate against into
 * `.tools/crds/` (gitignored; the harness looks there when neither $CDK8S_ML_CRDS_DIR
 * nor ../shared/crds exists). Every file is pinned to an upstream commit or tag and
 * its sha256; a mismatch fails and nothing partial is kept. Needs internet.
 * Pins are those of ../shared/crds/SOURCES.md (kept byte-identical to upstream).
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

interface Pin {
  readonly repo: string;
  readonly ref: string;
  readonly path: string;
  readonly sha256: string;
}

const GATEWAY = '4564255ac2c35d582249b3cdf261bdf51c8bca32';
const PROM = '6adcebc5076c34f4f55f8f5f7b1e528929373ac7';
const KEDA = '8b4f083ca8c8c2baf8477e322bd4d16ac4dfa09a';
const ESO = '378bdb622ed9712ef4a58370f6a17af033b7d343';
const KYVERNO = 'ee97ce09538b09b6f1b03853cc41a62654d6a58f';
const KSERVE = '1fb781055dd1567164358233e1125142ca6ef1fe';
const KUEUE = '8eab68778fc1b52affe165fdf5af29d1e9b4f3cb';
const RAY = 'feeaf72facab4881ba2b179248bb67315634e229';
const ARGO = 'b6bd3bcf8f60d717a98763d26acc983db7f97cb0';
const VELERO = '26ef8fa7df68dfa9ab8aa4669b8ac47340b0c510';

/** Local file name -> where it comes from. */
export const CRD_PINS: Record<string, Pin> = {
  'argoproj.io_analysistemplates.yaml': { repo: 'argoproj/argo-rollouts', ref: ARGO, path: 'manifests/crds/analysis-template-crd.yaml', sha256: '96a871705477bb8876f91630789ce753c8291f0ff5457a8cbc781ff150522369' },
  'argoproj.io_clusteranalysistemplates.yaml': { repo: 'argoproj/argo-rollouts', ref: ARGO, path: 'manifests/crds/cluster-analysis-template-crd.yaml', sha256: '265283fa1dbf10a6b37c3b1e0ece97fa7fe561ca66da8521ca4b194297b31882' },
  'argoproj.io_rollouts.yaml': { repo: 'argoproj/argo-rollouts', ref: ARGO, path: 'manifests/crds/rollout-crd.yaml', sha256: 'd79c0dab9bb386b1c9329fb69cf0d843fff2152b3f7916839755c1aabc7387f5' },
  'autoscaling.k8s.io_verticalpodautoscalers.yaml': { repo: 'kubernetes/autoscaler', ref: '55c37cd5eb550756c5ccc5a89e9068d77797e575', path: 'vertical-pod-autoscaler/deploy/vpa-v1-crd-gen.yaml', sha256: '2916e9b8e0699375ed8eca8af81e00c5a8cf9d68a70b4796e24d43794838d623' },
  'external-secrets.io_clustersecretstores.yaml': { repo: 'external-secrets/external-secrets', ref: ESO, path: 'config/crds/bases/external-secrets.io_clustersecretstores.yaml', sha256: 'f847c69ae317a76527fc37c163ddfe15d9026e14eb47dd325319e914e0433c2a' },
  'external-secrets.io_externalsecrets.yaml': { repo: 'external-secrets/external-secrets', ref: ESO, path: 'config/crds/bases/external-secrets.io_externalsecrets.yaml', sha256: '5044be5a610ca90a075f34f03ed20b462695c43387ba9410db7f4250e47b1e2f' },
  'external-secrets.io_pushsecrets.yaml': { repo: 'external-secrets/external-secrets', ref: ESO, path: 'config/crds/bases/external-secrets.io_pushsecrets.yaml', sha256: '1d97b97b4aca0799bc8dc05d45d34adf2265ae5c3a87268026b6aafb1718f4ec' },
  'external-secrets.io_secretstores.yaml': { repo: 'external-secrets/external-secrets', ref: ESO, path: 'config/crds/bases/external-secrets.io_secretstores.yaml', sha256: '7f750858d393913915a2f15daff9e1d2f56ca207c09920c055d7a68cceacb641' },
  'gateway.networking.k8s.io_gatewayclasses.yaml': { repo: 'kubernetes-sigs/gateway-api', ref: GATEWAY, path: 'config/crd/standard/gateway.networking.k8s.io_gatewayclasses.yaml', sha256: '4c0b7eac1d0979defa6d2b54dd89c5fd6a40ec918e464974229aaa927cc1b646' },
  'gateway.networking.k8s.io_gateways.yaml': { repo: 'kubernetes-sigs/gateway-api', ref: GATEWAY, path: 'config/crd/standard/gateway.networking.k8s.io_gateways.yaml', sha256: '161791d534b1ef582573cad99f9163eb8761715e6e934dd93374a5999ad17356' },
  'gateway.networking.k8s.io_grpcroutes.yaml': { repo: 'kubernetes-sigs/gateway-api', ref: GATEWAY, path: 'config/crd/standard/gateway.networking.k8s.io_grpcroutes.yaml', sha256: '7c9663161de4131ececfe60a652dae3dacd373bc024f1ac2eb22c1ee8d34f657' },
  'gateway.networking.k8s.io_httproutes.yaml': { repo: 'kubernetes-sigs/gateway-api', ref: GATEWAY, path: 'config/crd/standard/gateway.networking.k8s.io_httproutes.yaml', sha256: '5b746e5dd696239cdf7d1a6dc6293d103fb78056598aa3f2e14f7512dc8c362b' },
  'gateway.networking.k8s.io_referencegrants.yaml': { repo: 'kubernetes-sigs/gateway-api', ref: GATEWAY, path: 'config/crd/standard/gateway.networking.k8s.io_referencegrants.yaml', sha256: '068bebe134b7f594e1a929bd7e32e722057548b47d485c5a3f3e55be34f0e4a0' },
  'karpenter.k8s.aws_ec2nodeclasses.yaml': { repo: 'aws/karpenter-provider-aws', ref: 'bde00654cd316fddb3dccfba3f5ac07039865429', path: 'pkg/apis/crds/karpenter.k8s.aws_ec2nodeclasses.yaml', sha256: '62dec59f01c0972d4503ca3ed25f243ba9c2f561be0d964ce7a14c8df406132f' },
  'karpenter.sh_nodepools.yaml': { repo: 'kubernetes-sigs/karpenter', ref: '2266468104f36373ed002241afaee2d3bbc26078', path: 'pkg/apis/crds/karpenter.sh_nodepools.yaml', sha256: '073cbb2ca02c9f3ca0b0b6d250450594d753dc30b165941da095325d89df0f1e' },
  'keda.sh_clustertriggerauthentications.yaml': { repo: 'kedacore/keda', ref: KEDA, path: 'config/crd/bases/keda.sh_clustertriggerauthentications.yaml', sha256: 'dbe2e63885729be77cc9012b6e1a3d19e1c18e561ad72edf213791863fa4389a' },
  'keda.sh_scaledobjects.yaml': { repo: 'kedacore/keda', ref: KEDA, path: 'config/crd/bases/keda.sh_scaledobjects.yaml', sha256: '207afc4ca44fd9e3f4bbfb1c8fae08f3a365e098a52714fe8eb672bbd239cbcd' },
  'keda.sh_triggerauthentications.yaml': { repo: 'kedacore/keda', ref: KEDA, path: 'config/crd/bases/keda.sh_triggerauthentications.yaml', sha256: '990851d71901905bc9bebb50cd964bfc909ca24a03dd401a626a1894bb912ecd' },
  'kubeflow.org_experiments.yaml': { repo: 'kubeflow/katib', ref: '578e60f1ce83dbb5e7151026a3bdc4de233947fc', path: 'manifests/v1beta1/components/crd/experiment.yaml', sha256: 'c7f8a989368dcc87bcbb2739efa3b3e6f78d31f156857e0284e56c8bd6bf98db' },
  'kubeflow.org_notebooks.yaml': { repo: 'kubeflow/notebooks', ref: '3454bb75696a6f76efe0b483fc44f577c9596807', path: 'components/notebook-controller/config/crd/bases/kubeflow.org_notebooks.yaml', sha256: '1312f2b27462f8d4b5c9cedf4e78eabbadf25f1be175c938f4cd694a62844a8b' },
  'kubeflow.org_pytorchjobs.yaml': { repo: 'kubeflow/training-operator', ref: 'v1.9.0', path: 'manifests/base/crds/kubeflow.org_pytorchjobs.yaml', sha256: 'eb80e57a984cdc7ceefaaf3fc561e21b673c30cbb58589f2389528d2b2760d22' },
  'kueue.x-k8s.io_clusterqueues.yaml': { repo: 'kubernetes-sigs/kueue', ref: KUEUE, path: 'config/components/crd/bases/kueue.x-k8s.io_clusterqueues.yaml', sha256: 'e0a5fc9b370c70f3d993d4f599865817338ecf94187b30b15b12ff33c579bd55' },
  'kueue.x-k8s.io_localqueues.yaml': { repo: 'kubernetes-sigs/kueue', ref: KUEUE, path: 'config/components/crd/bases/kueue.x-k8s.io_localqueues.yaml', sha256: 'dd10ef8d3578e7212fa52763549e7b6be0949793a5b924495fcd293330109fed' },
  'kueue.x-k8s.io_resourceflavors.yaml': { repo: 'kubernetes-sigs/kueue', ref: KUEUE, path: 'config/components/crd/bases/kueue.x-k8s.io_resourceflavors.yaml', sha256: '19e339c47e9ca3fa2c9eeddd27715a512f765c4794ed859733408a9715720173' },
  'kueue.x-k8s.io_workloadpriorityclasses.yaml': { repo: 'kubernetes-sigs/kueue', ref: KUEUE, path: 'config/components/crd/bases/kueue.x-k8s.io_workloadpriorityclasses.yaml', sha256: '0b755726aab05b8def9a53ee15b201eed3846bcffd1ff5528fed123f4ae03519' },
  'kyverno.io_clusterpolicies.yaml': { repo: 'kyverno/kyverno', ref: KYVERNO, path: 'config/crds/kyverno/kyverno.io_clusterpolicies.yaml', sha256: 'fb041ee35f8e89b5bca566bb6e00cd67fccc30be8859998757333f2a40d79655' },
  'kyverno.io_policies.yaml': { repo: 'kyverno/kyverno', ref: KYVERNO, path: 'config/crds/kyverno/kyverno.io_policies.yaml', sha256: 'e6475e41d8ae4640913e92958ddfa03a61fbcbf857170f3c9783ae06f8c52a08' },
  'leaderworkerset.x-k8s.io_leaderworkersets.yaml': { repo: 'kubernetes-sigs/lws', ref: '2161f38ff333f9e24d3c44adef7cd5d9787cac00', path: 'config/crd/bases/leaderworkerset.x-k8s.io_leaderworkersets.yaml', sha256: 'c5dcad8ed943e495490241f00b9a1b45d51203b6d484020db3636d5bf553568e' },
  'monitoring.coreos.com_podmonitors.yaml': { repo: 'prometheus-operator/prometheus-operator', ref: PROM, path: 'example/prometheus-operator-crd/monitoring.coreos.com_podmonitors.yaml', sha256: '45a93443daa687d3654f7e9631909ff7edcdf3ec09c5e60251b74aa2722aee5d' },
  'monitoring.coreos.com_prometheusrules.yaml': { repo: 'prometheus-operator/prometheus-operator', ref: PROM, path: 'example/prometheus-operator-crd/monitoring.coreos.com_prometheusrules.yaml', sha256: '78be98554b9c8506ab2b4f4feb91c5f3a56e536a0a510f3a8e876a459970d56d' },
  'monitoring.coreos.com_servicemonitors.yaml': { repo: 'prometheus-operator/prometheus-operator', ref: PROM, path: 'example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml', sha256: 'a99047972c9dd7679ce2050b9968e8a08773492e671b3e17abd476d42aa78a32' },
  'policies.kyverno.io_imagevalidatingpolicies.yaml': { repo: 'kyverno/kyverno', ref: KYVERNO, path: 'config/crds/policies.kyverno.io/policies.kyverno.io_imagevalidatingpolicies.yaml', sha256: '32436252cd83925e228604dd33d5218509621946df7c8239f3d9df878d5f0503' },
  'policy.sigstore.dev_clusterimagepolicies.yaml': { repo: 'sigstore/policy-controller', ref: 'cc75baab1d34d3bae47bde7bd934bf79e5ca3afc', path: 'config/300-clusterimagepolicy.yaml', sha256: 'e23467593124763d9937b1180d48cefe89dc72cf04e9bcf84cbf29822d51b20c' },
  'ray.io_rayclusters.yaml': { repo: 'ray-project/kuberay', ref: RAY, path: 'ray-operator/config/crd/bases/ray.io_rayclusters.yaml', sha256: 'c44704442eef0c6721ad40c1d66782c8bd3fdab9d3344306a5820910a679baa1' },
  'ray.io_rayjobs.yaml': { repo: 'ray-project/kuberay', ref: RAY, path: 'ray-operator/config/crd/bases/ray.io_rayjobs.yaml', sha256: '01a5cf3b17c1769fda44af7e82debcd98722f0c27b9ab84d084681c6649121f5' },
  'ray.io_rayservices.yaml': { repo: 'ray-project/kuberay', ref: RAY, path: 'ray-operator/config/crd/bases/ray.io_rayservices.yaml', sha256: '0a8fc325e6e22b9231c1f282b309555e2ecf94227ca20a03df3d1d9a403907ab' },
  'serving.kserve.io_clusterservingruntimes.yaml': { repo: 'kserve/kserve', ref: KSERVE, path: 'config/crd/full/serving.kserve.io_clusterservingruntimes.yaml', sha256: 'c6f6bbb1b4b11afd1e38bd6d7255a8795b86efa2b7d14946ccff9d23592e6846' },
  'serving.kserve.io_inferenceservices.yaml': { repo: 'kserve/kserve', ref: KSERVE, path: 'config/crd/full/serving.kserve.io_inferenceservices.yaml', sha256: '57c3bf13f77de94678bf2ae3748056ec071ad2b9e88d6a28f44fb4710758fcff' },
  'serving.kserve.io_llminferenceservices.yaml': { repo: 'kserve/kserve', ref: KSERVE, path: 'config/crd/full/llmisvc/serving.kserve.io_llminferenceservices.yaml', sha256: '4377745d253c5c6407ccd46aecdfadcea160ba77a0976dd2d112f0ca9a1ac53f' },
  'serving.kserve.io_servingruntimes.yaml': { repo: 'kserve/kserve', ref: KSERVE, path: 'config/crd/full/serving.kserve.io_servingruntimes.yaml', sha256: '380a3e1e1444cef9b8b88819596692728868205a2147dc66423be469a4a7bbb1' },
  'trainer.kubeflow.org_trainjobs.yaml': { repo: 'kubeflow/trainer', ref: 'a55f03a8ccb7798a741ff3c4af502d367ed0f6d2', path: 'manifests/base/crds/trainer.kubeflow.org_trainjobs.yaml', sha256: '1377336646d54c3917baf58e5da433178a20bbb853f18cc9a5274428502c43b6' },
  'velero.io_backups.yaml': { repo: 'vmware-tanzu/velero', ref: VELERO, path: 'config/crd/v1/bases/velero.io_backups.yaml', sha256: '38107fa5fad6bff25794489d12c8a898eed4d9d89ed49d00ea90369bc4e206b1' },
  'velero.io_schedules.yaml': { repo: 'vmware-tanzu/velero', ref: VELERO, path: 'config/crd/v1/bases/velero.io_schedules.yaml', sha256: 'd2276c19d93b63ed848fb492a0f34a2ac1e162938bed499a824acf356b5860c9' },
};

export function pinUrl(pin: Pin): string {
  return `https://raw.githubusercontent.com/${pin.repo}/${pin.ref}/${pin.path}`;
}

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

async function main(): Promise<void> {
  const dest = process.argv[2] ? path.resolve(process.argv[2]) : path.resolve(__dirname, '../../.tools/crds');
  const tmp = `${dest}.partial`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  const failures: string[] = [];
  for (const [file, pin] of Object.entries(CRD_PINS)) {
    const url = pinUrl(pin);
    try {
      const res = await fetch(url);
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const body = Buffer.from(await res.arrayBuffer());
      const got = sha256(body);
      if (got !== pin.sha256) throw new Error(`sha256 ${got}, expected ${pin.sha256}`);
      fs.writeFileSync(path.join(tmp, file), body);
      console.log(`crds:fetch: ${file}`);
    } catch (e) {
      failures.push(`${file} <- ${url}: ${(e as Error).message}`);
    }
  }
  if (failures.length > 0) {
    fs.rmSync(tmp, { recursive: true, force: true });
    console.error(`crds:fetch: ${failures.length} file(s) failed, nothing written:\n  ${failures.join('\n  ')}`);
    process.exit(1);
  }
  fs.rmSync(dest, { recursive: true, force: true });
  fs.renameSync(tmp, dest);
  console.log(`crds:fetch: ${Object.keys(CRD_PINS).length} CRD files in ${dest}`);
}

if (require.main === module) void main();
