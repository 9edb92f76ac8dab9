import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { MlCrdRoles, MlNamespace, MlPersonaClusterRole, MlPersonaRole, Persona } from '../../src';
import { findObject, findObjects, synthAndValidate } from '../util';

function chart(namespace?: string): Chart {
  return new Chart(Testing.app(), 'prod', { namespace });
}

const PERSONAS: Array<[string, (o?: { secretNames?: string[] }) => Persona]> = [
  ['ml-engineer', o => Persona.mlEngineer(o)],
  ['viewer', o => Persona.viewer(o)],
  ['ci-deployer', o => Persona.ciDeployer(o)],
  ['notebook-user', o => Persona.notebookUser(o)],
];

/** Every (group, resource, verb) a role grants, as `group/resource:verb`. */
function grants(role: any): string[] {
  return role.rules.flatMap((r: any) => r.apiGroups.flatMap((g: string) => r.resources.flatMap((res: string) =>
    r.verbs.map((v: string) => `${g}/${res}:${v}${r.resourceNames ? `[${r.resourceNames.join(',')}]` : ''}`))));
}

function assertLeastPrivilege(role: any): void {
  for (const rule of role.rules) {
    expect(rule.verbs).not.toContain('*');
    expect(rule.resources).not.toContain('*');
    expect(rule.apiGroups).not.toContain('*');
    expect(rule.verbs.filter((v: string) => ['escalate', 'bind', 'impersonate', 'deletecollection'].includes(v))).toEqual([]);
    expect(rule.resources.filter((r: string) => /^(roles|rolebindings|clusterroles|clusterrolebindings)$/.test(r))).toEqual([]);
    expect(rule.resources.filter((r: string) => ['pods/exec', 'pods/attach', 'pods/portforward', 'serviceaccounts/token', 'nodes/proxy'].includes(r))).toEqual([]);
    expect(rule.nonResourceURLs).toBeUndefined();
  }
}

