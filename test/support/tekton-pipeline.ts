/**
 * Tekton Pipelines as far as the tests need them: a Pipeline of tekton/ checked, resolved and run as
 * Tekton's webhook and reconciler do it, its TaskRuns run with runTaskRun of tekton.ts.
 *
 * - checkPipelineRun: a PipelineRun (or a TriggerTemplate's or an example's) against the Pipeline — every
 *   param declared, of its type and given once, every param without a default given, every workspace
 *   declared and bound once, every non-optional one bound.
 * - checkPipeline: that, plus everything Tekton validates before it runs anything — every PipelineTask's
 *   params declared by its Task and of their type (a matrix param an array for a string param), the
 *   Task's required params given, every reference known (params, results the producing Task declares,
 *   $(tasks.status) only in finally), every workspace mapping declared on both sides (a Task's required
 *   workspace needs a required Pipeline workspace), and the DAG (executionLevels).
 * - executionLevels: the order — each level holds the tasks whose dependencies (runAfter and result
 *   references) are all in earlier levels; `finally` tasks form the last level.
 * - resolvePipelineTask: one PipelineTask resolved into its Task and the binding of each of its TaskRuns —
 *   the Pipeline's params (and results) substituted into its param values (`$(x[*])` as a whole value or an
 *   element expands to the array), each value checked against the Task param's type, its workspaces mapped
 *   to the PipelineRun's folders, `when` guards, a `matrix` fanned out into one TaskRun per combination.
 * - runPipelineAsTekton: the whole PipelineRun, level by level (a level's TaskRuns run concurrently),
 *   `retries` per TaskRun, the string results of a matrixed task aggregated into arrays (leaving out runs
 *   that did not write them, TEP-0140), tasks after a failure skipped, `finally` tasks with
 *   $(tasks.status) / $(tasks.<t>.status), skipped when a result they reference is missing (docs/pipelines.md
 *   "Consuming Task execution results in finally"), and the Pipeline's results.
 *
 * Strict throughout: an undeclared param, workspace, task or result, a missing workspace or a value of the
 * wrong type is an assertion, as it is an error for Tekton.
 */
import assert from 'node:assert/strict';
import {
  type Binding,
  type Param,
  resourcesOfKind,
  runTaskRun,
  type TaskRunResult,
  type TektonObject,
  type TektonTask,
  taskNamed,
} from './tekton.js';

export type ParamValue = string | string[];
export interface PipelineParamValue {
  name: string;
  value: ParamValue;
}
export interface PipelineTask {
  name: string;
  taskRef: { name: string; kind?: string };
  runAfter?: string[];
  params?: PipelineParamValue[];
  matrix?: { params: PipelineParamValue[] };
  workspaces?: { name: string; workspace: string; subPath?: string }[];
  when?: { input: string; operator: 'in' | 'notin'; values: string[] }[];
  timeout?: string;
  retries?: number;
}
export type TektonPipeline = TektonObject<{
  workspaces?: { name: string; optional?: boolean; description?: string }[];
  tasks: PipelineTask[];
  finally?: PipelineTask[];
  results?: { name: string; value: string; description?: string }[];
}>;
/** A PipelineRun's `spec` as far as binding goes: params (name → value) and bound workspace names. */
export interface PipelineRunLike {
  params?: PipelineParamValue[];
  workspaces?: { name: string }[];
}
/** A PipelineRun bound for the tests: param values and the folder of each bound workspace. */
export interface PipelineRunBinding {
  params?: Record<string, ParamValue>;
  /** Pipeline workspace name → folder. */
  workspaces: Record<string, string>;
  /** Extra environment of every step (test plumbing such as KUBECACHEDIR or a kube token). */
  env?: Record<string, string>;
}
export const runLike = (run: PipelineRunBinding): PipelineRunLike => ({
  params: Object.entries(run.params ?? {}).map(([name, value]) => ({ name, value })),
  workspaces: Object.keys(run.workspaces).map((name) => ({ name })),
});

