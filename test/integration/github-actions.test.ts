/**
 * Every action of actions/ checked against the CLI — a Docker action running the Tekton Tasks' image with
 * `args: [<task>]`, every input a flag the CLI reads from INPUT_<NAME>, every output a result the task
 * writes — and its step run as the runner runs a Docker action (INPUT_ for every input, defaults
 * included, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, the workspace as working folder) against the
 * built dispatcher and the emulators: exit 0, the declared outputs written (all but those of another mode,
 * e.g. mirror-repos' plan-shards), a step summary, and the secrets only where GitHub masks them. Plus the
 * example workflow of examples/github/ and the YAML examples of actions/README.md, checked against the actions.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { load, loadAll } from 'js-yaml';
import type { FlagValues } from '../../src/cli/flags.js';
import { parseArgs } from '../../src/cli/parse-args.js';
import { packageVersion } from '../../src/version.js';
import {
  ACTION_NAMES,
  ACTIONS_DIR,
  type ActionMetadata,
  actionProblems,
  assertStep,
  checkout,
  inputEnv,
  loadAction,
  parseOutputFile,
  runAction,
  type TaskInterface,
  taskInterface,
} from '../support/github-actions.js';
import { quayTags } from '../support/mirror-fixture.js';
import { REPO_ROOT } from '../support/paths.js';
import { useTaskEmulators } from '../support/task-emulators.js';
import { taskFile } from '../support/tekton.js';

const TASK_NAMES = [
  'apply-ordered',
  'create-robots',
  'mirror-repos',
  'proxycache',
  'quay-config',
  'quay-init',
];
/** The image the Tekton Tasks default to: the actions run the same one. */
const tektonImage = (task: string) =>
  String(taskFile(task).spec.params?.find((p) => p.name === 'image')?.default);

