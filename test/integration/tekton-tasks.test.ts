/**
 * Every Task of tekton/ resolved as Tekton would resolve it — params (defaults or test values), workspace
 * paths and `bound`, result paths, and Tekton's fixed /tekton/results and /tekton/home — and its step run
 * against the built entrypoints and the emulators: exit 0 and every declared result written. Plus static
 * checks of the conventions (restricted-v2 securityContext, no params in scripts, every param used, kebab-case).
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { execa } from 'execa';
import { quayTags } from '../support/mirror-fixture.js';
import { taskScript } from '../support/paths.js';
import { useTaskEmulators } from '../support/task-emulators.js';
import {
  assertRestrictedV2,
  type Binding,
  FILES,
  KEBAB,
  RESOURCES,
  runStep,
  TASKS,
  TEKTON_DIR,
  type TektonTask,
  taskFile,
  workspace,
} from '../support/tekton.js';
import { writeFile } from '../support/temp.js';

/** The CLI a Task's step runs: `quay-<cli>` (quay-init and quay-config as they are), except the mirror plan (mirror-repos --plan-shards). */
const cliOf = (task: TektonTask): string =>
  task.metadata.name === 'quay-mirror-plan'
    ? 'mirror-repos'
    : task.metadata.name.replace(/^quay-(?!init|config)/, '');

describe('tekton/: static conventions', () => {
  test('one Task per operation, one resource per file', () => {
    assert.deepEqual(
      FILES.filter((f) => f.startsWith('task-')),
      [
        'apply-ordered',
        'create-robots',
        'mirror-plan',
        'mirror-repos',
        'pipeline-report',
        'proxycache',
        'quay-config',
        'quay-init',
      ].map((t) => `task-${t}.yaml`),
    );
    for (const [file, resource] of RESOURCES)
      if (resource.kind === 'Task') assert.match(file, /^task-/, `${file}: Task files are task-*.yaml`);
    for (const [file, task] of TASKS) {
      assert.equal(task.apiVersion, 'tekton.dev/v1', file);
      assert.equal(task.kind, 'Task', file);
      assert.equal(`task-${task.metadata.name.replace(/^quay-(?!init|config)/, '')}.yaml`, file);
      assert.ok(task.spec.description?.trim(), `${file}: spec.description`);
      assert.ok(task.metadata.labels?.['app.kubernetes.io/version'], file);
      for (const a of ['minVersion', 'categories', 'tags', 'displayName', 'platforms'])
        assert.ok(
          task.metadata.annotations?.[
            a === 'minVersion' ? 'tekton.dev/pipelines.minVersion' : `tekton.dev/${a}`
          ],
          `${file}: ${a}`,
        );
    }
  });

  for (const [file, task] of TASKS) {
    test(`${file}: restricted-v2, HOME, image param, no params in scripts, names kebab-case, every param used`, () => {
      const template = task.spec.stepTemplate;
      assert.equal(template?.env?.find((e) => e.name === 'HOME')?.value, '/tekton/home');
      const text = readFileSync(join(TEKTON_DIR, file), 'utf8');
      for (const step of task.spec.steps) {
        const sc: Record<string, unknown> = { ...template?.securityContext, ...step.securityContext };
        assertRestrictedV2(sc, `${file} step ${step.name}`);
        assert.equal(sc.runAsUser, undefined, 'no fixed UID under restricted-v2');
        assert.equal(sc.privileged, undefined);
        assert.ok(!step.script?.includes('$(params'), `${file}: $(params in a script`);
        assert.equal(step.image, '$(params.image)');
        assert.deepEqual(step.command, ['quay-tasks', cliOf(task)]);
        assert.ok(step.args?.includes('--results-dir=/tekton/results'));
      }
      assert.match(
        String(task.spec.params?.find((p) => p.name === 'image')?.default),
        /^quay\.io\/quay-tasks\/quay-tasks:\d/,
      );
      const names = [
        ...(task.spec.params ?? []).map((p) => p.name),
        ...(task.spec.workspaces ?? []).map((w) => w.name),
        ...(task.spec.results ?? []).map((r) => r.name),
        ...task.spec.steps.map((s) => s.name),
      ];
      for (const name of names) assert.match(name, KEBAB);
      for (const p of task.spec.params ?? [])
        assert.ok(
          text.includes(`$(params.${p.name})`) || text.includes(`$(params.${p.name}[*])`),
          `${file}: param ${p.name} unused`,
        );
      // Every Task that reads a config reads it from a read-only config workspace (the report reads none).
      const ws = task.spec.workspaces?.find((w) => w.name === 'config');
      if (task.spec.steps.some((s) => s.args?.some((a) => a.startsWith('--config='))))
        assert.equal(ws?.readOnly, true);
      else assert.equal(ws, undefined);
    });
  }

  test('the declared results are the ones each task --help lists', async () => {
    for (const [file, task] of TASKS) {
      const name = cliOf(task);
      const help = await execa('node', [taskScript(name), '--help']);
      // A result only one mode writes says so: "(only with --plan-shards)" / "(not with --plan-shards)".
      const plan = task.spec.steps.some((s) => s.args?.some((a) => a.startsWith('--plan-shards=')));
      const listed = help.stdout
        .split('Results (Tekton results, GitHub outputs):')[1]
        ?.split('\n\n')[0]
        ?.split('\n')
        .filter((l) => !l.includes(plan ? '(not with --plan-shards)' : '(only with --plan-shards)'))
        .map((l) => l.trim().split(/\s+/)[0])
        .filter(Boolean);
      assert.deepEqual((task.spec.results ?? []).map((r) => r.name).sort(), listed?.sort(), file);
    }
  });
});

