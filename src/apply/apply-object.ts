/**
 * Server-side apply of one manifest document (or, dry run, its server-side diff), and whether it created,
 * changed or left the object as it was.
 */
import type { ObjectRef } from '../cluster/readiness/index.js';
import type { ItemAction } from '../report/report.js';
import type { WaveContext } from './wave-context.js';
import type { ManifestDocument } from './waves.js';

/** Server-side apply of one document; says whether it was created, changed or already so (by resourceVersion). */
export async function applyOne(doc: ManifestDocument, ref: ObjectRef, ctx: WaveContext): Promise<ItemAction> {
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
