const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** Headers that carry credentials and must not reach another origin (OCI distribution-spec, "Pull" redirects). */
const CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization', 'cookie'];

/** Headers describing a request body, dropped when a redirect turns the request into a body-less GET. */
const BODY_HEADERS = [
  'content-type',
  'content-length',
  'content-encoding',
  'content-language',
  'content-location',
];

export function isRedirectStatus(status: number): boolean {
  return REDIRECT_STATUSES.has(status);
}

export interface RedirectStep {
  method: string;
  keepBody: boolean;
}

/**
 * The method and body for the next hop, as fetch (WHATWG "HTTP-redirect fetch") and browsers do it:
 * 303 turns anything but HEAD into GET; 301/302 turn POST into GET; 307/308 keep method and body
 * (Quay answers a missing trailing slash with 308, quay-api.md §0).
 */
export function redirectStep(status: number, method: string): RedirectStep {
  if (status === 303 && method !== 'HEAD' && method !== 'GET') return { method: 'GET', keepBody: false };
  if ((status === 301 || status === 302) && method === 'POST') return { method: 'GET', keepBody: false };
  return { method, keepBody: method !== 'GET' && method !== 'HEAD' };
}

export function withoutCredentials(headers: Record<string, string>): Record<string, string> {
  return withoutNames(headers, CREDENTIAL_HEADERS);
}

export function withoutBodyHeaders(headers: Record<string, string>): Record<string, string> {
  return withoutNames(headers, BODY_HEADERS);
}

function withoutNames(headers: Record<string, string>, names: readonly string[]): Record<string, string> {
  const out = { ...headers };
  for (const name of names) delete out[name];
  return out;
}