describe('tekton/: each Task resolved and run against the built entrypoints', () => {
  const emu = useTaskEmulators();
  const creds = () => workspace({ token: `${emu.fx.adminToken}\n` });
  const quaySection = () =>
    `quay:\n  primary: {url: ${emu.fx.quay.url}, token: {file: /placeholder/token}}\n`;

  /** A config workspace whose token comes from the quay-credentials workspace, as in a TaskRun. */
  function configFor(credentials: string, body: string, name = 'quay-tasks.yaml'): string {
    return workspace({ [name]: quaySection().replace('/placeholder', credentials) + body });
  }

  test('quay-proxycache: defaults, then dry-run=true and a config-file param', async () => {
    const credentials = creds();
    // The upstream is another emulator on loopback (allowed by ssrfAllowedHosts), validated by Quay first.
    const body = `proxycache:\n  caches:\n    - {organization: cache-a, upstreamRegistry: "${emu.src.quay.host}", insecure: true, expirationSeconds: 3600}\n`;
    const task = taskFile('proxycache');
    const planned = await runStep(task, {
      params: { 'dry-run': 'true', 'config-file': 'other.yaml' },
      workspaces: { config: configFor(credentials, body, 'other.yaml'), 'quay-credentials': credentials },
    });
    assert.equal(planned.ok, 'true');
    assert.equal(emu.fx.quay.state.orgs.get('cache-a'), undefined, 'dry-run=true changed nothing');
    const done = await runStep(task, {
      workspaces: { config: configFor(credentials, body), 'quay-credentials': credentials },
    });
    // The organization and its proxy-cache configuration.
    assert.deepEqual(
      { ok: done.ok, changed: done.changed, failed: done.failed },
      { ok: 'true', changed: '2', failed: '0' },
    );
    assert.ok(emu.fx.quay.state.orgs.get('cache-a')?.proxyCache);
  });

  test('quay-create-robots: robots result, auth.json in the output workspace', async () => {
    const credentials = creds();
    const output = workspace();
    const results = await runStep(taskFile('create-robots'), {
      params: { 'log-level': 'debug', instance: 'primary' },
      workspaces: {
        config: configFor(
          credentials,
          `create-robots:\n  robots:\n    - {name: puller, organization: team-alpha, permissions: [{repository: web, role: read}], authFile: ${output}/auth.json}\n`,
        ),
        'quay-credentials': credentials,
        output,
      },
    });
    assert.equal(results.robots, 'team-alpha+puller');
    assert.equal(results.changed, '2', 'the robot and its auth.json');
    assert.match(readFileSync(join(output, 'auth.json'), 'utf8'), /"auths"/);
  });

  test('quay-init: the first user and its initial-user-token result, written to the output workspace', async () => {
    const output = workspace();
    const config = workspace({
      'quay-tasks.yaml': `quay:\n  primary: {url: ${emu.fresh.url}}\nquay-init:\n  initialUser: {username: quayadmin, password: {file: /creds/password}, email: a@example.com}\n  tokenOutput: {file: ${output}/token}\n  organizations: [{name: team-beta}]\n`,
    });
    const credentials = workspace({ password: 'correct-horse-battery' });
    writeFile(
      config,
      'quay-tasks.yaml',
      readFileSync(join(config, 'quay-tasks.yaml'), 'utf8').replace('/creds', credentials),
    );
    const results = await runStep(taskFile('quay-init'), {
      workspaces: { config, 'quay-credentials': credentials, output },
    });
    assert.equal(results.ok, 'true');
    assert.ok((results['initial-user-token'] ?? '').length >= 8);
    assert.equal(readFileSync(join(output, 'token'), 'utf8'), results['initial-user-token']);
    assert.ok(emu.fresh.state.orgs.get('team-beta'));
  });

  test('quay-mirror-repos: source and destinations params; a second run is all unchanged', async () => {
    emu.src.quay.seed.org('expl', { owner: 'admin' });
    const image = await emu.src.quay.seed.pushImage('expl/app', ['v1'], { layers: ['app v1'] });
    const credentials = workspace({ src: emu.src.token, dst: emu.dst.token });
    const config = workspace({
      'quay-tasks.yaml': `quay:\n  src: {url: ${emu.src.quay.url}, token: {file: ${credentials}/src}}\n  dst: {url: ${emu.dst.quay.url}, token: {file: ${credentials}/dst}}\nmirror-repos:\n  repositories: [expl/app]\n`,
    });
    const binding: Binding = {
      params: { source: 'src', destinations: ['--destination=dst'], 'extra-args': ['--concurrency=2'] },
      workspaces: { config, 'quay-credentials': credentials },
    };
    const task = taskFile('mirror-repos');
    const first = await runStep(task, binding);
    assert.deepEqual(
      { copied: first.copied, unchanged: first.unchanged, ok: first.ok },
      { copied: '1', unchanged: '0', ok: 'true' },
    );
    assert.deepEqual(quayTags(emu.dst.quay, 'expl/app'), { v1: image.digest });
    const second = await runStep(task, binding);
    assert.deepEqual(
      { copied: second.copied, unchanged: second.unchanged, changed: second.changed },
      { copied: '0', unchanged: '1', changed: '0' },
    );
    assert.equal(second['cluster-resources'], '', 'workspace unbound: no cluster resources');
    // Bound, the cluster-resources workspace receives the IDMS/ITMS; the result names the files in it.
    const out = workspace();
    const bound = await runStep(task, {
      ...binding,
      workspaces: { ...binding.workspaces, 'cluster-resources': out },
    });
    const files = [join(out, 'idms-quay-tasks-mirror.yaml'), join(out, 'itms-quay-tasks-mirror.yaml')];
    assert.equal(bound['cluster-resources'], files.join(','));
    const host = new URL(emu.src.quay.url).host;
    assert.ok(readFileSync(files[0] ?? '', 'utf8').includes(`- source: ${host}/expl/app\n`));
  });

  test('quay-apply-ordered: a cluster section (kubeconfig unbound), then the kubeconfig workspace', async () => {
    const manifests = workspace();
    mkdirSync(join(manifests, 'install'));
    writeFile(
      join(manifests, 'install'),
      '001-config.yaml',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: apps}\ndata: {a: "1"}\n',
    );
    const env = { KUBE_TOKEN: emu.kube.token, KUBECACHEDIR: emu.kube.env.KUBECACHEDIR ?? '' };
    const task = taskFile('apply-ordered');
    const params = { cli: 'kubectl', 'manifests-dir': 'install' };
    const first = await runStep(task, {
      params,
      workspaces: {
        config: workspace({
          'quay-tasks.yaml': `cluster: {server: ${emu.kube.url}, token: {env: KUBE_TOKEN}, caBundle: ${emu.kube.caPath}}\n`,
        }),
        manifests,
      },
      env,
    });
    assert.deepEqual(
      { ok: first.ok, applied: first.applied, changed: first.changed },
      { ok: 'true', applied: '1', changed: '1' },
    );
    assert.ok(emu.kube.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'apps', name: 'settings' }));
    const kubeconfig = workspace();
    copyFileSync(emu.kube.kubeconfigPath, join(kubeconfig, 'kubeconfig'));
    const second = await runStep(task, {
      params: { ...params, plan: 'false', 'force-conflicts': 'true', 'approve-install-plans': 'false' },
      workspaces: { config: workspace({ 'quay-tasks.yaml': 'apply-ordered: {}\n' }), manifests, kubeconfig },
      env: { KUBECACHEDIR: env.KUBECACHEDIR },
    });
    assert.deepEqual(
      { ok: second.ok, applied: second.applied, changed: second.changed },
      { ok: 'true', applied: '1', changed: '0' },
    );
  });
});
