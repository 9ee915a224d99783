/**
 * Error bodies. Quay's API has four shapes that coexist (quay-api.md §1.3), the registry its own (§11.7):
 *  A  ApiException: {detail, error_message, error_type, title, type, status, ...payload}
 *  B  util.http.abort: {"error": msg}
 *  C  flask_restful abort: {"message": msg} (Flask-RESTful's Python-style JSON)
 *  D  app-level handler: {"message": msg} (Flask jsonify), e.g. DataModelException → 400
 */
import { type JsonValue, pyJson } from './formats.js';
import { type HeaderMap, HttpError, type HttpResponse } from './http-io.js';

export type ApiErrorType =
  | 'invalid_request'
  | 'invalid_response'
  | 'invalid_token'
  | 'expired_token'
  | 'insufficient_scope'
  | 'fresh_login_required'
  | 'exceeds_license'
  | 'not_found'
  | 'downstream_issue'
  | 'external_service_timeout'
  | 'tag_immutable'
  | 'token_rotation_failed';

export const API_ERROR_TYPES: Record<ApiErrorType, { status: number; description: string }> = {
  invalid_request: {
    status: 400,
    description: 'The request is missing a required parameter or is otherwise malformed',
  },
  invalid_response: { status: 400, description: 'The response was found to be invalid' },
  invalid_token: { status: 401, description: 'The access token provided is invalid' },
  expired_token: { status: 401, description: 'The access token provided has expired' },
  insufficient_scope: { status: 403, description: 'The access token did not have sufficient scope' },
  fresh_login_required: { status: 401, description: 'The action requires a fresh login to succeed.' },
  exceeds_license: {
    status: 402,
    description: 'The action was refused because the current license does not allow it.',
  },
  not_found: { status: 404, description: 'The resource was not found' },
  downstream_issue: { status: 520, description: 'An error occurred in a downstream service' },
  external_service_timeout: { status: 520, description: 'The external service timed out' },
  tag_immutable: { status: 409, description: 'The tag is immutable' },
  token_rotation_failed: { status: 500, description: 'The token rotation failed' },
};

const JSON_HEADERS: HeaderMap = { 'content-type': 'application/json' };
/** `util.http.abort` adds CORS headers (§1.3 B). */
const CORS_HEADERS: HeaderMap = { 'access-control-allow-origin': '*' };

/** Body of a Flask-RESTful resource response: Python `json.dumps` plus a newline (§0). */
export function apiJson(status: number, value: JsonValue, headers: HeaderMap = {}): HttpResponse {
  return { status, headers: { ...JSON_HEADERS, ...headers }, body: `${pyJson(value)}\n` };
}

/** A Flask `jsonify` response: compact JSON plus a newline (web blueprint, app handlers, registry). */
export function flaskJson(status: number, value: unknown, headers: HeaderMap = {}): HttpResponse {
  return { status, headers: { ...JSON_HEADERS, ...headers }, body: `${JSON.stringify(value)}\n` };
}

/** Shape A. `baseUrl` is `<scheme>://<host>` of the request: `type` is an absolute URL (§1.3). */
export function shapeA(
  baseUrl: string,
  type: ApiErrorType,
  detail: string | null,
  payload: { [key: string]: JsonValue } = {},
): HttpResponse {
  const status = API_ERROR_TYPES[type].status;
  const body: { [key: string]: JsonValue } = { ...payload };
  if (detail !== null) {
    body.detail = detail;
    body.error_message = detail;
  }
  body.error_type = type;
  body.title = type;
  body.type = `${baseUrl}/api/v1/error/${type}`;
  body.status = status;
  return apiJson(status, body);
}

/** Shape B: `{"error": msg}` from `util.http.abort`, compact Flask `jsonify`. */
export function shapeB(status: number, message: string, headers: HeaderMap = {}): HttpResponse {
  return {
    status,
    headers: { ...JSON_HEADERS, ...CORS_HEADERS, ...headers },
    body: `${JSON.stringify({ error: message })}\n`,
  };
}

/** Werkzeug default descriptions used by a bare `abort(code)`. */
const WERKZEUG_DESCRIPTIONS: Record<number, string> = {
  400: 'The browser (or proxy) sent a request that this server could not understand.',
  403: "You don't have the permission to access the requested resource. It is either read-protected or not readable by the server.",
  404: 'The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.',
  405: 'The method is not allowed for the requested URL.',
};

/** Shape C: `flask_restful.abort(code, message=...)`; without a message, the Werkzeug description. */
export function shapeC(status: number, message?: string): HttpResponse {
  return apiJson(status, { message: message ?? WERKZEUG_DESCRIPTIONS[status] ?? 'Error' });
}

/** Shape D: an app-level handler, e.g. DataModelException → 400 `{"message": str(ex)}` (§1.3 D). */
export function shapeD(
  status: number,
  message: string,
  extra: { [key: string]: JsonValue } = {},
): HttpResponse {
  return {
    status,
    headers: { ...JSON_HEADERS },
    body: `${JSON.stringify({ message, ...extra })}\n`,
  };
}

/** Flask's own 404 page: the router found no rule (or a feature hid it), so the body is not API JSON (§0). */
export function flaskNotFound(): HttpResponse {
  return {
    status: 404,
    headers: { 'content-type': 'text/html; charset=utf-8' },
    body:
      '<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n' +
      `<p>${WERKZEUG_DESCRIPTIONS[404]}</p>\n`,
  };
}

/** An unhandled exception in a view: werkzeug's InternalServerError page, as real Quay sends it (text/html). */
export function flaskInternalError(): HttpResponse {
  return {
    status: 500,
    headers: { 'content-type': 'text/html; charset=utf-8' },
    body:
      '<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>\n' +
      '<p>The server encountered an internal error and was unable to complete your request. Either the server ' +
      'is overloaded or there is an error in the application.</p>\n',
  };
}

/** Werkzeug's strict-slashes redirect (§0): 308 to the slashed URL, query kept. */
export function slashRedirect(location: string): HttpResponse {
  return {
    status: 308,
    headers: { location, 'content-type': 'text/html; charset=utf-8' },
    body:
      '<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n<h1>Redirecting...</h1>\n' +
      `<p>You should be redirected automatically to the target URL: <a href="${location}">${location}</a>. ` +
      'If not, click the link.\n',
  };
}

export type RegistryErrorCode =
  | 'BLOB_UNKNOWN'
  | 'BLOB_UPLOAD_INVALID'
  | 'BLOB_UPLOAD_UNKNOWN'
  | 'DIGEST_INVALID'
  | 'MANIFEST_INVALID'
  | 'MANIFEST_UNKNOWN'
  | 'NAME_INVALID'
  | 'NAME_UNKNOWN'
  | 'TAG_EXPIRED'
  | 'TAG_IMMUTABLE'
  | 'UNAUTHORIZED'
  | 'UNSUPPORTED'
  | 'DENIED'
  | 'INVALID_REQUEST'
  | 'TOO_MANY_TAGS_REQUESTED'
  | 'SIZE_INVALID';

/** Registry v2 error: `{"errors": [{"code", "message", "detail"}]}` (§11.7). */
export function registryError(
  status: number,
  code: RegistryErrorCode,
  message: string,
  detail: { [key: string]: JsonValue } = {},
  headers: HeaderMap = {},
): HttpResponse {
  return {
    status,
    headers: {
      'content-type': 'application/json',
      'docker-distribution-api-version': 'registry/2.0',
      ...headers,
    },
    body: `${JSON.stringify({ errors: [{ code, message, detail }] })}\n`,
  };
}

export function fail(response: HttpResponse): never {
  throw new HttpError(response);
}
