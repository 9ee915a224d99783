/**
 * A custom resource checked against its CRD's structural schema (`openAPIV3Schema` of the version written),
 * as kube-apiserver does: fields the schema does not declare are pruned, or with `fieldValidation=Strict`
 * (kubectl's default) rejected (400 `strict decoding error: unknown field "spec.x"`); wrong types, patterns,
 * enums, required fields and duplicate items of a `x-kubernetes-list-type: set` list are 422 causes in the
 * API server's wording. The subset real CRDs of this project use: type, properties, additionalProperties,
 * items, required, enum, pattern, maxLength, minItems, maxItems, x-kubernetes-preserve-unknown-fields.
 * `metadata` is ObjectMeta (checked elsewhere), `apiVersion` and `kind` are always declared.
 */
import type { StatusCause } from './errors.js';
import { deepEqual, isMap, type JsonMap } from './json.js';

export interface SchemaOutcome {
  /** Paths of fields the schema does not declare (pruned from the object). */
  unknown: string[];
  causes: Required<StatusCause>[];
}

const TYPE_OF = (value: unknown): string =>
  Array.isArray(value)
    ? 'array'
    : value === null
      ? 'null'
      : typeof value === 'number'
        ? Number.isInteger(value)
          ? 'integer'
          : 'number'
        : typeof value;

/** Checks `object` in place against `schema`, pruning undeclared fields. */
export function checkSchema(object: JsonMap, schema: JsonMap): SchemaOutcome {
  const outcome: SchemaOutcome = { unknown: [], causes: [] };
  const properties = isMap(schema.properties) ? schema.properties : {};
  for (const key of Object.keys(object)) {
    if (key === 'apiVersion' || key === 'kind' || key === 'metadata') continue;
    const sub = properties[key];
    if (isMap(sub)) object[key] = walk(object[key], sub, key, outcome);
    else if (schema['x-kubernetes-preserve-unknown-fields'] !== true) {
      outcome.unknown.push(key);
      delete object[key];
    }
  }
  required(object, schema, '', outcome);
  return outcome;
}

function walk(value: unknown, schema: JsonMap, path: string, outcome: SchemaOutcome): unknown {
  const type = typeof schema.type === 'string' ? schema.type : undefined;
  const actual = TYPE_OF(value);
  const typeOk = type === undefined || actual === type || (type === 'number' && actual === 'integer');
  if (!typeOk) {
    outcome.causes.push({
      reason: 'FieldValueTypeInvalid',
      field: path,
      message: `Invalid value: "${actual}": ${path} in body must be of type ${type}: "${actual}"`,
    });
    return value;
  }
  if (isMap(value)) return walkObject(value, schema, path, outcome);
  if (Array.isArray(value)) {
    const items = isMap(schema.items) ? schema.items : undefined;
    const out = items ? value.map((item, i) => walk(item, items, `${path}[${i}]`, outcome)) : value;
    arrayRules(out, schema, path, outcome);
    return out;
  }
  if (typeof value === 'string') stringRules(value, schema, path, outcome);
  if (Array.isArray(schema.enum) && !schema.enum.some((e) => deepEqual(e, value))) {
    outcome.causes.push({
      reason: 'FieldValueNotSupported',
      field: path,
      message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}`,
    });
  }
  return value;
}

function walkObject(value: JsonMap, schema: JsonMap, path: string, outcome: SchemaOutcome): JsonMap {
  const properties = isMap(schema.properties) ? schema.properties : undefined;
  const additional = isMap(schema.additionalProperties) ? schema.additionalProperties : undefined;
  const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
  if (properties || additional) {
    for (const key of Object.keys(value)) {
      const sub = properties?.[key] ?? additional;
      if (isMap(sub)) value[key] = walk(value[key], sub, `${path}.${key}`, outcome);
      else if (!preserve) {
        outcome.unknown.push(`${path}.${key}`);
        delete value[key];
      }
    }
  } else if (!preserve && path !== 'metadata') {
    // A structural schema's object without properties keeps nothing (kube-apiserver prunes it all).
    for (const key of Object.keys(value)) {
      outcome.unknown.push(`${path}.${key}`);
      delete value[key];
    }
  }
  required(value, schema, path, outcome);
  return value;
}

function required(value: JsonMap, schema: JsonMap, path: string, outcome: SchemaOutcome): void {
  for (const key of Array.isArray(schema.required) ? schema.required : []) {
    if (typeof key === 'string' && value[key] === undefined)
      outcome.causes.push({
        reason: 'FieldValueRequired',
        field: path ? `${path}.${key}` : key,
        message: 'Required value',
      });
  }
}

function arrayRules(value: unknown[], schema: JsonMap, path: string, outcome: SchemaOutcome): void {
  if (typeof schema.maxItems === 'number' && value.length > schema.maxItems)
    outcome.causes.push({
      reason: 'FieldValueTooMany',
      field: path,
      message: `Too many: ${value.length}: must have at most ${schema.maxItems} items`,
    });
  if (typeof schema.minItems === 'number' && value.length < schema.minItems)
    outcome.causes.push({
      reason: 'FieldValueInvalid',
      field: path,
      message: `Invalid value: ${value.length}: ${path} in body should have at least ${schema.minItems} items`,
    });
  if (schema['x-kubernetes-list-type'] === 'set') {
    value.forEach((item, i) => {
      if (value.slice(0, i).some((earlier) => deepEqual(earlier, item)))
        outcome.causes.push({
          reason: 'FieldValueDuplicate',
          field: `${path}[${i}]`,
          message: `Duplicate value: ${JSON.stringify(item)}`,
        });
    });
  }
}

function stringRules(value: string, schema: JsonMap, path: string, outcome: SchemaOutcome): void {
  if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value))
    outcome.causes.push({
      reason: 'FieldValueInvalid',
      field: path,
      message: `Invalid value: "${value}": ${path} in body should match '${schema.pattern}'`,
    });
  if (typeof schema.maxLength === 'number' && [...value].length > schema.maxLength)
    outcome.causes.push({
      reason: 'FieldValueTooLong',
      field: path,
      message: `Too long: may not be more than ${schema.maxLength} bytes`,
    });
}
