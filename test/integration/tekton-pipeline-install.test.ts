/**
 * The quay-install Pipeline resolved as Tekton resolves it (PipelineRun params and workspaces, the DAG,
 * each PipelineTask's params and workspaces into its Task) and run level by level (runPipelineAsTekton of
 * tekton-pipeline.ts) against the built entrypoints, the Quay emulator (first-user initialisation on) and the Kubernetes emulator (real
 * kubectl): the example PipelineRun of examples/tekton/ for a first install, then a later run that changes
 * nothing. Every request the run made to the cluster is checked against the RBAC of tekton/.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { execa } from 'execa';
import { dump, load } from 'js-yaml';
import {
  type KubeEmulator,
  type KubeObject,
  OPENSHIFT_CRDS,
  startKubeEmulator,
} from '../support/kube-emulator/index.js';
import { REPO_ROOT, taskScript } from '../support/paths.js';
import { type QuayEmulator, startQuayEmulator } from '../support/quay-emulator/index.js';
import { KEBAB, RESOURCES, TEKTON_DIR, taskNamed, workspace } from '../support/tekton.js';
import {
  checkPipelineRun,
  executionLevels,
  GO_DURATION,
  PIPELINES,
  type PipelineRunBinding,
  pipelineNamed,
  resolvePipelineTask,
  runPipelineAsTekton,
  type TektonPipeline,
} from '../support/tekton-pipeline.js';
import { type AccessRequest, allows, PIPELINE_NAMESPACE, type RbacObject } from '../support/tekton-rbac.js';
import { tempDir, writeFile } from '../support/temp.js';

const PIPELINE = 'quay-install';
const EXAMPLES = join(REPO_ROOT, 'examples', 'tekton');
const readYaml = (path: string): unknown => load(readFileSync(path, 'utf8'));
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

interface PipelineRunDoc {
  apiVersion: string;
  kind: string;
  metadata: { name?: string; generateName?: string };
  spec: {
    pipelineRef: { name: string };
    taskRunTemplate?: { serviceAccountName?: string };
    timeouts?: Record<string, string>;
    params?: { name: string; value: string | string[] }[];
    workspaces?: { name: string; [source: string]: unknown }[];
  };
}

describe('tekton/pipeline-quay-install.yaml: static checks', () => {
  const p = pipelineNamed(PIPELINE);

  test('one Pipeline per file, named as its file, with the catalog metadata of the Tasks', () => {
    for (const [file, r] of RESOURCES)
      if (r.kind === 'Pipeline') assert.equal(file, `pipeline-${r.metadata.name}.yaml`);
    assert.equal(p.apiVersion, 'tekton.dev/v1');
    assert.ok(p.spec.description?.trim());
    const task = taskNamed('quay-init');
    assert.equal(
      p.metadata.labels?.['app.kubernetes.io/version'],
      task.metadata.labels?.['app.kubernetes.io/version'],
    );
    for (const key of ['pipelines.minVersion', 'categories', 'platforms'])
      assert.equal(
        p.metadata.annotations?.[`tekton.dev/${key}`],
        task.metadata.annotations?.[`tekton.dev/${key}`],
        key,
      );
    assert.ok(p.metadata.annotations?.['tekton.dev/tags']);
    assert.ok(p.metadata.annotations?.['tekton.dev/displayName']);
  });

  test('names are kebab-case; every param is used; the image default is the Tasks’ one', () => {
    const text = readFileSync(join(TEKTON_DIR, `pipeline-${PIPELINE}.yaml`), 'utf8');
    const names = [
      ...(p.spec.params ?? []).map((x) => x.name),
      ...(p.spec.workspaces ?? []).map((x) => x.name),
      ...(p.spec.results ?? []).map((x) => x.name),
      ...p.spec.tasks.map((x) => x.name),
    ];
    for (const name of names) assert.match(name, KEBAB);
    for (const param of p.spec.params ?? [])
      assert.ok(
        text.includes(`$(params.${param.name})`) || text.includes(`$(params.${param.name}[*])`),
        `param ${param.name} unused`,
      );
    const image = p.spec.params?.find((x) => x.name === 'image')?.default;
    assert.equal(image, taskNamed('quay-init').spec.params?.find((x) => x.name === 'image')?.default);
  });

  test('apply-ordered → quay-init → quay-config and proxycache in parallel → create-robots; no finally', () => {
    assert.deepEqual(executionLevels(p), [
      ['apply-ordered'],
      ['quay-init'],
      ['proxycache', 'quay-config'],
      ['create-robots'],
    ]);
    assert.deepEqual(
      p.spec.tasks.map((t) => t.taskRef?.name),
      ['quay-apply-ordered', 'quay-init', 'quay-create-robots', 'quay-proxycache', 'quay-config'],
    );
    for (const t of p.spec.tasks) {
      assert.match(t.timeout ?? '', GO_DURATION, `${t.name}: timeout`);
      assert.ok(t.retries === undefined || (Number.isInteger(t.retries) && t.retries <= 2), t.name);
    }
    assert.equal(p.spec.tasks.find((t) => t.name === 'apply-ordered')?.retries, undefined);
  });

  test('workspaces: config and manifests required; the others optional and optional in every Task too', () => {
    assert.deepEqual(
      Object.fromEntries((p.spec.workspaces ?? []).map((w) => [w.name, w.optional === true])),
      { config: false, manifests: false, 'quay-credentials': true, kubeconfig: true, output: true },
    );
  });

  test('the shared params reach every Task that has them, unchanged', () => {
    for (const t of p.spec.tasks) {
      const task = taskNamed(t.taskRef?.name ?? '');
      for (const shared of ['image', 'config-file', 'log-level', 'dry-run', 'instance'])
        if (task.spec.params?.some((x) => x.name === shared))
          assert.deepEqual(
            t.params?.find((x) => x.name === shared)?.value,
            `$(params.${shared})`,
            `${t.name}: ${shared}`,
          );
      assert.deepEqual(t.params?.find((x) => x.name === 'extra-args')?.value, [
        `$(params.${t.name}-extra-args[*])`,
      ]);
    }
  });

  test('results: only summaries and counts — never the first user’s token', () => {
    const text = JSON.stringify(p.spec.results);
    assert.ok(!text.includes('initial-user-token'));
    assert.ok((p.spec.results ?? []).length > 0);
  });

  test('the resolver is strict: unknown params, missing workspaces and unbound required ones fail', () => {
    const ws = { config: '/c', manifests: '/m' };
    assert.doesNotThrow(() => resolvePipelineTask(p, 'quay-init', { workspaces: ws }));
    assert.throws(
      () => resolvePipelineTask(p, 'quay-init', { params: { 'no-such': 'x' }, workspaces: ws }),
      /does not declare/,
    );
    assert.throws(() => resolvePipelineTask(p, 'quay-init', { workspaces: { config: '/c' } }), /not bound/);
    assert.throws(
      () => resolvePipelineTask(p, 'quay-init', { params: { 'dry-run': ['true'] }, workspaces: ws }),
      /wrong type/,
    );
    const broken = clone(p) as TektonPipeline;
    broken.spec.tasks[1]?.params?.push({ name: 'overwrite', value: 'true' });
    assert.throws(
      () => resolvePipelineTask(broken, 'quay-init', { workspaces: ws }),
      /unknown param overwrite/,
    );
    const unmapped = clone(p) as TektonPipeline;
    const apply = unmapped.spec.tasks[0];
    if (apply) apply.workspaces = apply.workspaces?.filter((w) => w.name !== 'manifests');
    assert.throws(() => resolvePipelineTask(unmapped, 'apply-ordered', { workspaces: ws }), /not mapped/);
    const optionalOnly = clone(p) as TektonPipeline;
    const config = optionalOnly.spec.workspaces?.find((w) => w.name === 'config');
    if (config) config.optional = true;
    assert.throws(() => resolvePipelineTask(optionalOnly, 'quay-init', { workspaces: { manifests: '/m' } }));
    const cycle = clone(p) as TektonPipeline;
    if (cycle.spec.tasks[0]) cycle.spec.tasks[0].runAfter = ['proxycache'];
    assert.throws(() => executionLevels(cycle), /cycle/);
  });

  test('the example PipelineRun binds the Pipeline correctly (params, workspaces, ServiceAccount, timeouts)', () => {
    const run = readYaml(join(EXAMPLES, 'pipelinerun-quay-install.yaml')) as PipelineRunDoc;
    assert.equal(run.apiVersion, 'tekton.dev/v1');
    assert.equal(run.kind, 'PipelineRun');
    assert.ok(run.metadata.generateName && !run.metadata.name);
    assert.equal(run.spec.pipelineRef.name, PIPELINE);
    checkPipelineRun(p, run.spec);
    assert.equal(run.spec.taskRunTemplate?.serviceAccountName, 'quay-tasks-install');
    for (const value of Object.values(run.spec.timeouts ?? {})) assert.match(value, GO_DURATION);
    assert.ok(RESOURCES.has('rbac-serviceaccount-install.yaml'));
    assert.ok(PIPELINES.size >= 1);
  });
});

/** The kubelet's view of the PipelineRun's projected quay-credentials workspace when a TaskRun pod starts. */
function projectSecret(kube: KubeEmulator, name: string, into: string): void {
  const secret = kube.get({ apiVersion: 'v1', kind: 'Secret', namespace: PIPELINE_NAMESPACE, name });
  for (const [key, value] of Object.entries((secret?.data ?? {}) as Record<string, string>))
    writeFile(into, key, Buffer.from(value, 'base64').toString('utf8'));
}

