import { plain } from '../secrets/redactor.js';

/**
 * A mistake on the command line: exit code 2, nothing done. A message written with the `message` template
 * tag keeps its wording (flag names) through the redactor; `message` itself is the plain text.
 */
export class UsageError extends Error {
  readonly marked: string;

  constructor(text: string) {
    super(plain(text));
    this.name = 'UsageError';
    this.marked = text;
  }
}

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
