/** One problem in the configuration, in terms a user can act on. */
export interface ConfigIssue {
  /** Key path as written in YAML, e.g. `mirror-repos.repositories[2]`; empty for the whole file. */
  path: string;
  message: string;
  /** What would have been accepted, e.g. `an integer from 1 to 64`. */
  expected?: string;
  /** An example value, rendered as YAML. */
  example?: string;
  /** The config file the value came from, when known. */
  file?: string;
}

/** Raised before any action when the configuration (or a file it names) is unusable: exit code 2. */
export class ConfigError extends Error {
  readonly issues: ConfigIssue[];

  constructor(issues: ConfigIssue[]) {
    super(formatIssues(issues));
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

export function formatIssues(issues: ConfigIssue[]): string {
  const head = issues.length === 1 ? 'config error' : `config errors (${issues.length})`;
  const lines = issues.map((issue) => `  - ${formatIssue(issue)}`);
  return [`${head}:`, ...lines].join('\n');
}

export function formatIssue(issue: ConfigIssue): string {
  const where = issue.path === '' ? '(top level)' : issue.path;
  let text = `${where}: ${issue.message}`;
  if (issue.expected) text += `; expected ${issue.expected}`;
  if (issue.example) text += `; example: ${issue.example}`;
  if (issue.file) text += ` [${issue.file}]`;
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
