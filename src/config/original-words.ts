import { verbatim } from '../secrets/redactor.js';
import type { ConfigIssue } from './errors.js';
import { isMapping } from './merge.js';

/** A config file in the original format, with where each native key of its translation came from. */
export interface OriginalSource {
  file: string;
  /** Native key path → the original key (see LegacyTranslation.origins). */
  origins: ReadonlyMap<string, string>;
  /** Entry of `quay` → the original key of its server URL. */
  servers: ReadonlyMap<string, string>;
}

/** A document as merged, in order: an original-format file's translation carries its source. */
export interface LoadedDocument {
  file: string;
  data: Record<string, unknown>;
  original?: OriginalSource;
}

/**
 * Restates an issue in the words of the file the key came from: for a file in the original format the
 * original key (`primary_quay_password`) with the native path after it, and an instance that no file
 * defines as its missing server key (`secondary_server`). Issues of keys a native file set stay as they are.
 */
export function inUserWords(issue: ConfigIssue, documents: readonly LoadedDocument[]): ConfigIssue {
  if (issue.original !== undefined) return issue;
  const sources = documents.filter((d) => d.original !== undefined);
  if (sources.length === 0) return issue;

  const name = issue.undefinedInstance;
  if (name !== undefined) {
    const source = [...sources].reverse().find((d) => d.original?.servers.has(name));
    const key = source?.original?.servers.get(name);
    if (source === undefined || key === undefined) return issue;
    return {
      path: `quay.${name}.url`,
      original: key,
      message: verbatim(`missing key: ${issue.path} needs the ${name} Quay, and this key names its server`),
      expected: 'the URL of the Quay, with scheme',
      example: `${key}: https://quay-${name}.example.com`,
      file: source.file,
    };
  }

  // The last file that sets the key decides; a native file's key is in the user's words already.
  for (const document of [...documents].reverse()) {
    if (document.original === undefined) {
      if (valueAt(document.data, issue.path) !== undefined) return issue;
      continue;
    }
    const found = longestPrefix(issue.path, document.original.origins);
    if (found === undefined) continue;
    const [prefix, key] = found;
    const remainder = issue.path.slice(prefix.length);
    const out: ConfigIssue = { ...issue, original: `${key}${remainder}`, file: document.file };
    const nativeKey = lastKey(issue.path);
    const originalKey = lastKey(key);
    if (remainder === '' && issue.example?.startsWith(`${nativeKey}: `) && originalKey !== nativeKey)
      out.example = `${originalKey}: ${issue.example.slice(nativeKey.length + 2)}`;
    return out;
  }
  return issue;
}

function longestPrefix(path: string, origins: ReadonlyMap<string, string>): [string, string] | undefined {
  for (let end = path.length; end > 0; end--) {
    if (end < path.length && path[end] !== '.' && path[end] !== '[') continue;
    const prefix = path.slice(0, end);
    const key = origins.get(prefix);
    if (key !== undefined) return [prefix, key];
  }
  return undefined;
}

function lastKey(path: string): string {
  return (
    path
      .replace(/\[\d+\]$/, '')
      .split('.')
      .at(-1) ?? path
  );
}

function valueAt(data: Record<string, unknown>, path: string): unknown {
  let current: unknown = data;
  for (const segment of path.match(/[^.[\]]+/g) ?? []) {
    if (Array.isArray(current) && /^\d+$/.test(segment)) current = current[Number(segment)];
    else if (isMapping(current)) current = current[segment];
    else return undefined;
  }
  return current;
}
