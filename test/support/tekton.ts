/**
 * Tekton as far as the tests need it: the YAML of tekton/ loaded by kind, and a Task step resolved as
 * Tekton resolves it — params (defaults or bound values), workspace paths and `bound`, result paths, and
 * Tekton's fixed /tekton/results and /tekton/home — then run against the built `quay-tasks` dispatcher.
 * Pipelines (resolved into TaskRuns of these Tasks) are in tekton-pipeline.ts.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { loadAll } from 'js-yaml';
import { REPO_ROOT, taskScript } from './paths.js';
import { tempDir, writeFile } from './temp.js';

export interface Param {
  name: string;
  type?: 'string' | 'array';
  default?: string | string[];
  description?: string;
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
/** A named Tekton resource (Task, Pipeline): catalog metadata, and a spec with a description and params. */
export interface TektonObject<Spec> {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: { description?: string; params?: Param[] } & Spec;
}
export type TektonTask = TektonObject<{
  workspaces?: { name: string; optional?: boolean; readOnly?: boolean }[];
  results?: { name: string; type?: 'string' | 'array'; description?: string }[];
  stepTemplate?: { env?: EnvVar[]; securityContext?: Record<string, unknown> };
  steps: Step[];
}>;

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
/** The resources of one kind, as [file, resource]. */
export const resourcesOfKind = (kind: string): [string, TektonResource][] =>
  [...RESOURCES].filter(([, r]) => r.kind === kind);
/** The Tasks, by file name. */
export const TASKS = new Map(
  resourcesOfKind('Task').map(([f, r]) => [f, r as unknown as TektonTask] as const),
);
/** A Task by its file: task-<name>.yaml. */
export const taskFile = (name: string): TektonTask => {
  const task = TASKS.get(`task-${name}.yaml`);
  assert.ok(task, `tekton/task-${name}.yaml is missing`);
  return task;
};
/** A Task by metadata.name, as a taskRef names it. */
export function taskNamed(name: string): TektonTask {
  const found = [...TASKS.values()].find((t) => t.metadata.name === name);
  assert.ok(found, `no Task ${name} in tekton/`);
  return found;
}
/** One temporary root for every workspace, results and home folder (tempDir removes it at exit). */
export const ROOT = tempDir('tekton-tasks-test-');
export const freshDir = (prefix: string): string => mkdtempSync(join(ROOT, prefix));
export const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/**
 * A container's securityContext (step or stepTemplate merged, or a pod's container) meets OpenShift's
 * restricted-v2 SCC: non-root, no privilege escalation, every capability dropped, RuntimeDefault seccomp.
 */
export function assertRestrictedV2(sc: Record<string, unknown>, message?: string): void {
  assert.deepEqual(
    {
      runAsNonRoot: sc.runAsNonRoot,
      allowPrivilegeEscalation: sc.allowPrivilegeEscalation,
      capabilities: sc.capabilities,
      seccompProfile: sc.seccompProfile,
    },
    {
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
    message,
  );
}

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

export interface TaskRunResult {
  /** The command line after `quay-tasks`. */
  args: string[];
  exitCode: number;
  /** The results as written: none undeclared; every declared one when the step exited 0. */
  results: Record<string, string>;
  stderr: string;
}

/** Runs the resolved step as a TaskRun: `quay-tasks` is the built dispatcher. */
export async function runTaskRun(task: TektonTask, b: Binding): Promise<TaskRunResult> {
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
  return { args, exitCode, results, stderr: String(result.stderr) };
}

/** Runs the step, which must exit with expectedExitCode and write every declared result; returns them. */
export async function runStep(
  task: TektonTask,
  b: Binding,
  expectedExitCode = 0,
): Promise<Record<string, string>> {
  const run = await runTaskRun(task, b);
  assert.equal(run.exitCode, expectedExitCode, `${run.args.join(' ')}\n${run.stderr}`);
  for (const { name } of task.spec.results ?? [])
    assert.ok(run.results[name] !== undefined, `${task.metadata.name}: result ${name} was not written`);
  return run.results;
}

export function workspace(files: Record<string, string> = {}): string {
  const dir = freshDir('ws-');
  for (const [name, content] of Object.entries(files)) writeFile(dir, name, content);
  return dir;
}
