/**
 * The RBAC of tekton/ evaluated as Kubernetes' RBAC authorizer does, for the tests: which rules reach a
 * ServiceAccount through the RoleBindings and ClusterRoleBindings of tekton/ (plus bindings a test adds,
 * such as the per-namespace pull-Secret binding the README asks for), and whether they allow a request.
 */
import assert from 'node:assert/strict';
import { RESOURCES, type TektonResource } from './tekton.js';

/** The namespace the README installs tekton/ into; namespaced objects without a namespace land there. */
export const PIPELINE_NAMESPACE = 'quay-tasks';

export interface RbacRule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}
export interface RoleRef {
  apiGroup: string;
  kind: 'Role' | 'ClusterRole';
  name: string;
}
export interface Subject {
  kind: string;
  name: string;
  namespace?: string;
}
export interface RbacObject extends TektonResource {
  metadata: TektonResource['metadata'] & { namespace?: string };
  rules?: RbacRule[];
  roleRef?: RoleRef;
  subjects?: Subject[];
  automountServiceAccountToken?: boolean;
}
export interface AccessRequest {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

/**
 * ClusterRoles that tekton/ binds but Tekton Triggers installs (tektoncd/triggers config/200-clusterrole.yaml;
 * the rules as released there).
 */
export const EXTERNAL_CLUSTER_ROLES: Record<string, RbacRule[]> = {
  'tekton-triggers-eventlistener-roles': [
    {
      apiGroups: ['triggers.tekton.dev'],
      resources: ['eventlisteners', 'triggerbindings', 'interceptors', 'triggertemplates', 'triggers'],
      verbs: ['get', 'list', 'watch'],
    },
    { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] },
    {
      apiGroups: ['tekton.dev'],
      resources: ['pipelineruns', 'pipelineresources', 'taskruns'],
      verbs: ['create'],
    },
    { apiGroups: [''], resources: ['serviceaccounts'], verbs: ['impersonate'] },
    { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
  ],
};

export const RBAC_OBJECTS: RbacObject[] = [...RESOURCES.values()].filter((r) =>
  ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding', 'ServiceAccount'].includes(r.kind),
) as RbacObject[];
export const namespaceOf = (o: RbacObject): string => o.metadata.namespace ?? PIPELINE_NAMESPACE;

/** The rules of the role a binding refers to; undefined when it exists nowhere. */
export function rulesOfRef(ref: RoleRef, bindingNamespace: string | undefined): RbacRule[] | undefined {
  if (ref.kind === 'ClusterRole') {
    const role = RBAC_OBJECTS.find((o) => o.kind === 'ClusterRole' && o.metadata.name === ref.name);
    return role ? (role.rules ?? []) : EXTERNAL_CLUSTER_ROLES[ref.name];
  }
  const role = RBAC_OBJECTS.find(
    (o) => o.kind === 'Role' && o.metadata.name === ref.name && namespaceOf(o) === bindingNamespace,
  );
  return role?.rules;
}

function subjectIs(subject: Subject, sa: string, bindingNamespace: string | undefined): boolean {
  // The authorizer defaults a ServiceAccount subject's namespace to the RoleBinding's own.
  return (
    subject.kind === 'ServiceAccount' &&
    subject.name === sa &&
    (subject.namespace ?? bindingNamespace) === PIPELINE_NAMESPACE
  );
}

/** Every rule that applies to ServiceAccount `sa` (of PIPELINE_NAMESPACE) for a request in `namespace`. */
export function rulesFor(sa: string, namespace: string | undefined, extra: RbacObject[] = []): RbacRule[] {
  const rules: RbacRule[] = [];
  for (const b of [...RBAC_OBJECTS, ...extra]) {
    if (b.kind === 'ClusterRoleBinding' && b.subjects?.some((s) => subjectIs(s, sa, undefined))) {
      assert.ok(b.roleRef?.kind === 'ClusterRole');
      rules.push(...(rulesOfRef(b.roleRef, undefined) ?? []));
    }
    if (b.kind === 'RoleBinding' && namespace === namespaceOf(b)) {
      if (!b.subjects?.some((s) => subjectIs(s, sa, namespaceOf(b)))) continue;
      assert.ok(b.roleRef);
      rules.push(...(rulesOfRef(b.roleRef, namespaceOf(b)) ?? []));
    }
  }
  return rules;
}

export function ruleAllows(rule: RbacRule, req: AccessRequest): boolean {
  const resource = req.subresource ? `${req.resource}/${req.subresource}` : req.resource;
  const any = (list: string[] | undefined, value: string) =>
    (list ?? []).includes('*') || (list ?? []).includes(value);
  if (!any(rule.apiGroups, req.group) || !any(rule.resources, resource) || !any(rule.verbs, req.verb))
    return false;
  if (!rule.resourceNames?.length) return true;
  return req.name !== undefined && rule.resourceNames.includes(req.name);
}

export function allows(sa: string, req: AccessRequest, extra: RbacObject[] = []): boolean {
  return rulesFor(sa, req.namespace, extra).some((rule) => ruleAllows(rule, req));
}
