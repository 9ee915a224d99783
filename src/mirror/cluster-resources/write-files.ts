/**
 * The manifests as files in the configured folder: a file whose bytes are already the same is left alone
 * (unchanged, not even touched, so a re-run reports no change), else it is written to a temporary file
 * beside it and renamed over it, so a reader never sees half a manifest. A dry run reads only.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ItemAction } from '../../report/report.js';
import type { MirrorSetManifest } from './mirror-sets.js';

export interface FileOutcome {
  path: string;
  action: Extract<ItemAction, 'created' | 'updated' | 'unchanged' | 'planned' | 'failed'>;
  /** For `planned`: what the real run would do. */
  would?: 'create' | 'update';
  error?: string;
}

export function writeManifestFiles(
  dir: string,
  manifests: readonly MirrorSetManifest[],
  dryRun: boolean,
): FileOutcome[] {
  return manifests.map((manifest) => {
    const path = join(dir, manifest.fileName);
    const before = readIfThere(path);
    if (before === manifest.yaml) return { path, action: 'unchanged' };
    if (dryRun) return { path, action: 'planned', would: before === undefined ? 'create' : 'update' };
    const temporary = `${path}.${process.pid}.tmp`;
    try {
      mkdirSync(dir, { recursive: true });
      writeFileSync(temporary, manifest.yaml, { mode: 0o644 });
      renameSync(temporary, path);
    } catch (error) {
      try {
        rmSync(temporary, { force: true });
      } catch {
        // The folder is not one (ENOTDIR): there is no temporary file to remove.
      }
      return { path, action: 'failed', error: `cannot write ${path}: ${systemMessage(error)}` };
    }
    return { path, action: before === undefined ? 'created' : 'updated' };
  });
}

function readIfThere(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    // EISDIR, EACCES…: writing will fail too, and say so.
    return '';
  }
}

function systemMessage(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const message = error instanceof Error ? error.message : String(error);
  return code ? `${code} (${message.replace(/^[A-Z]+: /, '')})` : message;
}
