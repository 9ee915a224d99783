import { MASK } from '../secrets/redactor.js';

/**
 * Query parameters whose values are credentials: OAuth `access_token`/`code`, S3 presigned
 * `X-Amz-Signature`/`X-Amz-Credential`/`X-Amz-Security-Token`, Azure SAS `sig`, CloudFront `Signature`/`Key-Pair-Id`.
 */
const SECRET_QUERY_KEY = /token|secret|passw|signature|^sig$|credential|key|auth|^code$|session/i;

/**
 * A URL as it may appear in a message or log line: never userinfo, secret-looking query values masked.
 * For the client's own origin only the path is shown (`GET /api/v1/user/`); other origins are shown whole.
 */
export function displayUrl(url: URL, ownOrigin?: string): string {
  const query = maskedQuery(url.searchParams);
  const pathAndQuery = `${url.pathname}${query}`;
  return url.origin === ownOrigin ? pathAndQuery : `${url.origin}${pathAndQuery}`;
}

function maskedQuery(params: URLSearchParams): string {
  const parts: string[] = [];
  for (const [key, value] of params) {
    const shown = SECRET_QUERY_KEY.test(key) ? MASK : value;
    parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(shown)}`);
  }
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}

/** `host:port` with the scheme's default port filled in; the form humans type into firewall rules. */
export function hostPortOf(url: URL): string {
  const port = url.port !== '' ? url.port : url.protocol === 'https:' ? '443' : '80';
  return `${url.hostname}:${port}`;
}
