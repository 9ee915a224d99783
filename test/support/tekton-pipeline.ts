/**
 * Tekton Pipelines as far as the tests need them: a Pipeline of tekton/ checked and resolved as Tekton's
 * webhook and reconciler resolve it — PipelineRun params and workspaces against the declarations, the
 * order the DAG gives (runAfter and result references; finally last), each PipelineTask's params
 * substituted into its Task's params and its workspaces mapped — strictly: an unknown param or a missing
 * workspace is an error, as it is for Tekton. Each resolved Task then runs with runStep of tekton.ts.
 */
import assert from 'node:assert/strict';
import { type Binding, RESOURCES, TASKS, type TektonResource, type TektonTask } from './tekton.js';

export type ParamValue = string | string[];
export interface PipelineParamSpec {
  name: string;
  type?: 'string' | 'array';
  default?: ParamValue;
  description?: string;
}
export interface PipelineTask {
  name: string;
  taskRef?: { name: string; kind?: string };
  runAfter?: string[];
  params?: { name: string; value: ParamValue }[];
  workspaces?: { name: string; workspace: string; subPath?: string }[];
  timeout?: string;
  retries?: number;
  when?: unknown[];
  matrix?: unknown;
}
export interface TektonPipeline {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: {
    description?: string;
    params?: PipelineParamSpec[];
    workspaces?: { name: string; optional?: boolean; description?: string }[];
    tasks: PipelineTask[];
    finally?: PipelineTask[];
    results?: { name: string; value: string; description?: string }[];
  };
}
/** A PipelineRun's `spec` as far as binding goes: params (name → value) and bound workspace names. */
export interface PipelineRunLike {
  params?: { name: string; value: ParamValue }[];
  workspaces?: { name: string }[];
}

