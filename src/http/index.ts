export { type AuthChallenge, type AuthRequest, type AuthStrategy, basicAuth, bearerAuth } from './auth.js';
export { createHttpClient, HttpClient } from './client.js';
export {
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_CONNECTIONS_PER_ORIGIN,
  DEFAULT_MAX_REDIRECTS,
  DEFAULT_TIMEOUTS,
  type HttpClientOptions,
  type HttpLogger,
  type HttpTimeouts,
  type SleepFn,
} from './client-options.js';
export {
  HttpBodyError,
  type HttpBodyErrorReason,
  HttpConfigError,
  HttpConnectionError,
  HttpError,
  serverMessageOf,
} from './errors.js';
export {
  checkDns,
  checkTcp,
  type DnsCheckResult,
  type Endpoint,
  endpointOf,
  type LookupAll,
  type TcpCheckResult,
} from './preflight.js';
export type { HttpMethod, HttpRequest, QueryParams, QueryValue, RequestBody } from './request.js';
export { type HttpHeaders, HttpResponse, type ReadOptions } from './response.js';
export {
  DEFAULT_RETRY_POLICY,
  isIdempotentMethod,
  isRetryableStatus,
  parseRetryAfter,
  type RetryPolicy,
  retryDelayMs,
} from './retry.js';
export { displayUrl } from './safe-url.js';