describe('actions/: static conventions', () => {
  const cli = new Map<string, TaskInterface>();
  before(async () => {
    for (const task of TASK_NAMES) cli.set(task, await taskInterface(task));
  });

  test('one action per task, each in actions/<task>/action.yml', () => {
    assert.deepEqual(ACTION_NAMES, TASK_NAMES);
    for (const name of ACTION_NAMES) assert.ok(!existsSync(join(REPO_ROOT, 'actions', name, 'action.yaml')));
  });

  for (const task of TASK_NAMES) {
    test(`actions/${task}: docker action on the Tekton image, args [${task}], inputs are flags, outputs are results`, () => {
      const action = loadAction(task);
      assert.match(tektonImage(task), /^quay\.io\/quay-tasks\/quay-tasks:\d/);
      assert.deepEqual(actionProblems(task, action, cli.get(task)!, tektonImage(task)), []);
      // What the runner sets when the step gives no input at all is valid for the CLI.
      assert.doesNotThrow(() =>
        parseArgs([], cli.get(task)!.flags, { GITHUB_ACTIONS: 'true', ...inputEnv(action) }),
      );
    });
  }

  test('the check finds an input that is no flag, an original-tool flag or an alias, a bad default, a foreign output', () => {
    const good = loadAction('mirror-repos');
    const bad: ActionMetadata = structuredClone(good);
    bad.inputs = {
      ...bad.inputs,
      destinations: { description: 'plural, as in the config' },
      'skip-broken-images': { description: 'an original-tool flag', default: 'false' },
      'config-file': { description: 'an alias' },
      'dry-run': { description: 'bad default', default: 'no' },
      'log-level': { description: 'bad choice', default: 'verbose' },
    };
    bad.outputs = { ...bad.outputs, mirrored: { description: 'no such result' } };
    delete bad.outputs.unchanged;
    bad.runs = { using: 'docker', image: 'docker://quay.io/quay-tasks/quay-tasks:latest', args: ['mirror'] };
    const problems = actionProblems(
      'mirror-repos',
      bad,
      cli.get('mirror-repos')!,
      tektonImage('mirror-repos'),
    );
    for (const expected of [
      /input destinations is not a flag of mirror-repos \(the CLI would never read INPUT_DESTINATIONS\)/,
      /input skip-broken-images is a flag of the original tool/,
      /input config-file is an alias; .* config$/,
      /input dry-run: default "no" is not "true" or "false"/,
      /input log-level: default "verbose" is not one of error, warn, info, debug/,
      /output mirrored is not a result mirror-repos writes/,
      /the result unchanged is not declared as an output/,
      /runs\.image is docker:\/\/quay\.io\/quay-tasks\/quay-tasks:latest, not docker:\/\/quay\.io\/quay-tasks\/quay-tasks:0/,
      /runs\.args is \["mirror"\], not \["mirror-repos"\]/,
    ])
      assert.ok(
        problems.some((p) => expected.test(p)),
        `${expected} among:\n${problems.join('\n')}`,
      );
    assert.equal(problems.length, 9, problems.join('\n'));
  });

  test('GITHUB_OUTPUT is read as the runner reads it', () => {
    assert.deepEqual(
      parseOutputFile('ok=true\n\nsummary=a=b\nlong<<EOF_1\nline 1\n\nline 3\nEOF_1\nok=false\n'),
      {
        ok: 'false',
        summary: 'a=b',
        long: 'line 1\n\nline 3',
      },
    );
    assert.throws(() => parseOutputFile('long<<EOF\nno end\n'), /no closing EOF/);
    assert.throws(() => parseOutputFile('no separator\n'), /invalid line/);
  });

  interface Step {
    id?: string;
    uses?: string;
    with?: Record<string, unknown>;
    env?: Record<string, string>;
  }
  /** Every mapping with a `uses:` in a parsed document (workflow, job or a bare list of steps). */
  function stepsOf(node: unknown): Step[] {
    if (Array.isArray(node)) return node.flatMap(stepsOf);
    if (!node || typeof node !== 'object') return [];
    const here = typeof (node as Step).uses === 'string' ? [node as Step] : [];
    return [...here, ...Object.values(node).flatMap(stepsOf)];
  }
  /**
   * Checks the steps of `text` that use an action of actions/ (`./actions/<task>` or the released
   * `quay-tasks/quay-tasks/actions/<task>@v<version>`): only its inputs, literal values valid for the CLI,
   * env values from secrets or step outputs, and every `steps.<id>.outputs.<name>` one of its outputs.
   * Returns the steps by id.
   */
  function checkWorkflowText(where: string, text: string): Map<string, { task: string; flags: FlagValues }> {
    const used = new Map<string, { task: string; flags: FlagValues }>();
    for (const step of stepsOf(loadAll(text))) {
      const m = /^(?:\.\/actions\/|quay-tasks\/quay-tasks\/actions\/)([a-z-]+)(@v(.+))?$/.exec(
        step.uses ?? '',
      );
      if (!m?.[1]) continue;
      if (m[2]) assert.equal(m[3], packageVersion(), `${where}: ${step.uses} is not this release`);
      const task = m[1];
      assert.ok(ACTION_NAMES.includes(task), `${where}: ${step.uses}: no such action`);
      const action = loadAction(task);
      const given: Record<string, string> = {};
      for (const [name, value] of Object.entries(step.with ?? {})) {
        assert.ok(
          name in (action.inputs ?? {}),
          `${where}: with: ${name} is not an input of actions/${task}`,
        );
        // Expressions are the runner's to evaluate; every literal must be valid for the CLI.
        if (!String(value).includes('${{')) given[name] = String(value);
      }
      const { flags } = parseArgs([], cli.get(task)!.flags, {
        GITHUB_ACTIONS: 'true',
        ...inputEnv(action, given),
      });
      // Secrets reach the container through env, from the repository's secrets (or an earlier step's output).
      for (const [name, value] of Object.entries(step.env ?? {}))
        assert.match(
          value,
          /^\$\{\{ (secrets\.[A-Z_]+|steps\.[\w-]+\.outputs\.[\w-]+) \}\}$/,
          `${where}: env ${name}`,
        );
      if (step.id) used.set(step.id, { task, flags });
    }
    for (const [whole, id = '', output = ''] of text.matchAll(/steps\.([\w-]+)\.outputs\.([\w-]+)/g)) {
      const task = used.get(id)?.task;
      assert.ok(task, `${where}: ${whole}: no step with id ${id} uses an action of actions/`);
      assert.ok(
        output in (loadAction(task).outputs ?? {}),
        `${where}: ${whole}: not an output of actions/${task}`,
      );
    }
    return used;
  }

  test('examples/github/mirror-workflow.yaml: schedule and dispatch, mirror-repos with inputs and secrets, its outputs used', () => {
    const text = readFileSync(join(REPO_ROOT, 'examples', 'github', 'mirror-workflow.yaml'), 'utf8');
    const workflow = load(text) as { on: Record<string, unknown> };
    assert.ok(workflow.on.schedule && 'workflow_dispatch' in workflow.on);
    const used = checkWorkflowText('mirror-workflow.yaml', text);
    assert.deepEqual(
      [...used.values()].map((u) => [u.task, u.flags.source, u.flags.destination]),
      [['mirror-repos', 'hub', ['site-a']]],
    );
    assert.ok(/steps\.mirror\.outputs\./.test(text), 'a later step uses the outputs');
  });

  test('actions/README.md: the YAML examples give each action only its inputs and read only its outputs', () => {
    const text = readFileSync(join(ACTIONS_DIR, 'README.md'), 'utf8');
    const blocks = [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].map((b) => b[1] ?? '');
    const used = blocks.flatMap((block, i) => [
      ...checkWorkflowText(`README block ${i + 1}`, block).values(),
    ]);
    assert.deepEqual(
      new Set(used.map((u) => u.task)),
      new Set(['create-robots', 'quay-init', 'mirror-repos']),
    );
  });
});