/** The Pipelines of tekton/, by metadata.name. */
export const PIPELINES = new Map(
  [...RESOURCES.values()]
    .filter((r) => r.kind === 'Pipeline')
    .map((r) => [r.metadata.name ?? '', r as unknown as TektonPipeline] as const),
);
export function pipelineNamed(name: string): TektonPipeline {
  const found = PIPELINES.get(name);
  assert.ok(found, `no Pipeline ${name} in tekton/`);
  return found;
}
export function taskNamed(name: string): TektonTask {
  const found = [...TASKS.values()].find((t) => t.metadata.name === name);
  assert.ok(found, `no Task ${name} in tekton/`);
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

const typeOf = (v: ParamValue): 'string' | 'array' => (Array.isArray(v) ? 'array' : 'string');
const declaredType = (p: { type?: 'string' | 'array'; default?: ParamValue }): 'string' | 'array' =>
  p.type ?? (p.default !== undefined ? typeOf(p.default) : 'string');

/**
 * Checks a PipelineRun (or TriggerTemplate resource, or example) against the Pipeline as Tekton does
 * before it runs anything: every param declared and of its type, every param without a default given,
 * every workspace declared, every non-optional workspace bound. Returns the effective params.
 */
export function checkPipelineRun(p: TektonPipeline, run: PipelineRunLike): Record<string, ParamValue> {
  const name = p.metadata.name;
  const declared = new Map((p.spec.params ?? []).map((d) => [d.name, d]));
  const values: Record<string, ParamValue> = {};
  const seen = new Set<string>();
  for (const given of run.params ?? []) {
    assert.ok(!seen.has(given.name), `${name}: param ${given.name} given twice`);
    seen.add(given.name);
    const spec = declared.get(given.name);
    assert.ok(spec, `${name}: the PipelineRun sets param ${given.name}, which the Pipeline does not declare`);
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
    assert.ok(workspaces.has(ws.name), `${name}: the PipelineRun binds undeclared workspace ${ws.name}`);
    assert.ok(!bound.has(ws.name), `${name}: workspace ${ws.name} bound twice`);
    bound.add(ws.name);
  }
  for (const ws of workspaces.values())
    assert.ok(ws.optional || bound.has(ws.name), `${name}: workspace ${ws.name} is not bound`);
  return values;
}

/** `$(tasks.NAME.results.RESULT)` references in a value. */
const TASK_RESULT_REF = /\$\(tasks\.([\w-]+)\.results\.([\w-]+)\)/g;
function resultRefs(value: unknown): { task: string; result: string }[] {
  return [...JSON.stringify(value ?? null).matchAll(TASK_RESULT_REF)].map((m) => ({
    task: m[1] ?? '',
    result: m[2] ?? '',
  }));
}

/**
 * The order Tekton runs a Pipeline in: each level holds the tasks whose dependencies (runAfter and
 * result references) are all in earlier levels; `finally` tasks form the last level. A cycle, an
 * unknown runAfter name or a reference to an undeclared result fails, as Tekton's validation does.
 */
export function executionLevels(p: TektonPipeline): string[][] {
  const name = p.metadata.name;
  const tasks = p.spec.tasks;
  const names = new Set(tasks.map((t) => t.name));
  assert.equal(names.size, tasks.length, `${name}: duplicate task names`);
  for (const f of p.spec.finally ?? [])
    assert.ok(!names.has(f.name), `${name}: finally task ${f.name} also in tasks`);
  const deps = new Map<string, Set<string>>();
  for (const t of tasks) {
    const set = new Set<string>();
    for (const r of t.runAfter ?? []) {
      assert.ok(names.has(r), `${name}: ${t.name} runs after unknown task ${r}`);
      set.add(r);
    }
    for (const ref of resultRefs({ params: t.params, when: t.when, matrix: t.matrix })) {
      assert.ok(names.has(ref.task), `${name}: ${t.name} references results of unknown task ${ref.task}`);
      set.add(ref.task);
    }
    deps.set(t.name, set);
  }
  for (const t of allPipelineTasks(p))
    for (const ref of resultRefs({ params: t.params, when: t.when, matrix: t.matrix })) {
      const source = tasks.find((x) => x.name === ref.task);
      assert.ok(source, `${name}: ${t.name} references unknown task ${ref.task}`);
      const task = taskNamed(source.taskRef?.name ?? '');
      assert.ok(
        task.spec.results?.some((r) => r.name === ref.result),
        `${name}: ${ref.task} has no result ${ref.result}`,
      );
    }
  const levels: string[][] = [];
  const done = new Set<string>();
  while (done.size < tasks.length) {
    const ready = tasks
      .filter((t) => !done.has(t.name) && [...(deps.get(t.name) ?? [])].every((d) => done.has(d)))
      .map((t) => t.name);
    assert.ok(ready.length > 0, `${name}: the runAfter graph has a cycle`);
    for (const t of ready) done.add(t);
    levels.push(ready);
  }
  if (p.spec.finally?.length) levels.push(p.spec.finally.map((t) => t.name));
  return levels;
}

/** Substitutes `$(params.x)` and `$(tasks.t.results.r)` in one string value of a PipelineTask param. */
function substituteString(
  p: TektonPipeline,
  value: string,
  params: Record<string, ParamValue>,
  results: Record<string, Record<string, string>>,
): string {
  return value.replace(/\$\(([^)]+)\)/g, (whole, ref: string) => {
    let m = /^params\.([\w-]+)$/.exec(ref);
    if (m) {
      const v = params[m[1] ?? ''];
      assert.ok(v !== undefined, `${p.metadata.name}: ${whole} names an undeclared param`);
      assert.equal(typeof v, 'string', `${p.metadata.name}: ${whole} is an array used as a string`);
      return v as string;
    }
    m = /^tasks\.([\w-]+)\.results\.([\w-]+)$/.exec(ref);
    if (m) {
      const v = results[m[1] ?? '']?.[m[2] ?? ''];
      assert.ok(v !== undefined, `${p.metadata.name}: ${whole} is not available (task not run?)`);
      return v;
    }
    assert.fail(`${p.metadata.name}: unsupported reference ${whole}`);
  });
}

/** A PipelineRun bound for the tests: param values and the folder of each bound workspace. */
export interface PipelineRunBinding {
  params?: Record<string, ParamValue>;
  /** Pipeline workspace name → folder. */
  workspaces: Record<string, string>;
  /** Extra environment of every step (test plumbing such as KUBECACHEDIR). */
  env?: Record<string, string>;
}
export const runLike = (run: PipelineRunBinding): PipelineRunLike => ({
  params: Object.entries(run.params ?? {}).map(([name, value]) => ({ name, value })),
  workspaces: Object.keys(run.workspaces).map((name) => ({ name })),
});

