/**
 * Registry authentication (distribution "Token Authentication Specification"; quay-api.md §11.1): a 401
 * names Bearer (realm, service, scope) or Basic. For Bearer, a token is fetched from the realm with a GET
 * (`service`, one `scope` per resource) using Basic credentials or none, and cached per scope set. Once the
 * realm is known, tokens for new scope sets are fetched before the request, saving the 401 round trip.
 */
import * as z from 'zod';
import type { RegistryCredential } from '../credentials/index.js';
import {
  type AuthChallenge,
  type AuthStrategy,
  basicAuth,
  createHttpClient,
  displayUrl,
  type HttpClient,
  type HttpClientOptions,
  HttpError,
} from '../http/index.js';
import type { Redactor } from '../secrets/redactor.js';
import { mergeScopes, parseWwwAuthenticate, scopesCover } from './challenge.js';
import { RegistryAuthError } from './types/errors.js';

/** Options of the HTTP clients that talk to token realms (TLS, timeouts, retries, logging). */
export type TokenHttpOptions = Omit<HttpClientOptions, 'baseUrl' | 'auth' | 'redactor'>;

export interface RegistryAuthOptions {
  /** `host[:port]`, for messages. */
  registry: string;
  /** Origin of the registry's API (`https://host:port`): TLS skip-verify applies to realms on its host only. */
  registryOrigin: string;
  credentials?: RegistryCredential;
  redactor: Redactor;
  http?: TokenHttpOptions;
  /** Clock for token expiry. Default Date.now. */
  now?: () => number;
}

/** Distribution token spec: "If the expires_in is not given, a default of 60 seconds should be assumed". */
const DEFAULT_TOKEN_LIFETIME_S = 60;
/** A token is renewed this long before it expires, so it does not lapse in flight. */
const EXPIRY_MARGIN_MS = 10_000;

const tokenResponseSchema = z.looseObject({
  token: z.string().optional(),
  access_token: z.string().optional(),
  expires_in: z.number().positive().optional(),
  issued_at: z.string().optional(),
});

interface CachedToken {
  token: string;
  expiresAtMs: number;
  /** What was asked for (a registry may have granted less). */
  scopes: string[];
}

interface BearerRealm {
  realm: URL;
  service: string | undefined;
}

/**
 * The credentials and token cache of one registry. Hand `scoped(scopes)` to each request: the strategy it
 * returns asks for a token covering those scopes (e.g. push on the target plus pull on a mount source).
 */
export class RegistryAuth {
  readonly registry: string;
  readonly #credentials: RegistryCredential | undefined;
  readonly #redactor: Redactor;
  readonly #http: TokenHttpOptions;
  readonly #registryOrigin: URL;
  readonly #now: () => number;
  readonly #tokens = new Map<string, CachedToken>();
  readonly #inFlight = new Map<string, Promise<CachedToken>>();
  readonly #realmClients = new Map<string, HttpClient>();
  #scheme: 'unknown' | 'basic' | 'bearer' = 'unknown';
  #bearer: BearerRealm | undefined;

  constructor(options: RegistryAuthOptions) {
    this.registry = options.registry;
    this.#credentials = options.credentials;
    this.#redactor = options.redactor;
    this.#http = options.http ?? {};
    this.#registryOrigin = new URL(options.registryOrigin);
    this.#now = options.now ?? Date.now;
    if (options.credentials) {
      const { username, password } = options.credentials;
      if (username === '' || username.includes(':')) {
        throw new RegistryAuthError(this.registry, 'the registry user name is empty or contains ":"');
      }
      this.#redactor.add(password);
      this.#redactor.add(`${username}:${password}`);
    }
  }

  get hasCredentials(): boolean {
    return this.#credentials !== undefined;
  }

  /** What the registry asked for so far: `unknown` until its first 401. */
  get scheme(): 'unknown' | 'basic' | 'bearer' {
    return this.#scheme;
  }

