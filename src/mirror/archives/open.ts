/**
 * Before the plan: each oci-layout end of the run opened. The source archive's volumes are extracted and
 * everything it needs is checked (sha256) before anything is read for a copy, so a damaged archive fails the
 * run with the bad part named and nothing sent; a destination archive is created (not in a dry run) and,
 * with a receipt, starts from what the far side holds.
 */
import { ArchiveError } from '../../archive/errors.js';
import type { Logger } from '../../report/logger.js';
import type { Report } from '../../report/report.js';
import type { RunSides } from '../sides/open-sides.js';

const MB = 1e6;

export async function openArchives(
  sides: RunSides,
  context: { dryRun: boolean; log: Logger; report: Report },
): Promise<boolean> {
  const { log, report } = context;
  try {
    const source = sides.source.endpoint.archive;
    if (source) {
      const started = performance.now();
      const opened = await source.openSource();
      const extracted = opened.extracted;
      if (extracted) {
        log.info(
          extracted.skipped
            ? `archive ${source.name}: ${extracted.volumes} volume(s) extracted before, into ${source.layoutPath}`
            : `archive ${source.name}: ${extracted.volumes} volume(s) extracted into ${source.layoutPath} ` +
                `(${extracted.written} files written, ${extracted.present} already there, ${(extracted.bytes / MB).toFixed(1)} MB)`,
        );
      }
      const { verified } = opened;
      log.info(
        `archive ${source.name}: ${opened.repositories} repositories, ${opened.tags} tags; ` +
          `${verified.manifests} manifests and ${verified.blobs} blobs verified (${(verified.bytes / MB).toFixed(1)} MB, ` +
          `${((performance.now() - started) / 1000).toFixed(2)} s)` +
          `${verified.atFarSide > 0 ? `; ${verified.atFarSide} left out as held by the far side` : ''}`,
      );
    }
    for (const target of sides.targets) {
      const archive = target.endpoint.archive;
      if (!archive) continue;
      const opened = await archive.openDestination(context.dryRun);
      log.info(
        `archive ${archive.name}: writing the layout in ${archive.layoutPath}` +
          `${archive.volumes ? `, then volumes of at most ${archive.config.maxArchiveSize} bytes in ${archive.path}` : ''}` +
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
