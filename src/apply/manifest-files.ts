import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfigIssue } from '../config/errors.js';

/** A manifest file and the wave prefix of its name. */
export interface ManifestFile {
  name: string;
  path: string;
  /** The leading digits of the file name, e.g. `0003` or `002`. */
  prefix: string;
  text: string;
}

const MANIFEST_EXTENSION = /\.ya?ml$/i;
const PREFIX = /^(\d+)[-_.]/;

/**
 * Reads the .yaml/.yml files of a folder (not its sub-folders). Every file must start with a numeric
 * prefix followed by `-`, `_` or `.`; problems are returned, all at once, with the file named.
 */
export function readManifestFiles(directory: string): { files: ManifestFile[]; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  let names: string[];
  try {
    names = readdirSync(directory);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    return {
      files: [],
      issues: [{ path: '', message: `cannot read the manifest folder ${directory} (${code})` }],
    };
  }
  const files: ManifestFile[] = [];
  for (const name of names.sort()) {
    const path = join(directory, name);
    if (!MANIFEST_EXTENSION.test(name) || !statSync(path).isFile()) continue;
    const prefix = PREFIX.exec(name)?.[1];
    if (prefix === undefined) {
      issues.push({
        path: '',
        message: `${name} has no numeric prefix, so its wave is unknown`,
        expected: 'a name like 0003-operator.yaml',
        file: path,
      });
      continue;
    }
    files.push({ name, path, prefix, text: readFileSync(path, 'utf8') });
  }
  if (files.length === 0 && issues.length === 0) {
    issues.push({ path: '', message: `the folder ${directory} holds no .yaml or .yml file` });
  }
  return { files, issues };
}
