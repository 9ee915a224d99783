/**
 * Tekton as far as the tests need it: the YAML of tekton/ loaded by kind, and a Task step resolved as
 * Tekton resolves it — params (defaults or bound values), workspace paths and `bound`, result paths, and
 * Tekton's fixed /tekton/results and /tekton/home — then run against the built `quay-tasks` dispatcher.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { loadAll } from 'js-yaml';
import { REPO_ROOT, taskScript } from './paths.js';
import { tempDir, writeFile } from './temp.js';

export interface Param {
  name: string;
  type?: 'string' | 'array';
  default?: string | string[];
}
export interface EnvVar {
  name: string;
  value?: string;
}
export interface Step {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  script?: string;
  env?: EnvVar[];
  securityContext?: Record<string, unknown>;
}
export interface TektonTask {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: {
    description?: string;
    params?: Param[];
    workspaces?: { name: string; optional?: boolean; readOnly?: boolean }[];
    results?: { name: string }[];
    stepTemplate?: { env?: EnvVar[]; securityContext?: Record<string, unknown> };
    steps: Step[];
  };
}

export const TEKTON_DIR = join(REPO_ROOT, 'tekton');
export const FILES = readdirSync(TEKTON_DIR)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

export interface TektonResource {
  apiVersion: string;
  kind: string;
  metadata: { name?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  // biome-ignore lint/suspicious/noExplicitAny: each kind has its own spec; tests narrow it by kind.
  spec?: any;
}
/** Every file of tekton/ → its one resource (a file with more than one document fails here). */
export const RESOURCES = new Map(
  FILES.map((f) => {
    const docs = loadAll(readFileSync(join(TEKTON_DIR, f), 'utf8')).filter((d) => d != null);
    assert.equal(docs.length, 1, `tekton/${f}: one resource per file`);
    return [f, docs[0] as TektonResource] as const;
  }),
);
/** The Tasks, by file name. */
export const TASKS = new Map(
  [...RESOURCES]
    .filter(([, r]) => r.kind === 'Task')
    .map(([f, r]) => [f, r as unknown as TektonTask] as const),
);
export const taskFile = (name: string): TektonTask => {
  const task = TASKS.get(`task-${name}.yaml`);
  assert.ok(task, `tekton/task-${name}.yaml is missing`);
  return task;
};
/** One temporary root for every workspace, results and home folder (tempDir removes it at exit). */
export const ROOT = tempDir('tekton-tasks-test-');
export const freshDir = (prefix: string): string => mkdtempSync(join(ROOT, prefix));
export const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

export interface Binding {
  params?: Record<string, string | string[]>;
  /** Bound workspaces: name → folder. Unbound optional ones resolve to "" / "false" as in Tekton. */
  workspaces: Record<string, string>;
  env?: Record<string, string>;
}
export interface Resolved {
  argv: string[];
  env: Record<string, string>;
  results: string;
}

/** Substitutes one string; an unknown reference is an error, as it is for Tekton's validation. */
export function substitute(
  task: TektonTask,
  value: string,
  b: Binding,
  results: string,
  home: string,
): string {
  const out = value.replace(/\$\(([^)]+)\)/g, (whole, ref: string) => {
    let m = /^params\.([\w.-]+)$/.exec(ref);
    if (m) {
      const name = m[1] ?? '';
      const p = task.spec.params?.find((x) => x.name === name);
      assert.ok(p, `${task.metadata.name}: undeclared param in ${whole}`);
      const v = b.params?.[name] ?? p.default;
      assert.equal(typeof v, 'string', `${task.metadata.name}: ${whole} needs a string value`);
      return v as string;
    }
    m = /^workspaces\.([\w-]+)\.(path|bound)$/.exec(ref);
    if (m) {
      const ws = task.spec.workspaces?.find((w) => w.name === m?.[1]);
      assert.ok(ws, `${task.metadata.name}: undeclared workspace in ${whole}`);
      const dir = b.workspaces[ws.name];
      assert.ok(
        dir !== undefined || ws.optional,
        `${task.metadata.name}: workspace ${ws.name} must be bound`,
      );
      return m[2] === 'bound' ? String(dir !== undefined) : (dir ?? '');
    }
    m = /^results\.([\w-]+)\.path$/.exec(ref);
    if (m) {
      assert.ok(
        task.spec.results?.some((r) => r.name === m?.[1]),
        `undeclared result in ${whole}`,
      );
      return join(results, m[1] ?? '');
    }
    assert.fail(`${task.metadata.name}: unknown reference ${whole}`);
  });
  // Tekton's own mounts.
  return out
    .replace(/(?<=^|=)\/tekton\/results(?=\/|$)/, results)
    .replace(/(?<=^|=)\/tekton\/home(?=\/|$)/, home);
}

