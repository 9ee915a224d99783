/**
 * One wave: its kinds served (served-kinds.ts), each object applied in turn (apply-object.ts), then every
 * object waited for by its readiness rule, in parallel, under its kind's timeout and the wave's deadline.
 * Reports each object; false when the wave failed, so later waves are not applied.
 */
import type { ObjectRef, Verdict } from '../cluster/readiness/index.js';
import { waitUntilReady } from '../cluster/wait-ready.js';
import { watchObject } from '../cluster/watch-object.js';
import type { ItemAction } from '../report/report.js';
import { applyOne } from './apply-object.js';
import { describeRef, refOf } from './manifest-ref.js';
import { kindsNotServed } from './served-kinds.js';
import type { WaveContext, WaveDeps } from './wave-context.js';
import type { ManifestDocument, Wave } from './waves.js';

/** Per-kind object timeouts (seconds) where the install takes longer than the default (apply-readiness.md §4). */
const KIND_TIMEOUTS: Readonly<Record<string, number>> = {
  StorageCluster: 2700,
  QuayRegistry: 1800,
  MachineSet: 1800,
  Subscription: 1200,
};

export async function runWave(wave: Wave, ctx: WaveContext): Promise<boolean> {
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

function reportProgress(
  title: string,
  label: string,
  verdict: Verdict,
  progress: Map<string, { reason: string; since: number; printed: number }>,
  appliedCount: number,
  started: number,
  deps: WaveDeps,
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
