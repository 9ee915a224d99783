import { plain, verbatim } from '../secrets/redactor.js';

/** One problem in the configuration, in terms a user can act on. */
export interface ConfigIssue {
  /** Key path as written in YAML, e.g. `mirror-repos.repositories[2]`; empty for the whole file. */
  path: string;
  /**
   * What is wrong. Written with the `message` template tag, its wording is kept by the redactor and only
   * the interpolated values are masked; a plain string is masked as free text.
   */
  message: string;
  /** What would have been accepted, e.g. `an integer from 1 to 64`. */
  expected?: string;
  /** An example value, rendered as YAML. */
  example?: string;
  /** The config file the value came from, when known. */
  file?: string;
  /**
   * The key as the user wrote it, when the file was in the original tool's format (`primary_server`);
   * the native `path` is shown after it.
   */
  original?: string;
  /** Set by the check of instance names: the issue is that this entry of `quay` is not defined. */
  undefinedInstance?: string;
}

/** Raised before any action when the configuration (or a file it names) is unusable: exit code 2. */
export class ConfigError extends Error {
  readonly issues: ConfigIssue[];

  constructor(issues: ConfigIssue[]) {
    super(plain(formatIssues(issues)));
    this.name = 'ConfigError';
    this.issues = issues;
  }

  /** The message with its wording, key paths and examples marked, for printing through the redactor. */
  get marked(): string {
    return formatIssues(this.issues);
  }
}

/** The issues as one text; wording, key paths, expectations and examples are marked (see redactor.ts). */
export function formatIssues(issues: ConfigIssue[]): string {
  const head = issues.length === 1 ? 'config error' : `config errors (${issues.length})`;
  const lines = issues.map((issue) => `${verbatim('  - ')}${formatIssue(issue)}`);
  return [verbatim(`${head}:`), ...lines].join('\n');
}

export function formatIssue(issue: ConfigIssue): string {
  const native = issue.path === '' ? '(top level)' : issue.path;
  const where =
    issue.original !== undefined && issue.original !== issue.path ? `${issue.original} (${native})` : native;
  let text = `${verbatim(`${where}: `)}${issue.message}`;
  if (issue.expected) text += verbatim(`; expected ${issue.expected}`);
  if (issue.example) text += verbatim(`; example: ${issue.example}`);
  // The file's path is the user's value: masked where it holds a secret.
  if (issue.file) text += `${verbatim(' [')}${issue.file}${verbatim(']')}`;
  return text;
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out;
}

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