export function resolve(task: TektonTask, b: Binding): Resolved {
  for (const name of Object.keys(b.params ?? {}))
    assert.ok(
      task.spec.params?.some((p) => p.name === name),
      `test sets unknown param ${name}`,
    );
  for (const name of Object.keys(b.workspaces))
    assert.ok(
      task.spec.workspaces?.some((w) => w.name === name),
      `test binds unknown workspace ${name}`,
    );
  const results = freshDir('results-');
  const home = freshDir('home-');
  const [step, ...more] = task.spec.steps;
  assert.ok(step && more.length === 0, 'one step per Task');
  assert.equal(step.script, undefined);
  const argv: string[] = [];
  for (const arg of [...(step.command ?? []), ...(step.args ?? [])]) {
    const array = /^\$\(params\.([\w-]+)\[\*\]\)$/.exec(arg);
    if (array) {
      const p = task.spec.params?.find((x) => x.name === array[1]);
      assert.ok(p?.type === 'array', `${arg} names an array param`);
      const v = b.params?.[p.name] ?? p.default ?? [];
      assert.ok(Array.isArray(v));
      argv.push(...v);
    } else argv.push(substitute(task, arg, b, results, home));
  }
  const env: Record<string, string> = {};
  for (const e of [...(task.spec.stepTemplate?.env ?? []), ...(step.env ?? [])])
    env[e.name] = substitute(task, e.value ?? '', b, results, home);
  return { argv, env, results };
}

/** Runs the resolved step: `quay-tasks` is the built dispatcher. */
export async function runStep(
  task: TektonTask,
  b: Binding,
  expectedExitCode = 0,
): Promise<Record<string, string>> {
  const r = resolve(task, b);
  const [command, ...args] = r.argv;
  assert.equal(command, 'quay-tasks');
  const result = await execa('node', [taskScript('quay-tasks'), ...args], {
    env: { PATH: process.env.PATH ?? '', ...r.env, ...b.env },
    extendEnv: false,
    reject: false,
    input: '',
    timeout: 30_000,
  });
  assert.equal(result.exitCode, expectedExitCode, `${args.join(' ')}\n${String(result.stderr)}`);
  const written: Record<string, string> = {};
  for (const { name } of task.spec.results ?? []) {
    const file = join(r.results, name);
    assert.ok(existsSync(file), `${task.metadata.name}: result ${name} was not written`);
    written[name] = readFileSync(file, 'utf8');
  }
  assert.deepEqual(
    readdirSync(r.results).sort(),
    Object.keys(written).sort(),
    'the CLI wrote a result the Task does not declare',
  );
  return written;
}

export function workspace(files: Record<string, string> = {}): string {
  const dir = freshDir('ws-');
  for (const [name, content] of Object.entries(files)) writeFile(dir, name, content);
  return dir;
}

