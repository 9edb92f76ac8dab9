/** Where each workload kind keeps its pod template in a manifest. */
const POD_TEMPLATE_PATHS: { [kind: string]: string[] } = {
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
  Pod: [],
};

/** The pod template (`metadata` + `spec`) of a rendered workload manifest, created if absent. */
export function podTemplateOf(manifest: any): any {
  const path = POD_TEMPLATE_PATHS[manifest.kind];
  if (path === undefined) throw new Error(`cdk8s-ml: kind ${manifest.kind} has no known pod template`);
  let node = manifest;
  for (const key of path) node = (node[key] ??= {});
  return node;
}

/** The pod spec of a rendered workload manifest. */
export function podSpecOf(manifest: any): any {
  return (podTemplateOf(manifest).spec ??= {});
}
