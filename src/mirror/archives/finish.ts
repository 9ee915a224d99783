/**
 * After the copies: a destination archive gets its index.json (with the original pull name of every
 * repository written), its quay-tasks-archive.json and, with maxArchiveSize, its volumes; a source archive's
 * sha256 pass must have passed (else the run fails with what was bad, nothing tagged), and after an import
 * that failed nowhere it writes the receipt to carry back. Each is one report item.
 */
import type { Logger } from '../../report/logger.js';
import type { Report } from '../../report/report.js';
import type { RepositoryPlan } from '../plan/plan.js';
import { type Shard, shardName } from '../shard/shard.js';
import type { Endpoint } from '../sides/endpoint.js';
import type { MirrorTarget } from '../sides/open-sides.js';

const MB = 1e6;

export async function finishArchives(
  input: {
    source: Endpoint;
    targets: readonly MirrorTarget[];
    repositories: readonly RepositoryPlan[];
    failed: number;
    /** The run saw the config's whole selection (a narrowed run's receipt would drop what it did not see). */
    whole: boolean;
    /** `--shard`: a destination archive gets this shard's repositories merged into its index.json. */
    shard?: Shard;
  },
  context: { dryRun: boolean; log: Logger; report: Report },
): Promise<void> {
  const { log, report } = context;
  for (const target of input.targets) {
    const archive = target.endpoint.archive;
    if (!archive) continue;
    const sources = new Map<string, string>();
    const owned = new Set<string>();
    for (const repository of input.repositories) {
      const destination = repository.destinations.find((d) => d.target === target.side.instance);
      if (destination) owned.add(destination.path);
      const name = input.source.pullName(repository.sourcePath);
      if (destination && repository.error === undefined && name !== undefined)
        sources.set(destination.path, name);
    }
    const shard = input.shard;
    const done = await archive.finishDestination(
      sources,
      context.dryRun,
      shard === undefined ? undefined : { writer: shardName(shard), owned },
    );
    const volumes = done.volumes;
    const detail =
      `${done.blobsWritten} blobs (${(done.blobBytesWritten / MB).toFixed(1)} MB) and ${done.manifestsWritten} manifests written` +
      (volumes
        ? `; ${volumes.volumes.length} volume(s) ${volumes.unchanged ? 'unchanged' : 'written'} (${(volumes.bytes / MB).toFixed(1)} MB${volumes.parts > 0 ? `, ${volumes.parts} blob(s) split` : ''})`
        : '') +
      (done.shard
        ? `; shard ${shard?.index}/${shard?.count}: its ${owned.size} repositories merged into index.json` +
          `${done.shard.takenOver ? ' (a stale index.json.lock of a run that died was taken over)' : ''}` +
          `${archive.volumes ? '; no volumes packed by a shard: run once more without --shard when every shard is done (it copies nothing and packs them)' : ''}`
        : '');
    const changed =
      done.index === 'written' || (volumes !== undefined && !volumes.unchanged) || done.blobsWritten > 0;
    report.add({
      ref: `archive/${archive.name}`,
      action: done.index === 'planned' ? 'planned' : changed ? 'updated' : 'unchanged',
      detail: done.index === 'planned' ? `would write ${archive.layoutPath}` : detail,
    });
    log.info(
      `archive ${archive.name}: ${done.index === 'planned' ? 'nothing written (dry run)' : `index.json ${done.index}; ${detail}`}`,
    );
  }
  const source = input.source.archive;
  if (!source) return;
  try {
    await source.hashed();
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    report.fail(text);
    log.error(text);
    return;
  }
  if (context.dryRun) return;
  if (!input.whole) {
    log.info(`archive ${source.name}: no receipt from a run narrowed by --repository, --tags or --shard`);
    return;
  }
  if (input.failed > 0) {
    log.warn(
      `archive ${source.name}: no receipt written, ${input.failed} failed (a receipt says only what the far side surely holds)`,
    );
    return;
  }
  const imported = new Set(input.repositories.filter((r) => r.error === undefined).map((r) => r.sourcePath));
  const receipt = await source.writeReceipt(
    imported,
    input.targets.map((t) => t.endpoint.name),
  );
  report.add({
    ref: `receipt/${source.name}`,
    action: receipt.changed ? 'updated' : 'unchanged',
    detail: receipt.file,
  });
  log.info(
    `archive ${source.name}: receipt ${receipt.changed ? 'written to' : 'unchanged in'} ${receipt.file}: carry it back for the next export`,
  );
}
