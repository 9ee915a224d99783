/**
 * Getting a blob into destination repositories with as little traffic as possible, for the whole run:
 * a (host, repository, digest) is handled once and later asks share the outcome; a HEAD first (present:
 * nothing to do); else a cross-repository mount from another repository of the same destination host known
 * to hold it (201; Quay needs `from`, mirror-anchors.md §2.3); else one source read streamed to every
 * destination that still needs it (fan-out.ts), each upload a POST and one PUT with Content-Length. The
 * source stream is sha256-verified and holds back its last chunk until verified, so a corrupt blob is
 * never committed anywhere.
 */

import type { HostLimiter } from '../../concurrency/host-limiter.js';
import { HttpConnectionError } from '../../http/index.js';
import { errorCodeOf, isRetryableErrorCode } from '../../http/retry.js';
import {
  type Descriptor,
  DigestMismatchError,
  RegistryError,
  type UploadSession,
} from '../../registry/index.js';
import { errorMessage } from '../../report/item-failure.js';
import type { Logger } from '../../report/logger.js';
import type { Endpoint } from '../sides/endpoint.js';
import { fanOut } from './fan-out.js';

export interface BlobLocation {
  endpoint: Endpoint;
  repository: string;
  /**
   * The repository did not exist when the run was planned: it holds only what this run put there, so
   * nothing is asked of it (no HEAD per blob or manifest).
   */
  created?: boolean;
}

export type BlobOutcome =
  | {
      ok: true;
      /** `shared`: another copy in this run took care of it. */
      how: 'present' | 'mounted' | 'uploaded' | 'shared';
      /** Bytes uploaded for this destination (0 unless uploaded). */
      bytes: number;
    }
  | { ok: false; error: Error };

export interface TransferStats {
  /** Blob GETs at sources (one per fan-out group, plus retries). */
  sourceReads: number;
  bytesRead: number;
  bytesUploaded: number;
  uploads: number;
  mounts: number;
  /** Blobs a HEAD found already in place. */
  present: number;
}

/** How many times a destination whose upload failed transiently gets a fresh source read of its own. */
const UPLOAD_ROUNDS = 3;

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}

