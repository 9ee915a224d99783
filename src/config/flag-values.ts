/**
 * Checks of a flag's value as the command line gave it, shared by the tasks and the engines' requests
 * (src/mirror/request.ts); each failure is a UsageError naming the flag.
 */
import { UsageError } from './errors.js';

/** A flag's value as parsed: a switch, one value, or a repeated one. */
export type RawFlagValue = boolean | string | readonly string[];

export function integerValue(flag: string, value: unknown, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`flag --${flag}: "${String(value)}" is not a whole number from ${min} to ${max}`);
  return n;
}
