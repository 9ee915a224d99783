import { readFileSync } from 'node:fs';
import { load as parseYaml, YAMLException } from 'js-yaml';
import type { Redactor } from '../secrets/redactor.js';
import { describeIssues } from './describe-issue.js';
import { type ConfigFor, documentSchema, type SectionName, toJsonSchema } from './document.js';
import { ConfigError, type ConfigIssue, formatPath } from './errors.js';
import { isLegacyDocument, type LegacyRole, translateLegacy } from './legacy.js';
import { isMapping, mergeDocuments } from './merge.js';
import { inUserWords, type LoadedDocument } from './original-words.js';
import { Secret } from './secret.js';
import { aliasExpansionProblem } from './yaml-expansion.js';

export interface LoadConfigOptions<S extends SectionName> {
  /** Config files in order; later ones override earlier ones. None: every section takes its defaults. */
  files: readonly string[];
  /** The sections this task validates. */
  sections: readonly S[];
  redactor: Redactor;
  env?: NodeJS.ProcessEnv;
  /** Which side an original-format config is read for (the original --configure-secondary-quay-server). */
  legacyRole?: LegacyRole;
  /** Changes made by command-line flags, applied to the merged document before validation. */
  overrides?: (document: Record<string, unknown>) => void;
  /** Told about each original-format file that was translated (one line per file). */
  notice?: (message: string) => void;
  /** Told the finer points of a translation (keys the original did not read either). */
  detail?: (message: string) => void;
  /**
   * The entries of `quay` the task works with; only their secrets are resolved and registered with the
   * redactor (another instance's unset {env} is no error, and its values are not masked in this task's
   * output). Omitted: every instance.
   */
  instancesInUse?: (config: ConfigFor<S>) => readonly string[];
}

export interface LoadedConfig<S extends SectionName> {
  /** The task's sections, validated; no other section (their values are not checked, nor for printing). */
  config: ConfigFor<S>;
  /** The merged document as validated (after translation and overrides), secrets still as written. */
  document: Record<string, unknown>;
  /**
   * Restates issues found later (cross-section checks, the run) in the user's words: the file they came
   * from, and for a file in the original format the original key.
   */
  inUserWords: (issues: readonly ConfigIssue[]) => ConfigIssue[];
}

/**
 * Reads, translates, merges and validates the configuration, then resolves every secret reference and
 * registers the values with the redactor. Throws ConfigError listing every problem at once.
 */
export function loadConfig<S extends SectionName>(options: LoadConfigOptions<S>): LoadedConfig<S> {
  const env = options.env ?? process.env;
  const issues: ConfigIssue[] = [];
  const documents: LoadedDocument[] = [];
  const userWords = (found: readonly ConfigIssue[]): ConfigIssue[] =>
    found.map((issue) => inUserWords(attributeFile(issue, documents), documents));

  for (const file of options.files) {
    const read = readDocument(file);
    if ('issue' in read) {
      issues.push(read.issue);
      continue;
    }
    const data = read.data;
    if (isLegacyDocument(data)) {
      const translation = translateLegacy(data, options.legacyRole ?? 'primary');
      options.notice?.(`config: ${file} is an ${translation.format}; translated to the native format`);
      for (const notice of translation.notices) options.detail?.(`config: ${file}: ${notice}`);
      issues.push(...translation.issues.map((issue) => ({ ...issue, file })));
      documents.push({
        file,
        data: translation.config,
        original: { file, origins: translation.origins, servers: translation.servers },
      });
    } else documents.push({ file, data });
  }
  if (issues.length > 0) throw new ConfigError(issues);

  const document = mergeDocuments(documents.map((d) => d.data));
  options.overrides?.(document);

  const schema = documentSchema(options.sections);
  const parsed = schema.safeParse(document);
  if (!parsed.success) {
    // Only the task's sections are checked, so only their values can appear in the errors.
    for (const section of options.sections)
      registerLikelySecrets(document[section], options.redactor, env, section);
    const described = describeIssues(parsed.error.issues, document, toJsonSchema(schema, 'config'));
    throw new ConfigError(userWords(described));
  }

  // The task's own sections only: the others were not checked, and their literal secrets stay out of
  // everything the task prints (--debug shows this object).
  const config = Object.fromEntries(
    options.sections.flatMap((section) =>
      section in parsed.data ? [[section, (parsed.data as Record<string, unknown>)[section]]] : [],
    ),
  ) as ConfigFor<S>;
  const inUse = options.instancesInUse?.(config);
  for (const { secret, path } of findSecrets(config)) {
    if (inUse !== undefined && path[0] === 'quay' && !inUse.includes(String(path[1]))) continue;
    const problem = secret.resolve(env);
    if (problem !== undefined) {
      issues.push({ path: formatPath(path), message: problem });
    } else {
      options.redactor.add(secret.reveal());
    }
  }
  if (issues.length > 0) throw new ConfigError(userWords(issues));
  return { config, document, inUserWords: userWords };
}