// --- Pipelines ----------------------------------------------------------------------------------------
// A PipelineRun as Tekton runs one, as far as the tests need it: Pipeline params (defaults or bound
// values) → PipelineTask params → Task params, workspaces mapped by name, `when` guards, a `matrix` fanned
// out into one TaskRun per combination (run concurrently), `retries` per TaskRun, the string results of a
// matrixed task aggregated into arrays (leaving out runs that did not write them, TEP-0140), `finally`
// tasks with $(tasks.status) / $(tasks.<t>.status), skipped when a result they reference is missing
// (docs/pipelines.md "Consuming Task execution results in finally"), and the Pipeline's results.
// Everything is checked strictly first: an undeclared param, workspace, task or result is an assertion.

export interface PipelineParamValue {
  name: string;
  value: string | string[];
}
export interface PipelineTask {
  name: string;
  taskRef: { name: string };
  params?: PipelineParamValue[];
  matrix?: { params: PipelineParamValue[] };
  workspaces?: { name: string; workspace: string }[];
  when?: { input: string; operator: 'in' | 'notin'; values: string[] }[];
  runAfter?: string[];
  retries?: number;
}
export interface TektonPipeline {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: {
    description?: string;
    params?: Param[];
    workspaces?: { name: string; optional?: boolean }[];
    tasks: PipelineTask[];
    finally?: PipelineTask[];
    results?: { name: string; value: string; description?: string }[];
  };
}

/** The Pipelines of tekton/, by file name. */
export const TEKTON_PIPELINES = new Map(
  [...RESOURCES]
    .filter(([, r]) => r.kind === 'Pipeline')
    .map(([f, r]) => [f, r as unknown as TektonPipeline] as const),
);
export const pipelineNamed = (name: string): TektonPipeline => {
  const pipeline = TEKTON_PIPELINES.get(`pipeline-${name}.yaml`);
  assert.ok(pipeline, `tekton/pipeline-${name}.yaml is missing`);
  return pipeline;
};

export interface PipelineBinding {
  params?: Record<string, string | string[]>;
  /** Bound workspaces: name → folder. */
  workspaces: Record<string, string>;
  /** Environment of every step (e.g. a kube token); Tekton's own come from the Task. */
  env?: Record<string, string>;
}

export interface TaskRunOutcome {
  /** The Task params of this TaskRun (matrix combination included). */
  params: Record<string, string | string[]>;
  exitCode: number;
  /** How many times it ran (1 + retries used). */
  attempts: number;
  /** The results of the last attempt, as written. */
  results: Record<string, string>;
  stderr: string;
}
export type PipelineTaskStatus = 'Succeeded' | 'Failed' | 'None';
export interface PipelineTaskOutcome {
  status: PipelineTaskStatus;
  /** Why it did not run: `when`, `parent`, `stopping` (an earlier task failed), `missing-results`, `empty-matrix`. */
  skipped?: string;
  runs: TaskRunOutcome[];
  /** String (and array) results; a matrixed task's string results aggregated into arrays. */
  results: Record<string, string | string[]>;
}
export interface PipelineRunOutcome {
  status: 'Succeeded' | 'Completed' | 'Failed';
  tasks: Record<string, PipelineTaskOutcome>;
  finally: Record<string, PipelineTaskOutcome>;
  /** The Pipeline results that could be resolved (a missing one is left out, as Tekton does). */
  results: Record<string, string>;
}

const REFERENCE = /\$\(([^)]+)\)/g;
const WHOLE_ARRAY = /^\$\(([^)]+)\[\*\]\)$/;

function taskOf(pipelineTask: PipelineTask): TektonTask {
  const task = [...TASKS.values()].find((t) => t.metadata.name === pipelineTask.taskRef.name);
  assert.ok(task, `${pipelineTask.name}: no Task named ${pipelineTask.taskRef.name} in tekton/`);
  return task;
}

function allStrings(value: string | string[]): string[] {
  return Array.isArray(value) ? value : [value];
}

