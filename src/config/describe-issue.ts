import { dump } from 'js-yaml';
import type * as z from 'zod';
import { message, verbatim } from '../secrets/redactor.js';
import { type ConfigIssue, formatPath } from './errors.js';
import { isMapping } from './merge.js';
import { type JsonSchemaNode, knownKeys, schemaAt } from './schema-lookup.js';

type ZodIssue = z.core.$ZodIssue;

/**
 * Turns zod's issues into ConfigIssues that name the key path, what was expected and an example.
 * Input values are echoed only for enum mismatches and format errors, never for secret-valued fields
 * (those fail only on type), so an error message cannot carry a secret.
 */
export function describeIssues(
  issues: readonly ZodIssue[],
  input: unknown,
  schema: JsonSchemaNode,
): ConfigIssue[] {
  return issues.flatMap((issue) => describe(issue, [], input, schema));
}

function describe(
  issue: ZodIssue,
  prefix: PropertyKey[],
  input: unknown,
  schema: JsonSchemaNode,
): ConfigIssue[] {
  const path = [...prefix, ...issue.path];
  const value = valueAt(input, path);
  const node = schemaAt(schema, path);
  const base = (text: string, expected?: string): ConfigIssue =>
    withExample({ path: formatPath(path), message: text, expected }, path, node);

  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = knownKeys(schema, path, value);
      return issue.keys.map((key) => {
        const suggestion = closest(key, allowed);
        return {
          path: formatPath([...path, key]),
          message: verbatim(suggestion ? `unknown key (did you mean "${suggestion}"?)` : 'unknown key'),
          expected: allowed.length ? `one of: ${allowed.join(', ')}` : undefined,
        };
      });
    }
    case 'invalid_type':
      if (value === undefined)
        return [base(message`missing required key`, expectedFrom(node) ?? article(issue.expected))];
      if (issue.expected === 'int' && typeof value === 'number' && Number.isFinite(value))
        return [base(message`wrong value: got ${value} (not a whole number)`, article(issue.expected))];
      return [base(message`wrong type: got ${verbatim(typeName(value))}`, article(issue.expected))];
    case 'invalid_union': {
      if (value === undefined) return [base(message`missing required key`, expectedFrom(node))];
      const noMatch = issue as { note?: string; options?: unknown[] };
      if (noMatch.note === 'No matching discriminator') {
        const options = noMatch.options?.filter((o) => o !== undefined) ?? [];
        return [
          base(message`wrong value: got ${preview(value)}`, `one of: ${options.map(String).join(', ')}`),
        ];
      }
      // When exactly one branch matched the value's shape, its inner problems are the precise ones (an
      // unknown key of a mapping is about its content too: the mapping branch matched the shape).
      const shaped = issue.errors.filter((branch) =>
        branch.every((inner) => inner.path.length > 0 || inner.code === 'unrecognized_keys'),
      );
      if (shaped.length === 1 && shaped[0])
        return shaped[0].flatMap((inner) => describe(inner, path, input, schema));
      return [base(message`wrong value: got ${verbatim(typeName(value))}`, expectedFrom(node))];
    }
    case 'invalid_value':
      return [
        base(
          message`wrong value: got ${preview(value)}`,
          `one of: ${issue.values.map((v) => String(v)).join(', ')}`,
        ),
      ];
    case 'invalid_key':
      return [
        base(
          // The key is part of the path (structure), as is zod's wording.
          verbatim(`invalid key "${String(path.at(-1))}": ${issue.issues[0]?.message ?? issue.message}`),
        ),
      ];
    case 'too_small':
    case 'too_big':
      return [base(message`${verbatim(boundMessage(issue))}: got ${preview(value)}`)];
    case 'invalid_format':
      return [base(message`got ${preview(value)}`, cleanMessage(issue.message))];
    default: {
      // A check across keys of a mapping (or list) says it all; echoing "got a mapping" would add nothing.
      const hideValue =
        isMapping(value) ||
        Array.isArray(value) ||
        (issue.code === 'custom' && issue.params?.hideValue === true);
      const text = verbatim(cleanMessage(issue.message));
      if (hideValue)
        return [base(text, typeof node?.description === 'string' ? node.description : undefined)];
      return [base(message`${text}: got ${preview(value)}`, expectedFrom(node))];
    }
  }
}

function withExample(issue: ConfigIssue, path: PropertyKey[], node: JsonSchemaNode | undefined): ConfigIssue {
  const examples = node?.examples;
  const example = Array.isArray(examples) && examples.length > 0 ? examples[0] : node?.default;
  if (example === undefined) return dropUndefined(issue);
  const key = path.at(-1);
  const rendered = dump(example, { flowLevel: 0, lineWidth: -1 }).trim();
  const text = typeof key === 'string' ? `${key}: ${rendered}` : `- ${rendered}`;
  return dropUndefined({ ...issue, example: text });
}

function dropUndefined(issue: ConfigIssue): ConfigIssue {
  const out: ConfigIssue = { path: issue.path, message: issue.message };
  if (issue.expected !== undefined) out.expected = issue.expected;
  if (issue.example !== undefined) out.example = issue.example;
  return out;
}

function expectedFrom(node: JsonSchemaNode | undefined): string | undefined {
  if (!node) return undefined;
  if (typeof node.description === 'string') return node.description;
  if (typeof node.type === 'string') return article(node.type);
  return undefined;
}

function boundMessage(issue: ZodIssue & { code: 'too_small' | 'too_big' }): string {
  const word =
    issue.code === 'too_small'
      ? issue.inclusive === false
        ? 'more than'
        : 'at least'
      : issue.inclusive === false
        ? 'less than'
        : 'at most';
  const unit = issue.origin === 'string' ? ' characters' : issue.origin === 'array' ? ' items' : '';
  return `must be ${word} ${String(issue.code === 'too_small' ? issue.minimum : issue.maximum)}${unit}`;
}

function cleanMessage(message: string): string {
  return message.replace(/^Invalid (input|string): /, '');
}

function article(type: string): string {
  const words: Record<string, string> = {
    string: 'a string',
    number: 'a number',
    int: 'an integer',
    integer: 'an integer',
    boolean: 'true or false',
    object: 'a mapping',
    array: 'a list',
  };
  return words[type] ?? type;
}

export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'boolean') return `a boolean (${String(value)})`;
  // YAML's .nan and .inf are numbers to JavaScript, but not to a key that expects one.
  if (typeof value === 'number' && Number.isNaN(value)) return 'NaN (not a number)';
  if (typeof value === 'number' && !Number.isFinite(value)) return 'an infinite number';
  return `a ${typeof value}`;
}

function preview(value: unknown): string {
  if (typeof value === 'string')
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return verbatim(typeName(value));
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

/** The allowed key nearest to a typo (edit distance ≤ 2), for "did you mean". */
function closest(key: string, allowed: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of allowed) {
    const d = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