function readDocument(file: string): { data: Record<string, unknown> } | { issue: ConfigIssue } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    const message =
      code === 'ENOENT'
        ? 'config file not found'
        : code === 'EACCES'
          ? 'config file not readable (permission denied)'
          : `cannot read the config file (${code})`;
    return { issue: { path: '', message, file } };
  }
  // js-yaml rejects an input with no document; an empty file (or only comments) is an empty config.
  if (/^\s*$/.test(text.replace(/^\s*#.*$/gm, ''))) return { data: {} };
  let data: unknown;
  try {
    data = parseYaml(text, { filename: file });
  } catch (error) {
    if (error instanceof YAMLException) {
      const mark = error.mark;
      const where = mark ? ` at line ${mark.line + 1}, column ${mark.column + 1}` : '';
      return { issue: { path: '', message: `invalid YAML${where}: ${error.reason}`, file } };
    }
    throw error;
  }
  // An empty file is an empty config (the original crashed on it).
  if (data === undefined || data === null) return { data: {} };
  const bomb = aliasExpansionProblem(data);
  if (bomb !== undefined) return { issue: { path: '', message: `refused: ${bomb}`, file } };
  if (!isMapping(data)) {
    return {
      issue: {
        path: '',
        message: 'the file must hold a mapping of sections',
        expected: 'a YAML mapping',
        example: 'quay: {primary: {url: https://quay.example.com}}',
        file,
      },
    };
  }
  return { data };
}

/** Names the file that set the key (the last one holding its top-level section) in an issue. */
function attributeFile(issue: ConfigIssue, documents: readonly LoadedDocument[]): ConfigIssue {
  if (issue.file || documents.length === 0) return issue;
  const section = issue.path.split(/[.[]/)[0] ?? '';
  const holder = [...documents].reverse().find((d) => section !== '' && section in d.data);
  return holder ? { ...issue, file: holder.file } : issue;
}

function* findSecrets(
  value: unknown,
  path: PropertyKey[] = [],
): Generator<{ secret: Secret; path: PropertyKey[] }> {
  if (value instanceof Secret) {
    yield { secret: value, path };
    return;
  }
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) yield* findSecrets(item, [...path, index]);
  } else if (isMapping(value)) {
    for (const [key, item] of Object.entries(value)) yield* findSecrets(item, [...path, key]);
  }
}

const SECRET_KEY = /pass(word)?|token|secret/i;

/**
 * When validation fails there is no parsed config to take the secret fields from, yet error output must
 * still not show them: register every value under a secret-looking key, and every {env}/{file} that resolves.
 */
function registerLikelySecrets(value: unknown, redactor: Redactor, env: NodeJS.ProcessEnv, key = ''): void {
  if (Array.isArray(value)) {
    for (const item of value) registerLikelySecrets(item, redactor, env, key);
    return;
  }
  if (!isMapping(value)) {
    if (typeof value === 'string' && SECRET_KEY.test(key)) redactor.add(value);
    return;
  }
  const keys = Object.keys(value);
  if (keys.length === 1 && (typeof value.env === 'string' || typeof value.file === 'string')) {
    const secret =
      typeof value.env === 'string'
        ? new Secret({ kind: 'env', name: value.env })
        : new Secret({ kind: 'file', path: String(value.file) });
    if (secret.resolve(env) === undefined) redactor.add(secret.reveal());
    return;
  }
  for (const [child, item] of Object.entries(value)) registerLikelySecrets(item, redactor, env, child);
}
