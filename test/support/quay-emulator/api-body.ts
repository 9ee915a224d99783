/**
 * JSON request bodies of `/api/v1` (quay-api.md §0, `validate_json_request`): a non-JSON content type is 415 on a
 * required body and silently ignored on an optional one; invalid JSON is 400 (ignored when optional); schema
 * violations are 400 shape A `invalid_request` with jsonschema-like text.
 */
import { invalidRequest } from './api-auth.js';
import type { RequestContext } from './context.js';
import { fail, shapeC } from './errors.js';
import { isJsonContentType, readBody } from './http-io.js';

/** The whole request body is capped at 1 MiB (`max_json_size`, §5.3). */
const MAX_JSON_BYTES = 1024 * 1024;

export type JsonObject = Record<string, unknown>;

export async function readJsonBody(ctx: RequestContext, opts: { optional?: boolean } = {}): Promise<unknown> {
  const raw = await readBody(ctx.req, MAX_JSON_BYTES);
  if (!isJsonContentType(ctx.req)) {
    if (opts.optional) return undefined;
    fail(
      shapeC(
        415,
        "Did not attempt to load JSON data because the request Content-Type was not 'application/json'.",
      ),
    );
  }
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    if (opts.optional) return undefined;
    return fail(shapeC(400, 'The browser (or proxy) sent a request that this server could not understand.'));
  }
}

export interface FieldSpec {
  type: 'string' | 'integer' | 'boolean' | 'object' | 'array';
  required?: boolean;
  nullable?: boolean;
  enum?: readonly string[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
}

function pyRepr(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (value === null) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  return JSON.stringify(value);
}

function typeMatches(value: unknown, type: FieldSpec['type']): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'array':
      return Array.isArray(value);
  }
}

/** Validates `body` against a flat object schema; the first violation answers 400 (shape A). */
export function validateSchema(
  ctx: RequestContext,
  body: unknown,
  schema: Record<string, FieldSpec>,
): JsonObject {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    fail(invalidRequest(ctx, `${pyRepr(body)} is not of type 'object'`));
  }
  const obj = body as JsonObject;
  for (const [name, spec] of Object.entries(schema)) {
    if (!(name in obj)) {
      if (spec.required) fail(invalidRequest(ctx, `'${name}' is a required property`));
      continue;
    }
    const value = obj[name];
    if (value === null && spec.nullable) continue;
    if (!typeMatches(value, spec.type)) {
      fail(invalidRequest(ctx, `${pyRepr(value)} is not of type '${spec.type}'`));
    }
    if (spec.enum && !spec.enum.includes(value as string)) {
      fail(
        invalidRequest(ctx, `${pyRepr(value)} is not one of [${spec.enum.map((e) => `'${e}'`).join(', ')}]`),
      );
    }
    if (typeof value === 'string') {
      if (spec.maxLength !== undefined && value.length > spec.maxLength) {
        fail(invalidRequest(ctx, `${pyRepr(value)} is too long`));
      }
      if (spec.minLength !== undefined && value.length < spec.minLength) {
        fail(invalidRequest(ctx, `${pyRepr(value)} is too short`));
      }
    }
    if (typeof value === 'number' && spec.minimum !== undefined && value < spec.minimum) {
      fail(invalidRequest(ctx, `${value} is less than the minimum of ${spec.minimum}`));
    }
  }
  return obj;
}

export function str(obj: JsonObject, key: string): string | undefined {
  const v = obj[key];
  return typeof v === 'string' ? v : undefined;
}
