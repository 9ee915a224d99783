/**
 * The part of `jsonschema` 3.2.0 (Quay's pin, vendor/quay/requirements.txt) that Quay's request schemas use:
 * `type`, `enum`, `required`, `properties`, `additionalProperties`, `pattern`, `minimum`, `minLength`,
 * `maxLength`, `oneOf`, `not`. Schemas are copied from Quay's resources as plain objects, in Quay's key order,
 * because the error that wins and its text depend on it:
 *  - `validate` raises `best_match(iter_errors(...))`: the shallowest error (shortest instance path) wins,
 *    `oneOf`/`anyOf` errors count as weak, ties go to the first error in iteration order (schema keys in
 *    the schema's own order), and a winning error with a `context` (oneOf "not valid under any") is replaced by
 *    the deepest error of its context (`min` by the same key);
 *  - texts are jsonschema's `message` with Python `repr` of values (`'x' is not of type 'integer'`).
 * Real Quay's `error_message` is `str(ValidationError)`: this message, then "Failed validating …" and the
 * schema and instance on more lines. The emulator answers the first line only (see README.md).
 */

export type Schema = { [key: string]: unknown };

/** Python `repr` of a string: single quotes unless the text has `'` and no `"`. */
function pyStrRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + quote;
}

/** Python `repr` of a decoded JSON value (`json.loads` types: dict, list, str, int/float, True/False/None). */
export function pyRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') return pyStrRepr(value);
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${pyStrRepr(k)}: ${pyRepr(v)}`)
      .join(', ')}}`;
  }
  return String(value);
}

/** Python `str()` of a decoded JSON value: strings bare, everything else as `repr`. */
export function pyStr(value: unknown): string {
  return typeof value === 'string' ? value : pyRepr(value);
}

interface SchemaError {
  message: string;
  validator: string;
  /** Instance path depth. */
  depth: number;
  context: SchemaError[];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Draft 7 type checks (an integral float counts as an integer; a bool is not a number). */
function isType(value: unknown, type: string): boolean {
  switch (type) {
    case 'object':
      return isObject(value);
    case 'array':
      return Array.isArray(value);
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
    case 'null':
      return value === null;
    default:
      return false;
  }
}

/** JSON equality as Python compares decoded values (`enum`). */
function jsonEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function* iterErrors(instance: unknown, schema: Schema, depth: number): Generator<SchemaError> {
  for (const [keyword, value] of Object.entries(schema)) {
    const err = (message: string, context: SchemaError[] = []): SchemaError => ({
      message,
      validator: keyword,
      depth,
      context,
    });
    switch (keyword) {
      case 'type': {
        const types = Array.isArray(value) ? (value as string[]) : [value as string];
        if (!types.some((t) => isType(instance, t))) {
          yield err(`${pyRepr(instance)} is not of type ${types.map((t) => pyRepr(t)).join(', ')}`);
        }
        break;
      }
      case 'enum':
        if (!(value as unknown[]).some((e) => jsonEqual(e, instance))) {
          yield err(`${pyRepr(instance)} is not one of ${pyRepr(value)}`);
        }
        break;
      case 'required':
        if (isObject(instance)) {
          for (const name of value as string[]) {
            if (!(name in instance)) yield err(`${pyRepr(name)} is a required property`);
          }
        }
        break;
      case 'properties':
        if (isObject(instance)) {
          for (const [name, sub] of Object.entries(value as Record<string, Schema>)) {
            if (name in instance) yield* iterErrors(instance[name], sub, depth + 1);
          }
        }
        break;
      case 'additionalProperties':
        if (isObject(instance) && value === false) {
          const known = new Set(Object.keys((schema.properties as Record<string, unknown>) ?? {}));
          const extras = Object.keys(instance).filter((k) => !known.has(k));
          if (extras.length > 0) {
            yield err(
              `Additional properties are not allowed (${extras.map(pyRepr).join(', ')} ${extras.length === 1 ? 'was' : 'were'} unexpected)`,
            );
          }
        }
        break;
      case 'pattern':
        // Python's re.search; Quay's patterns are anchored and use only syntax both engines share.
        if (typeof instance === 'string' && !new RegExp(value as string).test(instance)) {
          yield err(`${pyRepr(instance)} does not match ${pyRepr(value)}`);
        }
        break;
      case 'minimum':
        if (typeof instance === 'number' && instance < (value as number)) {
          yield err(`${pyRepr(instance)} is less than the minimum of ${pyRepr(value)}`);
        }
        break;
      case 'minLength':
        if (typeof instance === 'string' && [...instance].length < (value as number)) {
          yield err(`${pyRepr(instance)} is too short`);
        }
        break;
      case 'maxLength':
        if (typeof instance === 'string' && [...instance].length > (value as number)) {
          yield err(`${pyRepr(instance)} is too long`);
        }
        break;
      case 'not':
        if (!iterErrors(instance, value as Schema, depth).next().done) break;
        yield err(`${pyRepr(value)} is not allowed for ${pyRepr(instance)}`);
        break;
      case 'oneOf': {
        const subschemas = value as Schema[];
        const allErrors: SchemaError[] = [];
        let firstValid = -1;
        for (let i = 0; i < subschemas.length; i++) {
          const errs = [...iterErrors(instance, subschemas[i] as Schema, depth)];
          if (errs.length === 0) {
            firstValid = i;
            break;
          }
          allErrors.push(...errs);
        }
        if (firstValid < 0) {
          yield err(`${pyRepr(instance)} is not valid under any of the given schemas`, allErrors);
          break;
        }
        const moreValid = subschemas
          .slice(firstValid + 1)
          .filter((s) => iterErrors(instance, s, depth).next().done);
        if (moreValid.length > 0) {
          moreValid.push(subschemas[firstValid] as Schema);
          yield err(`${pyRepr(instance)} is valid under each of ${moreValid.map(pyRepr).join(', ')}`);
        }
        break;
      }
      default:
        // `description` and other annotations.
        break;
    }
  }
}

/** `by_relevance()`: shallow errors first, weak (`oneOf`/`anyOf`) errors last. */
function relevance(e: SchemaError): [number, number] {
  return [-e.depth, e.validator === 'oneOf' || e.validator === 'anyOf' ? 0 : 1];
}

function compare(a: SchemaError, b: SchemaError): number {
  const [a0, a1] = relevance(a);
  const [b0, b1] = relevance(b);
  return a0 - b0 || a1 - b1;
}

/** The message `jsonschema.validate` would raise, or undefined when the instance is valid. */
export function schemaError(instance: unknown, schema: Schema): string | undefined {
  let best: SchemaError | undefined;
  for (const e of iterErrors(instance, schema, 0)) {
    // Python's max(): the first of equally relevant errors stays.
    if (!best || compare(e, best) > 0) best = e;
  }
  if (!best) return undefined;
  while (best.context.length > 0) {
    let next = best.context[0] as SchemaError;
    // min(): the first of equally relevant errors stays.
    for (const e of best.context) if (compare(e, next) < 0) next = e;
    best = next;
  }
  return best.message;
}