function deferred<T>(): Deferred<T> {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** A destination this call is responsible for. */
interface Owned {
  target: BlobLocation;
  key: string;
  resolve(outcome: BlobOutcome): void;
}

type Probe =
  | { owned: Owned; next: 'done'; outcome: BlobOutcome }
  | { owned: Owned; next: 'upload'; session: UploadSession | undefined };

export class BlobTransfers {
  readonly stats: TransferStats = {
    sourceReads: 0,
    bytesRead: 0,
    bytesUploaded: 0,
    uploads: 0,
    mounts: 0,
    present: 0,
  };
  readonly #limiter: HostLimiter;
  readonly #log: Logger;
  readonly #onBytes: (bytes: number) => void;
  /** host → digest → repositories known to hold it. */
  readonly #holders = new Map<string, Map<string, Set<string>>>();
  /** `host|repository|digest` → its outcome, shared by every later ask. */
  readonly #pending = new Map<string, Promise<BlobOutcome>>();
  /** `host|digest` → settles when the copy that first went for it on this host has finished. */
  readonly #claims = new Map<string, Promise<void>>();

  constructor(deps: { limiter: HostLimiter; log: Logger; onBytes?: (bytes: number) => void }) {
    this.#limiter = deps.limiter;
    this.#log = deps.log;
    this.#onBytes = deps.onBytes ?? (() => undefined);
  }

  /** Makes `blob` present in every target; one outcome per target, in order. Never throws. */
  async copy(
    source: BlobLocation,
    blob: Descriptor,
    targets: readonly BlobLocation[],
  ): Promise<BlobOutcome[]> {
    const owned: Owned[] = [];
    const asks = targets.map((target) => {
      const key = `${target.endpoint.host}|${target.repository}|${blob.digest}`;
      const known = this.#pending.get(key);
      if (known) {
        return known.then((o): BlobOutcome => (o.ok ? { ok: true, how: 'shared', bytes: 0 } : o));
      }
      const outcome = deferred<BlobOutcome>();
      this.#pending.set(key, outcome.promise);
      let settled = false;
      owned.push({
        target,
        key,
        resolve: (o) => {
          if (settled) return;
          settled = true;
          // A failure is not remembered: a later copy of another image may try again.
          if (!o.ok) this.#pending.delete(key);
          outcome.resolve(o);
        },
      });
      return outcome.promise;
    });
    if (owned.length > 0) await this.#transfer(source, blob, owned);
    return Promise.all(asks);
  }

  async #transfer(source: BlobLocation, blob: Descriptor, owned: readonly Owned[]): Promise<void> {
    const mine = new Map<string, Deferred<void>>();
    const now: Owned[] = [];
    const later: { owned: Owned; claim: Promise<void> }[] = [];
    for (const o of owned) {
      const claimKey = `${o.target.endpoint.host}|${blob.digest}`;
      const claim = this.#claims.get(claimKey);
      if (claim && !mine.has(claimKey)) {
        // Another copy is bringing this blob to this host: wait for it, then mount from where it landed.
        later.push({ owned: o, claim });
        continue;
      }
      if (!claim) {
        const d = deferred<void>();
        mine.set(claimKey, d);
        this.#claims.set(claimKey, d.promise);
      }
      now.push(o);
    }
    try {
      const probes = await Promise.all(now.map((o) => this.#probe(blob, o)));
      const uploads: Extract<Probe, { next: 'upload' }>[] = [];
      for (const probe of probes) {
        if (probe.next === 'done') probe.owned.resolve(probe.outcome);
        else uploads.push(probe);
      }
      if (uploads.length > 0) await this.#upload(source, blob, uploads);
    } catch (error) {
      // Not expected (every step catches its own failures), but no copy may wait forever for an outcome.
      for (const o of now) o.resolve({ ok: false, error: asError(error) });
    } finally {
      // Released before waiting for other claims below, so two copies can never wait for each other.
      for (const [claimKey, d] of mine) {
        this.#claims.delete(claimKey);
        d.resolve();
      }
    }
    if (later.length > 0) {
      await Promise.all(later.map((l) => l.claim));
      await this.#transfer(
        source,
        blob,
        later.map((l) => l.owned),
      );
    }
  }

  /** HEAD, then a mount from a known holder on the same host: done, or what an upload needs. */
  async #probe(blob: Descriptor, owned: Owned): Promise<Probe> {
    const { endpoint, repository } = owned.target;
    const digest = blob.digest;
    const done = (outcome: BlobOutcome): Probe => ({ owned, next: 'done', outcome });
    if (this.#holderSet(endpoint.host, digest).has(repository)) {
      return done({ ok: true, how: 'present', bytes: 0 });
    }
    try {
      const head =
        owned.target.created !== true &&
        (await this.#limiter.run([endpoint.host], () =>
          endpoint.registry.blobs.head(repository, digest, { forPush: true }),
        ));
      if (head) {
        this.stats.present += 1;
        this.#hold(endpoint.host, repository, digest);
        return done({ ok: true, how: 'present', bytes: 0 });
      }
      const from = [...this.#holderSet(endpoint.host, digest)].find((r) => r !== repository);
      if (from === undefined) return { owned, next: 'upload', session: undefined };
      const mount = await this.#limiter.run([endpoint.host], () =>
        endpoint.registry.uploads.mount(repository, digest, from),
      );
      if (!mount.mounted) return { owned, next: 'upload', session: mount.session };
      this.stats.mounts += 1;
      this.#hold(endpoint.host, repository, digest);
      return done({ ok: true, how: 'mounted', bytes: 0 });
    } catch (error) {
      return done({ ok: false, error: asError(error) });
    }
  }

  /** Fan-out rounds: a destination that failed transiently is tried again with a read of its own. */
  async #upload(
    source: BlobLocation,
    blob: Descriptor,
    uploads: readonly Extract<Probe, { next: 'upload' }>[],
  ): Promise<void> {
    let round = uploads.map((u) => ({ owned: u.owned, session: u.session }));
    for (let attempt = 1; round.length > 0; attempt += 1) {
      const results = await this.#fanOutOnce(source, blob, round);
      const again: typeof round = [];
      results.forEach((result, i) => {
        const entry = round[i];
        if (!entry) return;
        if (result.ok) {
          this.#hold(entry.owned.target.endpoint.host, entry.owned.target.repository, blob.digest);
          entry.owned.resolve(result);
        } else if (attempt < UPLOAD_ROUNDS && worthRetrying(result.error, result.fromSource === true)) {
          this.#log.debug(
            `blob ${blob.digest} to ${entry.owned.target.endpoint.name}/${entry.owned.target.repository}: ` +
              `${errorMessage(result.error)}; trying again`,
          );
          again.push({ owned: entry.owned, session: undefined });
        } else {
          entry.owned.resolve({ ok: false, error: result.error });
        }
      });
      round = again;
    }
  }

  /** One source GET, streamed to every destination of `round`. */
  async #fanOutOnce(
    source: BlobLocation,
    blob: Descriptor,
    round: readonly { owned: Owned; session: UploadSession | undefined }[],
  ): Promise<(BlobOutcome & { fromSource?: boolean })[]> {
    const hosts = [source.endpoint.host, ...round.map((r) => r.owned.target.endpoint.host)];
    return this.#limiter.run(hosts, async () => {
      const cancel = (session: UploadSession | undefined, endpoint: Endpoint) =>
        session ? endpoint.registry.uploads.cancel(session).catch(() => undefined) : undefined;
      // The source GET and the upload sessions (a POST each) are started together: neither waits for the other.
      const opening = source.endpoint.registry.blobs.open(source.repository, blob.digest, {
        size: blob.size,
      });
      const starting = Promise.all(
        round.map(async ({ owned, session }) => {
          try {
            const { endpoint, repository } = owned.target;
            return { session: session ?? (await endpoint.registry.uploads.start(repository)) };
          } catch (error) {
            return { error: asError(error) };
          }
        }),
      );
      let stream: Awaited<typeof opening>;
      try {
        stream = await opening;
      } catch (error) {
        const started = await starting;
        await Promise.all(round.map((r, i) => cancel(started[i]?.session, r.owned.target.endpoint)));
        return round.map(() => ({ ok: false as const, error: asError(error), fromSource: true }));
      }
      this.stats.sourceReads += 1;
      const sessions = await starting;
      const live = sessions.flatMap((s, i) => (s.session ? [{ index: i, session: s.session }] : []));
      if (live.length === 0) {
        stream.body.destroy();
        return sessions.map((s) => ({
          ok: false as const,
          error: s.error ?? new Error('no upload session'),
        }));
      }
      const { branches, done } = fanOut(stream.body, live.length, (bytes) => {
        this.stats.bytesRead += bytes;
        this.#onBytes(bytes);
      });
      const uploaded = await Promise.all(
        live.map(async ({ index, session }, b) => {
          const { endpoint } = (round[index] as (typeof round)[number]).owned.target;
          const branch = branches[b];
          try {
            if (!branch) throw new Error('internal: no stream branch for an upload');
            await endpoint.registry.uploads.complete(session, blob.digest, blob.size, branch);
            return undefined;
          } catch (error) {
            branch?.destroy();
            await cancel(session, endpoint);
            return asError(error);
          }
        }),
      );
      const sourceError = await done.then(
        () => undefined,
        (error: unknown) => asError(error),
      );
      return sessions.map((s, i) => {
        if (s.error) return { ok: false as const, error: s.error };
        const failure = uploaded[live.findIndex((l) => l.index === i)];
        if (failure === undefined) {
          this.stats.uploads += 1;
          this.stats.bytesUploaded += blob.size;
          return { ok: true as const, how: 'uploaded' as const, bytes: blob.size };
        }
        return sourceError
          ? { ok: false as const, error: sourceError, fromSource: true }
          : { ok: false as const, error: failure };
      });
    });
  }

  #holderSet(host: string, digest: string): Set<string> {
    let byDigest = this.#holders.get(host);
    if (!byDigest) {
      byDigest = new Map();
      this.#holders.set(host, byDigest);
    }
    let repositories = byDigest.get(digest);
    if (!repositories) {
      repositories = new Set();
      byDigest.set(digest, repositories);
    }
    return repositories;
  }

  #hold(host: string, repository: string, digest: string): void {
    this.#holderSet(host, digest).add(repository);
  }
}

/**
 * A destination's 5xx/429/408 or a dropped connection (also mid-body) may pass on a second try; a 4xx will not. From the
 * source only bytes that failed their digest check are read again (corrupted in transit; a blob stored
 * corrupt fails every round): other source failures were already retried by the http layer and Range.
 */
function worthRetrying(error: Error, fromSource: boolean): boolean {
  if (fromSource) return error instanceof DigestMismatchError;
  if (error instanceof RegistryError)
    return error.status >= 500 || error.status === 429 || error.status === 408;
  // A reset while the PUT body is being written reaches here as the raw socket error (write ECONNRESET).
  return error instanceof HttpConnectionError || isRetryableErrorCode(errorCodeOf(error));
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