describe('MlPersonaRole', () => {
  test.each(PERSONAS)('%s: least privilege, no Secrets unless asked, schema-valid', (name, persona) => {
    const c = chart();
    const ns = new MlNamespace(c, 'ml');
    new MlPersonaRole(ns, 'role', { persona: persona(), subjects: [kplus.Group.fromName(c, 'g', 'team')] });
    const manifests = synthAndValidate(c);
    const role = findObject(manifests, 'Role', name);
    expect(role.metadata.namespace).toBe('ml');
    assertLeastPrivilege(role);
    expect(grants(role).filter(g => g.startsWith('/secrets'))).toEqual([]);
    expect(findObject(manifests, 'RoleBinding', name)).toMatchObject({
      metadata: { namespace: 'ml' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'team' }],
    });
  });

  test.each(PERSONAS)('%s: Secrets by name, get only, when asked', (name, persona) => {
    const c = chart('ml');
    new MlPersonaRole(c, 'role', { persona: persona({ secretNames: ['hf-token', 'hf-token', 's3-creds'] }) });
    const role = findObject(synthAndValidate(c), 'Role', name);
    expect(grants(role).filter(g => g.startsWith('/secrets'))).toEqual(['/secrets:get[hf-token,s3-creds]']);
  });

  test('what each persona can and cannot do', () => {
    const c = chart('ml');
    for (const [name, persona] of PERSONAS) new MlPersonaRole(c, name, { persona: persona() });
    const manifests = synthAndValidate(c);
    const can = (role: string) => grants(findObject(manifests, 'Role', role));
    expect(can('ml-engineer')).toEqual(expect.arrayContaining([
      'apps/deployments:create', 'batch/jobs:delete', 'ray.io/rayclusters:patch', 'kubeflow.org/pytorchjobs:create',
      'serving.kserve.io/inferenceservices:update', '/pods:delete', '/pods/log:get', 'kueue.x-k8s.io/localqueues:get',
    ]));
    expect(can('ml-engineer')).not.toContain('networking.k8s.io/networkpolicies:create');
    expect(can('ml-engineer')).not.toContain('kueue.x-k8s.io/localqueues:create');
    expect(can('viewer').every(g => /:(get|list|watch)$/.test(g))).toBe(true);
    expect(can('viewer')).not.toContain('/pods/log:get');
    expect(can('ci-deployer')).toEqual(expect.arrayContaining([
      'networking.k8s.io/networkpolicies:create', '/serviceaccounts:patch', 'monitoring.coreos.com/servicemonitors:create',
      'external-secrets.io/externalsecrets:create', 'gateway.networking.k8s.io/httproutes:update',
    ]));
    expect(can('ci-deployer')).not.toContain('/pods:create');
    expect(can('notebook-user')).toEqual(expect.arrayContaining(['kubeflow.org/notebooks:create', '/persistentvolumeclaims:create', '/pods/log:get']));
    expect(can('notebook-user')).not.toContain('apps/deployments:create');
    // Without subjects, no binding.
    expect(findObjects(manifests, 'RoleBinding')).toEqual([]);
  });

  test('users, groups and ServiceAccounts; a ServiceAccount in the namespace gets its namespace', () => {
    const c = chart();
    const ns = new MlNamespace(c, 'ml');
    const ciSa = new kplus.ServiceAccount(ns, 'ci', { metadata: { name: 'ci' }, automountToken: false });
    const role = new MlPersonaRole(ns, 'ci-role', { persona: Persona.ciDeployer(), subjects: [ciSa] });
    role.bind(kplus.User.fromName(c, 'alice', 'alice@example.com'), kplus.ServiceAccount.fromServiceAccountName(c, 'argo', 'argocd-server', { namespaceName: 'argocd' }));
    const binding = findObject(synthAndValidate(c), 'RoleBinding', 'ci-deployer');
    expect(binding.subjects).toEqual([
      { kind: 'ServiceAccount', name: 'ci', namespace: 'ml' },
      { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'alice@example.com' },
      { kind: 'ServiceAccount', name: 'argocd-server', namespace: 'argocd' },
    ]);
    expect(role.binding).toBeDefined();
  });

  test('errors', () => {
    expect(() => new MlPersonaRole(chart(), 'r', { persona: Persona.viewer({ secretNames: [] }) }))
      .toThrow("MlPersonaRole 'prod/r': persona.secretNames is empty: leave it out for no Secret access, or name the Secrets");
    expect(() => new MlPersonaRole(chart(), 'r', { persona: Persona.viewer({ secretNames: ['Bad Name'] }) }))
      .toThrow("MlPersonaRole 'prod/r': persona.secretNames[0] ('Bad Name') must be a valid RFC 1123 DNS subdomain");
    expect(() => new MlPersonaRole(chart(), 'r', { persona: Persona.viewer(), name: 'Viewer' }))
      .toThrow("MlPersonaRole 'prod/r': name ('Viewer') must be a valid RFC 1123 DNS label");
    const c = chart();
    expect(() => new MlPersonaRole(c, 'r', { persona: Persona.viewer(), subjects: [kplus.Group.fromName(c, 'a', 'g'), kplus.Group.fromName(c, 'b', 'g')] }))
      .toThrow("MlPersonaRole 'prod/r': subjects bind Group 'g' twice; give each subject once");
  });
});

