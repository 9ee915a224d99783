/**
 * The Quay webhook path and the schedule: Quay's repo_push payload pushed through an emulation of Tekton
 * Triggers (tekton-triggers.ts: the CEL interceptor's filter and overlay evaluated by a small CEL subset
 * evaluator, the TriggerBinding's JSONPath and the TriggerTemplate's raw substitution as Triggers does
 * them); the PipelineRuns it, the full-sync CronJob and the examples create, checked against the
 * quay-mirror Pipeline; and static checks of the RBAC, ServiceAccounts and CronJob of tekton/.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { load } from 'js-yaml';
import { REPO_ROOT } from '../support/paths.js';
import {
  assertRestrictedV2,
  FILES,
  RESOURCES,
  resourcesOfKind,
  type TektonResource,
} from '../support/tekton.js';
import {
  checkPipelineRun,
  GO_DURATION,
  PIPELINES,
  type PipelineRunLike,
} from '../support/tekton-pipeline.js';
import {
  allows,
  EXTERNAL_CLUSTER_ROLES,
  PIPELINE_NAMESPACE,
  RBAC_OBJECTS,
  type RbacObject,
  rulesOfRef,
} from '../support/tekton-rbac.js';
import {
  celEval,
  handleEvent,
  type IncomingRequest,
  resolveParams,
  resolveResources,
  type TemplateParam,
  templateParamRefs,
} from '../support/tekton-triggers.js';

const only = (kind: string): TektonResource => {
  const all = resourcesOfKind(kind);
  assert.equal(all.length, 1, `one ${kind} in tekton/`);
  return (all[0] as [string, TektonResource])[1];
};
const EVENT_LISTENER = only('EventListener');
const BINDING = only('TriggerBinding');
const TEMPLATE = only('TriggerTemplate');
const TRIGGERS = [EVENT_LISTENER, BINDING, TEMPLATE];

const TOKEN = 'f3a9c1d7e5b2a8c4d6e0f1a2b3c4d5e6';
const SECRETS = { 'quay-webhook': { token: TOKEN } };
/** What Quay POSTs for a push (quay/quay notifications/__init__.py build_repository_event_data). */
const repoPush = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    repository: 'team-alpha/web',
    namespace: 'team-alpha',
    name: 'web',
    docker_url: 'quay.example.com/team-alpha/web',
    homepage: 'https://quay.example.com/repository/team-alpha/web',
    updated_tags: ['1.4.2'],
    ...extra,
  });
const post = (body: string, requestURI = `/?token=${TOKEN}`): IncomingRequest => ({
  requestURI,
  header: { 'Content-Type': ['application/json'] },
  body,
});

interface PipelineRunDoc {
  apiVersion: string;
  kind: string;
  metadata: { name?: string; generateName?: string; labels?: Record<string, string> };
  spec: PipelineRunLike & {
    pipelineRef?: { name: string };
    taskRunTemplate?: { serviceAccountName?: string };
    timeouts?: Record<string, string>;
    workspaces?: { name: string; [source: string]: unknown }[];
  };
}

function accept(request: IncomingRequest): { params: Record<string, string>; run: PipelineRunDoc } {
  const [outcome, ...more] = handleEvent(EVENT_LISTENER, TRIGGERS, request, SECRETS);
  assert.equal(more.length, 0);
  assert.ok(outcome?.accepted, `rejected: ${outcome && !outcome.accepted ? outcome.reason : ''}`);
  assert.equal(outcome.resources.length, 1);
  return { params: outcome.params, run: outcome.resources[0] as PipelineRunDoc };
}
function reject(request: IncomingRequest): string {
  const [outcome] = handleEvent(EVENT_LISTENER, TRIGGERS, request, SECRETS);
  assert.ok(outcome && !outcome.accepted, 'the event was accepted');
  return outcome.reason;
}

