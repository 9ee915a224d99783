/**
 * The keep-alive connection pools of one HttpClient, one per origin: the configured one, and redirect targets
 * (blob storage). Only the configured origin may skip certificate verification; a redirect target never does.
 *
 * Pools are kept per origin here, not by an undici Agent: an Agent closes an origin's whole pool when its last
 * connection disconnects, so a registry that answers `Connection: close` (distribution closes after every
 * manifest HEAD) would cost a new pool, and new connections, for the requests after it.
 */
import { Pool } from 'undici';
import type { HttpTimeouts } from './client-options.js';
import { type TlsConnectOptions, tlsConnectOptions } from './tls.js';

export interface OriginPoolsOptions {
  /** The configured origin (the base URL's). */
  origin: string;
  connections: number;
  timeouts: Readonly<HttpTimeouts>;
  caBundlePath?: string;
  insecureSkipTlsVerify?: boolean;
}

export class OriginPools {
  readonly #pools = new Map<string, Pool>();
  readonly #origin: string;
  readonly #poolOptions: Pool.Options;
  readonly #connectTimeout: number;
  readonly #verified: TlsConnectOptions;
  readonly #own: TlsConnectOptions;

  /** Reads the CA bundle now, so a missing file fails at construction. */
  constructor(options: OriginPoolsOptions) {
    this.#verified = tlsConnectOptions({ caBundlePath: options.caBundlePath });
    this.#own = options.insecureSkipTlsVerify
      ? { ...this.#verified, rejectUnauthorized: false }
      : this.#verified;
    this.#origin = options.origin;
    this.#connectTimeout = options.timeouts.connectMs;
    this.#poolOptions = {
      connections: options.connections,
      headersTimeout: options.timeouts.headersMs,
      bodyTimeout: options.timeouts.bodyIdleMs,
    };
  }

  /** The pool of `origin`, opened on first use. */
  poolFor(origin: string): Pool {
    let pool = this.#pools.get(origin);
    if (pool === undefined) {
      const tls = origin === this.#origin ? this.#own : this.#verified;
      pool = new Pool(origin, { ...this.#poolOptions, connect: { timeout: this.#connectTimeout, ...tls } });
      this.#pools.set(origin, pool);
    }
    return pool;
  }

  /** Lets in-flight requests finish, then closes every connection. */
  close(): Promise<void> {
    return Promise.all([...this.#pools.values()].map((pool) => pool.close())).then(() => undefined);
  }

  /** Aborts in-flight requests and closes every connection at once. */
  destroy(): Promise<void> {
    return Promise.all([...this.#pools.values()].map((pool) => pool.destroy())).then(() => undefined);
  }
}