describe('MlPersonaClusterRole', () => {
  test('one ClusterRole, bound per namespace; no cluster-wide binding', () => {
    const c = chart('platform');
    const ml = new MlNamespace(c, 'ml');
    const research = new MlNamespace(c, 'research');
    const engineers = new MlPersonaClusterRole(c, 'engineers', { persona: Persona.mlEngineer() });
    const sa = new kplus.ServiceAccount(research, 'bot', { metadata: { name: 'bot' }, automountToken: false });
    engineers.bindIn(ml, kplus.Group.fromName(c, 'g', 'ml-engineers'));
    engineers.bindIn(research, kplus.Group.fromName(c, 'g2', 'ml-engineers'), sa);
    engineers.bindInNamespace('platform', kplus.User.fromName(c, 'u', 'alice'));
    const m = synthAndValidate(c);
    const role = findObject(m, 'ClusterRole', 'cdk8s-ml-ml-engineer');
    expect(role.metadata.namespace).toBeUndefined();
    assertLeastPrivilege(role);
    expect(grants(role).filter(g => g.startsWith('/secrets'))).toEqual([]);
    expect(findObjects(m, 'ClusterRoleBinding')).toEqual([]);
    const bindings = findObjects(m, 'RoleBinding');
    expect(bindings.map(b => b.metadata.namespace).sort()).toEqual(['ml', 'platform', 'research']);
    for (const b of bindings) expect(b.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cdk8s-ml-ml-engineer' });
    expect(bindings.find(b => b.metadata.namespace === 'research').subjects).toEqual([
      { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'ml-engineers' },
      { kind: 'ServiceAccount', name: 'bot', namespace: 'research' },
    ]);
    expect(engineers.bindings).toHaveLength(3);
  });

  test('errors', () => {
    const c = chart();
    const r = new MlPersonaClusterRole(c, 'r', { persona: Persona.viewer() });
    const g = kplus.Group.fromName(c, 'g', 'team');
    expect(() => r.bindInNamespace('ml')).toThrow("MlPersonaClusterRole 'prod/r': bindInNamespace('ml') has no subjects: name the users, groups or ServiceAccounts");
    r.bindInNamespace('ml', g);
    expect(() => r.bindInNamespace('ml', g)).toThrow("MlPersonaClusterRole 'prod/r': bindInNamespace('ml') is called twice for one namespace: give all its subjects in one call");
    expect(() => r.bindInNamespace('other', g, kplus.Group.fromName(c, 'g2', 'team')))
      .toThrow("MlPersonaClusterRole 'prod/r': bindInNamespace('other') bind Group 'team' twice; give each subject once");
    expect(() => r.bindInNamespace('Bad', g)).toThrow("MlPersonaClusterRole 'prod/r': bindInNamespace('Bad') ('Bad') must be a valid RFC 1123 DNS label");
    expect(() => new MlPersonaClusterRole(c, 'x', { persona: Persona.viewer({ secretNames: [] }) }))
      .toThrow("MlPersonaClusterRole 'prod/x': persona.secretNames is empty: leave it out for no Secret access, or name the Secrets");
  });
});

describe('MlCrdRoles', () => {
  test('aggregation labels; edit writes the ML custom resources, Karpenter and Kueue read-only; no Secrets, no wildcards', () => {
    const c = chart('ml');
    new MlCrdRoles(c, 'crd-roles');
    const manifests = synthAndValidate(c);
    const edit = findObject(manifests, 'ClusterRole', 'cdk8s-ml-edit');
    const view = findObject(manifests, 'ClusterRole', 'cdk8s-ml-view');
    expect(edit.metadata.namespace).toBeUndefined();
    expect(edit.metadata.labels).toEqual({ 'rbac.authorization.k8s.io/aggregate-to-admin': 'true', 'rbac.authorization.k8s.io/aggregate-to-edit': 'true' });
    expect(view.metadata.labels).toEqual({ 'rbac.authorization.k8s.io/aggregate-to-view': 'true' });
    for (const role of [edit, view]) {
      assertLeastPrivilege(role);
      expect(grants(role).filter(g => /\/secrets:/.test(g))).toEqual([]);
    }
    expect(grants(edit)).toEqual(expect.arrayContaining([
      'ray.io/rayclusters:create', 'ray.io/rayjobs:delete', 'kubeflow.org/pytorchjobs:create', 'kubeflow.org/notebooks:update',
      'trainer.kubeflow.org/trainjobs:create', 'serving.kserve.io/inferenceservices:patch', 'monitoring.coreos.com/servicemonitors:create',
      'karpenter.sh/nodepools:get', 'kueue.x-k8s.io/localqueues:list',
    ]));
    expect(grants(edit).filter(g => /^(karpenter|kueue)/.test(g) && !/:(get|list|watch)$/.test(g))).toEqual([]);
    expect(grants(view).every(g => /:(get|list|watch)$/.test(g))).toBe(true);
    expect(grants(view)).toEqual(expect.arrayContaining(['ray.io/rayservices:get', 'karpenter.sh/nodepools:list', 'karpenter.k8s.aws/ec2nodeclasses:get']));
  });
});