describe('tekton/: Triggers resources (static)', () => {
  test('triggers.tekton.dev/v1beta1, one per file, named as their files', () => {
    const prefix: Record<string, string> = {
      EventListener: 'trigger-eventlistener-',
      TriggerBinding: 'trigger-binding-',
      TriggerTemplate: 'trigger-template-',
    };
    for (const [kind, start] of Object.entries(prefix))
      for (const [file, r] of resourcesOfKind(kind)) {
        assert.equal(r.apiVersion, 'triggers.tekton.dev/v1beta1', file);
        assert.equal(file, `${start}${r.metadata.name}.yaml`);
      }
  });

  test('the EventListener runs as an existing ServiceAccount and ties the binding to the template', () => {
    const sa = EVENT_LISTENER.spec?.serviceAccountName as string;
    assert.ok(
      RBAC_OBJECTS.some((o) => o.kind === 'ServiceAccount' && o.metadata.name === sa),
      sa,
    );
    const [trigger, ...more] = EVENT_LISTENER.spec.triggers as {
      bindings: { ref: string }[];
      template: { ref: string };
    }[];
    assert.equal(more.length, 0);
    assert.deepEqual(trigger?.bindings, [{ ref: BINDING.metadata.name }]);
    assert.deepEqual(trigger?.template, { ref: TEMPLATE.metadata.name });
  });

  test('the CEL filter checks the URL token with compareSecret, the repository and the updated tags', () => {
    const [interceptor] = (EVENT_LISTENER.spec?.triggers?.[0]?.interceptors ?? []) as {
      ref: { name: string };
      params: { name: string; value: unknown }[];
    }[];
    assert.equal(interceptor?.ref.name, 'cel');
    const filter = String(interceptor?.params.find((p) => p.name === 'filter')?.value).replace(/\s+/g, ' ');
    assert.ok(filter.includes("requestURL.parseURL().query['token'].compareSecret('token', 'quay-webhook')"));
    assert.ok(filter.includes('has(body.updated_tags) && size(body.updated_tags) > 0'));
    assert.ok(filter.includes('has(body.repository)'));
    assert.deepEqual(interceptor?.params.find((p) => p.name === 'overlays')?.value, [
      { key: 'tags_csv', expression: "body.updated_tags.join(',')" },
    ]);
  });

  test('the template declares exactly the params it uses, with empty defaults; the binding sets them', () => {
    const declared = (TEMPLATE.spec?.params ?? []) as TemplateParam[];
    assert.deepEqual(
      declared.map((p) => [p.name, p.default]),
      [
        ['repository', ''],
        ['tags', ''],
      ],
    );
    assert.deepEqual(templateParamRefs(TEMPLATE.spec?.resourcetemplates ?? []).sort(), [
      'repository',
      'tags',
    ]);
    assert.deepEqual(
      (BINDING.spec.params as { name: string; value: string }[]).map((p) => [p.name, p.value]),
      [
        ['repository', '$(body.repository)'],
        ['tags', '$(extensions.tags_csv)'],
      ],
    );
  });
});