/** Checks a Pipeline and a binding as Tekton's validation would, before anything runs. */
export function checkPipeline(pipeline: TektonPipeline, binding?: PipelineBinding): void {
  const name = pipeline.metadata.name;
  const params = pipeline.spec.params ?? [];
  const workspaces = pipeline.spec.workspaces ?? [];
  const tasks = pipeline.spec.tasks;
  const finallyTasks = pipeline.spec.finally ?? [];
  const everyTask = [...tasks, ...finallyTasks];
  assert.equal(
    new Set(everyTask.map((t) => t.name)).size,
    everyTask.length,
    `${name}: task names are unique`,
  );
  if (binding) {
    for (const [param, value] of Object.entries(binding.params ?? {})) {
      const spec = params.find((p) => p.name === param);
      assert.ok(spec, `${name}: the PipelineRun sets unknown param ${param}`);
      assert.equal(Array.isArray(value), spec.type === 'array', `${name}: param ${param} has the wrong type`);
    }
    for (const p of params)
      assert.ok(
        p.default !== undefined || binding.params?.[p.name] !== undefined,
        `${name}: param ${p.name} has no default and no value`,
      );
    for (const ws of Object.keys(binding.workspaces))
      assert.ok(
        workspaces.some((w) => w.name === ws),
        `${name}: the PipelineRun binds unknown workspace ${ws}`,
      );
    for (const ws of workspaces)
      assert.ok(
        ws.optional || binding.workspaces[ws.name] !== undefined,
        `${name}: workspace ${ws.name} must be bound`,
      );
  }
  const checkReference = (ref: string, where: string, context: 'task' | 'finally' | 'result') => {
    const whole = ref.endsWith('[*]');
    const bare = whole ? ref.slice(0, -3) : ref;
    let m = /^params\.([\w-]+)$/.exec(bare);
    if (m) {
      const p = params.find((x) => x.name === m?.[1]);
      assert.ok(p, `${where}: undeclared Pipeline param in $(${ref})`);
      assert.equal(whole, p.type === 'array', `${where}: $(${ref}) does not match the param's type`);
      return;
    }
    m = /^(tasks|finally)\.([\w-]+)\.results\.([\w-]+)$/.exec(bare);
    if (m) {
      const [, section, taskName, result] = m;
      assert.ok(
        section === 'tasks' || context === 'result',
        `${where}: $(${ref}) outside the Pipeline results`,
      );
      const producer = (section === 'tasks' ? tasks : finallyTasks).find((t) => t.name === taskName);
      assert.ok(producer, `${where}: $(${ref}) names no task of ${section}`);
      const declared = taskOf(producer).spec.results?.find((r) => r.name === result) as
        | { name: string; type?: string }
        | undefined;
      assert.ok(declared, `${where}: ${producer.taskRef.name} declares no result ${result}`);
      const array = declared.type === 'array' || producer.matrix !== undefined;
      assert.equal(whole, array, `${where}: $(${ref}) does not match the result's type`);
      return;
    }
    if (/^tasks\.status$/.test(ref) || /^tasks\.([\w-]+)\.status$/.test(ref)) {
      assert.equal(context, 'finally', `${where}: $(${ref}) is only known to finally tasks`);
      const task = /^tasks\.([\w-]+)\.status$/.exec(ref)?.[1];
      assert.ok(
        task === undefined || tasks.some((t) => t.name === task),
        `${where}: $(${ref}) names no task`,
      );
      return;
    }
    assert.fail(`${where}: unknown reference $(${ref})`);
  };
  const checkValue = (value: string | string[], where: string, context: 'task' | 'finally' | 'result') => {
    for (const text of allStrings(value))
      for (const match of text.matchAll(REFERENCE)) checkReference(match[1] ?? '', where, context);
  };
  for (const pt of everyTask) {
    const context = finallyTasks.includes(pt) ? 'finally' : 'task';
    const where = `${name} task ${pt.name}`;
    const task = taskOf(pt);
    const given = [...(pt.params ?? []), ...(pt.matrix?.params ?? [])];
    assert.equal(new Set(given.map((p) => p.name)).size, given.length, `${where}: a param given twice`);
    for (const p of given) {
      const spec = task.spec.params?.find((x) => x.name === p.name);
      assert.ok(spec, `${where}: ${task.metadata.name} has no param ${p.name}`);
      const isMatrix = pt.matrix?.params.includes(p) ?? false;
      const arrayValue = Array.isArray(p.value) || WHOLE_ARRAY.test(String(p.value));
      if (isMatrix) {
        assert.notEqual(
          spec.type,
          'array',
          `${where}: matrix param ${p.name} must be a string param of the Task`,
        );
        assert.ok(arrayValue, `${where}: matrix param ${p.name} needs an array`);
      } else assert.equal(arrayValue, spec.type === 'array', `${where}: param ${p.name} has the wrong type`);
      checkValue(p.value, where, context);
    }
    for (const spec of task.spec.params ?? [])
      assert.ok(
        spec.default !== undefined || given.some((p) => p.name === spec.name),
        `${where}: ${task.metadata.name} param ${spec.name} needs a value`,
      );
    for (const w of pt.when ?? []) {
      assert.ok(['in', 'notin'].includes(w.operator), `${where}: when operator ${w.operator}`);
      checkValue([w.input, ...w.values], where, context);
    }
    for (const ws of pt.workspaces ?? []) {
      assert.ok(
        task.spec.workspaces?.some((w) => w.name === ws.name),
        `${where}: Task has no workspace ${ws.name}`,
      );
      assert.ok(
        workspaces.some((w) => w.name === ws.workspace),
        `${where}: no Pipeline workspace ${ws.workspace}`,
      );
    }
    for (const ws of task.spec.workspaces ?? []) {
      const mapped = pt.workspaces?.find((w) => w.name === ws.name);
      const pipelineWs = workspaces.find((w) => w.name === mapped?.workspace);
      assert.ok(
        ws.optional || (mapped && !pipelineWs?.optional),
        `${where}: the Task's workspace ${ws.name} is not optional, so it needs a required Pipeline workspace`,
      );
    }
    for (const after of pt.runAfter ?? [])
      assert.ok(
        tasks.some((t) => t.name === after),
        `${where}: runAfter names no task ${after}`,
      );
  }
  for (const r of pipeline.spec.results ?? []) checkValue(r.value, `${name} result ${r.name}`, 'result');
}

