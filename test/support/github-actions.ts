/**
 * GitHub Actions as far as the tests need it: the `action.yml` files of actions/ loaded, checked against
 * the CLI (every input a flag the CLI reads from INPUT_<NAME>, every output a result it writes), and a
 * step run as the runner runs a Docker container action — INPUT_<NAME> for every declared input (the
 * `with:` value, else the default, else empty), GITHUB_ACTIONS=true, fresh GITHUB_OUTPUT and
 * GITHUB_STEP_SUMMARY files, the workspace as working folder — against the built `quay-tasks` dispatcher,
 * which is the image's ENTRYPOINT.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { load } from 'js-yaml';
import { COMMON_FLAGS, type FlagSpec } from '../../src/cli/flags.js';
import type { TaskDefinition } from '../../src/cli/task.js';
import type { SectionName } from '../../src/config/document.js';
import { REPO_ROOT, taskScript } from './paths.js';
import { KEBAB } from './tekton.js';
import { tempDir } from './temp.js';

export interface ActionInput {
  description?: string;
  required?: boolean;
  default?: string;
  deprecationMessage?: string;
}
export interface ActionMetadata {
  name?: string;
  description?: string;
  author?: string;
  inputs?: Record<string, ActionInput>;
  outputs?: Record<string, { description?: string; value?: string }>;
  runs: {
    using: string;
    image?: string;
    args?: string[];
    entrypoint?: string;
    env?: Record<string, string>;
    'pre-entrypoint'?: string;
    'post-entrypoint'?: string;
  };
  branding?: { icon?: string; color?: string };
}

export const ACTIONS_DIR = join(REPO_ROOT, 'actions');
/** The folders of actions/ that hold an action.yml. */
export const ACTION_NAMES = readdirSync(ACTIONS_DIR, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

export function loadAction(name: string): ActionMetadata {
  const action = load(readFileSync(join(ACTIONS_DIR, name, 'action.yml'), 'utf8')) as ActionMetadata;
  assert.ok(action && typeof action === 'object', `actions/${name}/action.yml is empty`);
  return action;
}

/** The runner's name for an input's variable: spaces become `_`, upper-cased, hyphens kept. */
export const inputVariable = (input: string): string => `INPUT_${input.replace(/ /g, '_').toUpperCase()}`;

/**
 * The INPUT_ variables the runner sets for a Docker action: one for every declared input — the `with:`
 * value, else the action's default, else empty. (A `with:` key the action does not declare only draws a
 * runner warning; here it fails, so a test cannot pass an input the action lacks.)
 */
export function inputEnv(action: ActionMetadata, given: Record<string, string> = {}): Record<string, string> {
  const inputs = action.inputs ?? {};
  for (const name of Object.keys(given))
    assert.ok(name in inputs, `with: ${name} is not an input of ${action.name ?? 'the action'}`);
  const env: Record<string, string> = {};
  for (const [name, input] of Object.entries(inputs))
    env[inputVariable(name)] = given[name] ?? input.default ?? '';
  return env;
}

/** What a task declares: its flags (common ones included) and the results it writes. */
export interface TaskInterface {
  flags: readonly FlagSpec[];
  results: readonly string[];
}

/** The task's flags from its definition (dist/tasks/<task>.js) and its results as its --help lists them. */
export async function taskInterface(task: string): Promise<TaskInterface> {
  const { definition } = (await import(`../../tasks/${task}.js`)) as {
    definition: TaskDefinition<SectionName>;
  };
  const help = await execa('node', [taskScript(task), '--help']);
  const results = String(help.stdout)
    .split('Results (Tekton results, GitHub outputs):\n')[1]
    ?.split('\n\n')[0]
    ?.split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter(Boolean);
  assert.ok(results && results.length >= 4, `${task} --help lists its results`);
  return { flags: [...COMMON_FLAGS, ...definition.flags], results };
}

/** Flags that exist but make no sense as a step input: they print and stop, or write Tekton files. */
const NOT_INPUTS = new Set(['help', 'version', 'print-schema', 'results-dir']);

/**
 * What is wrong with an action for `task`, as sentences (empty: nothing). `image` is the Tekton Tasks'
 * default image, which the action must run too.
 */
export function actionProblems(
  task: string,
  action: ActionMetadata,
  cli: TaskInterface,
  image: string,
): string[] {
  const problems: string[] = [];
  const problem = (text: string) => problems.push(`actions/${task}: ${text}`);
  if (!action.name?.trim()) problem('no name');
  if (!action.description?.trim()) problem('no description');
  if (action.runs?.using !== 'docker') problem(`runs.using is ${action.runs?.using}, not docker`);
  if (action.runs?.image !== `docker://${image}`)
    problem(`runs.image is ${action.runs?.image}, not docker://${image} (the Tekton Tasks' image)`);
  if (JSON.stringify(action.runs?.args) !== JSON.stringify([task]))
    problem(`runs.args is ${JSON.stringify(action.runs?.args)}, not ["${task}"]`);
  for (const key of ['entrypoint', 'pre-entrypoint', 'post-entrypoint', 'env'] as const)
    if (action.runs?.[key] !== undefined)
      problem(`runs.${key} is set: the image's ENTRYPOINT is the dispatcher`);

  const flags = new Map(cli.flags.map((f) => [f.name, f]));
  const aliases = new Map(cli.flags.flatMap((f) => (f.aliases ?? []).map((a) => [a, f.name] as const)));
  for (const [name, input] of Object.entries(action.inputs ?? {})) {
    if (!KEBAB.test(name)) problem(`input ${name} is not kebab-case`);
    if (!input?.description?.trim()) problem(`input ${name} has no description`);
    if (input?.required === true) problem(`input ${name}: required: true (the runner does not enforce it)`);
    const flag = flags.get(name);
    if (!flag) {
      const alias = aliases.get(name);
      problem(
        alias
          ? `input ${name} is an alias; the CLI reads INPUT_ only for the flag's name, ${alias}`
          : `input ${name} is not a flag of ${task} (the CLI would never read ${inputVariable(name)})`,
      );
      continue;
    }
    if (flag.original)
      problem(
        `input ${name} is a flag of the original tool, which the CLI does not read from ${inputVariable(name)}`,
      );
    if (NOT_INPUTS.has(name)) problem(`input ${name} makes no sense for a step`);
    const value = input.default;
    if (value !== undefined) {
      if (typeof value !== 'string') problem(`input ${name}: default ${String(value)} is not a string`);
      else if (flag.type === 'boolean' && value !== 'true' && value !== 'false')
        problem(`input ${name}: default "${value}" is not "true" or "false"`);
      else if (flag.choices && !flag.choices.includes(value))
        problem(`input ${name}: default "${value}" is not one of ${flag.choices.join(', ')}`);
    }
  }

  const declared = Object.keys(action.outputs ?? {});
  for (const name of declared) {
    if (!KEBAB.test(name)) problem(`output ${name} is not kebab-case`);
    if (!cli.results.includes(name)) problem(`output ${name} is not a result ${task} writes`);
    if (!action.outputs?.[name]?.description?.trim()) problem(`output ${name} has no description`);
    if (action.outputs?.[name]?.value !== undefined)
      problem(`output ${name}: value is for composite actions`);
  }
  for (const name of cli.results)
    if (!declared.includes(name)) problem(`the result ${name} is not declared as an output`);
  return problems;
}

/**
 * Reads a $GITHUB_OUTPUT file as the runner does (FileCommandManager): `name=value` lines, and
 * `name<<DELIMITER` … `DELIMITER` for multi-line values; empty lines skipped; a later value wins.
 * A malformed file fails, as the runner fails the step.
 */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line === '') continue;
    const equals = line.indexOf('=');
    const heredoc = line.indexOf('<<');
    if (equals >= 0 && (heredoc < 0 || equals < heredoc)) {
      const name = line.slice(0, equals);
      assert.ok(name, `GITHUB_OUTPUT: invalid line ${JSON.stringify(line)}`);
      out[name] = line.slice(equals + 1);
    } else if (heredoc >= 0) {
      const name = line.slice(0, heredoc);
      const delimiter = line.slice(heredoc + 2);
      assert.ok(name && delimiter, `GITHUB_OUTPUT: invalid line ${JSON.stringify(line)}`);
      const end = lines.indexOf(delimiter, i + 1);
      assert.ok(end > i, `GITHUB_OUTPUT: no closing ${delimiter} for ${name}`);
      out[name] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else assert.fail(`GITHUB_OUTPUT: invalid line ${JSON.stringify(line)}`);
  }
  return out;
}

