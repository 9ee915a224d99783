/**
 * What the emulator was asked, for tests to assert on. Credentials never enter the log: a token is kept only as a
 * short sha256 fingerprint, a password not at all, and secret-looking query values are masked.
 */
import type { IncomingMessage } from 'node:http';
import { sha256Hex } from './formats.js';

export type AuthKind = 'none' | 'basic' | 'bearer' | 'other';

export interface RequestAuth {
  kind: AuthKind;
  /**
   * Who the credential names, once known: the Basic username (`alice`, `org+bot`, `$oauthtoken`), the owner of an
   * OAuth bearer token, or the `sub` of a registry JWT. null when anonymous or not resolvable.
   */
  subject: string | null;
  /** First 12 hex digits of sha256 of the token or password, to tell credentials apart. */
  fingerprint: string | null;
  /** For bearers: `oauth` (an API token), `jwt` (a registry token) or `invalid` (neither, or expired). */
  bearerType?: 'oauth' | 'jwt' | 'invalid';
}

export interface RequestLogEntry {
  seq: number;
  timeMs: number;
  method: string;
  path: string;
  /** The query string with secret-looking values masked, without the leading `?`. */
  query: string;
  auth: RequestAuth;
  /** Response status; null while unanswered or when the connection was dropped. */
  status: number | null;
  /** Set when an injected fault answered or disturbed this request. */
  fault: string | null;
}

const SECRET_PARAM = /token|password|secret|csrf/i;

export function redactQuery(search: URLSearchParams): string {
  const out = new URLSearchParams();
  for (const [k, v] of search) out.append(k, SECRET_PARAM.test(k) && k !== 'next_page' ? '***' : v);
  return out.toString();
}

export function fingerprint(secret: string): string {
  return sha256Hex(secret).slice(0, 12);
}

/** Classifies the Authorization header without keeping the credential. */
export function describeAuth(req: IncomingMessage): RequestAuth {
  const header = req.headers.authorization;
  if (!header) return { kind: 'none', subject: null, fingerprint: null };
  const space = header.indexOf(' ');
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const value = space < 0 ? '' : header.slice(space + 1).trim();
  if (scheme === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const username = colon < 0 ? decoded : decoded.slice(0, colon);
    const password = colon < 0 ? '' : decoded.slice(colon + 1);
    return { kind: 'basic', subject: username, fingerprint: fingerprint(password) };
  }
  if (scheme === 'bearer') return { kind: 'bearer', subject: null, fingerprint: fingerprint(value) };
  return { kind: 'other', subject: null, fingerprint: fingerprint(value) };
}

export class RequestLog {
  readonly entries: RequestLogEntry[] = [];
  #seq = 0;
  readonly #waiters: {
    matches: (entry: RequestLogEntry) => boolean;
    resolve: (entry: RequestLogEntry) => void;
  }[] = [];

  /** Resolves with the first request (already received, or to come) that matches. */
  waitFor(matches: (entry: RequestLogEntry) => boolean): Promise<RequestLogEntry> {
    const seen = this.entries.find(matches);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.#waiters.push({ matches, resolve }));
  }

  start(method: string, url: URL, auth: RequestAuth, nowMs: number): RequestLogEntry {
    const entry: RequestLogEntry = {
      seq: ++this.#seq,
      timeMs: nowMs,
      method,
      path: url.pathname,
      query: redactQuery(url.searchParams),
      auth,
      status: null,
      fault: null,
    };
    this.entries.push(entry);
    for (const waiter of this.#waiters.filter((w) => w.matches(entry))) {
      this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
      waiter.resolve(entry);
    }
    return entry;
  }
}