class MissingResult extends Error {}

interface Scope {
  params: Record<string, string | string[]>;
  tasks: Record<string, PipelineTaskOutcome>;
  finally: Record<string, PipelineTaskOutcome>;
  /** $(tasks.status), in finally. */
  aggregate?: string;
}

function lookup(ref: string, scope: Scope): string | string[] {
  let m = /^params\.([\w-]+)$/.exec(ref);
  if (m) {
    const v = scope.params[m[1] ?? ''];
    assert.ok(v !== undefined, `$(${ref}) has no value`);
    return v;
  }
  m = /^(tasks|finally)\.([\w-]+)\.results\.([\w-]+)$/.exec(ref);
  if (m) {
    const outcome = (m[1] === 'tasks' ? scope.tasks : scope.finally)[m[2] ?? ''];
    const v = outcome?.results[m[3] ?? ''];
    if (v === undefined) throw new MissingResult(`$(${ref}) is missing`);
    return v;
  }
  if (ref === 'tasks.status') return scope.aggregate ?? 'None';
  m = /^tasks\.([\w-]+)\.status$/.exec(ref);
  if (m) return scope.tasks[m[1] ?? '']?.status ?? 'None';
  assert.fail(`unknown reference $(${ref})`);
}

function substituteValue(value: string | string[], scope: Scope): string | string[] {
  if (Array.isArray(value)) return value.map((v) => substituteValue(v, scope) as string);
  const whole = WHOLE_ARRAY.exec(value);
  if (whole) {
    const v = lookup(whole[1] ?? '', scope);
    assert.ok(Array.isArray(v), `${value} is no array`);
    return v;
  }
  return value.replace(REFERENCE, (_all, ref: string) => {
    const v = lookup(ref, scope);
    assert.equal(typeof v, 'string', `$(${ref}) is an array where a string is wanted`);
    return v as string;
  });
}

