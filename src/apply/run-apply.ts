import type { ClusterCli } from '../cluster/cluster-cli.js';
import { ClusterObjects } from '../cluster/cluster-objects.js';
import { checkCustomRules, type ObjectRef, ruleFor, type Verdict } from '../cluster/readiness/index.js';
import { waitUntilReady } from '../cluster/wait-ready.js';
import { watchObject } from '../cluster/watch-object.js';
import { ConfigError, type ConfigIssue } from '../config/errors.js';
import type { ApplyOrderedConfig } from '../config/sections/apply-ordered.js';
import type { Logger } from '../report/logger.js';
import type { ItemAction, Report } from '../report/report.js';
import { readManifestFiles } from './manifest-files.js';
import { INFRA_ID, variablesUsed } from './substitute.js';
import { buildWaves, type ManifestDocument, type Wave } from './waves.js';

export interface ApplyDeps {
  /** Opens the cluster CLI; not called for --plan. */
  cluster: () => Promise<ClusterCli>;
  report: Report;
  log: Logger;
  dryRun: boolean;
  plan: boolean;
  env: NodeJS.ProcessEnv;
  now?: () => number;
}

/** Per-kind object timeouts (seconds) where the install takes longer than the default (apply-readiness.md §4). */
const KIND_TIMEOUTS: Readonly<Record<string, number>> = {
  StorageCluster: 2700,
  QuayRegistry: 1800,
  MachineSet: 1800,
  Subscription: 1200,
};

/**
 * Applies a manifest folder wave by wave: every kind a wave uses must be served first (waiting for its
 * CRD, which an operator of an earlier wave may create), then the wave's objects are applied with
 * server-side apply and each is waited for by its readiness rule. Stops at the first wave that fails or
 * times out, naming every stuck object.
 */
export async function runApplyOrdered(
  directory: string,
  config: ApplyOrderedConfig,
  deps: ApplyDeps,
): Promise<void> {
  const now = deps.now ?? Date.now;
  const runDeadline = now() + config.timeouts.run * 1000;
  const files = readManifestFiles(directory);
  if (files.issues.length > 0) throw new ConfigError(files.issues);
  const rulesProblems = checkCustomRules(config.rules);
  if (rulesProblems.length > 0)
    throw new ConfigError(rulesProblems.map((message) => ({ path: 'apply-ordered.rules', message })));

  const used = variableUses(files.files);
  let opened: Promise<ClusterCli> | undefined;
  // The first use checks the cluster answers, so an unreachable one fails at once, naming why.
  const openCli = (): Promise<ClusterCli> => {
    opened ??= deps.cluster().then(async (c) => {
      await c.checkReachable();
      return c;
    });
    return opened;
  };
  const values = await variableValues(used, config, deps, openCli);
  const { waves, issues } = buildWaves(files.files, values);
  if (issues.length > 0) throw new ConfigError(issues);

  if (deps.plan) {
    printPlan(waves, config, deps);
    return;
  }
  const cli = await openCli();
  const objects = new ClusterObjects(cli);
  const unchanged = !deps.dryRun && (await folderUnchanged(waves, cli, config));
  if (unchanged) deps.log.info('apply-ordered: no object differs from the cluster; checking readiness only');
  for (const wave of waves) {
    const ok = await runWave(wave, { config, deps, cli, objects, runDeadline, now, unchanged });
    if (!ok) return;
  }
  deps.log.info(
    `apply-ordered: ${waves.length} waves${deps.dryRun ? ' checked (dry run)' : ' applied and ready'}`,
  );
}

interface WaveContext {
  config: ApplyOrderedConfig;
  deps: ApplyDeps;
  cli: ClusterCli;
  objects: ClusterObjects;
  runDeadline: number;
  now: () => number;
  /** The whole folder's server-side dry-run diff was empty: nothing is applied, readiness only. */
  unchanged: boolean;
}

/**
 * One server-side diff of the whole folder: true when applying would change nothing (a re-run on a
 * finished cluster), so no wave needs its apply. Any difference, a kind not served yet, a conflict or
 * other error: false, and the waves apply as usual.
 */
async function folderUnchanged(
  waves: readonly Wave[],
  cli: ClusterCli,
  config: ApplyOrderedConfig,
): Promise<boolean> {
  const items = waves.flatMap((wave) => wave.documents.map((doc) => doc.object));
  if (items.length === 0) return false;
  const args = ['diff', '--server-side', '--field-manager=quay-tasks', '-f', '-'];
  if (config.forceConflicts) args.push('--force-conflicts');
  const outcome = await cli.run(args, { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items }) });
  return outcome.exitCode === 0;
}