/** Rewrites /workspace/<name>/... paths (where Tekton mounts each workspace) to the test's folders. */
function mountedAt(value: unknown, dirs: Record<string, string>): unknown {
  if (typeof value === 'string')
    return value.replace(/\/workspace\/([\w-]+)(?=\/|$)/g, (whole, ws: string) => dirs[ws] ?? whole);
  if (Array.isArray(value)) return value.map((v) => mountedAt(v, dirs));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mountedAt(v, dirs)]));
  return value;
}

describe('quay-install: the example first install, then a second run, against the emulators', () => {
  let quay: QuayEmulator;
  let kube: KubeEmulator;
  const p = pipelineNamed(PIPELINE);
  const dirs: Record<string, string> = {};
  const example = readYaml(join(EXAMPLES, 'pipelinerun-quay-install.yaml')) as PipelineRunDoc;

  before(async () => {
    [quay, kube] = await Promise.all([
      startQuayEmulator({
        features: { userInitialize: true, proxyCache: true },
        ssrfAllowedHosts: ['127.0.0.1'],
      }),
      startKubeEmulator({ crds: OPENSHIFT_CRDS, namespaces: ['default', PIPELINE_NAMESPACE] }),
    ]);
    // The Quay operator, reduced to its outcome: a QuayRegistry becomes Available once applied.
    kube.onApply('QuayRegistry', (qr: KubeObject, k) => {
      const { name, namespace } = qr.metadata as { name: string; namespace: string };
      k.setStatus(
        { apiVersion: 'quay.redhat.com/v1', kind: 'QuayRegistry', name, namespace },
        {
          currentVersion: '3.12.0',
          registryEndpoint: `https://${name}-quay-${namespace}.apps.example.com`,
          conditions: [
            { type: 'Available', status: 'True', reason: 'HealthChecksPassing' },
            { type: 'ComponentsCreated', status: 'True', reason: 'ComponentsCreationSuccess' },
            { type: 'RolloutBlocked', status: 'False' },
          ],
        },
      );
    });
    for (const ws of ['config', 'manifests', 'quay-credentials', 'kubeconfig', 'output'])
      dirs[ws] = workspace();
    writeFile(
      dirs.manifests ?? '',
      '001-namespaces.yaml',
      'apiVersion: v1\nkind: Namespace\nmetadata: {name: quay}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: apps}\n',
    );
    writeFile(
      dirs.manifests ?? '',
      '003-quay-registry.yaml',
      'apiVersion: quay.redhat.com/v1\nkind: QuayRegistry\nmetadata: {name: central, namespace: quay}\nspec:\n  configBundleSecret: central-config-bundle\n  components: [{kind: clair, managed: false}]\n',
    );
    writeFile(
      dirs.config ?? '',
      'quay-config.yaml',
      'FEATURE_USER_INITIALIZE: true\nAUTHENTICATION_TYPE: Database\nSUPER_USERS: [quayadmin]\n',
    );
    // The example config as the ConfigMap holds it, pointed at the emulators (and kubectl: no oc here).
    const config = mountedAt(readYaml(join(EXAMPLES, 'quay-tasks.yaml')), dirs) as {
      quay: { primary: { url: string } };
      cluster: { cli: string };
      proxycache: { caches: { upstreamRegistry: string; insecure?: boolean }[] };
    };
    config.quay.primary.url = quay.url;
    config.cluster.cli = 'kubectl';
    for (const cache of config.proxycache.caches) {
      cache.upstreamRegistry = quay.host;
      cache.insecure = true;
    }
    writeFile(dirs.config ?? '', 'quay-tasks.yaml', dump(config));
    writeFile(
      dirs.config ?? '',
      'first-run.yaml',
      dump(mountedAt(readYaml(join(EXAMPLES, 'first-run.yaml')), dirs)),
    );
    // Secret quay-credentials of the example: the first user's password.
    writeFile(dirs['quay-credentials'] ?? '', 'admin-password', 'correct-horse-battery\n');
    // The ServiceAccount's in-cluster access, as a kubeconfig (no in-cluster API here).
    copyFileSync(kube.kubeconfigPath, join(dirs.kubeconfig ?? '', 'kubeconfig'));
  });
  after(async () => {
    await Promise.all([quay.close(), kube.close()]);
  });

  /**
   * Runs the Pipeline level by level, as Tekton does: a level starts when the one before succeeded. Every
   * TaskRun must succeed at its first attempt and the Pipeline resolve every one of its results.
   */
  async function runPipeline(run: PipelineRunBinding) {
    const order: string[] = [];
    const outcome = await runPipelineAsTekton(p, run, {
      beforeLevel: (level) => {
        // Each TaskRun pod mounts the projected workspace as it is when the pod starts.
        projectSecret(kube, 'quay-init-token', dirs['quay-credentials'] ?? '');
        order.push(...level);
      },
    });
    const results: Record<string, Record<string, string>> = {};
    for (const [name, task] of Object.entries(outcome.tasks)) {
      const [first, ...more] = task.runs;
      assert.ok(first && more.length === 0, `${name}: one TaskRun (${task.status} ${task.skipped ?? ''})`);
      assert.equal(first.exitCode, 0, `${first.args.join(' ')}\n${first.stderr}`);
      assert.equal(first.attempts, 1, `${name}: no retry`);
      results[name] = first.results;
    }
    assert.equal(outcome.status, 'Succeeded');
    assert.deepEqual(
      Object.keys(outcome.results).sort(),
      (p.spec.results ?? []).map((r) => r.name).sort(),
      'every Pipeline result resolved',
    );
    return { results, order, pipeline: outcome.results };
  }

  const exampleRun = (): PipelineRunBinding => {
    const params = Object.fromEntries(
      (example.spec.params ?? []).map((x) => [x.name, mountedAt(x.value, dirs) as string | string[]]),
    );
    const bound = Object.fromEntries(
      (example.spec.workspaces ?? []).map((w) => [w.name, dirs[w.name] ?? '']),
    );
    return {
      // This machine has kubectl, not oc (the image has both).
      params: { ...params, cli: 'kubectl' },
      // kubeconfig stands in for the in-cluster ServiceAccount the example relies on.
      workspaces: { ...bound, kubeconfig: dirs.kubeconfig ?? '' },
      env: { KUBECACHEDIR: kube.env.KUBECACHEDIR ?? '' },
    };
  };

  test('first install: applied, first user and its token Secret, robots and proxy cache; token never a Pipeline result', async () => {
    const { results, order, pipeline } = await runPipeline(exampleRun());
    assert.deepEqual(order.slice(0, 2), ['apply-ordered', 'quay-init']);
    assert.deepEqual(order.slice(2, 4).sort(), ['proxycache', 'quay-config']);
    assert.deepEqual(order.slice(4), ['create-robots']);
    for (const [name, r] of Object.entries(results)) assert.equal(r.ok, 'true', name);
    assert.deepEqual(
      { applied: results['apply-ordered']?.applied, changed: results['apply-ordered']?.changed },
      { applied: '3', changed: '3' },
    );
    const token = results['quay-init']?.['initial-user-token'] ?? '';
    assert.match(token, /^\S{20,}$/);
    const secret = kube.get({
      apiVersion: 'v1',
      kind: 'Secret',
      namespace: PIPELINE_NAMESPACE,
      name: 'quay-init-token',
    });
    const data = (secret?.data ?? {}) as Record<string, string>;
    assert.equal(Buffer.from(data['initial-user-token'] ?? '', 'base64').toString('utf8'), token);
    assert.ok(quay.state.orgs.get('team-alpha'), 'organization made with the new token');
    assert.equal(results['create-robots']?.robots, 'team-alpha+deployer');
    assert.ok(kube.get({ apiVersion: 'v1', kind: 'Secret', namespace: 'apps', name: 'team-alpha-pull' }));
    assert.ok(quay.state.orgs.get('cache-dockerhub')?.proxyCache, 'proxy cache configured');
    assert.equal(results.proxycache?.changed, '2', 'the organization and its proxy-cache configuration');
    // quay-config before create-robots: the team exists when the robot joins it.
    assert.equal(results['quay-config']?.changed, '3', 'team, default permission, repository');
    assert.ok(quay.state.orgs.get('team-alpha')?.teams.get('deployers')?.members.has('team-alpha+deployer'));
    assert.equal(quay.state.getRepo('team-alpha', 'web')?.teamPermissions.get('deployers'), 'read');
    assert.equal(pipeline.robots, 'team-alpha+deployer');
    assert.equal(pipeline.applied, '3');
    for (const value of Object.values(pipeline)) assert.ok(!value.includes(token));
  });

  test('a later run (a long-lived token in quay-credentials, no first-run overlay) changes nothing', async () => {
    const token = readFileSync(join(dirs['quay-credentials'] ?? '', 'initial-user-token'), 'utf8');
    writeFile(dirs['quay-credentials'] ?? '', 'token', token);
    const config = load(readFileSync(join(dirs.config ?? '', 'quay-tasks.yaml'), 'utf8')) as {
      quay: { primary: Record<string, unknown> };
    };
    // What the comment in examples/tekton/quay-tasks.yaml says to uncomment after the install.
    config.quay.primary.token = { file: `${dirs['quay-credentials']}/token` };
    writeFile(dirs.config ?? '', 'quay-tasks.yaml', dump(config));
    const run = exampleRun();
    run.params = Object.fromEntries(
      Object.entries(run.params ?? {}).filter(([name]) => !name.endsWith('-extra-args')),
    );
    const { results, pipeline } = await runPipeline(run);
    for (const [name, r] of Object.entries(results))
      assert.deepEqual(
        { ok: r.ok, changed: r.changed, failed: r.failed },
        { ok: 'true', changed: '0', failed: '0' },
        name,
      );
    assert.equal(results['quay-init']?.['initial-user-token'], '', 'no user created, the result is empty');
    assert.equal(pipeline.robots, 'team-alpha+deployer');
  });

  test('every cluster request of both runs is allowed by the RBAC of tekton/ for quay-tasks-install', () => {
    // The per-namespace pull-Secret binding tekton/README.md asks for (oc create rolebinding ... -n apps).
    const pullSecrets: RbacObject = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'quay-tasks-pull-secrets', namespace: 'apps' },
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: 'quay-tasks-pull-secrets',
      },
      subjects: [{ kind: 'ServiceAccount', name: 'quay-tasks-install', namespace: PIPELINE_NAMESPACE }],
    };
    const denied = new Set<string>();
    let checked = 0;
    for (const entry of kube.requests) {
      if (!entry.verb) {
        // Discovery, OpenAPI and /version: open to every authenticated user (system:discovery).
        assert.match(entry.path, /^\/(api|apis|openapi|version)(\/|$)/, entry.path);
        continue;
      }
      const fieldName = /^metadata\.name=(.+)$/.exec(entry.query.fieldSelector ?? '')?.[1];
      const request: AccessRequest = {
        verb: entry.verb,
        group: entry.group ?? '',
        resource: entry.resource ?? '',
        ...(entry.subresource ? { subresource: entry.subresource } : {}),
        ...(entry.namespace ? { namespace: entry.namespace } : {}),
        ...((entry.name ?? fieldName) ? { name: entry.name ?? fieldName } : {}),
      };
      // Server-side apply of a new object is authorised as create as well as patch.
      const verbs = entry.verb === 'patch' && entry.status === 201 ? ['patch', 'create'] : [entry.verb];
      for (const verb of verbs) {
        checked++;
        if (!allows('quay-tasks-install', { ...request, verb }, [pullSecrets]))
          denied.add(
            `${verb} ${request.group}/${request.resource} ${request.namespace ?? '-'}/${request.name ?? '*'}`,
          );
      }
    }
    assert.ok(checked > 10, `only ${checked} requests checked`);
    assert.deepEqual([...denied], []);
    // And the rules are not simply open: a Secret elsewhere or a Deployment is refused.
    assert.equal(
      allows('quay-tasks-install', {
        verb: 'get',
        group: '',
        resource: 'secrets',
        namespace: 'default',
        name: 'x',
      }),
      false,
    );
    assert.equal(
      allows('quay-tasks-install', {
        verb: 'create',
        group: 'apps',
        resource: 'deployments',
        namespace: 'quay',
      }),
      false,
    );
  });

  test('the example config and its first-run overlay pass every task’s --validate-config', async () => {
    const dir = tempDir();
    const files: string[] = [];
    for (const name of ['quay-tasks.yaml', 'first-run.yaml']) {
      const text = readFileSync(join(EXAMPLES, name), 'utf8').replaceAll('/workspace/', `${dir}/workspace/`);
      for (const m of text.matchAll(/\{\s*file:\s*(\/[^}\s]+)\s*\}/g)) {
        mkdirSync(join(m[1] ?? '', '..'), { recursive: true });
        writeFile(join(m[1] ?? '', '..'), (m[1] ?? '').split('/').pop() ?? '', 'secret-from-a-workspace\n');
      }
      files.push(writeFile(dir, name, text));
    }
    assert.ok(existsSync(`${dir}/workspace/quay-credentials/initial-user-token`));
    // quay-init and apply-ordered read the config alone; the API tasks with the overlay on a first install.
    const runs = [
      { task: 'apply-ordered', configs: files.slice(0, 1) },
      { task: 'quay-init', configs: files.slice(0, 1) },
      { task: 'create-robots', configs: files },
      { task: 'proxycache', configs: files },
      { task: 'quay-config', configs: files },
    ];
    await Promise.all(
      runs.map(async ({ task, configs }) => {
        const result = await execa(
          'node',
          [taskScript(task), ...configs.flatMap((f) => ['--config', f]), '--validate-config'],
          { reject: false },
        );
        assert.equal(result.exitCode, 0, `${task} ${configs.join(' ')}: ${result.stderr}`);
      }),
    );
  });
});