/** One runner's folders, like /github/workspace, /github/home and /github/file_commands. */
const RUNNER_ROOT = tempDir('github-actions-test-');
let steps = 0;

/** A fresh workspace (what `actions/checkout` leaves in /github/workspace) holding `files`. */
export function checkout(files: Record<string, string> = {}): string {
  const dir = join(RUNNER_ROOT, `workspace-${++steps}`);
  for (const [path, content] of Object.entries(files)) {
    const file = join(dir, path);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, content);
  }
  mkdirSync(dir, { recursive: true });
  return dir;
}

export interface ActionStep {
  /** `with:` of the step. */
  with?: Record<string, string>;
  /** `env:` of the step (secrets given as `${{ secrets.X }}` land here). */
  env?: Record<string, string>;
  /** The workspace (from `checkout`): the container's working folder. */
  workspace: string;
}
export interface ActionRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** $GITHUB_OUTPUT as the runner reads it. */
  outputs: Record<string, string>;
  /** $GITHUB_STEP_SUMMARY as written. */
  summary: string;
}

/** Runs the action's step: the dispatcher with `runs.args`, the environment the runner gives a Docker action. */
export async function runAction(name: string, step: ActionStep): Promise<ActionRun> {
  const action = loadAction(name);
  const args = action.runs.args ?? [];
  for (const arg of args) assert.ok(!arg.includes('${{'), `runs.args: expressions are not emulated (${arg})`);
  const id = ++steps;
  const home = join(RUNNER_ROOT, `home-${id}`);
  const commands = join(RUNNER_ROOT, `file_commands-${id}`);
  mkdirSync(home, { recursive: true });
  mkdirSync(commands, { recursive: true });
  // The runner creates each file-command file empty before the step.
  const file = (kind: string) => {
    const path = join(commands, `${kind}_${id}`);
    writeFileSync(path, '');
    return path;
  };
  const outputFile = file('set_output');
  const summaryFile = file('step_summary');
  const result = await execa('node', [taskScript('quay-tasks'), ...args], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      ...step.env,
      ...action.runs.env,
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      HOME: home,
      GITHUB_WORKSPACE: step.workspace,
      RUNNER_TEMP: join(RUNNER_ROOT, 'temp'),
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      GITHUB_ENV: file('set_env'),
      GITHUB_PATH: file('add_path'),
      GITHUB_STATE: file('save_state'),
      ...inputEnv(action, step.with),
    },
    extendEnv: false,
    cwd: step.workspace,
    reject: false,
    input: '',
    timeout: 30_000,
  });
  return {
    exitCode: result.exitCode ?? -1,
    stdout: String(result.stdout),
    stderr: String(result.stderr),
    outputs: parseOutputFile(readFileSync(outputFile, 'utf8')),
    summary: readFileSync(summaryFile, 'utf8'),
  };
}