async function runWave(wave: Wave, ctx: WaveContext): Promise<boolean> {
  const { deps, config, now } = ctx;
  const waveDeadline = Math.min(ctx.runDeadline, now() + config.timeouts.wave * 1000);
  const title = `wave ${wave.prefix}`;
  deps.log.info(`${title}: ${wave.documents.length} objects from ${wave.files.join(', ')}`);

  const unserved = ctx.unchanged ? [] : await kindsNotServed(wave, ctx, waveDeadline);
  if (unserved.length > 0 && !deps.dryRun) {
    for (const problem of unserved)
      deps.report.add({ ref: problem.ref, action: 'failed', error: problem.reason });
    deps.report.fail(`${title}: ${unserved.map((p) => `${p.ref}: ${p.reason}`).join('; ')}`);
    return false;
  }

  const applied: { doc: ManifestDocument; ref: ObjectRef; action: ItemAction }[] = [];
  for (const doc of wave.documents) {
    const ref = refOf(doc);
    const label = describeRef(ref);
    if (deps.dryRun && unserved.some((u) => u.ref === label)) {
      deps.report.add({
        ref: label,
        action: 'skipped',
        detail: 'kind not served yet (an earlier wave installs it); not dry-run-checked',
      });
      continue;
    }
    try {
      const action = ctx.unchanged ? 'unchanged' : await applyOne(doc, ref, ctx);
      applied.push({ doc, ref, action });
      if (deps.dryRun)
        deps.report.add({
          ref: label,
          action: 'planned',
          detail: action === 'unchanged' ? 'no difference' : `would be ${action}`,
        });
    } catch (error) {
      deps.report.add({ ref: label, action: 'failed', error: (error as Error).message });
      deps.report.fail(`${title}: applying ${label} (${doc.file}, document ${doc.index}) failed`);
      return false;
    }
  }
  if (deps.dryRun) return true;
  deps.log.info(`${title}: applied ${applied.length}`);

  const progress = new Map<string, { reason: string; since: number; printed: number }>();
  const started = now();
  const outcomes = await Promise.all(
    applied.map(async ({ ref, action, doc }) => {
      const label = describeRef(ref);
      const kindTimeout =
        config.timeouts.kinds[ref.kind] ?? KIND_TIMEOUTS[ref.kind] ?? config.timeouts.object;
      const deadline = Math.min(waveDeadline, now() + kindTimeout * 1000);
      const outcome = await waitUntilReady(ref, {
        objects: ctx.objects,
        approveInstallPlans: config.approveInstallPlans,
        customRules: config.rules,
        deadline,
        graceMs: config.timeouts.failureGrace * 1000,
        changes: (watched, onChange) => watchObject(ctx.cli, watched, onChange),
        now,
        onProgress: (verdict) =>
          reportProgress(title, label, verdict, progress, applied.length, started, deps, now),
        onApproved: (plan) =>
          deps.log.info(`${title}: approved InstallPlan ${plan.namespace}/${plan.name} for ${label}`),
      });
      return { ref, label, action, doc, outcome };
    }),
  );
  const stuck = outcomes.filter((o) => o.outcome.state !== 'ready');
  for (const { label, action, outcome } of outcomes) {
    if (outcome.state === 'ready')
      deps.report.add({ ref: label, action, detail: `ready: ${outcome.reason}` });
    else
      deps.report.add({
        ref: label,
        action: 'failed',
        error: `${outcome.state === 'timeout' ? 'timed out' : 'failed'}: ${outcome.reason}`,
      });
  }
  if (stuck.length > 0) {
    for (const { label, outcome } of stuck)
      deps.log.error(
        `${title}: ${label} ${outcome.state === 'timeout' ? 'not ready in time' : 'failed'}: ${outcome.reason}`,
      );
    deps.report.fail(
      `${title}: ${stuck.map((s) => `${s.label} ${s.outcome.state === 'timeout' ? 'timed out' : 'failed'} (${s.outcome.reason})`).join('; ')}; later waves were not applied`,
    );
    return false;
  }
  deps.log.info(`${title}: ready (${Math.round((now() - started) / 1000)}s)`);
  return true;
}

