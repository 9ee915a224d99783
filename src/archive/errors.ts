/**
 * An oci-layout archive that cannot be used as it is: incomplete (a volume, a blob or a manifest missing),
 * tampered with (a sha256 or size that does not match), or not an archive at all. The message names the
 * archive and the exact part; nothing was sent or tagged because of it.
 */
export class ArchiveError extends Error {
  /** The archive's folder (or volume file) as configured. */
  readonly archive: string;

  constructor(archive: string, message: string, options?: { cause?: unknown }) {
    super(`${archive}: ${message}`, options);
    this.name = 'ArchiveError';
    this.archive = archive;
  }
}
