/**
 * What a registry call can fail with: bad references and manifests, digest mismatches, error statuses with
 * the registry's OCI error body (distribution-spec "Error Codes"), token failures, broken downloads and
 * protocol breaches. Types only, no I/O.
 */
import type { HttpError } from '../../http/index.js';

/** An image reference, repository name, tag or digest that does not follow the distribution grammar. */
export class InvalidReferenceError extends Error {
  override readonly name = 'InvalidReferenceError';
  /** What was given. */
  readonly input: string;

  constructor(input: string, problem: string) {
    super(`invalid image reference "${input}": ${problem}`);
    this.input = input;
  }
}

/** A manifest that is not valid JSON or does not have the shape its media type requires. */
export class InvalidManifestError extends Error {
  override readonly name = 'InvalidManifestError';
}

/**
 * A manifest this client will not handle: Docker schema 1 (deprecated; its digest covers a signed payload,
 * so it cannot be copied byte-exact by a schema-2 tool) or a media type that is not a manifest type.
 */
export class UnsupportedManifestError extends Error {
  override readonly name = 'UnsupportedManifestError';
  readonly mediaType: string;

  constructor(mediaType: string, message: string) {
    super(message);
    this.mediaType = mediaType;
  }
}

/** Content whose sha256 (or size) is not what its digest promised. */
export class DigestMismatchError extends Error {
  override readonly name = 'DigestMismatchError';
  readonly expected: string;
  /** Undefined when the content was cut off early for being larger than the expected size. */
  readonly actual: string | undefined;
  readonly expectedSize: number | undefined;
  readonly actualSize: number;

  constructor(details: {
    what: string;
    expected: string;
    actual: string | undefined;
    expectedSize?: number;
    actualSize: number;
  }) {
    const { what, expected, actual, expectedSize, actualSize } = details;
    const why =
      actual === undefined
        ? `more than the expected ${expectedSize} bytes arrived`
        : expectedSize !== undefined && expectedSize !== actualSize
          ? `got ${actualSize} bytes with digest ${actual}, expected ${expectedSize} bytes`
          : `content has digest ${actual}`;
    super(`${what}: digest mismatch, expected ${expected}: ${why}`);
    this.expected = expected;
    this.actual = actual;
    this.expectedSize = expectedSize;
    this.actualSize = actualSize;
  }
}

/** One entry of an OCI distribution error body (`{"errors":[{"code","message","detail"}]}`, spec "Error Codes"). */
export interface RegistryErrorEntry {
  code: string;
  message: string | undefined;
  detail: unknown;
}

/**
 * A registry call answered with an error status. The message carries the operation, the method and path, the
 * registry's error code and message, and advice where a status is easy to misread.
 */
export class RegistryError extends Error {
  override readonly name = 'RegistryError';
  /** `host[:port]` of the registry. */
  readonly registry: string;
  /** What was being done, e.g. `get manifest acme/app:v1`. */
  readonly operation: string;
  readonly status: number;
  readonly method: string;
  readonly path: string;
  /** The first OCI error code (MANIFEST_UNKNOWN, BLOB_UNKNOWN, DENIED, ...), when the body had one. */
  readonly code: string | undefined;
  readonly errors: readonly RegistryErrorEntry[];

  constructor(registry: string, operation: string, cause: HttpError, hint?: string) {
    const errors = registryErrorsOf(cause.json);
    super(`${registry}: ${operation} failed: ${cause.message}${hint ? ` — ${hint}` : ''}`, { cause });
    this.registry = registry;
    this.operation = operation;
    this.status = cause.status;
    this.method = cause.method;
    this.path = cause.path;
    this.errors = errors;
    this.code = errors[0]?.code;
  }
}

/** Getting a bearer token from the registry's token realm failed, or a challenge could not be answered. */
export class RegistryAuthError extends Error {
  override readonly name = 'RegistryAuthError';
  readonly registry: string;
  /** Status of the token endpoint's answer, when it answered. */
  readonly status: number | undefined;

  constructor(registry: string, message: string, options: { status?: number; cause?: unknown } = {}) {
    super(`${registry}: ${message}`, { cause: options.cause });
    this.registry = registry;
    this.status = options.status;
  }
}

/** A blob download that broke off and could not be resumed. */
export class BlobReadError extends Error {
  override readonly name = 'BlobReadError';
  readonly bytesRead: number;
  readonly resumes: number;

  constructor(message: string, details: { bytesRead: number; resumes: number; cause?: unknown }) {
    super(message, { cause: details.cause });
    this.bytesRead = details.bytesRead;
    this.resumes = details.resumes;
  }
}

/** A registry answer that breaks the distribution protocol (bad pagination link, impossible Content-Range). */
export class RegistryProtocolError extends Error {
  override readonly name = 'RegistryProtocolError';
}

/** The entries of an OCI error body; empty when the body has another shape. */
export function registryErrorsOf(json: unknown): RegistryErrorEntry[] {
  if (json === null || typeof json !== 'object' || !('errors' in json)) return [];
  const { errors } = json as { errors: unknown };
  if (!Array.isArray(errors)) return [];
  const out: RegistryErrorEntry[] = [];
  for (const entry of errors) {
    if (entry === null || typeof entry !== 'object') continue;
    const { code, message, detail } = entry as { code?: unknown; message?: unknown; detail?: unknown };
    if (typeof code !== 'string') continue;
    out.push({ code, message: typeof message === 'string' ? message : undefined, detail });
  }
  return out;
}
