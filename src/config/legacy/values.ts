/**
 * How the original format's values are read and named: empty means absent (legacy.ts), and a value of the
 * user's is quoted in a message as written if short, else by its type.
 */
import { verbatim } from '../../secrets/redactor.js';
import type { ConfigIssue } from '../errors.js';
import { isMapping } from '../merge.js';

export function wrongType(key: string, value: unknown, expected: string, example: string): ConfigIssue {
  const got = Array.isArray(value) ? 'a list' : isMapping(value) ? 'a mapping' : `a ${typeof value}`;
  return { path: key, original: key, message: verbatim(`wrong type: got ${got}`), expected, example };
}

/** A value of the user's, for a message: a short scalar as written, else its type. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string')
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return verbatim(Array.isArray(value) ? 'a list' : isMapping(value) ? 'a mapping' : `a ${typeof value}`);
}

/** The original treated empty strings, empty lists and null as "not set"; so do we, without its falsy-false bug. */
export function present(value: unknown): unknown {
  if (value === null || value === undefined || value === '') return undefined;
  if (Array.isArray(value) && value.length === 0) return undefined;
  return value;
}

export function compact(record: Record<string, unknown>): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) if (present(value) !== undefined) out[key] = value;
  return Object.keys(out).length > 0 ? out : undefined;
}