/** Server-side apply of one document; says whether it was created, changed or already so (by resourceVersion). */
async function applyOne(doc: ManifestDocument, ref: ObjectRef, ctx: WaveContext): Promise<ItemAction> {
  const before = await ctx.objects.get(ref);
  if (ctx.deps.dryRun) {
    await ctx.cli.apply(doc.object, { dryRun: true, forceConflicts: ctx.config.forceConflicts });
    const diff = await ctx.cli.run(['diff', '--server-side', '--field-manager=quay-tasks', '-f', '-'], {
      input: JSON.stringify(doc.object),
    });
    if (diff.exitCode > 1) throw new Error(diff.stderr.trim().split('\n')[0] ?? 'kubectl diff failed');
    if (diff.stdout.trim() !== '') ctx.deps.log.info(diff.stdout.trimEnd());
    return before === null ? 'created' : diff.exitCode === 1 ? 'updated' : 'unchanged';
  }
  await ctx.cli.apply(doc.object, { forceConflicts: ctx.config.forceConflicts });
  if (before === null) return 'created';
  const after = await ctx.objects.get(ref);
  return changedByApply(before, after) ? 'updated' : 'unchanged';
}

/**
 * Whether an apply changed the object. Controllers write status all the time, so for kinds with a
 * generation (bumped only by spec changes) compare it and the labels and annotations; else the
 * resourceVersion.
 */
function changedByApply(before: unknown, after: unknown): boolean {
  const b = (before as { metadata?: Record<string, unknown> } | null)?.metadata ?? {};
  const a = (after as { metadata?: Record<string, unknown> } | null)?.metadata ?? {};
  if (b.generation !== undefined && a.generation !== undefined) {
    return (
      b.generation !== a.generation ||
      JSON.stringify(b.labels ?? {}) !== JSON.stringify(a.labels ?? {}) ||
      JSON.stringify(b.annotations ?? {}) !== JSON.stringify(a.annotations ?? {})
    );
  }
  return b.resourceVersion !== a.resourceVersion;
}

/** Kinds of the wave the server does not serve: waits (until the wave deadline) for their CRDs to be established. */
async function kindsNotServed(
  wave: Wave,
  ctx: WaveContext,
  deadline: number,
): Promise<{ ref: string; reason: string }[]> {
  const kinds = new Map<string, { apiVersion: string; kind: string; refs: string[] }>();
  for (const doc of wave.documents) {
    const key = `${doc.object.apiVersion} ${doc.object.kind}`;
    const entry = kinds.get(key) ?? { apiVersion: doc.object.apiVersion, kind: doc.object.kind, refs: [] };
    entry.refs.push(describeRef(refOf(doc)));
    kinds.set(key, entry);
  }
  const problems: { ref: string; reason: string }[] = [];
  for (const { apiVersion, kind, refs } of kinds.values()) {
    if (await ctx.objects.served(apiVersion, kind)) continue;
    if (ctx.deps.dryRun) {
      for (const ref of refs) problems.push({ ref, reason: `${kind} (${apiVersion}) is not served yet` });
      continue;
    }
    ctx.deps.log.info(`wave ${wave.prefix}: waiting for ${kind} (${apiVersion}) to be served`);
    const reason = await waitUntilServed(apiVersion, kind, ctx, deadline);
    if (reason) for (const ref of refs) problems.push({ ref, reason });
  }
  return problems;
}

async function waitUntilServed(
  apiVersion: string,
  kind: string,
  ctx: WaveContext,
  deadline: number,
): Promise<string | undefined> {
  const { objects, config, now } = ctx;
  // Polled with a short backoff: a CRD appears whenever its operator (or OLM's InstallPlan) creates it.
  let interval = 200;
  for (;;) {
    const crd = await objects.crdFor(apiVersion, kind);
    if (crd) {
      const name = String((crd.metadata as { name?: unknown } | undefined)?.name ?? '');
      const outcome = await waitUntilReady(
        { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name },
        {
          objects,
          approveInstallPlans: false,
          customRules: config.rules,
          deadline,
          graceMs: config.timeouts.failureGrace * 1000,
          now,
          onProgress: () => undefined,
        },
      );
      if (outcome.state !== 'ready') return `its CRD ${name} is not established: ${outcome.reason}`;
      if (await objects.served(apiVersion, kind)) return undefined;
    }
    if (now() >= deadline)
      return `${kind} (${apiVersion}) is not served, and no CRD for it appeared before the wave timed out`;
    await new Promise((resolve) => setTimeout(resolve, Math.min(interval, Math.max(0, deadline - now()))));
    interval = Math.min(Math.round(interval * 1.5), 2000);
  }
}

