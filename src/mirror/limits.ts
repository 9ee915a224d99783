/**
 * Where the one `concurrency` setting of mirror-repos becomes the run's limits, built once per run
 * (src/mirror/run.ts) and handed to every stage; nothing else in src/mirror/ reads `concurrency`.
 */

export interface MirrorLimits {
  /** Requests in flight per registry host at once (the HostLimiter's slots on each host). */
  readonly perHost: number;
  /**
   * Work items in flight at once: repositories being planned or prepared, manifest trees being copied,
   * podman images being judged.
   */
  readonly poolWidth: number;
  /**
   * HTTP connections per registry origin: a few above `perHost`, so the HEADs and token requests of a step
   * that holds its slots do not wait behind its own transfers.
   */
  readonly connectionsPerOrigin: number;
}

/** The limits of a run with `concurrency: n` (1–64, checked by the config). */
export function mirrorLimits(concurrency: number): MirrorLimits {
  return { perHost: concurrency, poolWidth: concurrency, connectionsPerOrigin: concurrency + 4 };
}
