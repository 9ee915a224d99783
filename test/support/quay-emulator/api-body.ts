/**
 * JSON request bodies of `/api/v1` (quay-api.md §0, `validate_json_request`): a non-JSON content type is 415 on a
 * required body and silently ignored on an optional one; invalid JSON is 400 (ignored when optional); schema
 * violations are 400 shape A `invalid_request` with jsonschema's text (jsonschema.ts).
 */
import { invalidRequest } from './api-auth.js';
import type { RequestContext } from './context.js';
import { fail, shapeC } from './errors.js';
import { isJsonContentType, readBody } from './http-io.js';
import { type Schema, schemaError } from './jsonschema.js';

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

/** A flat object schema written as fields (the older handlers); turned into a JSON schema for `validateJson`. */
function fieldsToSchema(fields: Record<string, FieldSpec>): Schema {
  const properties: Record<string, Schema> = {};
  const required: string[] = [];
  for (const [name, spec] of Object.entries(fields)) {
    if (spec.required) required.push(name);
    const prop: Schema = { type: spec.nullable ? [spec.type, 'null'] : spec.type };
    if (spec.enum) prop.enum = spec.nullable ? [...spec.enum, null] : [...spec.enum];
    if (spec.minLength !== undefined) prop.minLength = spec.minLength;
    if (spec.maxLength !== undefined) prop.maxLength = spec.maxLength;
    if (spec.minimum !== undefined) prop.minimum = spec.minimum;
    properties[name] = prop;
  }
  return { type: 'object', ...(required.length > 0 ? { required } : {}), properties };
}

/**
 * `validate(json_data, schema)` of `validate_json_request`: the violation jsonschema reports answers 400 shape A
 * `invalid_request` (its first line, see jsonschema.ts). Quay's schemas rarely forbid unknown keys, and neither
 * does this unless the schema says `additionalProperties: false`.
 */
export function validateJson(ctx: RequestContext, body: unknown, schema: Schema): JsonObject {
  // A body of `null` is no JSON body at all to `request.get_json()`.
  if (body === null) fail(invalidRequest(ctx, 'Missing JSON body'));
  const problem = schemaError(body, schema);
  if (problem !== undefined) fail(invalidRequest(ctx, problem));
  return body as JsonObject;
}

/** Validates `body` against a flat object schema given as fields. */
export function validateSchema(
  ctx: RequestContext,
  body: unknown,
  schema: Record<string, FieldSpec>,
): JsonObject {
  return validateJson(ctx, body, fieldsToSchema(schema));
}

export function str(obj: JsonObject, key: string): string | undefined {
  const v = obj[key];
  return typeof v === 'string' ? v : undefined;
}