describe('actions/: each step run as the runner runs a Docker action', () => {
  const emu = useTaskEmulators();

  const quaySection = () => `quay:\n  primary: {url: ${emu.fx.quay.url}, token: {env: QUAY_TOKEN}}\n`;
  const mirrorConfig = (section: string) =>
    `quay:\n  src: {url: ${emu.src.quay.url}, token: {env: SRC_TOKEN}}\n  dst: {url: ${emu.dst.quay.url}, token: {env: DST_TOKEN}}\nmirror-repos:\n  ${section}\n`;
  const mirrorSecrets = () => ({ SRC_TOKEN: emu.src.token, DST_TOKEN: emu.dst.token });

  test('proxycache: two config files (one per line), instance, defaults for the rest', async () => {
    const workspace = checkout({
      '.github/quay/base.yaml': quaySection(),
      '.github/quay/proxycache.yaml': `proxycache:\n  caches:\n    - {organization: cache-a, upstreamRegistry: "${emu.src.quay.host}", insecure: true, expirationSeconds: 3600}\n`,
    });
    const run = await runAction('proxycache', {
      with: { config: '.github/quay/base.yaml\n.github/quay/proxycache.yaml\n', instance: 'primary' },
      env: { QUAY_TOKEN: emu.fx.adminToken },
      workspace,
    });
    assertStep('proxycache', run, { secrets: [emu.fx.adminToken] });
    assert.deepEqual(run.outputs, { ok: 'true', changed: '2', failed: '0', summary: '2 created' });
    assert.ok(emu.fx.quay.state.orgs.get('cache-a')?.proxyCache);
  });

  test('create-robots: the robots output, an auth.json in the workspace, log-level debug keeps secrets masked', async () => {
    const workspace = checkout({
      'quay-tasks.yaml': `${quaySection()}create-robots:\n  robots:\n    - {name: puller, organization: team-alpha, permissions: [{repository: web, role: read}], authFile: out/auth.json}\n`,
    });
    const run = await runAction('create-robots', {
      with: { config: 'quay-tasks.yaml', 'log-level': 'debug' },
      env: { QUAY_TOKEN: emu.fx.adminToken },
      workspace,
    });
    assertStep('create-robots', run, { secrets: [emu.fx.adminToken] });
    // Debug lines are ::debug:: commands, which GitHub shows only with step debug logging enabled.
    assert.match(run.stderr, /^::debug::config: \{/m, 'log-level debug reached the CLI');
    assert.deepEqual(
      { robots: run.outputs.robots, changed: run.outputs.changed },
      { robots: 'team-alpha+puller', changed: '2' },
    );
    const auth = readFileSync(join(workspace, 'out', 'auth.json'), 'utf8');
    assert.match(auth, /"auths"/);
  });

  test('quay-init: steps from a multi-line only, the initial-user-token output masked, then used by a later step', async () => {
    // Before the first user there is no token: the first config names none (a missing secret would be an
    // empty variable, which the CLI rejects); the second adds it for the later steps (files merge key by key).
    const workspace = checkout({
      'quay-tasks.yaml': `quay:\n  primary: {url: ${emu.fresh.url}}\nquay-init:\n  initialUser: {username: quayadmin, password: {env: QUAY_ADMIN_PASSWORD}, email: a@example.com}\n  organizations: [{name: team-beta}]\ncreate-robots:\n  robots: [{name: deployer, organization: team-beta}]\n`,
      'with-token.yaml': 'quay:\n  primary: {token: {env: QUAY_TOKEN}}\n',
    });
    const password = 'correct-horse-battery-staple';
    const init = await runAction('quay-init', {
      with: { config: 'quay-tasks.yaml', only: 'initialize-user\norganizations\n' },
      env: { QUAY_ADMIN_PASSWORD: password },
      workspace,
    });
    const token = init.outputs['initial-user-token'] ?? '';
    assert.ok(token.length >= 8, `a token: ${init.stderr}`);
    assertStep('quay-init', init, { secrets: [password, token], secretOutputs: ['initial-user-token'] });
    assert.equal(init.outputs.changed, '2', 'the user and the organization');
    assert.ok(emu.fresh.state.orgs.get('team-beta'));
    // The next step of the same job: env: {QUAY_TOKEN: ${{ steps.init.outputs.initial-user-token }}}.
    const robots = await runAction('create-robots', {
      with: { config: 'quay-tasks.yaml\nwith-token.yaml' },
      env: { QUAY_TOKEN: token },
      workspace,
    });
    assertStep('create-robots', robots, { secrets: [token] });
    assert.equal(robots.outputs.robots, 'team-beta+deployer');
  });

  test('mirror-repos: source, destination one per line, concurrency, keep-going', async () => {
    emu.src.quay.seed.org('expl', { owner: 'admin' });
    const image = await emu.src.quay.seed.pushImage('expl/app', ['v1'], { layers: ['app v1'] });
    const workspace = checkout({ 'mirror.yaml': mirrorConfig('repositories: [expl/app]') });
    const run = await runAction('mirror-repos', {
      with: {
        config: 'mirror.yaml',
        source: 'src',
        destination: 'dst\n',
        concurrency: '2',
        'keep-going': 'true',
      },
      env: mirrorSecrets(),
      workspace,
    });
    assertStep('mirror-repos', run, {
      secrets: [emu.src.token, emu.dst.token],
      notWritten: ['shards', 'repositories'],
    });
    assert.deepEqual(
      { copied: run.outputs.copied, unchanged: run.outputs.unchanged, failed: run.outputs.failed },
      { copied: '1', unchanged: '0', failed: '0' },
    );
    assert.deepEqual(quayTags(emu.dst.quay, 'expl/app'), { v1: image.digest });
    assert.equal((JSON.parse(run.outputs['shard-report'] ?? '{}') as { copied?: number }).copied, 1);
  });

  test('mirror-repos as a matrix: plan-shards, then one job per shard of the shards output', async () => {
    emu.src.quay.seed.org('fleet', { owner: 'admin' });
    for (const name of ['api', 'web', 'db'])
      await emu.src.quay.seed.pushImage(`fleet/${name}`, ['v1'], { layers: [name] });
    const workspace = checkout({
      'mirror.yaml': mirrorConfig(
        'source: src\n  destinations: [dst]\n  repositories: [fleet/api, fleet/web, fleet/db]',
      ),
    });
    const plan = await runAction('mirror-repos', {
      with: { config: 'mirror.yaml', 'plan-shards': '2' },
      env: mirrorSecrets(),
      workspace,
    });
    assertStep('mirror-repos', plan, {
      secrets: [emu.src.token, emu.dst.token],
      notWritten: ['copied', 'unchanged', 'shard-report', 'cluster-resources'],
    });
    assert.equal(plan.outputs.repositories, '3');
    // strategy.matrix.shard: ${{ fromJSON(needs.plan.outputs.shards) }}
    const shards = JSON.parse(plan.outputs.shards ?? '') as string[];
    assert.ok(shards.length >= 1 && shards.length <= 2, plan.outputs.shards);
    let copied = 0;
    for (const shard of shards) {
      const job = await runAction('mirror-repos', {
        with: { config: 'mirror.yaml', shard },
        env: mirrorSecrets(),
        workspace,
      });
      assertStep('mirror-repos', job, {
        secrets: [emu.src.token, emu.dst.token],
        notWritten: ['shards', 'repositories'],
      });
      copied += Number(job.outputs.copied);
    }
    assert.equal(copied, 3, 'the shards together copy every repository once');
  });

  test('apply-ordered: the manifest folder input, relative to the workspace, through kubectl', async () => {
    const workspace = checkout({
      'cluster.yaml': `cluster: {server: ${emu.kube.url}, token: {env: KUBE_TOKEN}, caBundle: ${emu.kube.caPath}}\napply-ordered:\n  directory: not-this-one\n`,
      'install/001-config.yaml':
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: apps}\ndata: {a: "1"}\n',
    });
    const run = await runAction('apply-ordered', {
      with: { config: 'cluster.yaml', directory: 'install', cli: 'kubectl' },
      env: { KUBE_TOKEN: emu.kube.token, KUBECACHEDIR: emu.kube.env.KUBECACHEDIR ?? '' },
      workspace,
    });
    assertStep('apply-ordered', run, { secrets: [emu.kube.token] });
    assert.deepEqual(
      { ok: run.outputs.ok, applied: run.outputs.applied, changed: run.outputs.changed },
      { ok: 'true', applied: '1', changed: '1' },
    );
    assert.ok(emu.kube.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'apps', name: 'settings' }));
  });

  test('an invalid input value exits 2 naming the input, before anything is contacted', async () => {
    const workspace = checkout({
      'quay-tasks.yaml': `${quaySection()}proxycache:\n  caches: [{organization: cache-z, upstreamRegistry: "${emu.src.quay.host}"}]\n`,
    });
    const requests = emu.fx.quay.requests.length;
    for (const [input, value, message] of [
      ['dry-run', 'maybe', /usage error: input dry-run: "maybe" is not true or false/],
      ['log-level', 'loud', /usage error: input log-level: "loud" is not one of error, warn, info, debug/],
    ] as const) {
      const run = await runAction('proxycache', {
        with: { config: 'quay-tasks.yaml', [input]: value },
        env: { QUAY_TOKEN: emu.fx.adminToken },
        workspace,
      });
      assert.equal(run.exitCode, 2, run.stderr);
      assert.match(run.stderr, message);
    }
    assert.equal(emu.fx.quay.requests.length, requests, 'nothing was contacted');
    assert.equal(emu.fx.quay.state.orgs.get('cache-z'), undefined);
  });
});