describe('a Quay repo_push through the EventListener, binding and template (emulated Triggers)', () => {
  test('a real payload starts quay-mirror for just that repository and tag', () => {
    const { params, run } = accept(post(repoPush()));
    assert.deepEqual(params, { repository: 'team-alpha/web', tags: '1.4.2' });
    assert.equal(run.apiVersion, 'tekton.dev/v1');
    assert.equal(run.kind, 'PipelineRun');
    assert.ok(run.metadata.generateName && run.metadata.name === undefined);
    assert.equal(run.spec.pipelineRef?.name, 'quay-mirror');
    const values = Object.fromEntries((run.spec.params ?? []).map((p) => [p.name, p.value]));
    assert.deepEqual(
      { repository: values.repository, tags: values.tags, prune: values.prune },
      {
        repository: 'team-alpha/web',
        tags: '1.4.2',
        prune: 'false',
      },
    );
  });

  test('several updated tags become one comma-separated param', () => {
    const { params } = accept(post(repoPush({ updated_tags: ['1.4.2', 'latest', 'sha-0a1b2c'] })));
    assert.equal(params.tags, '1.4.2,latest,sha-0a1b2c');
  });

  test('a payload without updated_tags, or with none, starts nothing', () => {
    const body = JSON.parse(repoPush()) as Record<string, unknown>;
    delete body.updated_tags;
    assert.match(reject(post(JSON.stringify(body))), /did not return true/);
    assert.match(reject(post(repoPush({ updated_tags: [] }))), /did not return true/);
    // Quay's test notification for repo_push has the same shape; a build event has no updated_tags.
    assert.match(
      reject(post(JSON.stringify({ repository: 'team-alpha/web', build_id: 'x' }))),
      /did not return true/,
    );
  });

  test('a wrong, missing, doubled or misplaced token starts nothing', () => {
    assert.match(reject(post(repoPush(), '/?token=not-the-token')), /did not return true/);
    assert.match(reject(post(repoPush(), '/')), /did not return true/);
    assert.match(reject(post(repoPush(), `/?token=x&token=${TOKEN}`)), /did not return true/);
    assert.match(reject(post(repoPush(), `/?tok=${TOKEN}`)), /did not return true/);
    const inHeader = post(repoPush(), '/');
    inHeader.header = { ...inHeader.header, 'X-Token': [TOKEN] };
    assert.match(reject(inHeader), /did not return true/);
    // Without the Secret the comparison is a CEL error: the event is dropped as well.
    const [outcome] = handleEvent(EVENT_LISTENER, TRIGGERS, post(repoPush()), {});
    assert.ok(outcome && !outcome.accepted && /failed to find secret/.test(outcome.reason));
  });

  test('a URL-encoded token still matches (Go decodes the query)', () => {
    const [outcome] = handleEvent(EVENT_LISTENER, TRIGGERS, post(repoPush(), '/?token=a%2Bb%20c'), {
      'quay-webhook': { token: 'a+b c' },
    });
    assert.ok(outcome?.accepted);
  });

  test('a repository that is not ns/name, or missing, starts nothing (no full sync by accident)', () => {
    for (const repository of ['web', '', '../x/y', 'team-alpha/web"}]', 'Team/Web'])
      assert.match(reject(post(repoPush({ repository }))), /did not return true/, repository);
    const body = JSON.parse(repoPush()) as Record<string, unknown>;
    delete body.repository;
    assert.match(reject(post(JSON.stringify(body))), /did not return true/);
  });

  test('a body that is not JSON starts nothing', () => {
    assert.match(reject(post('repository=team-alpha/web')), /JSON/);
  });

  test('binding values stay inside their JSON strings: quotes and markup cannot inject fields', () => {
    const hostile = 'a"},{"name":"prune","value":"true"}<&>';
    const params = resolveParams(
      BINDING.spec?.params as { name: string; value: string }[],
      TEMPLATE.spec?.params as TemplateParam[],
      {
        body: { repository: hostile },
        header: {},
        extensions: { tags_csv: 'v1' },
        context: { eventID: 'e' },
      },
    );
    assert.equal(
      params.repository,
      'a\\"},{\\"name\\":\\"prune\\",\\"value\\":\\"true\\"}\\u003c\\u0026\\u003e',
    );
    const [run] = resolveResources(TEMPLATE.spec?.resourcetemplates ?? [], params) as PipelineRunDoc[];
    const values = (run?.spec.params ?? []).filter((p) => p.name === 'repository' || p.name === 'prune');
    assert.deepEqual(values, [
      { name: 'repository', value: hostile },
      { name: 'prune', value: 'false' },
    ]);
  });

  test('a missing binding field falls back to the template default; without one it fails', () => {
    const params = resolveParams(
      BINDING.spec?.params as { name: string; value: string }[],
      TEMPLATE.spec?.params as TemplateParam[],
      { body: {}, header: {}, extensions: {}, context: { eventID: 'e' } },
    );
    assert.deepEqual(params, { repository: '', tags: '' });
    assert.throws(() =>
      resolveParams([{ name: 'x', value: '$(body.nothing)' }], [], {
        body: {},
        header: {},
        extensions: {},
        context: { eventID: 'e' },
      }),
    );
  });

  test('the CEL subset evaluator follows CEL where it matters here, and refuses what it does not know', () => {
    const ctx = { body: { a: [1, 2] }, header: {}, extensions: {}, requestURL: '/', secrets: {} };
    assert.deepEqual(celEval('false && body.missing', ctx), { value: false });
    assert.deepEqual(celEval('body.missing && false', ctx), { value: false });
    assert.ok('error' in celEval('true && body.missing', ctx));
    assert.deepEqual(celEval('has(body.a) && size(body.a) > 1 && !has(body.b)', ctx), { value: true });
    assert.throws(() => celEval('body.a ? 1 : 2', ctx), /unsupported syntax/);
    assert.throws(() => celEval('body.a.exists(x, x > 1)', ctx), /not emulated/);
    assert.throws(() => celEval('bodyy.a', ctx), /undeclared reference/);
  });
});

