/**
 * Before the plan: each oci-layout end of the run opened. The source archive's volumes are extracted and
 * everything it needs is checked to be there with its size before anything is sent (a truncated or
 * incomplete archive fails the run here, the part named); its sha256 pass runs beside the copies, which
 * name nothing at a destination until it passed (src/archive/verify.ts); a destination archive is created (not in a dry run) and,
 * with a receipt, starts from what the far side holds.
 */
import { ArchiveError } from '../../archive/errors.js';
import type { Logger } from '../../report/logger.js';
import type { Report } from '../../report/report.js';
import { type Shard, shardName } from '../shard/shard.js';
import type { RunSides } from '../sides/open-sides.js';

const MB = 1e6;

export async function openArchives(
  sides: RunSides,
  context: { dryRun: boolean; log: Logger; report: Report; listOnly?: boolean; shard?: Shard },
): Promise<boolean> {
  const { log, report } = context;
  try {
    const source = sides.source.endpoint.archive;
    if (source) {
      const started = performance.now();
      const opened = await source.openSource({ hash: context.listOnly !== true });
      const extracted = opened.extracted;
      if (extracted) {
        log.info(
          extracted.skipped
            ? `archive ${source.name}: ${extracted.volumes} volume(s) extracted before, into ${source.layoutPath}`
            : `archive ${source.name}: ${extracted.volumes} volume(s) extracted into ${source.layoutPath} ` +
                `(${extracted.written} files written, ${extracted.present} already there, ${(extracted.bytes / MB).toFixed(1)} MB)`,
        );
      }
      const { checked } = opened;
      log.info(
        `archive ${source.name}: ${opened.repositories} repositories, ${opened.tags} tags; ` +
          `${checked.manifests} manifests and ${checked.blobs} blobs present (${(checked.bytes / MB).toFixed(1)} MB, ` +
          `${((performance.now() - started) / 1000).toFixed(2)} s)` +
          `${checked.atFarSide > 0 ? `; ${checked.atFarSide} left out as held by the far side` : ''}` +
          '; their sha256 is checked while the copies run, and nothing is tagged before it passed',
      );
      opened.hashing.then(
        (hashed) =>
          log.info(
            `archive ${source.name}: sha256 of ${checked.files.size} files right (${(hashed.bytes / MB).toFixed(1)} MB in ${hashed.seconds.toFixed(2)} s)`,
          ),
        () => undefined,
      );
    }
    for (const target of sides.targets) {
      const archive = target.endpoint.archive;
      if (!archive) continue;
      const shard = context.shard;
      const opened = await archive.openDestination(
        context.dryRun,
        shard === undefined ? undefined : shardName(shard),
      );
      log.info(
        `archive ${archive.name}: writing the layout in ${archive.layoutPath}` +
          `${archive.volumes ? `, then volumes of at most ${archive.config.maxArchiveSize} bytes in ${archive.path}` : ''}` +
          `${shard ? `, shard ${shard.index}/${shard.count} of the export (its repositories are merged into index.json at the end)` : ''}` +
          `${opened.fromReceipt > 0 ? `; the receipt's ${opened.fromReceipt} entries are the far side's state` : ''}` +
          `${opened.removedPartials > 0 ? `; ${opened.removedPartials} unfinished blob(s) of an interrupted run removed` : ''}`,
      );
    }
    return true;
  } catch (error) {
    if (!(error instanceof ArchiveError)) throw error;
    report.fail(`${error.message}`);
    log.error(error.message);
    return false;
  }
}
