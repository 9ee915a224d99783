import type { Redactor } from '../secrets/redactor.js';
import type { HttpHeaders } from './response.js';

/** The request about to be sent; `url` is final (query included), so a strategy can derive a scope from it. */
export interface AuthRequest {
  method: string;
  url: URL;
}

/** A 401 from the client's own origin, passed to `onChallenge`. The body has already been discarded. */
export interface AuthChallenge {
  method: string;
  url: URL;
  status: number;
  headers: HttpHeaders;
  /** First value of a response header, e.g. `WWW-Authenticate`. */
  header(name: string): string | undefined;
}

/**
 * How a client authenticates. Called only for requests to the client's own origin, never for a redirect
 * target on another origin.
 * - `authorize` returns headers to add (usually `authorization`); called before every send, so a strategy
 *   can refresh an expiring token.
 * - `onChallenge` is called once per request on a 401. Returning true means "credentials were refreshed,
 *   send again" (a registry fetches a token for the scope named in `WWW-Authenticate` here). The resend
 *   happens only when the request body can be replayed.
 * A strategy should register every secret it handles with the redactor; the client also registers every
 * `authorization` header value it sends.
 */
export interface AuthStrategy {
  authorize(request: AuthRequest): Promise<Record<string, string>>;
  onChallenge?(challenge: AuthChallenge): Promise<boolean>;
}

/** A fixed `Authorization: Bearer <token>`, as Quay's `/api/v1` expects (quay-api.md §1.1). */
export function bearerAuth(token: string, options: { redactor?: Redactor } = {}): AuthStrategy {
  if (token.trim() === '') throw new TypeError('bearerAuth: the token is empty');
  options.redactor?.add(token);
  const headers = { authorization: `Bearer ${token}` };
  return { authorize: async () => headers };
}

/**
 * `Authorization: Basic base64(user:password)`. Quay accepts Basic only at the registry token endpoint
 * `/v2/auth` (quay-api.md §11.1), so this is the strategy a registry client uses to fetch its bearer token.
 */
export function basicAuth(
  username: string,
  password: string,
  options: { redactor?: Redactor } = {},
): AuthStrategy {
  if (username.includes(':')) throw new TypeError('basicAuth: a user name cannot contain ":"');
  const pair = `${username}:${password}`;
  options.redactor?.add(password);
  options.redactor?.add(pair);
  const headers = { authorization: `Basic ${Buffer.from(pair).toString('base64')}` };
  return { authorize: async () => headers };
}