/** The quay-mirror params the brief for this packaging fixed (the Pipeline file is the authority). */
const MIRROR_PARAMS = [
  'image',
  'config-file',
  'log-level',
  'dry-run',
  'source',
  'destinations',
  'repository',
  'tags',
  'max-shards',
  'keep-going',
  'prune',
];

function checkMirrorRun(
  where: string,
  run: PipelineRunDoc,
  workspaces = ['config', 'quay-credentials'],
): void {
  assert.equal(run.apiVersion, 'tekton.dev/v1', where);
  assert.equal(run.kind, 'PipelineRun', where);
  assert.ok(run.metadata.generateName && run.metadata.name === undefined, `${where}: generateName only`);
  assert.equal(run.spec.pipelineRef?.name, 'quay-mirror', where);
  const sa = run.spec.taskRunTemplate?.serviceAccountName;
  assert.equal(sa, 'quay-tasks-mirror', where);
  assert.ok(
    RBAC_OBJECTS.some((o) => o.kind === 'ServiceAccount' && o.metadata.name === sa),
    where,
  );
  for (const value of Object.values(run.spec.timeouts ?? {})) assert.match(value, GO_DURATION, where);
  const names = (run.spec.params ?? []).map((p) => p.name);
  assert.deepEqual(
    (run.spec.workspaces ?? []).map((w) => w.name),
    workspaces,
    `${where}: workspaces`,
  );
  const mirror = PIPELINES.get('quay-mirror');
  assert.ok(mirror, 'tekton/pipeline-quay-mirror.yaml (Pipeline quay-mirror) is missing');
  // Exactly the declared params, every one set explicitly, each of its declared type.
  assert.deepEqual(
    [...names].sort(),
    (mirror.spec.params ?? []).map((p) => p.name).sort(),
    `${where}: params`,
  );
  checkPipelineRun(mirror, run.spec);
  const image = run.spec.params?.find((p) => p.name === 'image')?.value;
  assert.equal(image, mirror.spec.params?.find((p) => p.name === 'image')?.default, `${where}: image`);
}