/**
 * One PipelineTask resolved into its Task and the Binding runStep takes: the Pipeline's params
 * substituted into the task's param values (an element `$(params.x[*])` expands to the array), each
 * Task param checked (declared, of its type; required ones given), each workspace mapped to the
 * PipelineRun's folder (a Task's required workspace must receive a bound one).
 */
export function resolvePipelineTask(
  p: TektonPipeline,
  taskName: string,
  run: PipelineRunBinding,
  results: Record<string, Record<string, string>> = {},
): { task: TektonTask; binding: Binding } {
  const params = checkPipelineRun(p, runLike(run));
  const pt = pipelineTask(p, taskName);
  assert.ok(pt.taskRef?.name, `${taskName}: taskRef.name`);
  assert.ok(pt.taskRef.kind === undefined || pt.taskRef.kind === 'Task', `${taskName}: taskRef.kind`);
  const task = taskNamed(pt.taskRef.name);
  const where = `${p.metadata.name}/${taskName} → Task ${task.metadata.name}`;
  const taskParams = new Map((task.spec.params ?? []).map((x) => [x.name, x]));
  const values: Record<string, ParamValue> = {};
  for (const given of pt.params ?? []) {
    const spec = taskParams.get(given.name);
    assert.ok(spec, `${where}: unknown param ${given.name}`);
    assert.ok(values[given.name] === undefined, `${where}: param ${given.name} given twice`);
    let value: ParamValue;
    if (Array.isArray(given.value)) {
      value = given.value.flatMap((element) => {
        const whole = /^\$\(params\.([\w-]+)\[\*\]\)$/.exec(element);
        if (!whole) return [substituteString(p, element, params, results)];
        const v = params[whole[1] ?? ''];
        assert.ok(Array.isArray(v), `${where}: ${element} must name an array param`);
        return v;
      });
    } else value = substituteString(p, given.value, params, results);
    assert.equal(typeOf(value), declaredType(spec), `${where}: param ${given.name} has the wrong type`);
    values[given.name] = value;
  }
  for (const spec of taskParams.values())
    assert.ok(
      values[spec.name] !== undefined || spec.default !== undefined,
      `${where}: required param ${spec.name} not given`,
    );
  const pipelineWorkspaces = new Map((p.spec.workspaces ?? []).map((w) => [w.name, w]));
  const workspaces: Record<string, string> = {};
  for (const mapping of pt.workspaces ?? []) {
    const declared = task.spec.workspaces?.find((w) => w.name === mapping.name);
    assert.ok(declared, `${where}: the Task declares no workspace ${mapping.name}`);
    const source = pipelineWorkspaces.get(mapping.workspace);
    assert.ok(source, `${where}: the Pipeline declares no workspace ${mapping.workspace}`);
    assert.ok(mapping.subPath === undefined, `${where}: subPath is not emulated`);
    const dir = run.workspaces[mapping.workspace];
    if (dir !== undefined) workspaces[mapping.name] = dir;
    else
      assert.ok(
        source.optional && declared.optional,
        `${where}: workspace ${mapping.name} needs ${mapping.workspace}, which is not bound`,
      );
  }
  for (const ws of task.spec.workspaces ?? [])
    assert.ok(
      ws.optional || (pt.workspaces ?? []).some((m) => m.name === ws.name),
      `${where}: required workspace ${ws.name} not mapped`,
    );
  return { task, binding: { params: values, workspaces, ...(run.env ? { env: run.env } : {}) } };
}

/** The Pipeline's results from its tasks' results, as the PipelineRun status shows them. */
export function pipelineResults(
  p: TektonPipeline,
  results: Record<string, Record<string, string>>,
): Record<string, string> {
  return Object.fromEntries(
    (p.spec.results ?? []).map((r) => [r.name, substituteString(p, r.value, {}, results)]),
  );
}

/** Kinds of tekton/ resources by file, for static checks. */
export function resourcesOfKind(kind: string): [string, TektonResource][] {
  return [...RESOURCES].filter(([, r]) => r.kind === kind);
}