export interface TaskRunOutcome extends TaskRunResult {
  /** The Task params of this TaskRun (matrix combination included). */
  params: Record<string, ParamValue>;
  /** How many times it ran (1 + retries used); the rest is the last attempt's. */
  attempts: number;
}
export type PipelineTaskStatus = 'Succeeded' | 'Failed' | 'None';
export interface PipelineTaskOutcome {
  status: PipelineTaskStatus;
  /** Why it did not run: `when`, `parent`, `stopping` (an earlier task failed), `missing-results`, `empty-matrix`. */
  skipped?: string;
  runs: TaskRunOutcome[];
  /** String (and array) results; a matrixed task's string results aggregated into arrays. */
  results: Record<string, ParamValue>;
}
export interface PipelineRunOutcome {
  status: 'Succeeded' | 'Completed' | 'Failed';
  tasks: Record<string, PipelineTaskOutcome>;
  finally: Record<string, PipelineTaskOutcome>;
  /** The Pipeline results that could be resolved (a missing one is left out, as Tekton does). */
  results: Record<string, string>;
}

/** The Pipelines of tekton/, by metadata.name (as a pipelineRef names them). */
export const PIPELINES = new Map(
  resourcesOfKind('Pipeline').map(
    ([, r]) => [r.metadata.name ?? '', r as unknown as TektonPipeline] as const,
  ),
);
export function pipelineNamed(name: string): TektonPipeline {
  const found = PIPELINES.get(name);
  assert.ok(found, `no Pipeline ${name} in tekton/`);
  return found;
}
export const allPipelineTasks = (p: TektonPipeline): PipelineTask[] => [
  ...p.spec.tasks,
  ...(p.spec.finally ?? []),
];
export function pipelineTask(p: TektonPipeline, name: string): PipelineTask {
  const found = allPipelineTasks(p).find((t) => t.name === name);
  assert.ok(found, `${p.metadata.name}: no task ${name}`);
  return found;
}

/** Go's time.ParseDuration grammar, as Tekton parses `timeout` and `timeouts.*`. */
export const GO_DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;

const REFERENCE = /\$\(([^)]+)\)/g;
const WHOLE_ARRAY = /^\$\(([^)]+)\[\*\]\)$/;

const typeOf = (v: ParamValue): 'string' | 'array' => (Array.isArray(v) ? 'array' : 'string');
/** A param's type: declared, else that of its default (Tekton's defaulting), else string. */
const declaredType = (p: Param): 'string' | 'array' =>
  p.type ?? (p.default !== undefined ? typeOf(p.default) : 'string');
const allStrings = (value: ParamValue): string[] => (Array.isArray(value) ? value : [value]);

function taskOf(pt: PipelineTask): TektonTask {
  assert.ok(pt.taskRef.kind === undefined || pt.taskRef.kind === 'Task', `${pt.name}: taskRef.kind`);
  return taskNamed(pt.taskRef.name);
}

/**
 * Checks a PipelineRun (or TriggerTemplate resource, or example) against the Pipeline as Tekton does
 * before it runs anything. Returns the effective params (given values, else defaults).
 */
export function checkPipelineRun(p: TektonPipeline, run: PipelineRunLike): Record<string, ParamValue> {
  const name = p.metadata.name;
  const declared = new Map((p.spec.params ?? []).map((d) => [d.name, d]));
  const values: Record<string, ParamValue> = {};
  for (const given of run.params ?? []) {
    const spec = declared.get(given.name);
    assert.ok(
      spec,
      `${name}: the PipelineRun sets unknown param ${given.name}, which the Pipeline does not declare`,
    );
    assert.ok(values[given.name] === undefined, `${name}: param ${given.name} given twice`);
    assert.equal(typeOf(given.value), declaredType(spec), `${name}: param ${given.name} has the wrong type`);
    values[given.name] = given.value;
  }
  for (const spec of declared.values()) {
    if (values[spec.name] !== undefined) continue;
    assert.ok(spec.default !== undefined, `${name}: param ${spec.name} has no default and is not given`);
    values[spec.name] = spec.default;
  }
  const workspaces = new Map((p.spec.workspaces ?? []).map((w) => [w.name, w]));
  const bound = new Set<string>();
  for (const ws of run.workspaces ?? []) {
    assert.ok(workspaces.has(ws.name), `${name}: the PipelineRun binds unknown workspace ${ws.name}`);
    assert.ok(!bound.has(ws.name), `${name}: workspace ${ws.name} bound twice`);
    bound.add(ws.name);
  }
  for (const ws of workspaces.values())
    assert.ok(
      ws.optional || bound.has(ws.name),
      `${name}: workspace ${ws.name} must be bound (not optional), but it is not bound`,
    );
  return values;
}