describe('the PipelineRuns of the trigger, the schedule and the example match Pipeline quay-mirror', () => {
  test('Pipeline quay-mirror declares the params the trigger and the schedule set', () => {
    const mirror = PIPELINES.get('quay-mirror');
    assert.ok(mirror, 'tekton/pipeline-quay-mirror.yaml (Pipeline quay-mirror) is missing');
    assert.deepEqual((mirror.spec.params ?? []).map((p) => p.name).sort(), [...MIRROR_PARAMS].sort());
    assert.equal(mirror.spec.params?.find((p) => p.name === 'destinations')?.type, 'array');
  });

  test('the TriggerTemplate’s PipelineRun (resolved from a push event)', () => {
    // A push-triggered run is narrowed: it writes no cluster resources, so their workspace is an emptyDir.
    const run = accept(post(repoPush())).run;
    checkMirrorRun('trigger', run, ['config', 'quay-credentials', 'cluster-resources']);
    const bound = run.spec.workspaces?.find((w) => w.name === 'cluster-resources') as
      | { emptyDir?: unknown }
      | undefined;
    assert.deepEqual(bound?.emptyDir, {});
  });

  test('the full-sync CronJob’s PipelineRun (ConfigMap quay-mirror-full-sync)', () => {
    const configMap = only('ConfigMap') as TektonResource & { data?: Record<string, string> };
    const run = load(configMap.data?.['pipelinerun.yaml'] ?? '') as PipelineRunDoc;
    checkMirrorRun('full sync', run);
    const values = Object.fromEntries((run.spec.params ?? []).map((p) => [p.name, p.value]));
    assert.deepEqual([values.repository, values.tags], ['', ''], 'a full sync: every repository and tag');
  });

  test('examples/tekton/pipelinerun-quay-mirror.yaml', () => {
    const path = join(REPO_ROOT, 'examples', 'tekton', 'pipelinerun-quay-mirror.yaml');
    checkMirrorRun('example', load(readFileSync(path, 'utf8')) as PipelineRunDoc);
  });
});

// ---------------------------------------------------------------------------------------------------

interface PodSpec {
  serviceAccountName?: string;
  restartPolicy?: string;
  securityContext?: Record<string, unknown>;
  containers: {
    name: string;
    image: string;
    command?: string[];
    args?: string[];
    securityContext?: Record<string, unknown>;
    volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
  }[];
  volumes?: { name: string; configMap?: { name: string }; emptyDir?: unknown }[];
}