  /** An AuthStrategy for requests that need these scopes (`repository:<name>:pull,push`, ...). */
  scoped(scopes: readonly string[]): AuthStrategy {
    const wanted = mergeScopes([...scopes]);
    return {
      authorize: () => this.#authorize(wanted),
      onChallenge: (challenge) => this.#onChallenge(wanted, challenge),
    };
  }

  /** Forgets every cached token (e.g. after credentials were rotated). */
  clearTokens(): void {
    this.#tokens.clear();
  }

  async close(): Promise<void> {
    const clients = [...this.#realmClients.values()];
    this.#realmClients.clear();
    await Promise.all(clients.map((client) => client.close()));
  }

  async #authorize(scopes: string[]): Promise<Record<string, string>> {
    if (this.#scheme === 'basic' && this.#credentials) return this.#basicHeader();
    if (this.#scheme !== 'bearer' || !this.#bearer || !this.#canAskFor(scopes)) return {};
    const token = await this.#token(scopes, this.#bearer);
    return { authorization: `Bearer ${token.token}` };
  }

  async #onChallenge(scopes: string[], challenge: AuthChallenge): Promise<boolean> {
    const challenges = parseWwwAuthenticate(challenge.headers['www-authenticate']);
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    const basic = challenges.find((c) => c.scheme === 'basic');
    if (bearer) {
      const realmText = bearer.params.realm;
      if (!realmText) {
        throw new RegistryAuthError(this.registry, 'the registry sent a Bearer challenge without a realm');
      }
      let realm: URL;
      try {
        realm = new URL(realmText, challenge.url);
      } catch {
        throw new RegistryAuthError(this.registry, `the Bearer realm "${realmText}" is not a URL`);
      }
      if (realm.protocol !== 'https:' && realm.protocol !== 'http:') {
        throw new RegistryAuthError(this.registry, `the Bearer realm ${realm.protocol} URL is not http(s)`);
      }
      this.#scheme = 'bearer';
      this.#bearer = { realm, service: bearer.params.service };
      // The challenge's scope says what this request needs; add what the caller announced (mount sources).
      const needed = mergeScopes(scopes, [bearer.params.scope]);
      if (!this.#canAskFor(needed)) return false;
      this.#tokens.delete(keyOf(scopes)); // it was just refused, or never existed
      // Concurrent first requests all get a 401; they share one token request.
      const token = await this.#token(needed, this.#bearer, { fresh: true });
      this.#tokens.set(keyOf(scopes), token);
      return true;
    }
    if (basic) {
      const alreadySent = this.#scheme === 'basic' && this.#credentials !== undefined;
      this.#scheme = 'basic';
      // Once Basic was sent proactively, a 401 means these very credentials were refused.
      return this.#credentials !== undefined && !alreadySent;
    }
    return false;
  }

  /** An anonymous token without any scope is useless (Quay refuses it: "Missing credentials and scope"). */
  #canAskFor(scopes: readonly string[]): boolean {
    return scopes.length > 0 || this.#credentials !== undefined;
  }

  #basicHeader(): Record<string, string> {
    const { username, password } = this.#credentials as RegistryCredential;
    return { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` };
  }

  /** A cached token for the scopes (unless `fresh`), else one fetched once however many ask at a time. */
  async #token(
    scopes: string[],
    bearer: BearerRealm,
    options: { fresh?: boolean } = {},
  ): Promise<CachedToken> {
    const key = keyOf(scopes);
    const cached = options.fresh ? undefined : this.#usable(key, scopes);
    if (cached) return cached;
    const pending = this.#inFlight.get(key);
    if (pending) return pending;
    const fetching = this.#fetchToken(scopes, bearer).then(
      (token) => {
        this.#inFlight.delete(key);
        this.#tokens.set(key, token);
        return token;
      },
      (error: unknown) => {
        this.#inFlight.delete(key);
        throw error;
      },
    );
    this.#inFlight.set(key, fetching);
    return fetching;
  }

  /**
   * The token cached for exactly these scopes, else one asked for with more (a pull+push token serves a
   * pull). If such a token was granted less than asked, the 401 that follows fetches an exact one.
   */
  #usable(key: string, scopes: string[]): CachedToken | undefined {
    const fresh = (token: CachedToken | undefined) =>
      token !== undefined && token.expiresAtMs - EXPIRY_MARGIN_MS > this.#now();
    const exact = this.#tokens.get(key);
    if (fresh(exact)) return exact;
    for (const token of this.#tokens.values()) {
      if (fresh(token) && scopesCover(token.scopes, scopes)) return token;
    }
    return undefined;
  }

  async #fetchToken(scopes: string[], bearer: BearerRealm): Promise<CachedToken> {
    const client = this.#realmClient(bearer.realm);
    const started = this.#now();
    const what = scopes.length > 0 ? scopes.join(' ') : 'no scope';
    let body: unknown;
    try {
      body = await client.json({
        path: bearer.realm.href,
        query: { service: bearer.service, scope: scopes },
        auth: this.#credentials
          ? basicAuth(this.#credentials.username, this.#credentials.password, { redactor: this.#redactor })
          : null,
      });
    } catch (error) {
      const status = error instanceof HttpError ? error.status : undefined;
      const hint =
        status === 401
          ? this.#credentials
            ? ` — the registry refused the credentials of user "${this.#credentials.username}"`
            : ' — the registry wants credentials; none were given'
          : '';
      const why = error instanceof Error ? error.message : String(error);
      throw new RegistryAuthError(
        this.registry,
        `getting a token for ${what} from ${displayUrl(bearer.realm)} failed: ${why}${hint}`,
        { status, cause: error },
      );
    }
    const parsed = tokenResponseSchema.safeParse(body);
    const token = parsed.success ? (parsed.data.token ?? parsed.data.access_token) : undefined;
    if (!parsed.success || token === undefined || token === '') {
      throw new RegistryAuthError(
        this.registry,
        `the token endpoint ${displayUrl(bearer.realm)} answered without a "token" or "access_token"`,
      );
    }
    this.#redactor.add(token);
    const issuedMs = parseIssuedAt(parsed.data.issued_at) ?? started;
    const lifetimeS = Math.max(
      parsed.data.expires_in ?? jwtLifetimeS(token, issuedMs) ?? DEFAULT_TOKEN_LIFETIME_S,
      DEFAULT_TOKEN_LIFETIME_S,
    );
    return { token, expiresAtMs: issuedMs + lifetimeS * 1000, scopes };
  }

  #realmClient(realm: URL): HttpClient {
    const existing = this.#realmClients.get(realm.origin);
    if (existing) return existing;
    // Skipping TLS verification was asked for the registry; a realm on the same host is the same server
    // (or its sibling behind one certificate), any other host is verified.
    const sameHost = realm.hostname === this.#registryOrigin.hostname;
    const client = createHttpClient({
      ...this.#http,
      insecureSkipTlsVerify: sameHost ? this.#http.insecureSkipTlsVerify : false,
      baseUrl: realm.origin,
      redactor: this.#redactor,
    });
    this.#realmClients.set(realm.origin, client);
    return client;
  }
}

function keyOf(scopes: readonly string[]): string {
  return scopes.join(' ');
}

function parseIssuedAt(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Quay answers only `{"token"}` (quay-api.md §11.1); its JWT's `exp` still tells the lifetime. */
function jwtLifetimeS(token: string, issuedMs: number): number | undefined {
  const payload = token.split('.')[1];
  if (payload === undefined) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown };
    if (typeof claims.exp !== 'number') return undefined;
    const seconds = Math.floor(claims.exp - issuedMs / 1000);
    return seconds > 0 ? seconds : undefined;
  } catch {
    return undefined;
  }
}