/** Runs a resolved TaskRun: results as written (none undeclared; all declared ones when it succeeded). */
export async function runTaskRun(
  task: TektonTask,
  b: Binding,
): Promise<{ exitCode: number; results: Record<string, string>; stderr: string }> {
  const r = resolve(task, b);
  const [command, ...args] = r.argv;
  assert.equal(command, 'quay-tasks');
  const result = await execa('node', [taskScript('quay-tasks'), ...args], {
    env: { PATH: process.env.PATH ?? '', ...r.env, ...b.env },
    extendEnv: false,
    reject: false,
    input: '',
    timeout: 30_000,
  });
  const exitCode = result.exitCode ?? -1;
  const declared = (task.spec.results ?? []).map((x) => x.name);
  const written = readdirSync(r.results).sort();
  for (const file of written)
    assert.ok(declared.includes(file), `${task.metadata.name}: the CLI wrote undeclared result ${file}`);
  if (exitCode === 0)
    assert.deepEqual(written, [...declared].sort(), `${task.metadata.name}: every result written`);
  const results: Record<string, string> = {};
  for (const file of written) results[file] = readFileSync(join(r.results, file), 'utf8');
  return { exitCode, results, stderr: String(result.stderr) };
}

async function runPipelineTask(
  pt: PipelineTask,
  scope: Scope,
  binding: PipelineBinding,
  isFinally: boolean,
): Promise<PipelineTaskOutcome> {
  const task = taskOf(pt);
  const skip = (skipped: string): PipelineTaskOutcome => ({ status: 'None', skipped, runs: [], results: {} });
  let params: Record<string, string | string[]>;
  let combinations: Record<string, string>[] = [{}];
  try {
    for (const w of pt.when ?? []) {
      const input = substituteValue(w.input, scope) as string;
      const values = w.values.map((v) => substituteValue(v, scope) as string);
      if (values.includes(input) !== (w.operator === 'in')) return skip('when');
    }
    params = Object.fromEntries((pt.params ?? []).map((p) => [p.name, substituteValue(p.value, scope)]));
    for (const m of pt.matrix?.params ?? []) {
      const values = substituteValue(m.value, scope);
      assert.ok(Array.isArray(values));
      combinations = combinations.flatMap((c) => values.map((v) => ({ ...c, [m.name]: v })));
    }
  } catch (error) {
    // A finally task whose results are missing is skipped; a task would fail the PipelineRun instead.
    if (error instanceof MissingResult && isFinally) return skip('missing-results');
    throw error;
  }
  if (combinations.length === 0) return skip('empty-matrix');
  const workspaces: Record<string, string> = {};
  for (const ws of pt.workspaces ?? []) {
    const dir = binding.workspaces[ws.workspace];
    if (dir !== undefined) workspaces[ws.name] = dir;
  }
  const runs = await Promise.all(
    combinations.map(async (combination): Promise<TaskRunOutcome> => {
      const taskParams = { ...params, ...combination };
      let attempts = 0;
      let run: Awaited<ReturnType<typeof runTaskRun>>;
      do {
        attempts += 1;
        run = await runTaskRun(task, { params: taskParams, workspaces, env: binding.env });
      } while (run.exitCode !== 0 && attempts <= (pt.retries ?? 0));
      return { params: taskParams, attempts, ...run };
    }),
  );
  const results: Record<string, string | string[]> = {};
  for (const spec of (task.spec.results ?? []) as { name: string; type?: string }[]) {
    if (pt.matrix) {
      if (spec.type === 'array') continue; // not consumable from a matrixed task
      const values = runs.flatMap((run) =>
        run.results[spec.name] === undefined ? [] : [run.results[spec.name]],
      );
      if (values.length > 0) results[spec.name] = values as string[];
      continue;
    }
    const value = runs[0]?.results[spec.name];
    if (value === undefined) continue;
    if (spec.type === 'array') {
      const parsed: unknown = JSON.parse(value);
      assert.ok(
        Array.isArray(parsed) && parsed.every((v) => typeof v === 'string'),
        `${spec.name}: an array of strings`,
      );
      results[spec.name] = parsed as string[];
    } else results[spec.name] = value;
  }
  return { status: runs.every((run) => run.exitCode === 0) ? 'Succeeded' : 'Failed', runs, results };
}