describe('tekton/: RBAC, ServiceAccounts and the CronJob (static)', () => {
  const rbacFile = /^rbac-(serviceaccount|role|rolebinding|clusterrole|clusterrolebinding)-[a-z0-9-]+\.yaml$/;

  test('RBAC objects live in rbac-<kind>-*.yaml files, one per file', () => {
    for (const [file, r] of RESOURCES) {
      const isRbac = ['ServiceAccount', 'Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'].includes(
        r.kind,
      );
      assert.equal(isRbac, file.startsWith('rbac-'), file);
      if (isRbac) {
        assert.match(file, rbacFile);
        assert.equal(file.split('-')[1], r.kind.toLowerCase(), file);
      }
    }
    assert.ok(FILES.length > 20);
  });

  test('no wildcard, no escalation verbs, Secrets never listed or watched by a role of tekton/', () => {
    for (const role of RBAC_OBJECTS.filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole')) {
      assert.ok(role.rules?.length, `${role.metadata.name}: rules`);
      for (const rule of role.rules ?? []) {
        const where = `${role.metadata.name}: ${JSON.stringify(rule)}`;
        for (const v of [...(rule.apiGroups ?? []), ...(rule.resources ?? []), ...rule.verbs])
          assert.ok(!v.includes('*'), where);
        assert.ok(!rule.nonResourceURLs, where);
        for (const v of ['escalate', 'bind', 'impersonate', 'update', 'deletecollection'])
          assert.ok(!rule.verbs.includes(v), where);
        if (rule.resources?.includes('secrets'))
          assert.ok(!rule.verbs.includes('list') && !rule.verbs.includes('watch'), where);
      }
    }
  });

  test('every binding refers to an existing role and an existing ServiceAccount of the pipeline namespace', () => {
    const accounts = new Set(
      RBAC_OBJECTS.filter((o) => o.kind === 'ServiceAccount').map((o) => o.metadata.name),
    );
    for (const b of RBAC_OBJECTS.filter((o) => o.kind.endsWith('Binding'))) {
      assert.ok(b.roleRef, `${b.metadata.name}: roleRef`);
      assert.equal(b.roleRef.apiGroup, 'rbac.authorization.k8s.io');
      if (b.kind === 'ClusterRoleBinding') assert.equal(b.roleRef.kind, 'ClusterRole', b.metadata.name);
      assert.ok(
        rulesOfRef(b.roleRef, b.metadata.namespace ?? PIPELINE_NAMESPACE),
        `${b.metadata.name}: role`,
      );
      assert.ok(b.subjects?.length);
      for (const s of b.subjects ?? []) {
        assert.equal(s.kind, 'ServiceAccount');
        assert.ok(accounts.has(s.name), `${b.metadata.name}: ServiceAccount ${s.name}`);
        if (b.kind === 'ClusterRoleBinding' || b.metadata.namespace)
          assert.equal(s.namespace, PIPELINE_NAMESPACE, `${b.metadata.name}: subject namespace`);
        else assert.equal(s.namespace, undefined, `${b.metadata.name}: same namespace as the binding`);
      }
    }
    // Only one object outside the pipeline namespace: quay-init's binding in the Quay namespace.
    const elsewhere = RBAC_OBJECTS.filter((o) => o.metadata.namespace !== undefined).map((o) => [
      o.kind,
      o.metadata.name,
      o.metadata.namespace,
    ]);
    assert.deepEqual(elsewhere, [['RoleBinding', 'quay-tasks-quay-init', 'quay']]);
    for (const [, r] of RESOURCES)
      if (!RBAC_OBJECTS.includes(r as RbacObject))
        assert.equal((r.metadata as { namespace?: string }).namespace, undefined, r.metadata.name);
  });

  test('every ServiceAccount is used, and every one used exists', () => {
    const accounts = RBAC_OBJECTS.filter((o) => o.kind === 'ServiceAccount').map(
      (o) => o.metadata.name ?? '',
    );
    const cronJob = only('CronJob').spec as { jobTemplate: { spec: { template: { spec: PodSpec } } } };
    const configMap = only('ConfigMap') as TektonResource & { data?: Record<string, string> };
    const used = [
      EVENT_LISTENER.spec?.serviceAccountName,
      cronJob.jobTemplate.spec.template.spec.serviceAccountName,
      (TEMPLATE.spec.resourcetemplates[0] as PipelineRunDoc).spec.taskRunTemplate?.serviceAccountName,
      (load(configMap.data?.['pipelinerun.yaml'] ?? '') as PipelineRunDoc).spec.taskRunTemplate
        ?.serviceAccountName,
      (
        load(
          readFileSync(join(REPO_ROOT, 'examples/tekton/pipelinerun-quay-install.yaml'), 'utf8'),
        ) as PipelineRunDoc
      ).spec.taskRunTemplate?.serviceAccountName,
    ];
    for (const sa of used) assert.ok(sa && accounts.includes(sa), `ServiceAccount ${sa}`);
    assert.deepEqual([...new Set(used)].sort(), [...accounts].sort());
  });

  test('the EventListener account reads exactly one Secret and creates PipelineRuns', () => {
    const el = 'quay-tasks-triggers';
    const ns = PIPELINE_NAMESPACE;
    assert.ok(
      allows(el, { verb: 'get', group: '', resource: 'secrets', namespace: ns, name: 'quay-webhook' }),
    );
    for (const verb of ['get', 'list', 'watch'])
      for (const namespace of [ns, 'quay', undefined])
        assert.equal(
          allows(el, { verb, group: '', resource: 'secrets', namespace, name: 'quay-credentials' }),
          false,
          `${verb} secrets ${namespace}`,
        );
    assert.ok(allows(el, { verb: 'create', group: 'tekton.dev', resource: 'pipelineruns', namespace: ns }));
    assert.ok(allows(el, { verb: 'list', group: 'triggers.tekton.dev', resource: 'clusterinterceptors' }));
    assert.equal(
      allows(el, { verb: 'create', group: 'tekton.dev', resource: 'pipelineruns', namespace: 'quay' }),
      false,
    );
    // Triggers' own cluster role would grant get/list/watch on every Secret of the cluster.
    assert.ok(
      !RBAC_OBJECTS.some((o) => o.roleRef?.name === 'tekton-triggers-eventlistener-clusterroles'),
      'not bound to tekton-triggers-eventlistener-clusterroles',
    );
    assert.ok(EXTERNAL_CLUSTER_ROLES['tekton-triggers-eventlistener-roles']);
  });

  test('the mirror account has no rights and no token; the scheduler may only create PipelineRuns', () => {
    const mirror = RBAC_OBJECTS.find((o) => o.metadata.name === 'quay-tasks-mirror');
    assert.equal(mirror?.automountServiceAccountToken, false);
    assert.ok(!RBAC_OBJECTS.some((o) => o.subjects?.some((s) => s.name === 'quay-tasks-mirror')));
    const s = 'quay-tasks-scheduler';
    const ns = PIPELINE_NAMESPACE;
    assert.ok(allows(s, { verb: 'create', group: 'tekton.dev', resource: 'pipelineruns', namespace: ns }));
    for (const verb of ['get', 'list', 'delete', 'patch'])
      assert.equal(
        allows(s, { verb, group: 'tekton.dev', resource: 'pipelineruns', namespace: ns, name: 'x' }),
        false,
      );
    assert.equal(
      allows(s, { verb: 'create', group: 'tekton.dev', resource: 'taskruns', namespace: ns }),
      false,
    );
    assert.equal(
      allows(s, { verb: 'get', group: '', resource: 'secrets', namespace: ns, name: 'quay-webhook' }),
      false,
    );
  });

  test('the CronJob: Forbid, restricted-v2 without a fixed UID, oc create -f of its ConfigMap', () => {
    const cron = only('CronJob') as TektonResource & { spec: Record<string, unknown> };
    assert.equal(cron.apiVersion, 'batch/v1');
    assert.equal(cron.spec.concurrencyPolicy, 'Forbid');
    assert.match(String(cron.spec.schedule), /^(\S+\s+){4}\S+$/);
    const pod = (cron.spec.jobTemplate as { spec: { template: { spec: PodSpec } } }).spec.template.spec;
    assert.equal(pod.restartPolicy, 'Never');
    assert.deepEqual(pod.securityContext, { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    const [container, ...more] = pod.containers;
    assert.ok(container && more.length === 0);
    const sc = container.securityContext ?? {};
    assertRestrictedV2(sc);
    for (const key of ['runAsUser', 'runAsGroup', 'privileged', 'fsGroup'])
      assert.ok(!(key in sc) && !(key in (pod.securityContext ?? {})), key);
    const taskImage = (
      (RESOURCES.get('task-quay-init.yaml')?.spec?.params ?? []) as { name: string; default: string }[]
    ).find((p) => p.name === 'image')?.default;
    assert.equal(container.image, taskImage);
    assert.deepEqual(container.command, ['/usr/bin/oc']);
    assert.equal(container.args?.[0], 'create');
    const file = container.args?.[(container.args?.indexOf('-f') ?? -2) + 1] ?? '';
    const mount = container.volumeMounts?.find((m) => file.startsWith(`${m.mountPath}/`));
    assert.ok(mount?.readOnly, `${file} comes from a read-only mount`);
    const volume = pod.volumes?.find((v) => v.name === mount.name);
    const configMap = only('ConfigMap') as TektonResource & { data?: Record<string, string> };
    assert.equal(volume?.configMap?.name, configMap.metadata.name);
    assert.ok(configMap.data?.[file.slice(mount.mountPath.length + 1)], 'the key oc reads');
  });
});