/** The tasks a PipelineTask waits for: runAfter, and the tasks whose results it references. */
function dependencies(pt: PipelineTask): Set<string> {
  const texts = [
    ...(pt.params ?? []).flatMap((x) => allStrings(x.value)),
    ...(pt.matrix?.params ?? []).flatMap((x) => allStrings(x.value)),
    ...(pt.when ?? []).flatMap((w) => [w.input, ...w.values]),
  ];
  const named = texts.flatMap((t) =>
    [...t.matchAll(/\$\(tasks\.([\w-]+)\.results\./g)].map((m) => m[1] ?? ''),
  );
  return new Set([...(pt.runAfter ?? []), ...named]);
}

/** The levels of `tasks` (see executionLevels); an unknown dependency or a cycle fails. */
function taskLevels(p: TektonPipeline): string[][] {
  const name = p.metadata.name;
  const tasks = p.spec.tasks;
  const names = new Set(tasks.map((t) => t.name));
  const deps = new Map(tasks.map((t) => [t.name, dependencies(t)]));
  for (const [t, set] of deps)
    for (const d of set)
      assert.ok(names.has(d), `${name}: ${t} runs after (or uses results of) no task ${d}`);
  const levels: string[][] = [];
  const done = new Set<string>();
  while (done.size < names.size) {
    const ready = tasks
      .filter((t) => !done.has(t.name) && [...(deps.get(t.name) ?? [])].every((d) => done.has(d)))
      .map((t) => t.name);
    assert.ok(ready.length > 0, `${name}: the task graph has a cycle`);
    for (const t of ready) done.add(t);
    levels.push(ready);
  }
  return levels;
}

/**
 * The order Tekton runs a Pipeline in: each level holds the tasks whose dependencies (runAfter and
 * result references) are all in earlier levels; `finally` tasks form the last level.
 */
export function executionLevels(p: TektonPipeline): string[][] {
  const levels = taskLevels(p);
  if (p.spec.finally?.length) levels.push(p.spec.finally.map((t) => t.name));
  return levels;
}

/**
 * Checks a Pipeline (and a PipelineRun's binding of it) as Tekton's validation would, before anything
 * runs. Returns the effective params of the binding (none without one).
 */
export function checkPipeline(
  pipeline: TektonPipeline,
  binding?: PipelineRunBinding,
): Record<string, ParamValue> {
  const name = pipeline.metadata.name;
  const effective = binding ? checkPipelineRun(pipeline, runLike(binding)) : {};
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
  const checkReference = (ref: string, where: string, context: 'task' | 'finally' | 'result') => {
    const whole = ref.endsWith('[*]');
    const bare = whole ? ref.slice(0, -3) : ref;
    let m = /^params\.([\w-]+)$/.exec(bare);
    if (m) {
      const p = params.find((x) => x.name === m?.[1]);
      assert.ok(p, `${where}: undeclared Pipeline param in $(${ref})`);
      assert.equal(whole, declaredType(p) === 'array', `${where}: $(${ref}) does not match the param's type`);
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
      const declared = taskOf(producer).spec.results?.find((r) => r.name === result);
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
  const checkValue = (value: ParamValue, where: string, context: 'task' | 'finally' | 'result') => {
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
      assert.ok(spec, `${where}: unknown param ${p.name}: ${task.metadata.name} has no param ${p.name}`);
      const isMatrix = pt.matrix?.params.includes(p) ?? false;
      const arrayValue = Array.isArray(p.value) || WHOLE_ARRAY.test(String(p.value));
      if (isMatrix) {
        assert.notEqual(
          declaredType(spec),
          'array',
          `${where}: matrix param ${p.name} must be a string param of the Task`,
        );
        assert.ok(arrayValue, `${where}: matrix param ${p.name} needs an array`);
      } else
        assert.equal(
          arrayValue,
          declaredType(spec) === 'array',
          `${where}: param ${p.name} has the wrong type`,
        );
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
      assert.ok(ws.subPath === undefined, `${where}: subPath is not emulated`);
    }
    for (const ws of task.spec.workspaces ?? []) {
      const mapped = pt.workspaces?.find((w) => w.name === ws.name);
      const pipelineWs = workspaces.find((w) => w.name === mapped?.workspace);
      assert.ok(
        ws.optional || (mapped && !pipelineWs?.optional),
        `${where}: the Task's workspace ${ws.name} is not optional and not mapped to a required Pipeline workspace`,
      );
    }
    for (const after of pt.runAfter ?? [])
      assert.ok(
        tasks.some((t) => t.name === after),
        `${where}: runAfter names no task ${after}`,
      );
  }
  for (const r of pipeline.spec.results ?? []) checkValue(r.value, `${name} result ${r.name}`, 'result');
  taskLevels(pipeline);
  return effective;
}

class MissingResult extends Error {}

interface Scope {
  params: Record<string, ParamValue>;
  tasks: Record<string, PipelineTaskOutcome>;
  finally: Record<string, PipelineTaskOutcome>;
  /** $(tasks.status), in finally. */
  aggregate?: string;
}

function lookup(ref: string, scope: Scope): ParamValue {
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

/** Substitutes a value: `$(x[*])` (the whole value, or an element of an array) expands to the array. */
function substituteValue(value: ParamValue, scope: Scope): ParamValue {
  if (Array.isArray(value)) return value.flatMap((v) => substituteValue(v, scope));
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

export interface ResolvedPipelineTask {
  task: TektonTask;
  /** Why it has no TaskRun: `when`, `missing-results` (a finally task), `empty-matrix`. */
  skipped?: string;
  /** The binding of each TaskRun: one per matrix combination (one without a matrix). */
  taskRuns: Binding[];
}

function resolveInScope(
  p: TektonPipeline,
  pt: PipelineTask,
  scope: Scope,
  binding: PipelineRunBinding,
): ResolvedPipelineTask {
  const task = taskOf(pt);
  const where = `${p.metadata.name} task ${pt.name}`;
  const skip = (skipped: string): ResolvedPipelineTask => ({ task, skipped, taskRuns: [] });
  const params: Record<string, ParamValue> = {};
  let combinations: Record<string, string>[] = [{}];
  try {
    for (const w of pt.when ?? []) {
      const input = substituteValue(w.input, scope) as string;
      const values = w.values.map((v) => substituteValue(v, scope) as string);
      if (values.includes(input) !== (w.operator === 'in')) return skip('when');
    }
    for (const given of pt.params ?? []) {
      const spec = task.spec.params?.find((x) => x.name === given.name);
      assert.ok(spec, `${where}: unknown param ${given.name}`);
      const value = substituteValue(given.value, scope);
      assert.equal(typeOf(value), declaredType(spec), `${where}: param ${given.name} has the wrong type`);
      params[given.name] = value;
    }
    for (const m of pt.matrix?.params ?? []) {
      const values = substituteValue(m.value, scope);
      assert.ok(Array.isArray(values), `${where}: matrix param ${m.name} needs an array`);
      combinations = combinations.flatMap((c) => values.map((v) => ({ ...c, [m.name]: v })));
    }
  } catch (error) {
    // A finally task whose results are missing is skipped; a task would fail the PipelineRun instead.
    if (error instanceof MissingResult && p.spec.finally?.includes(pt)) return skip('missing-results');
    throw error;
  }
  if (combinations.length === 0) return skip('empty-matrix');
  // checkPipeline saw to it that an unbound Pipeline workspace is optional and so is the Task's.
  const workspaces: Record<string, string> = {};
  for (const ws of pt.workspaces ?? []) {
    const dir = binding.workspaces[ws.workspace];
    if (dir !== undefined) workspaces[ws.name] = dir;
  }
  return {
    task,
    taskRuns: combinations.map((combination) => ({
      params: { ...params, ...combination },
      workspaces,
      ...(binding.env ? { env: binding.env } : {}),
    })),
  };
}

/**
 * One PipelineTask of a PipelineRun resolved (see above), after checkPipeline; results of other tasks are
 * not known here, so only a task that references none (or a finally task, then skipped) resolves.
 */
export function resolvePipelineTask(
  p: TektonPipeline,
  taskName: string,
  binding: PipelineRunBinding,
): ResolvedPipelineTask {
  const params = checkPipeline(p, binding);
  return resolveInScope(p, pipelineTask(p, taskName), { params, tasks: {}, finally: {} }, binding);
}

async function runPipelineTask(
  p: TektonPipeline,
  pt: PipelineTask,
  scope: Scope,
  binding: PipelineRunBinding,
): Promise<PipelineTaskOutcome> {
  const { task, skipped, taskRuns } = resolveInScope(p, pt, scope, binding);
  if (skipped) return { status: 'None', skipped, runs: [], results: {} };
  const runs = await Promise.all(
    taskRuns.map(async (b): Promise<TaskRunOutcome> => {
      let attempts = 0;
      let run: TaskRunResult;
      do {
        attempts += 1;
        run = await runTaskRun(task, b);
      } while (run.exitCode !== 0 && attempts <= (pt.retries ?? 0));
      return { params: b.params ?? {}, attempts, ...run };
    }),
  );
  const results: Record<string, ParamValue> = {};
  for (const spec of task.spec.results ?? []) {
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

export interface RunOptions {
  /** Called as each level starts (finally last), with its task names: what a TaskRun pod sees at its start. */
  beforeLevel?: (tasks: string[]) => void;
}

/** Runs a PipelineRun as Tekton would (see above): level by level, a level's TaskRuns concurrently. */
export async function runPipelineAsTekton(
  pipeline: TektonPipeline,
  binding: PipelineRunBinding,
  options: RunOptions = {},
): Promise<PipelineRunOutcome> {
  const params = checkPipeline(pipeline, binding);
  const scope: Scope = { params, tasks: {}, finally: {} };
  const skipped = (reason: string): PipelineTaskOutcome => ({
    status: 'None',
    skipped: reason,
    runs: [],
    results: {},
  });
  for (const level of taskLevels(pipeline)) {
    const failed = Object.values(scope.tasks).some((t) => t.status === 'Failed');
    options.beforeLevel?.(level);
    await Promise.all(
      level.map(async (name) => {
        const pt = pipelineTask(pipeline, name);
        const parents = [...dependencies(pt)].map((d) => scope.tasks[d]);
        if (failed) scope.tasks[name] = skipped('stopping');
        else if (parents.some((x) => x?.status !== 'Succeeded')) scope.tasks[name] = skipped('parent');
        else scope.tasks[name] = await runPipelineTask(pipeline, pt, scope, binding);
      }),
    );
  }
  const statuses = Object.values(scope.tasks).map((t) => t.status);
  scope.aggregate = statuses.includes('Failed')
    ? 'Failed'
    : statuses.includes('None')
      ? 'Completed'
      : 'Succeeded';
  const finallyTasks = pipeline.spec.finally ?? [];
  if (finallyTasks.length > 0) options.beforeLevel?.(finallyTasks.map((t) => t.name));
  await Promise.all(
    finallyTasks.map(async (pt) => {
      scope.finally[pt.name] = await runPipelineTask(pipeline, pt, scope, binding);
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