/** Each variable the manifests use, with the files that use it. */
export function variableUses(files: readonly { name: string; text: string }[]): Map<string, string[]> {
  const used = new Map<string, string[]>();
  for (const file of files)
    for (const name of variablesUsed(file.text)) used.set(name, [...(used.get(name) ?? []), file.name]);
  return used;
}

/**
 * The variables a manifest uses but neither the config nor the environment defines (INFRA_ID aside: a
 * real run reads it from the cluster), each naming its files: what --validate-config and --plan reject
 * just as a run does.
 */
export function undefinedVariables(
  used: ReadonlyMap<string, readonly string[]>,
  config: Pick<ApplyOrderedConfig, 'variables'>,
  env: NodeJS.ProcessEnv,
): ConfigIssue[] {
  const missing: ConfigIssue[] = [];
  for (const [name, files] of used) {
    if (name === INFRA_ID || config.variables[name] !== undefined || env[name] !== undefined) continue;
    missing.push({
      path: 'apply-ordered.variables',
      message: `variable ${name} is used by ${files.join(', ')} but not defined (config or environment)`,
      example: `variables: {${name}: value}`,
    });
  }
  return missing;
}

async function variableValues(
  used: ReadonlyMap<string, readonly string[]>,
  config: ApplyOrderedConfig,
  deps: ApplyDeps,
  cluster: () => Promise<ClusterCli>,
): Promise<Map<string, string>> {
  const values = new Map<string, string>();
  const missing = undefinedVariables(used, config, deps.env);
  if (missing.length > 0) throw new ConfigError(missing);
  for (const name of used.keys()) {
    const value = config.variables[name] ?? deps.env[name];
    if (value !== undefined) values.set(name, value);
    else if (name === INFRA_ID && !deps.plan) {
      // Read only when a manifest uses it, from infrastructure/cluster (OpenShift).
      const cli = await cluster();
      const infra = await cli.get('infrastructures.config.openshift.io', 'cluster');
      const id = (infra?.status as { infrastructureName?: unknown } | undefined)?.infrastructureName;
      if (typeof id === 'string' && id !== '') values.set(INFRA_ID, id);
      else
        missing.push({
          path: 'apply-ordered.variables',
          message:
            'INFRA_ID (or <INFRAID>) is used, but infrastructure/cluster has no status.infrastructureName',
          example: 'variables: {INFRA_ID: mycluster-x7k2p}',
        });
    } else if (name === INFRA_ID && deps.plan) {
      // --plan does not reach the cluster: INFRA_ID stays a placeholder.
      values.set(name, `\${${name}}`);
    }
  }
  if (missing.length > 0) throw new ConfigError(missing);
  return values;
}

function printPlan(waves: readonly Wave[], config: ApplyOrderedConfig, deps: ApplyDeps): void {
  for (const wave of waves) {
    deps.log.info(`wave ${wave.prefix} (${wave.files.join(', ')}):`);
    for (const doc of wave.documents) {
      const label = describeRef(refOf(doc));
      const rule = ruleFor(doc.object, config.rules);
      deps.log.info(`  ${label} — waits for ${rule.describe}`);
      deps.report.add({
        ref: label,
        action: 'planned',
        detail: `wave ${wave.prefix}; waits for ${rule.describe}`,
      });
    }
  }
}

function reportProgress(
  title: string,
  label: string,
  verdict: Verdict,
  progress: Map<string, { reason: string; since: number; printed: number }>,
  appliedCount: number,
  started: number,
  deps: ApplyDeps,
  now: () => number,
): void {
  const current = progress.get(label);
  const t = now();
  const changed = current?.reason !== verdict.reason;
  // A line when the reason changes, and a reminder every 15 s while it does not.
  if (!changed && current && t - current.printed < 15_000) return;
  progress.set(label, { reason: verdict.reason, since: changed ? t : (current?.since ?? t), printed: t });
  if (verdict.state === 'ready') return;
  deps.log.info(
    `${title}: applied ${appliedCount} · waiting ${label} (${verdict.reason}) ${elapsed(t - started)}`,
  );
}

function elapsed(ms: number): string {
  const s = Math.floor(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

function refOf(doc: ManifestDocument): ObjectRef {
  const ref: ObjectRef = {
    apiVersion: doc.object.apiVersion,
    kind: doc.object.kind,
    name: doc.object.metadata.name,
  };
  if (doc.object.metadata.namespace) ref.namespace = doc.object.metadata.namespace;
  return ref;
}

function describeRef(ref: ObjectRef): string {
  return `${ref.kind}/${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}