/** Runs a Pipeline as Tekton would (see above); tasks whose dependencies are done run concurrently. */
export async function runPipelineAsTekton(
  pipeline: TektonPipeline,
  binding: PipelineBinding,
): Promise<PipelineRunOutcome> {
  checkPipeline(pipeline, binding);
  const params: Record<string, string | string[]> = {};
  for (const p of pipeline.spec.params ?? []) {
    const v = binding.params?.[p.name] ?? p.default;
    if (v !== undefined) params[p.name] = v;
  }
  const scope: Scope = { params, tasks: {}, finally: {} };
  const dependencies = (pt: PipelineTask) => {
    const texts = [
      ...(pt.params ?? []).flatMap((p) => allStrings(p.value)),
      ...(pt.matrix?.params ?? []).flatMap((p) => allStrings(p.value)),
      ...(pt.when ?? []).flatMap((w) => [w.input, ...w.values]),
    ];
    const named = texts.flatMap((t) =>
      [...t.matchAll(/\$\(tasks\.([\w-]+)\.results\./g)].map((m) => m[1] ?? ''),
    );
    return new Set([...(pt.runAfter ?? []), ...named]);
  };
  const pending = [...pipeline.spec.tasks];
  while (pending.length > 0) {
    const failed = Object.values(scope.tasks).some((t) => t.status === 'Failed');
    const ready = pending.filter((pt) => [...dependencies(pt)].every((d) => scope.tasks[d] !== undefined));
    assert.ok(ready.length > 0, `${pipeline.metadata.name}: a dependency cycle`);
    await Promise.all(
      ready.map(async (pt) => {
        pending.splice(pending.indexOf(pt), 1);
        const parents = [...dependencies(pt)].map((d) => scope.tasks[d]);
        if (failed) scope.tasks[pt.name] = { status: 'None', skipped: 'stopping', runs: [], results: {} };
        else if (parents.some((p) => p?.status !== 'Succeeded'))
          scope.tasks[pt.name] = { status: 'None', skipped: 'parent', runs: [], results: {} };
        else scope.tasks[pt.name] = await runPipelineTask(pt, scope, binding, false);
      }),
    );
  }
  const statuses = Object.values(scope.tasks).map((t) => t.status);
  scope.aggregate = statuses.includes('Failed')
    ? 'Failed'
    : statuses.includes('None')
      ? 'Completed'
      : 'Succeeded';
  await Promise.all(
    (pipeline.spec.finally ?? []).map(async (pt) => {
      scope.finally[pt.name] = await runPipelineTask(pt, scope, binding, true);
    }),
  );
  const results: Record<string, string> = {};
  for (const r of pipeline.spec.results ?? []) {
    try {
      results[r.name] = substituteValue(r.value, scope) as string;
    } catch (error) {
      if (!(error instanceof MissingResult)) throw error;
    }
  }
  const all = [...Object.values(scope.tasks), ...Object.values(scope.finally)].map((t) => t.status);
  const status = all.includes('Failed') ? 'Failed' : all.includes('None') ? 'Completed' : 'Succeeded';
  return { status, tasks: scope.tasks, finally: scope.finally, results };
}