export interface StepExpectations {
  /** Secret values: in stdout/stderr only on `::add-mask::` lines (one of which must be there), never in the summary. */
  secrets: readonly string[];
  /** Outputs that may hold a secret (the user asked for it as an output); no other output may. */
  secretOutputs?: readonly string[];
  /** Declared outputs this mode of the task does not write (e.g. mirror-repos' shards without plan-shards). */
  notWritten?: readonly string[];
}

/**
 * The checks every successful step must pass: exit 0, the declared outputs written (but `notWritten`) and
 * no other, a step summary, and every secret only where GitHub masks it.
 */
export function assertStep(name: string, run: ActionRun, expect: StepExpectations): void {
  assert.equal(run.exitCode, 0, `${name}: exit ${run.exitCode}\n${run.stderr}`);
  const declared = Object.keys(loadAction(name).outputs ?? {});
  for (const output of expect.notWritten ?? []) assert.ok(declared.includes(output), `${output} is declared`);
  assert.deepEqual(
    Object.keys(run.outputs).sort(),
    declared.filter((o) => !expect.notWritten?.includes(o)).sort(),
    `${name}: the outputs written are the outputs declared`,
  );
  assert.match(run.summary, new RegExp(`^### ✅ ${name}`), `${name}: step summary`);
  const lines = `${run.stdout}\n${run.stderr}`.split('\n');
  for (const secret of expect.secrets) {
    assert.ok(secret.length >= 8, 'a test secret long enough to find');
    for (const line of lines)
      if (line.includes(secret))
        assert.ok(line.startsWith('::add-mask::'), `${name}: secret in the log: ${line}`);
    assert.ok(lines.includes(`::add-mask::${secret}`), `${name}: the runner is told to mask a secret`);
    assert.ok(!run.summary.includes(secret), `${name}: secret in the step summary`);
    for (const [output, value] of Object.entries(run.outputs))
      if (!expect.secretOutputs?.includes(output))
        assert.ok(!value.includes(secret), `${name}: secret in output ${output}`);
  }
}
